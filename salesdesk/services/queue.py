"""Who to contact next, and why: the due queue and one lead's rule state.

The queue is ordered by rule group: first-contact deadlines (breaches before at-risk, the
deadline nearest to now first), overdue scheduled follow-ups, fallback touches, cadence,
then focus and review flags; ties go to grade A first, then coaches. Candidates are found
in SQL over indexes and the per-lead counters kept by triggers, so the cost grows with the
number of due leads, not with the number of touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from salesdesk import rules as r
from salesdesk.dates import fmt_local, fmt_span, iso
from salesdesk.models import Account, FollowUp, Lead, Touch

OPEN = ("new", "working")
GROUPS = ("first_contact", "scheduled", "fallback", "cadence", "focus", "review")
_GRADE_RANK = case(
    (Lead.grade == "A", 0), (Lead.grade == "B", 1), (Lead.grade == "C", 2), (Lead.grade == "D", 3), else_=4
)


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "text": self.text}


@dataclass
class DueItem:
    """One lead in the queue: what to do (the channel) and every reason, in words."""

    lead_id: int
    name: str
    company: str | None
    grade: str | None
    is_coach: bool
    action: str
    due_at: datetime
    reasons: list[Reason] = field(default_factory=list)
    # Sort key: group, then the group's own order, then grade and coach.
    key: tuple[Any, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id,
            "name": self.name,
            "company": self.company,
            "grade": self.grade,
            "is_coach": self.is_coach,
            "action": self.action,
            "due_at": iso(self.due_at),
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


def _tiebreak(grade: str | None, is_coach: bool) -> tuple[int, int]:
    return ("ABCD".index(grade) if grade else 4, 0 if is_coach else 1)


def first_contact_reason(lead: Lead, verdict: r.FirstContact, rules: r.Rules, now: datetime) -> Reason:
    window = fmt_span(rules.first_contact_window)
    ago = fmt_span(now - lead.created_at)
    if verdict.state == "at_risk":
        text = f"{lead.source} {ago} ago — first contact due within {window}, {fmt_span(verdict.left(now))} left"
    else:
        text = f"{lead.source} {ago} ago — first contact was due within {window}, {fmt_span(verdict.left(now))} over"
    return Reason("first_contact", text)


def _followup_reason(followup: FollowUp, source: Touch | None, now: datetime) -> Reason:
    late = f" ({fmt_span(now - followup.due_at)} overdue)" if now - followup.due_at >= timedelta(minutes=1) else ""
    if followup.rule == "fallback":
        what = f"call {fmt_local(source.at, now)} didn't get through ({source.outcome})" if source else "a call failed"
        return Reason("fallback", f"{what} — follow up by {followup.channel}{late}")
    note = f": {followup.note}" if followup.note else ""
    return Reason("scheduled", f"{followup.channel} scheduled for {fmt_local(followup.due_at, now)}{late}{note}")


def _cadence_reason(lead: Lead, rules: r.Rules, now: datetime) -> Reason:
    days = rules.cadence(lead.grade).days
    grade = f"grade {lead.grade}" if lead.grade else "ungraded"
    if lead.last_touch_at is None:
        return Reason(
            "cadence", f"{grade}: never touched, arrived {fmt_span(now - lead.created_at)} ago (every {days}d)"
        )
    return Reason("cadence", f"{grade}: last touch {fmt_span(now - lead.last_touch_at)} ago (every {days}d)")


def flag_reasons(lead: Lead, rules: r.Rules) -> list[Reason]:
    reasons = []
    if r.needs_focus(lead.call_count, lead.connect_count, rules.focus_after_attempts):
        reasons.append(Reason("focus", f"{lead.call_count} calls, nobody reached yet — give it focused follow-up"))
    if r.needs_review(lead.touch_count, lead.meeting_count > 0, rules.review_after_touches):
        reasons.append(
            Reason("review", f"{lead.touch_count} touches, no meeting yet — review: why, and should I drop it?")
        )
    return reasons


def _cadence_cutoff(rules: r.Rules, now: datetime):  # type: ignore[no-untyped-def]
    """SQL: the lead's cadence interval has passed since its last touch (or arrival)."""
    last = func.coalesce(Lead.last_touch_at, Lead.created_at)
    per_grade = [
        and_(Lead.grade == grade, last <= now - timedelta(days=days))
        for grade, days in rules.cadence_days.items()
        if grade != r.UNGRADED
    ]
    ungraded = and_(Lead.grade.is_(None), last <= now - rules.cadence(None))  # type: ignore[union-attr]
    return or_(*per_grade, ungraded)


def _flag_condition(rules: r.Rules):  # type: ignore[no-untyped-def]
    focus = and_(Lead.connect_count == 0, Lead.call_count >= rules.focus_after_attempts)
    review = and_(Lead.meeting_count == 0, Lead.touch_count >= rules.review_after_touches)
    return or_(focus, review)


def due(session: Session, rules: r.Rules, now: datetime, limit: int | None = None) -> list[DueItem]:
    """The ordered queue for ``now``; ``limit`` cuts it after the first N leads."""
    items: dict[int, DueItem] = {}
    base = select(Lead, Account.name).join(Account, Lead.account_id == Account.id, isouter=True)
    base = base.where(Lead.status.in_(OPEN))  # type: ignore[attr-defined]

    def item(lead: Lead, company: str | None, action: str, due_at: datetime, key: tuple[Any, ...]) -> DueItem:
        """The lead's row, ranked by the most urgent of its reasons."""
        found = items.get(lead.id)  # type: ignore[arg-type]
        if found is None:
            found = DueItem(lead.id, lead.name, company, lead.grade, lead.is_coach, action, due_at, key=key)  # type: ignore[arg-type]
            items[lead.id] = found  # type: ignore[index]
        elif key < found.key:
            found.action, found.due_at, found.key = action, due_at, key
        return found

    # 1. First contact: open leads never touched (index on status, first_touch_at).
    fresh = session.execute(base.where(Lead.first_touch_at.is_(None))).all()  # type: ignore[union-attr]
    for lead, company in fresh:
        if not rules.first_contact_applies(lead.source):
            continue
        verdict = r.first_contact(lead.created_at, None, now, rules.first_contact_window, rules.business_hours)
        breach = verdict.state == "breach"
        # Nearest deadline to now first: the freshest breach, the most urgent at-risk lead.
        order = -verdict.deadline.timestamp() if breach else verdict.deadline.timestamp()
        row = item(
            lead,
            company,
            "call",
            verdict.deadline,
            (0, 0 if breach else 1, order, *_tiebreak(lead.grade, lead.is_coach)),
        )
        row.reasons.append(first_contact_reason(lead, verdict, rules, now))

    # 2-3. Open follow-ups that are due (index on done_at, due_at), with the call that made them.
    followups = session.execute(
        select(FollowUp, Lead, Account.name, Touch)
        .join(Lead, Lead.id == FollowUp.lead_id)
        .join(Account, Lead.account_id == Account.id, isouter=True)
        .join(Touch, Touch.id == FollowUp.source_touch_id, isouter=True)
        .where(FollowUp.done_at.is_(None), FollowUp.due_at <= now, Lead.status.in_(OPEN))  # type: ignore[union-attr, attr-defined]
        .order_by(FollowUp.due_at)
    ).all()
    for followup, lead, company, source in followups:
        group = 1 if followup.rule == "scheduled" else 2
        key = (group, 0, followup.due_at.timestamp(), *_tiebreak(lead.grade, lead.is_coach))
        row = item(lead, company, followup.channel, followup.due_at, key)
        row.reasons.append(_followup_reason(followup, source, now))

    # 4-5. Cadence and flags, from the per-lead counters.
    last = func.coalesce(Lead.last_touch_at, Lead.created_at)
    flagged = session.execute(
        base.add_columns(_cadence_cutoff(rules, now).label("cadence"))
        .where(or_(_cadence_cutoff(rules, now), _flag_condition(rules)))
        .order_by(last, _GRADE_RANK, Lead.is_coach.desc())  # type: ignore[attr-defined]
    ).all()
    for lead, company, cadence_due in flagged:
        flags = flag_reasons(lead, rules)
        if cadence_due:
            due_at = r.cadence_due_at(lead.last_touch_at, lead.created_at, rules.cadence(lead.grade))
            row = item(lead, company, "call", due_at, (3, 0, due_at.timestamp(), *_tiebreak(lead.grade, lead.is_coach)))
            row.reasons.append(_cadence_reason(lead, rules, now))
        elif flags:
            group = 4 if flags[0].rule == "focus" else 5
            row = item(
                lead,
                company,
                "call",
                lead.last_touch_at or lead.created_at,
                (group, 0, 0.0, *_tiebreak(lead.grade, lead.is_coach)),
            )
        else:
            continue
        row.reasons.extend(flags)

    ordered = sorted(items.values(), key=lambda i: (*i.key, i.lead_id))
    return ordered if limit is None else ordered[:limit]


@dataclass
class LeadRules:
    """Every rule's state for one lead, and its place in the queue (``salesdesk why``)."""

    lead: Lead
    min_touches: int
    terminal: bool
    first_contact: r.FirstContact | None
    open_followups: list[FollowUp]
    cadence_due_at: datetime
    flags: list[Reason]
    item: DueItem | None
    position: int | None
    queue_length: int

    @property
    def touches_short(self) -> int:
        return r.touches_short_of_close(self.lead.touch_count, self.min_touches, self.terminal)

    def next_step(self, now: datetime) -> str:
        """What is due next, in words: the queue's top reason, else the next cadence touch."""
        if self.item is not None:
            return f"{self.item.action} now — {self.item.reasons[0].text}"
        if self.open_followups:
            nxt = self.open_followups[0]
            return f"{nxt.channel} {fmt_local(nxt.due_at, now)} ({nxt.rule})"
        return f"call by {fmt_local(self.cadence_due_at, now)} (cadence)"

    def as_dict(self, now: datetime) -> dict[str, Any]:
        fc = self.first_contact
        return {
            "lead_id": self.lead.id,
            "name": self.lead.name,
            "status": self.lead.status,
            "touches": {"count": self.lead.touch_count, "minimum_before_lost": self.min_touches,
                        "short": self.touches_short, "terminal_outcome": self.terminal},
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
        }  # fmt: skip


def has_terminal_outcome(session: Session, terminal_outcomes: list[str], lead_id: int) -> bool:
    query = select(Touch.id).where(Touch.lead_id == lead_id, Touch.outcome.in_(terminal_outcomes)).limit(1)  # type: ignore[union-attr]
    return session.execute(query).first() is not None


def explain(session: Session, rules: r.Rules, terminal_outcomes: list[str], lead: Lead, now: datetime) -> LeadRules:
    """Every rule applied to one lead, with the same words the queue uses."""
    session.refresh(lead)  # counters are kept by triggers; read them fresh
    fc = None
    if rules.first_contact_applies(lead.source):
        fc = r.first_contact(
            lead.created_at, lead.first_touch_at, now, rules.first_contact_window, rules.business_hours
        )
    followups = list(
        session.execute(
            select(FollowUp)
            .where(FollowUp.lead_id == lead.id, FollowUp.done_at.is_(None))  # type: ignore[union-attr]
            .order_by(FollowUp.due_at)
        ).scalars()
    )
    queue = due(session, rules, now)
    position = next((i for i, item in enumerate(queue) if item.lead_id == lead.id), None)
    return LeadRules(
        lead=lead,
        min_touches=rules.min_touches_before_lost,
        terminal=has_terminal_outcome(session, terminal_outcomes, lead.id),  # type: ignore[arg-type]
        first_contact=fc,
        open_followups=followups,
        cadence_due_at=r.cadence_due_at(lead.last_touch_at, lead.created_at, rules.cadence(lead.grade)),
        flags=flag_reasons(lead, rules),
        item=None if position is None else queue[position],
        position=None if position is None else position + 1,
        queue_length=len(queue),
    )
