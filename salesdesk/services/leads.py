"""Leads: adding, finding, listing and editing the people a rep works."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any, Concatenate, ParamSpec

from sqlalchemy import Boolean, ColumnElement, func, text, type_coerce
from sqlmodel import Session, col, select

from salesdesk import lead_lookup, lead_store, store, timing_advice, validate
from salesdesk.config import GRADES, SOURCES
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Account, GradeChange, Lead
from salesdesk.store import pk

# A lead with its company and touch counts: the store layer's, shown by every front end.
LeadView = lead_store.LeadView

P = ParamSpec("P")


def _account_for(session: Session, company: str | None, now: datetime) -> int | None:
    return lead_store.account_for(store.dbapi(session), company, now)


def _duplicate_of(
    session: Session, phone: str | None, email: str | None, exclude: int | None
) -> tuple[int, str] | None:
    return lead_store.duplicate_of(store.dbapi(session), phone, email, exclude)


def _on_session(
    add: Callable[Concatenate[sqlite3.Connection, datetime, P], int],
) -> Callable[Concatenate[Session, datetime, P], Lead]:
    """``add`` over a session's connection, returning the ORM row it wrote: its fields (their
    checks and defaults) are written and typed once, in the store layer."""

    def add_lead(session: Session, now: datetime, /, *args: P.args, **fields: P.kwargs) -> Lead:
        """Add a lead; ``created_at`` is when it arrived (defaults to ``now``); the fields are
        ``lead_store.add``'s, which the hot ``lead add`` calls over a bare sqlite3 connection."""
        return session.get_one(Lead, add(store.dbapi(session), now, *args, **fields))

    return add_lead


add_lead = _on_session(lead_store.add)


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
    """``lead_store.lead_filter``'s SQL (the CLI's ``lead list`` runs it over sqlite3)."""
    where, bound = lead_store.lead_filter(grade, status, source, search)
    return [type_coerce(text(where).bindparams(**bound), Boolean)]


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
        lead.timezone = lead_store.clean_timezone(changes["timezone"])
    if "best_time" in changes:
        if changes["best_time"].strip().lower() == LEARNED:
            learned = lead_store.learned_best_time(store.dbapi(session), lead)
            if learned is None:
                raise InvalidInput(
                    f"--best-time learned: #{lead.id} {lead.name}'s calls suggest no hours yet "
                    f"(it takes {timing_advice.LEARN_MIN_CONNECTS} connected calls, most in one "
                    f'{timing_advice.LEARN_SPAN_HOURS}-hour window); give hours like "tue-thu 14:00-17:00"'
                )
            lead.best_time = str(learned.best)
        else:
            lead.best_time = lead_store.clean_best_time(changes["best_time"])
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
            raise Refused(f"lead #{dup[0]} {dup[1]} already has this phone or email")
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
