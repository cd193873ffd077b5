"""Leads in the store layer: adding one and reading one back, written once against the
DB-API connection (``sqlite3``).

``services.leads.add_lead`` (the ORM command path, the TUI's dialog) adds through ``add``
over its session's connection and the hot ``lead add`` over a bare one; the duplicate check
and the account lookup are the ones ``services.leads.edit_lead`` uses too. Rows read here
have the ``Lead`` model's columns as attributes, so ``LeadView`` and ``render`` take either.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from salesdesk import lead_lookup, store, timing_advice, validate
from salesdesk.config import DEAL_CLOSES, GRADES, SOURCES, STATUSES
from salesdesk.dates import iso
from salesdesk.errors import InvalidInput, Refused
from salesdesk.store import from_db, to_db
from salesdesk.timing import Timing


@dataclass(frozen=True)
class LeadRow:
    """A ``lead`` row, shaped like the ``Lead`` model for the code that shows it."""

    id: int
    name: str
    name_key: str
    account_id: int | None
    title: str | None
    phone: str | None
    email: str | None
    wechat: str | None
    source: str
    grade: str | None
    status: str
    is_coach: bool
    role: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    touch_count: int
    call_count: int
    connect_count: int
    meeting_count: int
    first_touch_at: datetime | None
    last_touch_at: datetime | None
    reach_count: int
    first_attempt_at: datetime | None
    nurture_until: datetime | None
    timezone: str | None
    best_time: str | None
    private_phone: bool


_COLUMNS = tuple(f.name for f in fields(LeadRow))
_TIMES = {"created_at", "updated_at", "closed_at", "first_touch_at", "last_touch_at", "first_attempt_at"}
_TIMES |= {"nurture_until"}
_FLAGS = {"is_coach", "private_phone"}


def _row(values: tuple[Any, ...]) -> LeadRow:
    cells: list[Any] = [
        from_db(v) if name in _TIMES else bool(v) if name in _FLAGS else v
        for name, v in zip(_COLUMNS, values, strict=True)
    ]
    return LeadRow(*cells)


@dataclass(frozen=True)
class LeadView:
    """A lead as people and scripts see it: with its company and touch counts. ``lead`` is a
    ``Lead`` (ORM paths) or a ``LeadRow`` (the store layer): the same attributes."""

    lead: Any
    company: str | None
    touch_count: int
    last_touch_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        lead = self.lead
        return {
            "id": lead.id,
            "name": lead.name,
            "company": self.company,
            "title": lead.title,
            "phone": lead.phone,
            "email": lead.email,
            "wechat": lead.wechat,
            "source": lead.source,
            "grade": lead.grade,
            "status": lead.status,
            "is_coach": lead.is_coach,
            "role": lead.role,
            "notes": lead.notes,
            "created_at": iso(lead.created_at),
            "closed_at": iso(lead.closed_at),
            "close_reason": lead.close_reason,
            "touch_count": self.touch_count,
            "last_touch_at": iso(self.last_touch_at),
            "timezone": lead.timezone,
            "best_time": lead.best_time,
            "private_phone": bool(lead.private_phone),
        }


def view(conn: sqlite3.Connection, lead_id: int) -> LeadView:
    """One lead with its company, read fresh (the counters are kept by triggers)."""
    found = conn.execute(f"{_VIEW} WHERE lead.id = ?", (lead_id,)).fetchone()
    if found is None:
        raise InvalidInput(f"no lead has id {lead_id}")
    return _view(found)


def views(conn: sqlite3.Connection, ids: list[int]) -> list[LeadView]:
    """The leads ``ids`` (a few hundred at most: the caller chunks), in no particular order."""
    marks = ", ".join("?" * len(ids))
    return [_view(found) for found in conn.execute(f"{_VIEW} WHERE lead.id IN ({marks})", ids)]


def lead_filter(
    grade: str | None, status: str | None, source: str | None, search: str | None
) -> tuple[str, dict[str, str]]:
    """SQL over ``lead`` (and ``account``, joined) for ``lead list``'s filters, with its values:
    the CLI's list, over sqlite3, and the TUI's, through the ORM (``services.leads``)."""
    clauses, bound = [], {}
    if grade:
        clauses.append("lead.grade = :grade")
        bound["grade"] = validate.choice(grade, "grade", GRADES, upper=True)
    if status:
        clauses.append("lead.status = :status")
        bound["status"] = validate.choice(status, "status", STATUSES)
    if source:
        clauses.append("lead.source = :source")
        bound["source"] = validate.choice(source, "source", SOURCES)
    needle = validate.text(search, "search")
    if needle:
        bound["like"] = lead_lookup.like(validate.name_key(needle))
        fields = ("lead.name_key", "account.name_key", "lead.email", "lead.wechat")
        found = [f"{name} LIKE :like ESCAPE '\\'" for name in fields]
        phone = lead_lookup.phone_key(needle)
        if phone:
            found.append("lead.phone LIKE :phone_like")
            bound["phone_like"] = f"%{phone}%"
        clauses.append(f"({' OR '.join(found)})")
    return " AND ".join(clauses) or "1", bound


_VIEW = (
    f"SELECT {', '.join(f'lead.{c}' for c in _COLUMNS)}, account.name FROM lead "
    "LEFT JOIN account ON account.id = lead.account_id"
)


def _view(found: tuple[Any, ...]) -> LeadView:
    lead = _row(found[:-1])
    return LeadView(lead, found[-1], lead.touch_count, lead.last_touch_at)


def leads(
    conn: sqlite3.Connection,
    *,
    grade: str | None = None,
    status: str | None = None,
    source: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[LeadView]:
    """Leads matching every filter given, newest arrivals first."""
    where, bound = lead_filter(grade, status, source, search)
    cut = f" LIMIT {int(limit)}" if limit is not None else ""
    rows = conn.execute(f"{_VIEW} WHERE {where} ORDER BY lead.created_at DESC, lead.id DESC{cut}", bound)
    return [_view(found) for found in rows]


def count(
    conn: sqlite3.Connection,
    *,
    grade: str | None = None,
    status: str | None = None,
    source: str | None = None,
    search: str | None = None,
) -> int:
    where, bound = lead_filter(grade, status, source, search)
    query = f"SELECT count(*) FROM lead LEFT JOIN account ON account.id = lead.account_id WHERE {where}"
    return conn.execute(query, bound).fetchone()[0]


def duplicate_of(
    conn: sqlite3.Connection, phone: str | None, email: str | None, exclude: int | None
) -> tuple[int, str] | None:
    """The id and name of a lead with this phone (with or without its country code, as
    lookups treat it) or this email, other than ``exclude``."""
    clauses: list[str] = []
    bound: dict[str, Any] = {"exclude": exclude}
    if phone:
        digits = phone.lstrip("+")
        clauses.append(lead_lookup.SAME_PHONE if len(digits) >= 7 else "lead.phone = :phone")
        bound.update(digits=digits, phone=phone)
    if email:
        clauses.append("lead.email = :email")
        bound["email"] = email
    if not clauses:
        return None
    other = " AND lead.id != :exclude" if exclude is not None else ""
    return conn.execute(f"SELECT id, name FROM lead WHERE ({' OR '.join(clauses)}){other} LIMIT 1", bound).fetchone()


def account_for(conn: sqlite3.Connection, company: str | None, now: datetime) -> int | None:
    """The account named ``company`` (whatever its case), made on first use."""
    if company is None:
        return None
    key = validate.name_key(company)
    found = conn.execute("SELECT id FROM account WHERE name_key = ?", (key,)).fetchone()
    if found is not None:
        return found[0]
    cur = conn.execute("INSERT INTO account (name, name_key, created_at) VALUES (?, ?, ?)", (company, key, to_db(now)))
    return cur.lastrowid


def clean_timezone(value: str | None) -> str | None:
    """An IANA zone name as the zone database spells it; "" or None: none (the rep's own)."""
    zone = timing_advice.zone_of(value.strip()) if value and value.strip() else None
    return getattr(zone, "key", None)


def clean_best_time(value: str | None) -> str | None:
    """Preferred hours in the form they are stored and typed: ``tue-thu 14:00-17:00``."""
    return str(timing_advice.parse_best_time(value)) if value and value.strip() else None


def learned_best_time(conn: sqlite3.Connection, lead: Any) -> timing_advice.Learned | None:
    """What the lead's own connected calls suggest for ``best_time``, in their time zone."""
    return timing_advice.learned_from(store.call_times(conn, lead.id), lead.timezone)


def when_to_call(
    lead: Any, learned: timing_advice.Learned | None, timing: Timing, now: datetime
) -> list[tuple[str, str]]:
    """The lead card's when-to-call lines (``lead show``, the TUI's Lead screen)."""
    facts = timing_advice.LeadTiming(lead.timezone, lead.best_time, bool(lead.private_phone))
    return timing_advice.when_to_call(facts, learned, now, timing, lead.id)


def add(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    name: str,
    company: str | None = None,
    title: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    wechat: str | None = None,
    source: str = "outbound",
    grade: str | None = None,
    is_coach: bool = False,
    role: str | None = None,
    notes: str | None = None,
    created_at: datetime | None = None,
    allow_duplicate: bool = False,
    timezone: str | None = None,
    best_time: str | None = None,
    private_phone: bool = False,
) -> int:
    """Add a lead and return its id; ``created_at`` is when it arrived (defaults to ``now``).

    A lead with the same phone or email as an existing one is refused unless
    ``allow_duplicate``: two records of one person split their touch history.
    """
    clean_phone = validate.phone(phone)
    clean_email = validate.email(email)
    clean_name = validate.required(name, "name")
    values: dict[str, Any] = {
        "name": clean_name,
        "name_key": validate.name_key(clean_name),
        "title": validate.text(title, "title"),
        "phone": clean_phone,
        "email": clean_email,
        "wechat": validate.wechat(wechat),
        "source": validate.choice(source, "source", SOURCES) or "outbound",
        "grade": validate.choice(grade, "grade", GRADES, upper=True),
        "status": "new",
        "is_coach": bool(is_coach),
        "role": validate.text(role, "role"),
        "notes": validate.text(notes, "notes", max_len=validate.NOTES_MAX, multiline=True),
        "created_at": created_at or now,
        "updated_at": now,
        "timezone": clean_timezone(timezone),
        "best_time": clean_best_time(best_time),
        "private_phone": bool(private_phone),
    }
    if values["created_at"] > now:
        raise InvalidInput("a lead cannot arrive in the future; give --at now or a past time")
    company = validate.text(company, "company")
    if not allow_duplicate and (dup := duplicate_of(conn, clean_phone, clean_email, None)):
        raise Refused(
            f"lead #{dup[0]} {dup[1]} already has this phone or email; "
            "edit it, or pass --allow-duplicate to add a second record",
            # The check can't say which of the two matched; a front end points at one of them.
            field="phone" if clean_phone else "email",
        )
    values["account_id"] = account_for(conn, company, now)
    cur = conn.execute(
        f"INSERT INTO lead ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
        [to_db(v) if isinstance(v, datetime) else v for v in values.values()],
    )
    lead_id: int = cur.lastrowid  # type: ignore[assignment]  # an INSERT always sets it
    if values["grade"]:
        conn.execute(
            "INSERT INTO grade_change (lead_id, at, old_grade, new_grade) VALUES (?, ?, NULL, ?)",
            (lead_id, to_db(values["created_at"]), values["grade"]),
        )
    return lead_id


# --- a lead's deals --------------------------------------------------------------------------


@dataclass(frozen=True)
class DealView:
    """A deal with its lead's name and its stage history, oldest first. ``deal`` and the
    changes are ORM rows (``services.deals``) or the rows below: the same attributes."""

    deal: Any
    lead_name: str
    history: list[Any] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.deal.stage not in DEAL_CLOSES

    def as_dict(self) -> dict[str, Any]:
        deal = self.deal
        return {
            "id": deal.id,
            "lead_id": deal.lead_id,
            "lead": self.lead_name,
            "title": deal.title,
            "value": deal.value,
            "stage": deal.stage,
            "open": self.is_open,
            "expected_close": iso(deal.expected_close),
            "created_at": iso(deal.created_at),
            "closed_at": iso(deal.closed_at),
            "reason": deal.reason,
            "history": [{"at": iso(c.at), "from": c.from_stage, "to": c.to_stage} for c in self.history],
        }


@dataclass(frozen=True)
class DealRow:
    id: int
    lead_id: int
    title: str
    value: int | None
    stage: str
    expected_close: datetime | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class StageChangeRow:
    deal_id: int
    at: datetime
    from_stage: str | None
    to_stage: str


def deals(conn: sqlite3.Connection, lead_id: int) -> list[DealView]:
    """A lead's deals, newest first, each with its stage history."""
    rows = conn.execute(
        "SELECT deal.id, deal.lead_id, deal.title, deal.value, deal.stage, deal.expected_close, deal.created_at, "
        "deal.updated_at, deal.closed_at, deal.reason, lead.name FROM deal JOIN lead ON lead.id = deal.lead_id "
        "WHERE deal.lead_id = ? ORDER BY deal.id DESC",
        (lead_id,),
    ).fetchall()
    history: dict[int, list[StageChangeRow]] = {r[0]: [] for r in rows}
    if history:
        changes = conn.execute(
            "SELECT deal_stage_change.deal_id, deal_stage_change.at, from_stage, to_stage FROM deal_stage_change "
            "JOIN deal ON deal.id = deal_stage_change.deal_id WHERE deal.lead_id = ? ORDER BY deal_stage_change.id",
            (lead_id,),
        )
        for deal_id, at, old, new in changes:
            history[deal_id].append(StageChangeRow(deal_id, from_db(at), old, new))
    return [
        DealView(
            DealRow(r[0], r[1], r[2], r[3], r[4], from_db(r[5]), from_db(r[6]), from_db(r[7]), from_db(r[8]), r[9]),
            r[10],
            history[r[0]],
        )
        for r in rows
    ]
