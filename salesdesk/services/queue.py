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
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import Boolean, literal_column, or_, select, text, type_coerce
from sqlmodel import Session

from salesdesk import lifecycle, ranking, store
from salesdesk import rules as r
from salesdesk.config import Config
from salesdesk.dates import fmt_local, fmt_span, iso
from salesdesk.models import Account, FollowUp, Lead, Meeting, Touch
from salesdesk.services.close_guard import CloseGuard, close_guard
from salesdesk.services.touches import LEAD_COUNTERS

# The queue's groups, in rank order; a lead's reasons are named by these.
QueueGroup = Literal["first_contact", "scheduled", "fallback", "cadence", "focus", "review", "hard_to_reach"]
GROUPS: tuple[QueueGroup, ...] = get_args(QueueGroup)
# Call lists add never-attempted leads after the queue: the prospect pool (METHOD.md §1).
ListGroup = QueueGroup | Literal["prospect"]
_GRADE_RANK = literal_column(ranking.GRADE_RANK)


@dataclass(frozen=True)
class Reason:
    rule: ListGroup
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
        return Reason("fallback", f"{what} — {lifecycle.followup_phrase([followup.channel])}{late}")
    if followup.rule == "no_show":
        return Reason("scheduled", f"missed the meeting — {followup.channel} to set a new time{late}")
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


def flag_reasons(lead: Lead, rules: r.Rules, progressed_lately: bool) -> list[Reason]:
    """The method's flags (METHOD.md §4): focus on the engaged, review the long-running, and
    say plainly when a lead is simply hard to reach. Only for leads being worked."""
    reasons: list[Reason] = []
    if lead.status not in lifecycle.ACTIVE:
        return reasons
    times = f"reached {lead.reach_count} time{'' if lead.reach_count == 1 else 's'}"
    if r.needs_focus(lead.reach_count, lead.status == "deal", rules.focus_after_reached):
        reasons.append(Reason("focus", f"{times}, no deal yet — engaged: concentrate here"))
    if r.needs_review(lead.reach_count, progressed_lately, rules.review_after_reached):
        reasons.append(
            Reason("review", f"{times}, nothing won, no stage move in {rules.review_quiet_days}d — keep or drop?")
        )
    if r.hard_to_reach(lead.call_count, lead.reach_count, rules.hard_to_reach_after_calls):
        reasons.append(
            Reason(
                "hard_to_reach", f"{lead.call_count} calls, nobody reached — hard to reach: try another channel or time"
            )
        )
    return reasons


def _fragment(sql: str, rules: r.Rules, now: datetime):  # type: ignore[no-untyped-def]
    """One of ``ranking``'s SQL conditions as an ORM expression, bound for ``now``."""
    bound = {name: value for name, value in ranking.params(rules, now).items() if f":{name}" in sql}
    return type_coerce(text(sql).bindparams(**bound), Boolean)


def _worked(rules: r.Rules, now: datetime):  # type: ignore[no-untyped-def]
    """SQL: the lead is being worked now: an active state, or parked and due back."""
    return _fragment(ranking.WORKED, rules, now)


def _meeting_ahead(rules: r.Rules, now: datetime):  # type: ignore[no-untyped-def]
    """SQL: the lead has a booked meeting still to come; until then, no calls are due."""
    return _fragment(ranking.MEETING_AHEAD, rules, now)


def _progressed_since(rules: r.Rules, now: datetime):  # type: ignore[no-untyped-def]
    """SQL: one of the lead's deals was opened or moved in the review's quiet days."""
    return _fragment(ranking.PROGRESSED_SINCE, rules, now)


def live_followup(rules: r.Rules, now: datetime):  # type: ignore[no-untyped-def]
    """SQL: an open follow-up that still asks for something (a fallback lapses after its expiry)."""
    return _fragment(ranking.LIVE_FOLLOWUP, rules, now)


# A lead's place in the queue: (group, sub-order, order within group, grade rank, coach rank).
Key = ranking.Key
# SQLite's limit on bound parameters is far above this; chunks keep IN (...) lists modest.
_CHUNK = 900
_tiebreak = ranking.tiebreak


def _ranked(
    session: Session, rules: r.Rules, now: datetime, limit: int | None, *, first_contact_only: bool = False
) -> dict[int, Key]:
    """Every due lead's rank (see ``ranking.ranked``), over the session's own connection."""
    return ranking.ranked(store.dbapi(session), rules, now, limit, first_contact_only=first_contact_only)


def _items(session: Session, rules: r.Rules, now: datetime, ranked: list[tuple[int, Key]]) -> list[DueItem]:
    """Full queue rows, with every reason in words, for the ranked leads only."""
    leads: dict[int, tuple[Lead, str | None, bool]] = {}
    open_followups: dict[int, list[tuple[FollowUp, Touch | None]]] = {}
    ids = [lead_id for lead_id, _ in ranked]
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        rows = session.execute(
            select(Lead, Account.name, _progressed_since(rules, now))
            .join(Account, Lead.account_id == Account.id, isouter=True)
            .where(Lead.id.in_(chunk))  # type: ignore[union-attr]
        ).all()
        leads.update({lead.id: (lead, company, progressed) for lead, company, progressed in rows})
        due_followups = session.execute(
            select(FollowUp, Touch)
            .join(Touch, Touch.id == FollowUp.source_touch_id, isouter=True)
            .join(Lead, Lead.id == FollowUp.lead_id)
            .where(
                FollowUp.lead_id.in_(chunk),  # type: ignore[attr-defined]
                live_followup(rules, now),
                FollowUp.due_at <= now,
                or_(FollowUp.channel != "call", ~_meeting_ahead(rules, now)),
            )
            .order_by(FollowUp.due_at, FollowUp.id)
        ).all()
        for followup, source in due_followups:
            open_followups.setdefault(followup.lead_id, []).append((followup, source))

    items = []
    for lead_id, key in ranked:
        lead, company, progressed = leads[lead_id]
        reasons: list[Reason] = []
        action, due_at = "call", lead.last_touch_at or lead.created_at
        if lead.first_attempt_at is None and rules.first_contact_applies(lead.source):
            verdict = r.first_contact(lead.created_at, None, now, rules.first_contact_window, rules.business_hours)
            reasons.append(first_contact_reason(lead, verdict, rules, now))
            if key[0] == 0:
                due_at = verdict.deadline
        pending = open_followups.get(lead_id, [])
        for rule in ("scheduled", "no_show", "fallback"):
            for followup, source in pending:
                if followup.rule == rule:
                    reasons.append(_followup_reason(followup, source, now))
        if key[0] in (1, 2):
            wanted = ("scheduled", "no_show") if key[0] == 1 else ("fallback",)
            first = min((f for f, _ in pending if f.rule in wanted), key=lambda f: f.due_at)
            action, due_at = first.channel, first.due_at
        cadence_due = r.cadence_due_at(lead.last_touch_at, lead.created_at, rules.cadence(lead.grade))
        if cadence_due <= now:
            reasons.append(_cadence_reason(lead, rules, now))
            if key[0] == 3:
                due_at = cadence_due
        reasons.extend(flag_reasons(lead, rules, bool(progressed)))
        items.append(DueItem(lead_id, lead.name, company, lead.grade, lead.is_coach, action, due_at, reasons, key))
    return items


def prospects(session: Session, rules: r.Rules, now: datetime, limit: int, exclude: set[int]) -> list[DueItem]:
    """The prospect pool: worked leads never attempted, A before D (ungraded last), coaches
    first, the oldest arrival first; ``exclude`` holds leads already on the list."""
    if limit <= 0:
        return []
    coach_rank = literal_column(ranking.COACH_RANK)
    rows = session.execute(
        select(Lead, Account.name)
        .join(Account, Lead.account_id == Account.id, isouter=True)
        .where(_worked(rules, now), Lead.first_attempt_at.is_(None), ~_meeting_ahead(rules, now))  # type: ignore[union-attr]
        .order_by(_GRADE_RANK, coach_rank, Lead.created_at, Lead.id)
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
        items.append(
            DueItem(lead.id, lead.name, company, lead.grade, lead.is_coach, "call", lead.created_at, reasons, key)
        )  # type: ignore[arg-type]
    return items[:limit]


def iter_due(session: Session, rules: r.Rules, now: datetime, limit: int | None = None) -> Iterator[DueItem]:
    """The ordered queue for ``now``, built a chunk at a time so a queue of tens of thousands
    of leads never sits in memory at once; ``limit`` cuts it after the first N leads."""
    ranked = sorted(_ranked(session, rules, now, limit).items(), key=lambda entry: (entry[1], entry[0]))
    if limit is not None:
        ranked = ranked[:limit]
    for i in range(0, len(ranked), _CHUNK):
        # DueItems hold plain values, and the session's identity map holds its objects
        # weakly: each chunk's leads are freed once it is yielded.
        yield from _items(session, rules, now, ranked[i : i + _CHUNK])


def first_contact_due(session: Session, rules: r.Rules, now: datetime) -> list[DueItem]:
    """The head of the queue: leads waiting for first contact, breaches first. It always ranks
    first, so this equals the queue's first rows without ranking the rest of the book."""
    ranked = sorted(_ranked(session, rules, now, None, first_contact_only=True).items(), key=lambda e: (e[1], e[0]))
    return _items(session, rules, now, ranked)


def count_due(session: Session, rules: r.Rules, now: datetime) -> int:
    """How many leads are due now (the whole queue's length), counted in SQL."""
    return ranking.counts(store.dbapi(session), rules, now).due


def due(session: Session, rules: r.Rules, now: datetime, limit: int | None = None) -> list[DueItem]:
    """The ordered queue for ``now``; ``limit`` cuts it after the first N leads."""
    return list(iter_due(session, rules, now, limit))


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

    @property
    def min_touches(self) -> int:
        return self.guard.min_touches

    @property
    def terminal(self) -> bool:
        return self.guard.terminal

    def next_step(self, now: datetime) -> str:
        """What is due next, in words: the queue's top reason, else the next cadence touch."""
        if self.item is not None:
            return f"{self.item.action} now — {self.item.reasons[0].text}"
        if self.meeting is not None and self.lead.status not in lifecycle.CLOSED:
            place = f" at {self.meeting.place}" if self.meeting.place else ""
            return f"meeting {fmt_local(self.meeting.at, now)}{place} (#{self.meeting.id}; then held or no-show)"
        if self.lead.status in lifecycle.CLOSED:
            return f"nothing: {lifecycle.STATE_WORDS[self.lead.status]}"  # type: ignore[index]
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
            .order_by(FollowUp.due_at, FollowUp.id)
        ).scalars()
    )
    keys = _ranked(session, rules, now, None)
    key = keys.get(lead.id)  # type: ignore[arg-type]
    position = item = None
    if key is not None:
        mine = (key, lead.id)
        position = 1 + sum(1 for other, other_key in keys.items() if (other_key, other) < mine)
        item = _items(session, rules, now, [(lead.id, key)])[0]  # type: ignore[list-item]
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
            .order_by(Meeting.at, Meeting.id)
            .limit(1)
        ).scalar_one_or_none(),
    )
