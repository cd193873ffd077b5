"""Leads: adding, finding, listing and editing the people a rep works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, func, text, type_coerce
from sqlmodel import Session, col, or_, select

from salesdesk import lead_lookup, store, timing_advice, validate
from salesdesk.config import GRADES, SOURCES, STATUSES, Config
from salesdesk.dates import iso
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Account, GradeChange, Lead
from salesdesk.store import pk


@dataclass(frozen=True)
class LeadView:
    """A lead as people and scripts see it: with its company and touch counts."""

    lead: Lead
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
            "private_phone": lead.private_phone,
        }


def _account_for(session: Session, company: str | None, now: datetime) -> int | None:
    if company is None:
        return None
    key = validate.name_key(company)
    account = session.execute(select(Account).where(Account.name_key == key)).scalars().first()
    if account is None:
        account = Account(name=company, name_key=key, created_at=now)
        session.add(account)
        session.flush()
    return account.id


def _duplicate_of(session: Session, phone: str | None, email: str | None, exclude: int | None) -> Lead | None:
    clauses = []
    if phone:
        # With or without the country code it is the same number, as lookups treat it.
        clauses.append(_same_phone(phone.lstrip("+")) if len(phone.lstrip("+")) >= 7 else Lead.phone == phone)
    if email:
        clauses.append(Lead.email == email)
    if not clauses:
        return None
    query = select(Lead).where(or_(*clauses))
    if exclude is not None:
        query = query.where(Lead.id != exclude)
    return session.execute(query.limit(1)).scalars().first()


def add_lead(
    session: Session,
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
) -> Lead:
    """Add a lead; ``created_at`` is when it arrived (defaults to ``now``).

    A lead with the same phone or email as an existing one is refused unless
    ``allow_duplicate``: two records of one person split their touch history.
    """
    clean_phone = validate.phone(phone)
    clean_email = validate.email(email)
    clean_name = validate.required(name, "name")
    lead = Lead(
        name=clean_name,
        name_key=validate.name_key(clean_name),
        title=validate.text(title, "title"),
        phone=clean_phone,
        email=clean_email,
        wechat=validate.wechat(wechat),
        source=validate.choice(source, "source", SOURCES) or "outbound",
        grade=validate.choice(grade, "grade", GRADES, upper=True),
        status="new",
        is_coach=is_coach,
        role=validate.text(role, "role"),
        notes=validate.text(notes, "notes", max_len=validate.NOTES_MAX, multiline=True),
        created_at=created_at or now,
        updated_at=now,
        timezone=clean_timezone(timezone),
        best_time=clean_best_time(best_time),
        private_phone=private_phone,
    )
    if lead.created_at > now:
        raise InvalidInput("a lead cannot arrive in the future; give --at now or a past time")
    company = validate.text(company, "company")
    if not allow_duplicate and (dup := _duplicate_of(session, clean_phone, clean_email, None)):
        raise Refused(
            f"lead #{dup.id} {dup.name} already has this phone or email; "
            "edit it, or pass --allow-duplicate to add a second record",
            # The check can't say which of the two matched; a front end points at one of them.
            field="phone" if clean_phone else "email",
        )
    lead.account_id = _account_for(session, company, now)
    session.add(lead)
    session.flush()
    if lead.grade:
        session.add(GradeChange(lead_id=pk(lead), at=lead.created_at, old_grade=None, new_grade=lead.grade))
    return lead


_like = lead_lookup.like
_phone_key = lead_lookup.phone_key


def _same_phone(digits: str) -> ColumnElement[bool]:
    """The same number, with or without its country code: one ends with the other."""
    return type_coerce(text(lead_lookup.SAME_PHONE).bindparams(digits=digits), Boolean)


def resolve_lead(session: Session, ref: str) -> Lead:
    """The one lead ``ref`` names: an id (``12`` or ``#12``), or a name, phone or email
    (see ``lead_lookup.resolve_id``, which the hot commands and completion use too)."""
    return session.get_one(Lead, lead_lookup.resolve_id(store.dbapi(session), ref))


def _views(session: Session, query) -> list[LeadView]:
    # populate_existing: the activity counters are written by triggers, behind the ORM's back,
    # so a lead already in the session must be re-read rather than served from memory.
    rows = session.execute(query.execution_options(populate_existing=True)).all()
    return [LeadView(lead, company, lead.touch_count, lead.last_touch_at) for lead, company in rows]


def _filtered(
    grade: str | None, status: str | None, source: str | None, search: str | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if grade:
        where.append(col(Lead.grade) == validate.choice(grade, "grade", GRADES, upper=True))
    if status:
        where.append(col(Lead.status) == validate.choice(status, "status", STATUSES))
    if source:
        where.append(col(Lead.source) == validate.choice(source, "source", SOURCES))
    needle = validate.text(search, "search")
    if needle:
        like = _like(validate.name_key(needle))
        phone = _phone_key(needle)
        where.append(
            or_(
                col(Lead.name_key).like(like, escape="\\"),
                col(Account.name_key).like(like, escape="\\"),
                col(Lead.email).like(like, escape="\\"),
                col(Lead.wechat).like(like, escape="\\"),
                *([col(Lead.phone).like(f"%{phone}%")] if phone else []),
            )
        )
    return where


def list_leads(
    session: Session,
    *,
    grade: str | None = None,
    status: str | None = None,
    source: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[LeadView]:
    """Leads matching every filter given, newest arrivals first. Counts come from SQL."""
    query = (
        select(Lead, Account.name)
        .join(Account, col(Lead.account_id) == col(Account.id), isouter=True)
        .where(*_filtered(grade, status, source, search))
        .order_by(col(Lead.created_at).desc(), col(Lead.id).desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return _views(session, query)


def book_is_empty(session: Session) -> bool:
    """No lead at all yet: the first run, which the TUI greets with what to do."""
    return session.execute(select(Lead.id).limit(1)).first() is None


def count_leads(
    session: Session,
    *,
    grade: str | None = None,
    status: str | None = None,
    source: str | None = None,
    search: str | None = None,
) -> int:
    query = (
        select(func.count())
        .select_from(Lead)
        .join(Account, col(Lead.account_id) == col(Account.id), isouter=True)
        .where(*_filtered(grade, status, source, search))
    )
    return session.execute(query).scalar_one()


def lead_view(session: Session, lead_id: int) -> LeadView:
    query = (
        select(Lead, col(Account.name))
        .join(Account, col(Lead.account_id) == col(Account.id), isouter=True)
        .where(col(Lead.id) == lead_id)
    )
    views = _views(session, query)
    if not views:
        raise InvalidInput(f"no lead has id {lead_id}")
    return views[0]


# Fields ``edit_lead`` accepts; ``None`` means "leave as is", "" means "clear".
EDITABLE = (
    "name", "company", "title", "phone", "email", "wechat", "source", "grade", "is_coach", "role", "notes",
    "created_at", "timezone", "best_time", "private_phone",
)  # fmt: skip
# ``lead edit --best-time learned``: save what the lead's own answered calls suggest.
LEARNED = "learned"


def clean_timezone(value: str | None) -> str | None:
    """An IANA zone name as the zone database spells it; "" or None: none (the rep's own)."""
    zone = timing_advice.zone_of(value.strip()) if value and value.strip() else None
    return getattr(zone, "key", None)


def clean_best_time(value: str | None) -> str | None:
    """Preferred hours in the form they are stored and typed: ``tue-thu 14:00-17:00``."""
    return str(timing_advice.parse_best_time(value)) if value and value.strip() else None


def when_to_call(
    lead: Lead, learned: timing_advice.Learned | None, config: Config, now: datetime
) -> list[tuple[str, str]]:
    """The lead card's when-to-call lines (CLI and TUI)."""
    facts = timing_advice.LeadTiming(lead.timezone, lead.best_time, lead.private_phone)
    return timing_advice.when_to_call(facts, learned, now, config.timing, lead.id)


def learned_best_time(session: Session, lead: Lead) -> timing_advice.Learned | None:
    """What the lead's own connected calls suggest for ``best_time``, in their time zone."""
    return timing_advice.learned_from(store.call_times(store.dbapi(session), pk(lead)), lead.timezone)


def edit_lead(session: Session, lead: Lead, now: datetime, **changes: Any) -> Lead:
    """Change the given fields; a grade change is recorded with its time."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"cannot edit {', '.join(sorted(unknown))}")
    changes = {k: v for k, v in changes.items() if v is not None}
    if "created_at" in changes:
        arrived: datetime = changes["created_at"]
        if arrived > now:
            raise InvalidInput("a lead cannot arrive in the future")
        if lead.first_touch_at is not None and arrived > lead.first_touch_at:
            raise InvalidInput("a lead cannot arrive after its first touch; give an earlier time")
        lead.created_at = arrived
    if "name" in changes:
        lead.name = validate.required(changes["name"], "name")
        lead.name_key = validate.name_key(lead.name)
    if "title" in changes:
        lead.title = validate.text(changes["title"], "title")
    if "role" in changes:
        lead.role = validate.text(changes["role"], "role")
    if "notes" in changes:
        lead.notes = validate.text(changes["notes"], "notes", max_len=validate.NOTES_MAX, multiline=True)
    if "wechat" in changes:
        lead.wechat = validate.wechat(changes["wechat"])
    if "source" in changes:
        lead.source = validate.choice(changes["source"], "source", SOURCES) or lead.source
    if "is_coach" in changes:
        lead.is_coach = bool(changes["is_coach"])
    if "timezone" in changes:
        lead.timezone = clean_timezone(changes["timezone"])
    if "best_time" in changes:
        if changes["best_time"].strip().lower() == LEARNED:
            learned = learned_best_time(session, lead)
            if learned is None:
                raise InvalidInput(
                    f"--best-time learned: #{lead.id} {lead.name}'s calls suggest no hours yet "
                    f"(it takes {timing_advice.LEARN_MIN_CONNECTS} connected calls, most in one "
                    f'{timing_advice.LEARN_SPAN_HOURS}-hour window); give hours like "tue-thu 14:00-17:00"'
                )
            lead.best_time = str(learned.best)
        else:
            lead.best_time = clean_best_time(changes["best_time"])
    if "private_phone" in changes:
        lead.private_phone = bool(changes["private_phone"])
    if "phone" in changes or "email" in changes:
        new_phone = validate.phone(changes["phone"]) if "phone" in changes else lead.phone
        new_email = validate.email(changes["email"]) if "email" in changes else lead.email
        dup = _duplicate_of(
            session,
            new_phone if new_phone != lead.phone else None,
            new_email if new_email != lead.email else None,
            lead.id,
        )
        if dup is not None:
            raise Refused(f"lead #{dup.id} {dup.name} already has this phone or email")
        lead.phone, lead.email = new_phone, new_email
    if "company" in changes:
        lead.account_id = _account_for(session, validate.text(changes["company"], "company"), now)
    if "grade" in changes:
        new_grade = validate.choice(changes["grade"], "grade", GRADES, upper=True) if changes["grade"] else None
        if new_grade != lead.grade:
            session.add(GradeChange(lead_id=pk(lead), at=now, old_grade=lead.grade, new_grade=new_grade))
            lead.grade = new_grade
    lead.updated_at = now
    session.add(lead)
    session.flush()
    return lead


def grade_history(session: Session, lead_id: int) -> list[GradeChange]:
    newest_first = (col(GradeChange.at).desc(), col(GradeChange.id).desc())
    query = select(GradeChange).where(GradeChange.lead_id == lead_id).order_by(*newest_first)
    return list(session.execute(query).scalars())
