"""Reading a file of records as people have them: the encoding judged by evidence, the
delimiter sniffed, CSV or JSON Lines, from a path or standard input.

Nothing here knows about leads; ``records`` yields each record's cells with the line it
starts on, and can be called again for a second pass over the same file.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from salesdesk import reading
from salesdesk.errors import InvalidInput

_READ_CHUNK = 1 << 20
# Delimiters Excel writes: "," (CSV), ";" (CSV where "," is the decimal mark), tab ("Text").
DELIMITERS = (",", ";", "\t")
ENCODINGS_HINT = "utf-8, gb18030, cp1252 or utf-16"


@dataclass(frozen=True)
class Source:
    """A file to import and how to read it."""

    path: Path
    shown: str  # the name in messages ("standard input" for -)
    encoding: str
    kind: str  # "csv", "jsonl" or "vcard"
    delimiter: str = ","


def open_source(path: Path, shown: str, encoding: str | None = None) -> Source:
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError as exc:
        raise InvalidInput(f"cannot read {shown}: {exc.strerror or exc}") from None
    if encoding is None:
        encoding = detect_encoding(path, shown, head)
    else:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InvalidInput(f"--encoding {encoding!r} is not an encoding; try {ENCODINGS_HINT}") from None
        if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        line = _decode_error(path, encoding)
        if line is not None:
            raise InvalidInput(f"{shown} line {line} is not {encoding} text; check --encoding")
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        return Source(path, shown, encoding, "jsonl")
    if text.lstrip()[:11].upper() == "BEGIN:VCARD":
        return Source(path, shown, encoding, "vcard")
    return Source(path, shown, encoding, "csv", sniff_delimiter(text))


def sniff_delimiter(text: str) -> str:
    """The delimiter used most in the header line, quoted cells left out."""
    header = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def detect_encoding(path: Path, shown: str, head: bytes) -> str:
    """UTF-8 or UTF-16 when the bytes say so; else GB18030 (a superset of GBK) or cp1252
    (Windows "ANSI") when the text reads as that and not the other. Which bytes decode is
    no evidence: nearly any bytes decode as both."""
    # UTF-16 by the rule reading.spooled() also uses, so a pipe is read as the same file would be.
    utf16 = reading.utf16_encoding(head)
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else utf16 or "utf-8"
    first_error = _decode_error(path, encoding)
    if first_error is None:
        return encoding
    if encoding != "utf-8":
        raise InvalidInput(f"{shown} line {first_error} is not {encoding} text; give --encoding ({ENCODINGS_HINT})")
    gbk, latin = _reads_as_chinese(path), _reads_as_latin(path)
    if gbk and not latin:
        return "gb18030"
    if latin and not gbk:
        return "cp1252"
    what = "could be Chinese (GBK) or Western (cp1252) text" if gbk else "is not UTF-8, GBK or cp1252 text"
    raise InvalidInput(
        f"{shown} {what} (line {first_error} is the first line that is not UTF-8); "
        f"say which with --encoding ({ENCODINGS_HINT})"
    )


def _decode_error(path: Path, encoding: str) -> int | None:
    """The line of the first byte ``encoding`` can't read, or None: a streaming pass at C speed."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 1
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_READ_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return lines + chunk.count(b"\n", 0, exc.start)
            if not chunk:
                return None
            lines += chunk.count(b"\n")


def _non_ascii_runs(path: Path, encoding: str) -> Iterator[tuple[str, str, str]]:
    """Each run of non-ASCII characters with the characters on either side of it."""
    try:
        with path.open(encoding=encoding, errors="strict", newline="") as handle:
            for line in handle:
                for m in re.finditer(r"[^\x00-\x7f]+", line):
                    yield line[m.start() - 1 : m.start()], m.group(), line[m.end() : m.end() + 1]
    except UnicodeDecodeError:
        yield "", "\ufffd", ""


# Names use some characters GB2312 lacks (喆, 镕...): most, not all, must be common ones.
_COMMON_HANZI_SHARE = 0.9


def _reads_as_chinese(path: Path) -> bool:
    """Nearly every non-ASCII character is one GB2312 holds (the 7,000 common hanzi and
    punctuation): GBK bytes that are really Latin text make rare characters like 黮."""
    common = rare = 0
    for _, run, _ in _non_ascii_runs(path, "gb18030"):
        for ch in run:
            try:
                ch.encode("gb2312")
                common += 1
            except UnicodeEncodeError:
                rare += 1
    return common + rare > 0 and common >= _COMMON_HANZI_SHARE * (common + rare)


def _reads_as_latin(path: Path) -> bool:
    """Every non-ASCII run is a letter or two inside a word (Müller, García, Renée), or
    typographic punctuation (dashes, curly quotes, the euro sign) between spaces or letters."""
    for before, run, after in _non_ascii_runs(path, "cp1252"):
        letters = all(unicodedata.category(ch).startswith("L") for ch in run)
        in_word = before.isalpha() or after.isalpha()
        punctuation = all(ch in "–—‘’“”„€£…°·«»×®©™§±¿¡•" for ch in run)
        if not ((letters and in_word and len(run) <= 3) or punctuation):
            return False
    return True


def records(source: Source) -> Iterator[tuple[int, list[str] | dict[str, str]]]:
    """Each record with the line it starts on: a list of cells (CSV, the header first) or
    a dict of strings (JSON Lines). A quoted CSV cell may span several lines."""
    with source.path.open(encoding=source.encoding, newline="") as handle:
        if source.kind == "jsonl":
            yield from _json_records(handle, source)
        elif source.kind == "vcard":
            yield from _vcard_records(handle, source)
        else:
            yield from _csv_records(handle, source)


def _csv_records(handle: IO[str], source: Source) -> Iterator[tuple[int, list[str]]]:
    # Strict: a stray quote is a broken file to refuse, not something to guess around.
    reader = csv.reader(handle, delimiter=source.delimiter, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(
                f"{source.shown} line {line}: not valid CSV ({exc}); check the quotes on that line"
            ) from None
        if line == 1 and record:
            record[0] = record[0].lstrip("\ufeff")
        yield line, record
        line = reader.line_num + 1


def _json_records(handle: IO[str], source: Source) -> Iterator[tuple[int, dict[str, str]]]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{source.shown} line {line}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise InvalidInput(f"{source.shown} line {line}: not a JSON object; give one object a line")
        yield line, {str(k): _json_cell(v) for k, v in data.items()}


# A vCard's properties as the columns of a sheet ("vCard" in import_formats names them).
# Several numbers or emails of one kind share a cell, split as Google's " ::: " cells are.
VCARD_HEADERS = ["Full Name", "Given Name", "Middle Name", "Family Name", "Organization", "Job Title", "Mobile",
                 "Phone", "E-mail", "Note", "Address"]  # fmt: skip
_CARD_START = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE | re.MULTILINE)


def _vcard_records(handle: IO[str], source: Source) -> Iterator[tuple[int, list[str]]]:
    """Each card of a .vcf (vCard 2.1, 3.0 or 4.0, as phones and iCloud export them) as a
    row under VCARD_HEADERS, with the line it starts on. A contacts file is small: it is
    read whole, then parsed a card at a time so a broken card names its line."""
    import vobject  # only .vcf imports pay for it

    text = handle.read().lstrip("\ufeff")
    yield 1, list(VCARD_HEADERS)
    starts = [m.start() for m in _CARD_START.finditer(text)]
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        line = text.count("\n", 0, begin) + 1
        try:
            card = vobject.readOne(text[begin:end])
        except Exception as exc:  # vobject raises several kinds for one thing: a card it can't read
            raise InvalidInput(f"{source.shown} line {line}: not a valid vCard ({exc})") from None
        yield line, _card_row(card)


def _card_row(card: Any) -> list[str]:
    # vobject.readOne is untyped (a Component); its properties' .value is str, list or a Name.
    contents: dict[str, list[Any]] = card.contents

    def first(key: str) -> object:
        return contents[key][0].value if contents.get(key) else ""

    def types(prop: object) -> str:
        params = getattr(prop, "params", {}).get("TYPE", []) + getattr(prop, "singletonparams", [])
        return ",".join(params).lower()

    name = first("n")
    org = first("org")
    mobiles: list[str] = []
    phones: list[str] = []
    for tel in contents.get("tel", []):
        number = str(tel.value).removeprefix("tel:")  # vCard 4 writes numbers as tel: URIs
        (mobiles if "cell" in types(tel) else phones).append(number)
    addresses = [" ".join(str(a.value).split()) for a in contents.get("adr", [])]
    return [
        str(first("fn")),
        str(getattr(name, "given", "") or ""),
        str(getattr(name, "additional", "") or ""),
        str(getattr(name, "family", "") or ""),
        str(org[0] if isinstance(org, list) and org else org or ""),
        str(first("title")),
        " ::: ".join(mobiles),
        " ::: ".join(phones),
        " ::: ".join(str(e.value) for e in contents.get("email", [])),
        str(first("note")),
        " / ".join(addresses),
    ]


def _json_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
