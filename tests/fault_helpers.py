"""Making a database file truly unwritable, or its disk truly full, for a real ``salesdesk``.

Root ignores file modes, so a plain ``chmod`` proves nothing when the suite runs as root (as
in a container). Two ways that hold for root too:

- **immutable**: ``chattr +i`` on the file (root, on ext4/xfs/btrfs): nobody may write it,
  root included, while the directory stays writable (SQLite can make its -wal and -shm);
- **permissions**: the file 0444 in a 0555 directory, the way a user meets it; when running
  as root, salesdesk runs without the capabilities that override file modes (``setpriv``).

A full disk is a real tmpfs mounted small (needs root and mount rights), filled up.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, Result

IS_ROOT = os.geteuid() == 0
# Capabilities that let root read or write whatever the file modes say.
_DAC_CAPS = "-dac_override,-dac_read_search,-fowner"


def _setpriv_works() -> bool:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return False
    probe = subprocess.run([setpriv, f"--bounding-set={_DAC_CAPS}", "--", "true"], capture_output=True)
    return probe.returncode == 0


@contextmanager
def immutable(path: Path) -> Iterator[list[str]]:
    """``path`` cannot be written by anyone; yields the command prefix to run salesdesk with."""
    chattr = shutil.which("chattr")
    if not IS_ROOT or chattr is None:
        pytest.skip("making a file immutable needs root and chattr")
    made = subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"this filesystem has no immutable flag: {made.stderr.strip()}")
    try:
        yield []
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@contextmanager
def read_only_perms(path: Path) -> Iterator[list[str]]:
    """``path`` 0444 in a 0555 directory; yields the command prefix that makes the modes bind."""
    prefix: list[str] = []
    if IS_ROOT:
        if not _setpriv_works():
            pytest.skip("running as root without setpriv: file modes cannot be made to bind")
        prefix = [str(shutil.which("setpriv")), f"--bounding-set={_DAC_CAPS}", "--"]
    directory = path.parent
    file_mode, dir_mode = stat.S_IMODE(path.stat().st_mode), stat.S_IMODE(directory.stat().st_mode)
    path.chmod(0o444)
    directory.chmod(0o555)
    try:
        yield prefix
    finally:
        directory.chmod(dir_mode)
        path.chmod(file_mode)


@contextmanager
def read_only(path: Path) -> Iterator[list[str]]:
    """The database unwritable in whichever way this machine allows (modes first: any user)."""
    if not IS_ROOT or _setpriv_works():
        with read_only_perms(path) as prefix:
            yield prefix
    else:
        with immutable(path) as prefix:
            yield prefix


@contextmanager
def tiny_disk(tmp_path: Path, size: str = "2m") -> Iterator[Path]:
    """A directory on its own ``size`` tmpfs, unmounted afterwards."""
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def fill_disk(directory: Path) -> Path:
    """Fill the filesystem holding ``directory`` to the last byte; return the filler file."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 4096):
                pass
        except OSError as exc:
            if exc.errno != errno.ENOSPC:  # a full disk is the point; anything else is a real failure
                raise
    return filler


def run_as(prefix: list[str], *args: str, env: dict[str, str]) -> Result:
    """The installed ``salesdesk`` as a real process, behind ``prefix`` (e.g. setpriv)."""
    proc = subprocess.run(
        [*prefix, str(SALESDESK), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
