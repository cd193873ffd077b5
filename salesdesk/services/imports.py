"""Importing leads from a CSV file: mapped, cleaned, de-duplicated, and all-or-nothing.

Rows are cleaned with the same validators as ``add_lead`` and a duplicate means the same
thing (same email, or the same phone with or without its country code). The file is read
once as a stream; valid rows are inserted in chunks with bulk core inserts, all inside the
caller's one write transaction, so a bad row (or a killed process) leaves nothing behind.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

from salesdesk import validate
from salesdesk.config import GRADES, SOURCES
from salesdesk.dates import parse_when
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.models import Account, Lead

FIELDS = ("name", "company", "title", "phone", "email", "wechat", "source", "grade", "created_at", "role", "notes")
IGNORE = "-"  # ``--map COLUMN=-`` leaves a column out

# Headers as Chinese and English CRM and Excel exports spell them, in the form _header_key gives.
_ALIASES = {
    "name": ("name", "full name", "contact", "contact name", "姓名", "名字", "联系人", "客户姓名", "客户"),
    "company": ("company", "company name", "account", "organization", "organisation", "公司", "公司名称", "单位",
                "企业", "企业名称"),
    "title": ("title", "job title", "position", "职位", "职务", "头衔"),
    "phone": ("phone", "phone number", "tel", "telephone", "mobile", "mobile phone", "cell", "电话", "手机",
              "手机号", "手机号码", "电话号码", "联系电话"),
    "email": ("email", "e mail", "email address", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件"),
    "wechat": ("wechat", "wechat id", "weixin", "微信", "微信号"),
    "source": ("source", "lead source", "来源", "线索来源", "客户来源"),
    "grade": ("grade", "rating", "等级", "级别", "客户等级"),
    "created_at": ("created at", "created", "created time", "creation date", "创建时间", "创建日期", "录入时间"),
    "role": ("role", "角色"),
    "notes": ("notes", "note", "remarks", "remark", "comment", "comments", "备注", "说明"),
}  # fmt: skip
_BY_ALIAS = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}

# Rows validated between bulk inserts: big enough that the inserts run at C speed, small
# enough that a huge file never sits in memory.
CHUNK_ROWS = 5_000
BAD_ROWS_SHOWN = 10
_READ_CHUNK = 1 << 20
# Excel writes dates as 2026/11/5 9:30; the time parser reads ISO 2026-11-05 09:30.
_SPREADSHEET_DATE = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(:\d{2})?)?$")


@dataclass(frozen=True)
class BadRow:
    line: int  # the physical line the row starts on; the header is line 1
    reason: str


@dataclass
class ImportReport:
    """What an import did, or (``dry_run``) would do."""

    file: str
    encoding: str
    mapping: dict[str, str]  # column -> field
    ignored: list[str]  # columns not imported
    dry_run: bool
    rows: int = 0  # data rows read (blank lines not counted)
    imported: int = 0
    duplicates_existing: int = 0
    duplicates_in_file: int = 0
    new_accounts: int = 0
    bad_count: int = 0
    bad: list[BadRow] = field(default_factory=list)  # the first few, for the report

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "mapping": self.mapping,
            "ignored_columns": self.ignored,
            "rows": self.rows,
            "imported": self.imported,
            "duplicates_existing": self.duplicates_existing,
            "duplicates_in_file": self.duplicates_in_file,
            "new_accounts": self.new_accounts,
            "bad_rows": self.bad_count,
            "bad": [{"line": b.line, "reason": b.reason} for b in self.bad],
        }


def _header_key(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", validate.name_key(header)).strip()


def parse_maps(specs: Iterable[str]) -> dict[str, str]:
    """``["手机=phone", "Fax=-"]`` -> ``{"手机": "phone", "Fax": "-"}``."""
    maps: dict[str, str] = {}
    for spec in specs:
        column, sep, target = spec.rpartition("=")
        target = target.strip().lower()
        if not sep or not column.strip():
            raise InvalidInput(f"--map {spec!r} is not COLUMN=field, e.g. --map 手机=phone")
        if target not in (*FIELDS, IGNORE):
            raise InvalidInput(f"--map {spec!r}: field {target!r} is not one of {', '.join(FIELDS)} (or - to skip)")
        maps[column.strip()] = target
    return maps


def map_columns(headers: list[str], maps: dict[str, str]) -> tuple[dict[int, str], list[str]]:
    """Which field each column fills, and the columns left out. ``--map`` wins over the
    automatic mapping; two columns filling one field are refused rather than guessed."""
    names = [h.strip() for h in headers]
    unknown = [column for column in maps if column not in names]
    if unknown:
        raise InvalidInput(f"--map names no column {unknown[0]!r}; the columns are: {', '.join(names)}")
    chosen: dict[int, str] = {}
    for index, header in enumerate(names):
        target = maps.get(header) or _BY_ALIAS.get(_header_key(header))
        if header not in maps and target in maps.values():
            target = None  # --map gave that field to another column
        if target and target != IGNORE:
            if target in chosen.values():
                other = names[next(i for i, f in chosen.items() if f == target)]
                raise InvalidInput(
                    f"columns {other!r} and {header!r} both look like {target}; "
                    f"choose one with --map {header}={target} (or --map {header}=-)"
                )
            chosen[index] = target
    if "name" not in chosen.values():
        raise InvalidInput(
            f"no column holds the name; the columns are: {', '.join(names) or '(none)'}; name it with --map COLUMN=name"
        )
    return chosen, [h for i, h in enumerate(names) if i not in chosen]


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) or GB18030, a superset of the GBK that Chinese Excel
    writes. Anything else is refused with the line of the first byte that reads as neither."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidInput(f"{path} is UTF-16 text; save it as CSV UTF-8 (or GBK) and import that")
    else:
        encoding = "utf-8"
    first_error = _decode_error(path, encoding)
    if first_error is None:
        return encoding
    if encoding == "utf-8" and _decode_error(path, "gb18030") is None:
        return "gb18030"
    raise InvalidInput(
        f"{path} is neither UTF-8 nor GBK text (line {first_error} has bytes that read as neither); "
        "save it as CSV UTF-8 and import that"
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


def _created_at(value: str | None, now: datetime) -> datetime | None:
    cleaned = validate.text(value, "created_at", max_len=40)
    if cleaned is None:
        return None
    if (m := _SPREADSHEET_DATE.match(cleaned)) is not None:
        year, month, day, hour, minute, seconds = m.groups()
        clock = f"T{int(hour):02d}:{minute}{seconds or ''}" if hour else ""
        cleaned = f"{year}-{int(month):02d}-{int(day):02d}{clock}"
    return parse_when(cleaned, now, prefer="past")


def _choice_cell(value: str | None) -> str | None:
    """An empty cell means "not given", so add_lead's default applies (outbound, ungraded)."""
    return value.strip() or None if value is not None else None


def clean_row(values: dict[str, str], now: datetime) -> dict[str, Any]:
    """A row's cells as lead columns, cleaned exactly as ``add_lead`` cleans its arguments
    (and in its order, so a row with several faults names the same one first)."""
    get = values.get
    created_at = _created_at(get("created_at"), now) or now
    phone = validate.phone(get("phone"))
    email = validate.email(get("email"))
    name = validate.required(get("name"), "name")
    row = {
        "name": name,
        "name_key": validate.name_key(name),
        "title": validate.text(get("title"), "title"),
        "phone": phone,
        "email": email,
        "wechat": validate.wechat(get("wechat")),
        "source": validate.choice(_choice_cell(get("source")), "source", SOURCES) or "outbound",
        "grade": validate.choice(_choice_cell(get("grade")), "grade", GRADES, upper=True),
        "status": "new",
        "is_coach": False,
        "role": validate.text(get("role"), "role"),
        "notes": validate.text(get("notes"), "notes", max_len=validate.NOTES_MAX, multiline=True),
        "created_at": created_at,
        "updated_at": now,
        "closed_at": None,
        "close_reason": None,
        "touch_count": 0,
        "call_count": 0,
        "connect_count": 0,
        "meeting_count": 0,
        "first_touch_at": None,
        "last_touch_at": None,
    }
    if created_at > now:
        raise InvalidInput("a lead cannot arrive in the future; give a past created_at")
    row["company"] = validate.text(get("company"), "company")
    return row


# The shortest number matched by its tail: leads._same_phone treats 7+ digit numbers that end
# with one another as one number (the country code is optional); shorter ones must be equal.
_TAIL_MIN = 7


class KnownContacts:
    """The phones and emails already taken, held in sets so a 50,000-row file is checked
    without a query per row. Same notion of "the same person" as ``leads._duplicate_of``."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.phones: set[str] = set()  # as stored, for numbers too short to match by tail
        self.numbers: set[str] = set()  # digits of 7+ digit numbers
        self.tails: set[str] = set()  # every 7+ digit tail of those numbers

    def add(self, phone: str | None, email: str | None) -> None:
        if email:
            self.emails.add(email)
        if phone:
            self.phones.add(phone)
            digits = phone.lstrip("+")
            if len(digits) >= _TAIL_MIN:
                self.numbers.add(digits)
                self.tails.update(digits[i:] for i in range(len(digits) - _TAIL_MIN + 1))

    def has(self, phone: str | None, email: str | None) -> bool:
        if email and email in self.emails:
            return True
        if not phone:
            return False
        digits = phone.lstrip("+")
        if len(digits) < _TAIL_MIN:
            return phone in self.phones
        # A known number ending with this one, or this one ending with a known number.
        return digits in self.tails or any(digits[i:] in self.numbers for i in range(len(digits) - _TAIL_MIN + 1))


def _known_contacts(session: Session) -> KnownContacts:
    known = KnownContacts()
    for phone, email in session.execute(select(Lead.phone, Lead.email)):
        known.add(phone, email)
    return known


def _physical_rows(handle: IO[str], path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; a quoted cell may span several lines."""
    # Strict: a stray quote is a broken file to refuse, not something to guess around.
    reader = csv.reader(handle, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(f"{path} line {line}: not valid CSV ({exc}); check the quotes on that line") from None
        yield line, record
        line = reader.line_num + 1


class _Writer:
    """Bulk-inserts cleaned rows: companies become accounts (one per name, as add_lead
    matches them), then leads, then the first grade of each graded lead."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.accounts = dict(session.execute(select(Account.name_key, Account.id)).all())
        self.first_new_id = (session.execute(select(func.max(Lead.id))).scalar_one() or 0) + 1
        self.new_accounts = 0

    def write(self, rows: list[dict[str, Any]]) -> None:
        fresh: dict[str, str] = {}
        for row in rows:
            company = row["company"]
            if company is not None:
                fresh.setdefault(validate.name_key(company), company)
        fresh = {key: name for key, name in fresh.items() if key not in self.accounts}
        if fresh:
            self.session.execute(
                insert(Account.__table__),  # type: ignore[attr-defined]
                [{"name": name, "name_key": key, "created_at": self.now} for key, name in fresh.items()],
            )
            found = select(Account.name_key, Account.id).where(Account.name_key.in_(list(fresh)))  # type: ignore[attr-defined]
            self.accounts.update(self.session.execute(found).all())
            self.new_accounts += len(fresh)
        for row in rows:
            company = row.pop("company")
            row["account_id"] = None if company is None else self.accounts[validate.name_key(company)]
        # Core, not ORM, inserts: one executemany for the chunk rather than one per key pattern.
        self.session.execute(insert(Lead.__table__), rows)  # type: ignore[attr-defined]

    def finish(self) -> None:
        # Every lead above first_new_id is this import's: the write transaction excludes other writers.
        self.session.execute(
            text(
                "INSERT INTO grade_change (lead_id, at, old_grade, new_grade) "
                "SELECT id, created_at, NULL, grade FROM lead WHERE id >= :first AND grade IS NOT NULL ORDER BY id"
            ),
            {"first": self.first_new_id},
        )


def import_leads(
    session: Session,
    path: Path,
    now: datetime,
    *,
    maps: dict[str, str] | None = None,
    dry_run: bool = False,
    skip_errors: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the leads in a CSV file into ``session``'s transaction.

    Duplicates (of existing leads, or of earlier rows) are skipped and counted. A bad row
    is an InvalidInput naming its line, after every row was checked, unless ``skip_errors``;
    ``dry_run`` checks everything and writes nothing. ``progress`` is told the bytes read.
    """
    try:
        encoding = detect_encoding(path)
        handle = path.open(encoding=encoding, newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        rows = _physical_rows(handle, path)
        first = next(rows, None)
        if first is None:
            raise InvalidInput(f"{path} is empty; the first line must name the columns")
        columns, ignored = map_columns(first[1], maps or {})
        report = ImportReport(
            str(path), encoding, {first[1][i].strip(): f for i, f in columns.items()}, ignored, dry_run
        )
        known = _known_contacts(session)
        in_file = KnownContacts()
        writer = None if dry_run else _Writer(session, now)
        chunk: list[dict[str, Any]] = []
        width = len(first[1])
        for line, record in rows:
            if not any(cell.strip() for cell in record):
                continue
            report.rows += 1
            if progress is not None and report.rows % 1000 == 0:
                progress(handle.buffer.tell())
            try:
                if len(record) > width and any(cell.strip() for cell in record[width:]):
                    raise InvalidInput(f"{len(record)} cells, but the header names {width} columns")
                row = clean_row({f: record[i] for i, f in columns.items() if i < len(record)}, now)
            except SalesdeskError as exc:
                report.bad_count += 1
                if len(report.bad) < BAD_ROWS_SHOWN:
                    report.bad.append(BadRow(line, str(exc)))
                continue
            phone, email = row["phone"], row["email"]
            if known.has(phone, email):
                report.duplicates_existing += 1
                continue
            if in_file.has(phone, email):
                report.duplicates_in_file += 1
                continue
            in_file.add(phone, email)
            report.imported += 1
            # Once a row is bad and errors are not skipped, nothing will be kept: stop writing.
            if writer is not None and (skip_errors or not report.bad_count):
                chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    writer.write(chunk)
                    chunk = []
        if progress is not None:
            progress(handle.buffer.tell())
    if report.bad_count and not skip_errors:
        raise InvalidInput(_bad_rows_message(report))
    if writer is not None:
        if chunk:
            writer.write(chunk)
        writer.finish()
        report.new_accounts = writer.new_accounts
    return report


def _bad_rows_message(report: ImportReport) -> str:
    lines = [f"line {bad.line}: {bad.reason}" for bad in report.bad]
    if report.bad_count > len(report.bad):
        lines.append(f"... and {report.bad_count - len(report.bad)} more bad rows")
    bad = "1 bad row" if report.bad_count == 1 else f"{report.bad_count:,} bad rows"
    good = "the 1 good row" if report.imported == 1 else f"the {report.imported:,} good rows"
    lines.append(f"{bad}, so nothing was imported; fix the file, or pass --skip-errors to import {good}")
    return "\n".join(lines)
