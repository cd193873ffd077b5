"""Reading what the user hands over (a file, a FIFO, ``-`` for stdin) in bounded pieces.

``/dev/zero``, a pipe fed by ``head -c 3G`` or a file with no newline would otherwise be read
whole into memory before anything checks it. Each source is opened once (a FIFO can only be
read once) and read as a stream, never more than the cap plus one character; a reader that
needs to open its file again (the CSV import) gets a private copy of a pipe (``spooled``).
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from salesdesk.errors import InvalidInput
from salesdesk.signals import terminated


def _not_utf8(source: object, exc: UnicodeDecodeError) -> InvalidInput:
    return InvalidInput(f"{source} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save it as UTF-8")


def read_text(source: Path, max_chars: int) -> str:
    """The whole of ``source`` (``-``: stdin) as text, refused if over ``max_chars``."""
    try:
        if str(source) == "-":
            text = sys.stdin.read(max_chars + 1)
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read(max_chars + 1)
    except UnicodeDecodeError as exc:
        raise _not_utf8(source, exc) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None
    if len(text) > max_chars:
        raise InvalidInput(f"{source} is longer than {max_chars:,} characters; the limit is {max_chars:,}")
    return text


def utf16_encoding(head: bytes) -> str | None:
    """The UTF-16 codec ``head`` (a file's first bytes) is written in, or None: by its BOM, or
    for Excel's "Unicode Text" saved without one, by the zero byte beside each ASCII letter."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"\0\0"):  # a NUL first character (/dev/zero): no text, in any encoding
        return None
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return "utf-16-be"
    return None


def _nul_at(chunk: bytes, offset: int, utf16: bool) -> int | None:
    """Where ``chunk`` (at ``offset`` in its input) holds a NUL character: a zero byte, or in
    UTF-16 a zero code unit (two zero bytes at an even offset)."""
    if not utf16:
        found = chunk.find(b"\0")
        return None if found < 0 else found
    found = chunk.find(b"\0\0")
    while found >= 0 and (offset + found) % 2:
        found = chunk.find(b"\0\0", found + 1)
    return None if found < 0 else found


def utf8_lines(stream: BinaryIO, shown: str, max_chars: int, max_total: int) -> Iterator[str]:
    """The lines of a UTF-8 ``stream`` (a UTF-8 BOM is skipped), refusing one longer than
    ``max_chars`` or more than ``max_total`` characters in all as soon as it is seen; bytes
    that are not UTF-8 are refused with their line and byte offset in it, and a
    UTF-16 input (which JSON Lines never is) as that, whether it comes from a file or a pipe."""
    limit = 4 * max_chars + 2  # a character is at most 4 bytes; then "\r\n"
    number = total = 0
    while True:
        number += 1
        raw = stream.readline(limit)
        if not raw:
            return
        if number == 1:
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            elif utf16_encoding(raw):
                raise InvalidInput(
                    f"{shown} is UTF-16 text; JSON Lines are UTF-8: convert it (iconv -f UTF-16 -t UTF-8)"
                )
        if len(raw) == limit and not raw.endswith(b"\n"):
            raise InvalidInput(f"line {number} is longer than {max_chars:,} characters; the limit is {max_chars:,}")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"line {number} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start} of the line); "
                "save it as UTF-8"
            ) from None
        if len(line.rstrip("\r\n")) > max_chars:
            raise InvalidInput(f"line {number} is longer than {max_chars:,} characters; the limit is {max_chars:,}")
        total += len(line)
        if total > max_total:
            raise InvalidInput(f"the input is longer than {max_total:,} characters; split it into smaller batches")
        yield line


@contextmanager
def spooled(source: Path, max_bytes: int) -> Iterator[Path]:
    """``source`` as a regular file that may be opened several times: itself if it is one,
    else (a FIFO, ``<(cat x.csv)``, ``/dev/zero``, ``-`` for stdin) a private temporary copy,
    read once, refused at its first NUL character (not text) or past ``max_bytes``. UTF-16 text
    (zero bytes in every other place) is copied as it is, so a pipe reads as the file would."""
    if str(source) != "-":
        try:
            if stat.S_ISREG(os.stat(source).st_mode):
                yield source
                return
        except OSError as exc:
            raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None
    # mkdtemp makes the folder owner-only; SIGTERM unwinds through its removal.
    with terminated(), tempfile.TemporaryDirectory(prefix="salesdesk-") as folder:
        copy = Path(folder) / (source.name or "stdin")
        shown = "standard input" if str(source) == "-" else str(source)
        try:
            reader = sys.stdin.buffer if str(source) == "-" else open(source, "rb")  # noqa: SIM115
            with reader, open(copy, "wb") as writer:
                size = 0
                utf16 = False
                while chunk := reader.read(_CHUNK):  # whole chunks until the end (a buffered reader)
                    if size == 0:
                        utf16 = utf16_encoding(chunk) is not None
                    nul = _nul_at(chunk, size, utf16)
                    if nul is not None:
                        raise InvalidInput(f"{shown} is not a text file (a NUL byte at offset {size + nul:,})")
                    size += len(chunk)
                    if size > max_bytes:
                        raise InvalidInput(f"{source} is larger than {max_bytes:,} bytes; the limit is {max_bytes:,}")
                    writer.write(chunk)
        except OSError as exc:
            raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None
        try:
            yield copy
        except InvalidInput as exc:
            # Messages name what the user gave, not the copy.
            raise InvalidInput(str(exc).replace(str(copy), str(source)), field=exc.field) from None


_CHUNK = 1 << 16
