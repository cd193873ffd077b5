"""Importing leads from a CSV or JSON Lines file: mapped, cleaned, de-duplicated, and
all-or-nothing.

Which column fills which field comes from the tables in ``import_formats`` (the format is
recognised from the headers) and ``--map``; how the bytes are read, from ``import_files``.
Rows are cleaned with the same validators as ``add_lead`` and a duplicate means the same
thing (same email, or the same phone with or without its country code). The file is read
as a stream, twice when picklist or date columns need a look at all their values first;
valid rows are inserted in chunks with bulk core inserts, all inside the caller's one
write transaction, so a bad row (or a killed process) leaves nothing behind.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from salesdesk import validate
from salesdesk.config import GRADES, SOURCES
from salesdesk.dates import parse_when
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.models import Account, Lead
from salesdesk.services import import_files
from salesdesk.services.import_files import Source
from salesdesk.services.import_formats import (
    IGNORE,
    NOTE,
    detect_format,
    family_first,
    header_key,
    join_name,
    spec_for,
)

FIELDS = ("name", "company", "title", "phone", "email", "wechat", "source", "grade", "created_at", "role", "notes")
# Fields one column fills; two columns for one of them is a clash to settle with --map.
_SINGLE = ("name", "company", "title", "wechat", "source", "grade", "created_at", "role")
_ONE_LINE = ("name", "company", "title", "phone", "email", "wechat", "source", "grade", "created_at", "role")
DateOrder = Literal["mdy", "dmy"]

# Rows validated between bulk inserts: big enough that the inserts run at C speed, small
# enough that a huge file never sits in memory.
CHUNK_ROWS = 5_000
BAD_ROWS_SHOWN = 10
UNFIT_SHOWN = 5
# Distinct dates remembered per import: a year of minutes is 500,000; this bounds the memory.
DATES_KEPT = 100_000
# Google Contacts puts several values in one cell: "+44 20 7946 0958 ::: +1 415 555 0100".
_MULTI = " ::: "
# A spreadsheet runs a cell starting with one of these; salesdesk's export (and careful
# tools) put a ' before them, which is not part of the value (exports.csv_cell).
_GUARDED = ("'=", "'+", "'-", "'@", "'\t", "'\r", "''")
_MOBILE_LABEL = re.compile(r"mobile|cell|手机|移动", re.IGNORECASE)
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#|转|分机)\s*(\d{1,6})\s*$", re.IGNORECASE)
# Dates as exports write them; the time parser reads ISO 2026-11-05 09:30 and ...Z itself.
_YMD = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(:\d{2})?)?$")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?\s*(?:(\d{1,2})[:：](\d{2})([:：]\d{2})?)?$")
_SLASHED = re.compile(r"^(\d{1,2})([/.])(\d{1,2})[/.](\d{4})(?:,?\s+(\d{1,2}):(\d{2})(:\d{2})?\s*([AaPp][Mm])?)?$")
# Excel stores a date as days since 1899-12-30: 1955 to 2119, not a year or a phone number.
_EXCEL_SERIAL = re.compile(r"^(\d{5})(\.\d+)?$")


@dataclass(frozen=True)
class BadRow:
    line: int  # the physical line the row starts on; the header is line 1
    reason: str


@dataclass
class Column:
    index: int
    header: str
    spec: str | None  # a field, "name.first"..., "phone.mobile", NOTE, IGNORE or None (unknown)
    mapped: bool = False  # chosen with --map: its values are taken as they are, or refused
    label: int | None = None  # the column naming this one's kind ("Phone 1 - Label": Mobile)
    why: str = ""  # why it went to the notes instead of its field
    labels: str = ""  # the column this one labels

    @property
    def field(self) -> str | None:
        return None if self.spec in (None, IGNORE, NOTE) else self.spec.split(".")[0]

    def becomes(self, several: bool = False) -> str:
        """What the dry run says this column turns into (``several``: other columns fill its field)."""
        if self.why:
            return f"notes ({self.why})"
        if self.spec == NOTE:
            return f"notes (as '{self.header}: …')"
        if self.labels:
            return f"- (says which kind {self.labels} is)"
        if self.spec in (None, IGNORE):
            return "- (not imported)"
        part = {"name.first": "name (first)", "name.middle": "name (middle)", "name.last": "name (last)"}
        if several:
            part.update({"phone.mobile": "phone (first choice)", "phone": "phone (unless a mobile is given: notes)",
                         "email": "email (the first given; others to notes)"})  # fmt: skip
        return part.get(self.spec or "", self.spec or "")


@dataclass
class Plan:
    """Which column fills what, for every row of one file."""

    format: str | None
    columns: list[Column]
    combos: list[tuple[list[int], str]] = field(default_factory=list)  # --map 'A+B=name'
    date_order: DateOrder | None = None

    def of(self, *specs: str) -> list[Column]:
        return [c for c in self.columns if c.spec in specs and not c.why]


@dataclass
class ImportReport:
    """What an import did, or (``dry_run``) would do."""

    file: str
    encoding: str
    mapping: dict[str, str]  # column -> field
    ignored: list[str]  # columns not imported
    dry_run: bool
    format: str | None = None  # the recognised export, e.g. "HubSpot contacts"
    columns: list[tuple[str, str]] = field(default_factory=list)  # column -> what it becomes
    notices: list[str] = field(default_factory=list)  # columns demoted to notes, and why
    delimiter: str = ","
    rows: int = 0  # data rows read (blank lines not counted)
    imported: int = 0
    duplicates_existing: int = 0
    duplicates_in_file: int = 0
    new_accounts: int = 0
    bad_count: int = 0
    bad: list[BadRow] = field(default_factory=list)  # the first few, for the report
    skip_errors: bool = False  # bad rows are skipped rather than stopping the import

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "encoding": self.encoding,
            "format": self.format,
            "dry_run": self.dry_run,
            "mapping": self.mapping,
            "columns": [{"column": c, "becomes": b} for c, b in self.columns],
            "notices": self.notices,
            "ignored_columns": self.ignored,
            "rows": self.rows,
            "imported": self.imported,
            "duplicates_existing": self.duplicates_existing,
            "duplicates_in_file": self.duplicates_in_file,
            "new_accounts": self.new_accounts,
            "bad_rows": self.bad_count,
            "bad": [{"line": b.line, "reason": b.reason} for b in self.bad],
        }


def parse_maps(specs: Iterable[str]) -> dict[str, str]:
    """``["手机=phone", "Fax=-", "First Name+Last Name=name"]`` -> column(s) -> field."""
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


def _hint(header: str, target: str) -> str:
    return "--map " + shlex.quote(f"{header}={target}")


def plan_columns(headers: list[str], maps: dict[str, str]) -> Plan:
    """Which field each column fills. ``--map`` (headers matched case-insensitively) wins
    over the recognised format's table, which wins over the generic synonyms. Every clash
    is reported at once, each with the --map that settles it."""
    names = [h.strip() for h in headers]
    by_key: dict[str, int] = {}
    for index, name in enumerate(names):
        by_key.setdefault(header_key(name), index)
    user: dict[int, str] = {}
    combos: list[tuple[list[int], str]] = []
    unknown = []
    for column, target in maps.items():
        if header_key(column) in by_key:
            user[by_key[header_key(column)]] = target
        elif "+" in column and all(header_key(part) in by_key for part in column.split("+")):
            combos.append(([by_key[header_key(part)] for part in column.split("+")], target))
        else:
            unknown.append(column)
    if unknown:
        raise InvalidInput(f"--map names no column {unknown[0]!r}; the columns are: {', '.join(names)}")
    fmt = detect_format(names)
    chosen_fields = set(user.values()) | {target for _, target in combos}
    columns = []
    for index, header in enumerate(names):
        if index in user:
            columns.append(Column(index, header, user[index], mapped=True))
            continue
        spec = spec_for(header, fmt) if header else None
        combined = any(index in parts for parts, _ in combos)
        if combined or (spec not in (None, IGNORE, NOTE) and spec.split(".")[0] in chosen_fields):
            # --map gave that field to another column: keep a phone or email in the notes.
            spec = NOTE if spec and spec.split(".")[0] in ("phone", "email") and not combined else IGNORE
        columns.append(Column(index, header, spec))
    plan = Plan(fmt, columns, combos)
    _pair_labels(plan, by_key)
    _check_clashes(plan, names)
    return plan


def _pair_labels(plan: Plan, by_key: dict[str, int]) -> None:
    """Google's "Phone 1 - Value" is a mobile or not by its "Phone 1 - Label" (or "- Type")."""
    for column in plan.columns:
        key = header_key(column.header)
        if column.field in ("phone", "email") and key.endswith(" value"):
            stem = key[: -len(" value")]
            column.label = by_key.get(stem + " label", by_key.get(stem + " type"))
            if column.label is not None:
                plan.columns[column.label].labels = column.header


def _check_clashes(plan: Plan, names: list[str]) -> None:
    problems = []
    for target in _SINGLE:
        # Name parts are no clash with a full name (it wins where it is given), nor phones
        # with each other (the mobile wins, the others go to the notes).
        holders = [c.header for c in plan.columns if c.spec == target]
        holders += ["+".join(names[i] for i in parts) for parts, t in plan.combos if t == target]
        for other in holders[1:]:
            problems.append(
                f"columns {holders[0]!r} and {other!r} both look like {target}: keep one with "
                f"{_hint(holders[0], '-')} or {_hint(other, '-')}"
            )
    has_name = plan.of("name", "name.first", "name.last") or any(t == "name" for _, t in plan.combos)
    if not has_name:
        problems.append(
            f"no column holds the name; the columns are: {', '.join(names) or '(none)'}; "
            "name it with --map COLUMN=name (or --map 'First+Last=name')"
        )
    if problems:
        raise InvalidInput("\n".join(problems))


def survey(plan: Plan, rows: Iterable[tuple[int, list[str]]], tables: dict[str, dict[str, str]]) -> None:
    """A pass over every row before the import: a source or grade column whose values are
    not all ones salesdesk knows is kept in the notes instead (unless --map chose it), and
    dates like 1/2/2026 are read in the order the file's other dates prove."""
    picklists = [c for c in plan.of("source", "grade") if not c.mapped]
    dates = plan.of("created_at")
    if not picklists and (not dates or plan.date_order):
        return
    unfit: dict[int, list[str]] = {c.index: [] for c in picklists}
    first_over_12 = second_over_12 = False
    for _, record in rows:
        for column in picklists:
            value = _cell(record, column.index)
            if value and header_key(value) not in tables[column.spec or ""]:
                seen = unfit[column.index]
                if value not in seen and len(seen) < UNFIT_SHOWN:
                    seen.append(value)
        for column in dates:
            if (m := _SLASHED.match(_cell(record, column.index))) is not None and m.group(2) == "/":
                first_over_12 |= int(m.group(1)) > 12
                second_over_12 |= int(m.group(3)) > 12
    for column in picklists:
        if unfit[column.index]:
            allowed = "A-D" if column.spec == "grade" else ", ".join(SOURCES)
            column.why = f"values {', '.join(unfit[column.index])} are not {column.spec}s ({allowed})"
    if plan.date_order is None and first_over_12 != second_over_12:
        plan.date_order = "dmy" if first_over_12 else "mdy"


def _cell(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""


def _split_extension(value: str) -> tuple[str, str | None]:
    """``555-0100 ext. 12`` -> (``555-0100``, ``12``); full-width digits read as ASCII."""
    value = unicodedata.normalize("NFKC", value)
    m = _EXTENSION.search(value)
    if m is None or not re.search(r"\d", value[: m.start()]):
        return value, None
    return value[: m.start()], m.group(1)


@dataclass(frozen=True)
class _Layout:
    """A plan worked out once for the row loop: which cell indexes feed what."""

    singles: list[tuple[int, str, dict[str, str] | None]]  # index, field, picklist table to map through
    notes: list[int]
    labelled: list[tuple[int, str]]  # index, header: kept in the notes as "Header: value"
    parts: dict[str, list[int]]  # name.first / name.middle / name.last -> indexes
    phones: list[Column]
    emails: list[Column]


def _layout(plan: Plan, tables: dict[str, dict[str, str]]) -> _Layout:
    live = [c for c in plan.columns if c.spec not in (None, IGNORE)]
    return _Layout(
        singles=[
            (c.index, c.spec, None if c.mapped else tables.get(c.spec)) for c in live if not c.why and c.spec in _SINGLE
        ],
        notes=[c.index for c in live if c.spec == "notes" and not c.why],
        labelled=[(c.index, c.header) for c in live if c.why or c.spec == NOTE],
        parts={part: [c.index for c in plan.of(part)] for part in ("name.first", "name.middle", "name.last")},
        phones=plan.of("phone", "phone.mobile"),
        emails=plan.of("email", "email.mobile"),
    )


def row_values(
    plan: Plan, record: list[str], tables: dict[str, dict[str, str]], layout: _Layout | None = None
) -> dict[str, str | None]:
    """One record's cells gathered into lead fields: the name from its parts, the first
    phone (a mobile first) and email, picklists in salesdesk's values, and everything else
    worth keeping in the notes as ``Header: value`` lines."""
    layout = layout or _layout(plan, tables)
    width = len(record)
    cell = lambda index: record[index].strip() if index < width else ""  # noqa: E731
    values: dict[str, str | None] = {}
    for index, target, table in layout.singles:
        value = cell(index)
        if value:
            values[target] = value if table is None else table[header_key(value)]
    notes = [value for value in map(cell, layout.notes) if value]
    extra = [f"{header}: {value}" for index, header in layout.labelled if (value := cell(index))]
    for parts, target in plan.combos:
        given = [value for value in map(cell, parts) if value]
        cjk = len(given) == len(parts) and all(family_first(value) for value in given)
        values[target] = ("" if cjk else " ").join(given) or None
    if not values.get("name"):
        first, middle, last = (" ".join(v for v in map(cell, layout.parts[p]) if v)
                               for p in ("name.first", "name.middle", "name.last"))  # fmt: skip
        values["name"] = join_name(first, middle, last) or None
    if "phone" not in values and layout.phones:
        phones = _ranked(layout.phones, cell, phone=True)
        if phones:
            label, phone = phones[0]
            number, extension = _split_extension(phone)
            values["phone"] = number
            if extension:
                extra.insert(0, f"{label} extension: {extension}")
            extra += [f"{label}: {other}" for label, other in phones[1:]]
    if "email" not in values and layout.emails:
        emails = _ranked(layout.emails, cell, phone=False)
        if emails:
            values["email"] = emails[0][1]
            extra += [f"{label}: {other}" for label, other in emails[1:]]
    if notes or extra:
        values["notes"] = "\n".join(notes + extra)
    return values


def _ranked(columns: list[Column], cell: Callable[[int], str], *, phone: bool) -> list[tuple[str, str]]:
    """Every phone (or email) of the row as (label, value), the one to keep first: a mobile
    (by its column or its label cell), then the columns in file order."""
    found = []
    for order, column in enumerate(columns):
        value = cell(column.index)
        if not value:
            continue
        label = cell(column.label).lstrip("* ") if column.label is not None else ""
        label = label or column.header
        if len(columns) == 1 and _MULTI not in value:
            return [(label, value)]  # the common case, without sorting
        mobile = (column.spec or "").endswith(".mobile") or bool(_MOBILE_LABEL.search(label))
        rank = -1 if column.mapped else 0 if mobile and phone else 1
        found += [(rank, order, label, part.strip()) for part in value.split(_MULTI) if part.strip()]
    found.sort(key=lambda item: item[:2])
    return [(label, value) for _, _, label, value in found]


def _created_at(value: str | None, now: datetime, order: DateOrder | None) -> datetime | None:
    cleaned = validate.text(value, "created_at", max_len=40)
    if cleaned is None:
        return None
    if (m := _YMD.match(cleaned) or _CHINESE_DATE.match(cleaned)) is not None:
        year, month, day, hour, minute, seconds = m.groups()
        return _local(cleaned, now, int(year), int(month), int(day), hour, minute, seconds)
    if (m := _SLASHED.match(cleaned)) is not None:
        first, sep, second, year, hour, minute, seconds, half = m.groups()
        a, b = int(first), int(second)
        if sep == ".":
            order = "dmy"  # 5.10.2026 is German (and Russian...) for 5 October
        elif order is None and a != b and a <= 12 and b <= 12:
            raise InvalidInput(
                f"created_at {cleaned!r} could be {a}/{b} or {b}/{a} (month/day), and no other date in the "
                "file settles it; pass --date-order mdy (US) or --date-order dmy"
            )
        elif order is None:
            order = "dmy" if a > 12 else "mdy"
        month, day = (a, b) if order == "mdy" else (b, a)
        if hour is not None and half:
            hour = str(int(hour) % 12 + (12 if half.lower() == "pm" else 0))
        return _local(cleaned, now, int(year), month, day, hour, minute, seconds)
    if (m := _EXCEL_SERIAL.match(cleaned)) is not None:
        moment = datetime(1899, 12, 30) + timedelta(days=float(cleaned))
        return parse_when(moment.isoformat(timespec="minutes"), now, prefer="past")
    return parse_when(cleaned, now, prefer="past")


def _local(raw: str, now: datetime, year: int, month: int, day: int, *clock: str | None) -> datetime:
    hour, minute, seconds = clock
    stamp = f"{year:04d}-{month:02d}-{day:02d}"
    if hour is not None:
        stamp += f"T{int(hour):02d}:{minute}{(seconds or '').replace('：', ':')}"
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        raise InvalidInput(f"created_at {raw!r} is not a date on the calendar") from None
    return parse_when(stamp, now, prefer="past")


def _one_line(value: str | None, field: str) -> str | None:
    if value is not None and ("\n" in value or "\r" in value):
        raise InvalidInput(f"{field} has a line break ({value.splitlines()[0]!r}…); {field} is one line")
    return value


def clean_row(
    values: dict[str, str | None],
    now: datetime,
    date_order: DateOrder | None = None,
    seen_dates: dict[str, datetime] | None = None,
) -> dict[str, Any]:
    """A row's values as lead columns, cleaned exactly as ``add_lead`` cleans its arguments.
    Every problem of the row is reported at once, in add_lead's order. ``seen_dates``
    keeps dates already read in this file: exports repeat them, and reading one is slow."""
    get = values.get
    problems: list[str] = []

    def created(value: str | None) -> datetime | None:
        if seen_dates is None or value is None:
            return _created_at(value, now, date_order)
        found = seen_dates.get(value)
        if found is None:
            found = _created_at(value, now, date_order)
            if found is not None and len(seen_dates) < DATES_KEPT:
                seen_dates[value] = found
        return found

    def check(field: str, clean: Callable[[str | None], Any]) -> Any:
        try:
            return clean(_one_line(get(field), field) if field in _ONE_LINE else get(field))
        except SalesdeskError as exc:
            problems.append(str(exc))
            return None

    created_at = check("created_at", created) or now
    phone = check("phone", validate.phone)
    email = check("email", validate.email)
    name = check("name", lambda v: validate.required(v, "name"))
    notes = get("notes")
    row = {
        "name": name,
        "name_key": validate.name_key(name) if name else None,
        "title": check("title", lambda v: validate.text(v, "title")),
        "phone": phone,
        "email": email,
        "wechat": check("wechat", validate.wechat),
        "source": check("source", lambda v: validate.choice(v or None, "source", SOURCES)) or "outbound",
        "grade": check("grade", lambda v: validate.choice(v or None, "grade", GRADES, upper=True)),
        "status": "new",
        "is_coach": False,
        "role": check("role", lambda v: validate.text(v, "role")),
        "notes": None,
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
    if notes is not None:
        # Outlook writes CRLF inside its Notes cells: one kind of line break is stored.
        notes = notes.replace("\r\n", "\n").replace("\r", "\n")
        row["notes"] = check("notes", lambda _: validate.text(notes, "notes", max_len=validate.NOTES_MAX,
                                                               multiline=True))  # fmt: skip
    if created_at > now:
        problems.append("a lead cannot arrive in the future; give a past created_at")
    row["company"] = check("company", lambda v: validate.text(v, "company"))
    if problems:
        raise InvalidInput("; ".join(problems))
    return row


# The shortest number matched by its tail: lead_lookup.SAME_PHONE treats 7+ digit numbers that end
# with one another as one number (the country code is optional); shorter ones must be equal.
_TAIL_MIN = 7


class KnownContacts:
    """The phones and emails already taken, held in memory so a big file is checked without
    a query per row. Same notion of "the same person" as ``lead_store.duplicate_of``.

    Held compactly (about 100 bytes a contact, so a million rows stay well under 300 MiB):
    emails by their 64-bit hash (two different emails among a million share one with odds
    of about 1 in 10 million), numbers as ints filed under their last 7 digits, which two
    numbers ending with one another always share.
    """

    def __init__(self) -> None:
        self.emails: set[int] = set()
        self.short: set[str] = set()  # numbers under 7 digits, as stored: only equal ones match
        self.by_tail: dict[int, int | list[int]] = {}  # last 7 digits -> int("1" + digits), or several

    def add(self, phone: str | None, email: str | None) -> None:
        if email:
            self.emails.add(hash(email))
        if not phone:
            return
        digits = phone.lstrip("+")
        if len(digits) < _TAIL_MIN:
            self.short.add(phone)
            return
        key, number = int(digits[-_TAIL_MIN:]), int("1" + digits)  # the 1 keeps leading zeros
        found = self.by_tail.get(key)
        if found is None:
            self.by_tail[key] = number
        elif isinstance(found, list):
            found.append(number)
        else:
            self.by_tail[key] = [found, number]

    def has(self, phone: str | None, email: str | None) -> bool:
        if email and hash(email) in self.emails:
            return True
        if not phone:
            return False
        digits = phone.lstrip("+")
        if len(digits) < _TAIL_MIN:
            return phone in self.short
        found = self.by_tail.get(int(digits[-_TAIL_MIN:]))
        if found is None:
            return False
        # A known number ending with this one, or this one ending with a known number.
        for number in found if isinstance(found, list) else (found,):
            known = str(number)[1:]
            if known.endswith(digits) or digits.endswith(known):
                return True
        return False


def _known_contacts(session: Session) -> KnownContacts:
    known = KnownContacts()
    for phone, email in session.execute(select(Lead.phone, Lead.email)):
        known.add(phone, email)
    return known


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
                insert(Account.__table__),  # type: ignore[attr-defined]  # set by SQLAlchemy, undeclared in SQLModel
                [{"name": name, "name_key": key, "created_at": self.now} for key, name in fresh.items()],
            )
            found = select(Account.name_key, Account.id).where(col(Account.name_key).in_(list(fresh)))
            self.accounts.update(self.session.execute(found).all())
            self.new_accounts += len(fresh)
        for row in rows:
            company = row.pop("company")
            row["account_id"] = None if company is None else self.accounts[validate.name_key(company)]
        # Core, not ORM, inserts: one executemany for the chunk rather than one per key pattern.
        self.session.execute(insert(Lead.__table__), rows)  # type: ignore[attr-defined]  # as above

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
    source: Source,
    now: datetime,
    *,
    maps: dict[str, str] | None = None,
    dry_run: bool = False,
    skip_errors: bool = False,
    date_order: DateOrder | None = None,
    values: dict[str, dict[str, str]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the leads in ``source`` (see ``import_files.open_source``) into ``session``'s
    transaction.

    Duplicates (of existing leads, or of earlier rows) are skipped and counted. A bad row
    is an InvalidInput naming its line, after every row was checked, unless ``skip_errors``;
    ``dry_run`` checks everything, writes nothing and reports the bad rows without raising.
    ``values`` are the picklist tables (``import_formats.value_tables``). ``progress`` is
    told the rows read.
    """
    from salesdesk.services.import_formats import value_tables

    tables = values or value_tables()
    headers, records = _header_and_rows(source)
    plan = plan_columns(headers, maps or {})
    plan.date_order = date_order
    survey(plan, _header_and_rows(source)[1], tables)
    report = ImportReport(
        source.shown,
        source.encoding,
        {c.header: c.field or "" for c in plan.columns if c.field and not c.why},
        [c.header for c in plan.columns if c.spec in (None, IGNORE)],
        dry_run,
        format=plan.format,
        columns=[(c.header, c.becomes(len([o for o in plan.columns if o.field == c.field]) > 1)) for c in plan.columns],
        notices=[f"{c.header}: {c.why}, so it goes to the notes" for c in plan.columns if c.why],
        delimiter=source.delimiter if source.kind == "csv" else source.kind,
        skip_errors=skip_errors,
    )
    for parts, target in plan.combos:
        report.columns.append(("+".join(headers[i] for i in parts), target))
    known = _known_contacts(session)
    in_file = KnownContacts()
    seen_dates: dict[str, datetime] = {}
    layout = _layout(plan, tables)
    writer = None if dry_run else _Writer(session, now)
    chunk: list[dict[str, Any]] = []
    width = len(headers)
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        report.rows += 1
        if progress is not None and report.rows % 1000 == 0:
            progress(report.rows)
        try:
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                raise InvalidInput(f"{len(record)} cells, but the header names {width} columns")
            row = clean_row(row_values(plan, record, tables, layout), now, plan.date_order, seen_dates)
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
        progress(report.rows)
    if report.bad_count and not skip_errors and not dry_run:
        raise InvalidInput(bad_rows_message(report))
    if writer is not None:
        if chunk:
            writer.write(chunk)
        writer.finish()
        report.new_accounts = writer.new_accounts
    return report


def _header_and_rows(source: Source) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the data rows as lists of cells, JSON Lines records included (their
    keys, in the first record's order, are the header)."""
    stream = import_files.records(source)
    first = next(stream, None)
    if first is None:
        raise InvalidInput(f"{source.shown} is empty; the first line must name the columns")
    line, record = first
    if isinstance(record, list):
        # CSV only: JSON has no formulas, so its values are never guarded.
        unguarded = ((at, [c[1:] if c.startswith(_GUARDED) else c for c in cells]) for at, cells in stream)
        return record, unguarded
    headers = list(record)

    def rows() -> Iterator[tuple[int, list[str]]]:
        yield line, [record[h] for h in headers]
        for at, data in stream:
            assert isinstance(data, dict)
            yield at, [data.get(h, "") for h in headers]

    return headers, rows()


def bad_rows_message(report: ImportReport) -> str:
    lines = [f"line {bad.line}: {bad.reason}" for bad in report.bad]
    if report.bad_count > len(report.bad):
        lines.append(f"... and {report.bad_count - len(report.bad)} more bad rows")
    bad = "1 bad row" if report.bad_count == 1 else f"{report.bad_count:,} bad rows"
    if not report.imported:
        lines.append(f"{bad} and no good one: nothing was imported; fix the file and run it again")
        return "\n".join(lines)
    good = "the 1 good row" if report.imported == 1 else f"the {report.imported:,} good rows"
    lines.append(f"{bad}, so nothing was imported; fix the file, or pass --skip-errors to import {good}")
    return "\n".join(lines)
