"""Who to contact next, and why: the due queue and one lead's rule state.

The queue is ordered by rule group: first-contact deadlines (breaches before at-risk, the
deadline nearest to now first), overdue scheduled follow-ups, fallback touches, cadence,
then focus and review flags; ties go to grade A first, then coaches. Candidates are found
in SQL over indexes and the per-lead counters kept by triggers, so the cost grows with the
number of due leads, not with the number of touches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnClause, literal_column, text, type_coerce
from sqlmodel import Session, col, select

from salesdesk import lifecycle, queue_rows, ranking, store
from salesdesk import rules as r
from salesdesk.config import Config
from salesdesk.dates import fmt_local, fmt_span, iso
from salesdesk.models import Account, FollowUp, Lead, Meeting
from salesdesk.services import leads
from salesdesk.services.close_guard import CloseGuard, close_guard
from salesdesk.services.touches import LEAD_COUNTERS
from salesdesk.store import pk

# The queue's rows and reasons live in queue_rows (no SQLAlchemy: the hot `due` uses them).
QueueGroup = queue_rows.QueueGroup
ListGroup = queue_rows.ListGroup
GROUPS = queue_rows.GROUPS
Reason = queue_rows.Reason
DueItem = queue_rows.DueItem
first_contact_reason = queue_rows.first_contact_reason
flag_reasons = queue_rows.flag_reasons
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


def _progressed_since(rules: r.Rules, now: datetime):
    """SQL: one of the lead's deals was opened or moved in the review's quiet days."""
    return _fragment(ranking.PROGRESSED_SINCE, rules, now)


def live_followup(rules: r.Rules, now: datetime):
    """SQL: an open follow-up that still asks for something (a fallback lapses after its expiry)."""
    return _fragment(ranking.LIVE_FOLLOWUP, rules, now)


# A lead's place in the queue: (group, sub-order, order within group, grade rank, coach rank).
Key = ranking.Key
_tiebreak = ranking.tiebreak


def _ranked(
    session: Session, rules: r.Rules, now: datetime, limit: int | None, *, first_contact_only: bool = False
) -> dict[int, Key]:
    """Every due lead's rank (see ``ranking.ranked``), over the session's own connection."""
    return ranking.ranked(store.dbapi(session), rules, now, limit, first_contact_only=first_contact_only)


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
        key = (len(GROUPS), 0, lead.created_at.timestamp(), *_tiebreak(lead.grade, lead.is_coach))
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


@dataclass
class LeadRules:
    """Every rule's state for one lead, and its place in the queue (``salesdesk why``)."""

    lead: Lead
    guard: CloseGuard
    first_contact: r.FirstContact | None
    open_followups: list[FollowUp]
    cadence_due_at: datetime
    flags: list[Reason]
    item: DueItem | None
    position: int | None
    queue_length: int
    meeting: Meeting | None = None  # the next booked meeting, if any
    # When to call them: preferred hours, zone, private number, what their answers suggest.
    timing: list[tuple[str, str]] = field(default_factory=list)

    @property
    def min_touches(self) -> int:
        return self.guard.min_touches

    @property
    def terminal(self) -> bool:
        return self.guard.terminal

    def next_step(self, now: datetime) -> str:
        """What is due next, in words: the queue's top reason, else the next cadence touch."""
        if self.item is not None:
            return f"{self.item.action} {self.item.when} — {self.item.reasons[0].text}"
        if self.meeting is not None and self.lead.status not in lifecycle.CLOSED:
            place = f" at {self.meeting.place}" if self.meeting.place else ""
            return f"meeting {fmt_local(self.meeting.at, now)}{place} (#{self.meeting.id}; then held or no-show)"
        if self.lead.status in lifecycle.CLOSED:
            return f"nothing: {lifecycle.STATE_WORDS[self.lead.status]}"
        if self.lead.status == "nurture" and self.lead.nurture_until is not None:
            return f"back in the queue {fmt_local(self.lead.nurture_until, now)} (nurture)"
        if self.open_followups:
            nxt = self.open_followups[0]
            return f"{nxt.channel} {fmt_local(nxt.due_at, now)} ({nxt.rule})"
        return f"call by {fmt_local(self.cadence_due_at, now)} (cadence)"

    def as_dict(self, now: datetime) -> dict[str, Any]:
        fc = self.first_contact
        more_touches, more_days = self.guard.short
        return {
            "lead_id": self.lead.id,
            "name": self.lead.name,
            "status": self.lead.status,
            "touches": {"count": self.lead.touch_count, "minimum_before_lost": self.min_touches,
                        "days": self.guard.days, "minimum_days_before_lost": self.guard.min_days,
                        "short": more_touches, "days_short": more_days, "terminal_outcome": self.terminal},
            "first_contact": None if fc is None else {
                "state": fc.state, "deadline": iso(fc.deadline), "first_attempt_at": iso(fc.first_attempt_at),
                "minutes_left": int(fc.left(now).total_seconds() // 60) if fc.first_attempt_at is None else None,
            },
            "open_followups": [
                {"id": f.id, "channel": f.channel, "due_at": iso(f.due_at), "rule": f.rule} for f in self.open_followups
            ],
            "cadence": {"grade": self.lead.grade, "due_at": iso(self.cadence_due_at)},
            "flags": [flag.rule for flag in self.flags],
            "queue": None if self.item is None else {
                "position": self.position, "of": self.queue_length, **self.item.as_dict(),
            },
            "next_step": self.next_step(now),
            "when_to_call": [{"label": label, "text": text} for label, text in self.timing],
        }  # fmt: skip


def explain(session: Session, config: Config, lead: Lead, now: datetime) -> LeadRules:
    """Every rule applied to one lead, with the same words the queue uses."""
    rules = config.rules
    # Counters are kept by triggers: read them fresh, without discarding the caller's pending edits.
    session.refresh(lead, LEAD_COUNTERS)
    fc = None
    if rules.first_contact_applies(lead.source):
        fc = r.first_contact(
            lead.created_at, lead.first_attempt_at, now, rules.first_contact_window, rules.business_hours
        )
    followups = list(
        session.execute(
            select(FollowUp)
            .where(FollowUp.lead_id == lead.id, live_followup(rules, now))
            .order_by(col(FollowUp.due_at), col(FollowUp.id))
        ).scalars()
    )
    keys = _ranked(session, rules, now, None)
    key = keys.get(pk(lead))
    position = item = None
    if key is not None:
        mine = (key, lead.id)
        position = 1 + sum(1 for other, other_key in keys.items() if (other_key, other) < mine)
        item = queue_rows.items(store.dbapi(session), rules, now, [(pk(lead), key)])[0]
    progressed = session.execute(select(_progressed_since(rules, now)).where(Lead.id == lead.id)).scalar_one()
    return LeadRules(
        lead=lead,
        guard=close_guard(session, config, lead),
        first_contact=fc,
        open_followups=followups,
        cadence_due_at=r.cadence_due_at(lead.last_touch_at, lead.created_at, rules.cadence(lead.grade)),
        flags=flag_reasons(lead, rules, bool(progressed)),
        item=item,
        position=position,
        queue_length=len(keys),
        meeting=session.execute(
            select(Meeting)
            .where(Meeting.lead_id == lead.id, Meeting.status == "booked")
            .order_by(col(Meeting.at), col(Meeting.id))
            .limit(1)
        ).scalar_one_or_none(),
        timing=leads.when_to_call(lead, leads.learned_best_time(session, lead), config, now),
    )
