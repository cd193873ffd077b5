"""Who to contact next, and why: the due queue and one lead's rule state.

The queue is ordered by rule group: first-contact deadlines (breaches before at-risk, the
deadline nearest to now first), overdue scheduled follow-ups, fallback touches, cadence,
then focus and review flags; ties go to grade A first, then coaches. Candidates are found
in SQL over indexes and the per-lead counters kept by triggers, so the cost grows with the
number of due leads, not with the number of touches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Boolean, ColumnClause, literal_column, text, type_coerce
from sqlmodel import Session, col, select

from salesdesk import lead_rules, queue_rows, ranking, store
from salesdesk import rules as r
from salesdesk.config import Config
from salesdesk.dates import fmt_span
from salesdesk.lead_rules import LeadRules
from salesdesk.models import Account, Lead
from salesdesk.store import pk

# The queue's rows and reasons live in queue_rows (no SQLAlchemy: the hot `due` uses them).
GROUPS = queue_rows.GROUPS
Reason = queue_rows.Reason
DueItem = queue_rows.DueItem
_GRADE_RANK: ColumnClause[int] = literal_column(ranking.GRADE_RANK)


def _fragment(sql: str, rules: r.Rules, now: datetime):
    """One of ``ranking``'s SQL conditions as an ORM expression, bound for ``now``."""
    bound = {name: value for name, value in ranking.params(rules, now).items() if f":{name}" in sql}
    return type_coerce(text(sql).bindparams(**bound), Boolean)


def _worked(rules: r.Rules, now: datetime):
    """SQL: the lead is being worked now: an active state, or parked and due back."""
    return _fragment(ranking.WORKED, rules, now)


def _meeting_ahead(rules: r.Rules, now: datetime):
    """SQL: the lead has a booked meeting still to come; until then, no calls are due."""
    return _fragment(ranking.MEETING_AHEAD, rules, now)


def prospects(session: Session, rules: r.Rules, now: datetime, limit: int, exclude: set[int]) -> list[DueItem]:
    """The prospect pool: worked leads never attempted, A before D (ungraded last), coaches
    first, the oldest arrival first; ``exclude`` holds leads already on the list."""
    if limit <= 0:
        return []
    coach_rank: ColumnClause[int] = literal_column(ranking.COACH_RANK)
    rows = session.execute(
        select(Lead, Account.name)
        .join(Account, col(Lead.account_id) == col(Account.id), isouter=True)
        .where(_worked(rules, now), col(Lead.first_attempt_at).is_(None), ~_meeting_ahead(rules, now))
        .order_by(_GRADE_RANK, coach_rank, col(Lead.created_at), col(Lead.id))
        .limit(limit + len(exclude))
    ).all()
    items = []
    for lead, company in rows:
        if lead.id in exclude:
            continue
        grade = f"grade {lead.grade}" if lead.grade else "ungraded"
        text = f"prospect, never called: {grade}, arrived {fmt_span(now - lead.created_at)} ago"
        key = (len(GROUPS), 0, lead.created_at.timestamp(), *ranking.tiebreak(lead.grade, lead.is_coach))
        reasons: list[Reason] = [Reason("prospect", text)]
        hint = queue_rows.call_hint(lead, "call", now)
        items.append(
            DueItem(lead.id, lead.name, company, lead.grade, lead.is_coach, "call", lead.created_at, reasons, key, hint)
        )
    return items[:limit]


def count_due(session: Session, rules: r.Rules, now: datetime) -> int:
    """How many leads are due now (the whole queue's length), counted in SQL."""
    return ranking.counts(store.dbapi(session), rules, now).due


def iter_due(session: Session, rules: r.Rules, now: datetime, limit: int | None = None) -> Iterator[DueItem]:
    """The ordered queue for ``now`` (see ``queue_rows.iter_due``), over the session's connection."""
    return queue_rows.iter_due(store.dbapi(session), rules, now, limit)


def first_contact_due(session: Session, rules: r.Rules, now: datetime) -> list[DueItem]:
    """The head of the queue: leads waiting for first contact (see ``queue_rows.first_contact_due``)."""
    return queue_rows.first_contact_due(store.dbapi(session), rules, now)


def due(session: Session, rules: r.Rules, now: datetime, limit: int | None = None) -> list[DueItem]:
    """The ordered queue for ``now``; ``limit`` cuts it after the first N leads."""
    return queue_rows.due(store.dbapi(session), rules, now, limit)


def explain(session: Session, config: Config, lead: Lead, now: datetime) -> LeadRules:
    """Every rule applied to one lead (see ``lead_rules.explain``), over the session's connection."""
    return lead_rules.explain(store.dbapi(session), config, pk(lead), now)
