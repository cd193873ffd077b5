"""Where a command's output file goes (``export -o``, ``block export --ics``).

- ``-`` is stdout.
- An absent path or a regular file is written under a temporary name beside it and renamed
  into place when complete, so a failed export never leaves half a file where the old one was.
- A stream (a FIFO, a terminal, ``/dev/null``, ``/dev/stdout``, a process substitution
  ``>(gzip > x.gz)``) is written to, never renamed over: a rename would replace the pipe
  its reader is waiting on (or, as root, ``/dev/full`` itself) and the reader gets nothing.
- The database, its ``-wal``/``-shm``/``-journal`` and its ``.bak`` backups are refused, as is
  anything else (a directory, a block device, a socket): exit 2, nothing touched.

A temporary file is removed on SIGTERM and SIGINT too (``signals.terminated`` turns SIGTERM
into an exception that unwinds through here).
"""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from salesdesk.errors import InvalidInput
from salesdesk.signals import terminated

STDOUT = "-"
# What SQLite keeps beside a database; writing over any of them loses or corrupts data.
_COMPANIONS = ("", "-wal", "-shm", "-journal")
A_BACKUP = "a backup of the database"
# Paths the system owns: write through them, never create or rename anything there.
_SYSTEM_DIRS = ("/dev/", "/proc/")


def is_stdout(path: Path | str | None) -> bool:
    return str(path) == STDOUT


def is_stream(target: Path) -> bool:
    """Whether ``target`` is stdout, a pipe or a device: no "Wrote ..." line follows the data
    there, since it could land in the same stream."""
    if is_stdout(target) or str(target).startswith(_SYSTEM_DIRS):
        return True
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def why_guarded(target: Path, databases: Iterable[Path]) -> str | None:
    """Why ``target`` must not be written over, if it is a database or one of its files."""
    real = target.resolve()  # through symlinks, to where the bytes would land
    try:
        found: os.stat_result | None = os.stat(target)
    except OSError:
        found = None
    for db in databases:
        if str(db) in ("", ":memory:"):
            continue
        db_real = db.resolve()
        for suffix in _COMPANIONS:
            companion = db_real.with_name(db_real.name + suffix)
            if real == companion:
                return "the database" if not suffix else f"the database's {suffix[1:]} file"
            try:
                if found is not None and _same_file(found, os.stat(companion)):  # a hard link to it
                    return "the database" if not suffix else f"the database's {suffix[1:]} file"
            except OSError:
                pass
        if real.parent == db_real.parent and real.name.startswith(db_real.name + ".") and real.name.endswith(".bak"):
            return A_BACKUP
    return None


def check_target(target: Path, databases: Iterable[Path]) -> bool:
    """Refuse a target that must not be written; return True if it is a stream (write in place)."""
    why = why_guarded(target, databases)
    if why is not None:
        raise InvalidInput(f"{target} is {why}; write the export to another file")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        if str(target).startswith(_SYSTEM_DIRS):
            raise InvalidInput(f"cannot write {target}: no such file") from None
        return False
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise InvalidInput(f"{target} is a directory; give a file name")
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or str(target).startswith(_SYSTEM_DIRS):
        return True
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"{target} is not a regular file, a pipe or a terminal; give a file name")
    return False


@contextmanager
def open_output(target: Path, databases: Iterable[Path], *, binary: bool = False) -> Iterator[IO]:
    """``target`` opened for writing as the module docstring says; text is UTF-8 with the
    line endings the writer chose."""
    if is_stdout(target):
        yield sys.stdout.buffer if binary else sys.stdout
        return
    stream = check_target(target, databases)
    if stream:
        with _writing(target), _opened(target, os.O_WRONLY | os.O_APPEND, binary) as handle:
            yield handle
        return
    # Replace what the path points at, not a symlink on the way there.
    final = target.resolve()
    temp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        with terminated(), _writing(target):
            with _opened(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, binary) as handle:
                yield handle
            os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextmanager
def _opened(path: Path, flags: int, binary: bool) -> Iterator[IO]:
    fd = os.open(path, flags, 0o600)
    raw = os.fdopen(fd, "wb")
    with raw if binary else io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
        yield handle


@contextmanager
def _writing(target: Path) -> Iterator[None]:
    """Any OS error while writing ``target`` (a full disk, a closed pipe) as exit 2."""
    try:
        yield
    except BrokenPipeError:
        raise  # the reader left: not an error (the CLI exits 0, silently)
    except OSError as exc:
        raise InvalidInput(f"cannot write {target}: {exc.strerror or exc}") from None
