"""The due queue's rows, and each reason in words, written once against the DB-API connection.

``ranking`` ranks the leads; this builds the rows for the head of the queue (a chunk at a
time) from the store layer's reads. ``services.queue`` (the TUI, the reports, call blocks)
calls it over its session's connection and the hot ``salesdesk due`` over a bare ``sqlite3``
one, so both print the same queue in the same words. Rows are ORM objects or the store
layer's: the same attributes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from salesdesk import lead_store, lifecycle, ranking, store, timing_advice
from salesdesk import rules as r
from salesdesk.dates import fmt_local, fmt_span, iso

# The queue's groups, in rank order; a lead's reasons are named by these.
QueueGroup = Literal["first_contact", "scheduled", "fallback", "cadence", "focus", "review", "hard_to_reach"]
GROUPS: tuple[QueueGroup, ...] = get_args(QueueGroup)
# Call lists add never-attempted leads after the queue: the prospect pool (METHOD.md §1).
ListGroup = QueueGroup | Literal["prospect"]
# A lead's place in the queue: (group, sub-order, order within group, grade rank, coach rank).
Key = ranking.Key
# SQLite's limit on bound parameters is far above this; chunks keep IN (...) lists modest.
_CHUNK = 900


@dataclass(frozen=True)
class _Source:
    """The call a follow-up came from, as its reason names it."""

    at: datetime
    outcome: str | None


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
    # When now is outside the lead's preferred hours: when to call instead ("after 14:00").
    hint: str | None = None

    @property
    def do(self) -> str:
        """The queue's "do" column: ``call``, or ``call after 14:00`` outside their hours."""
        return f"{self.action} {self.hint}" if self.hint else self.action

    @property
    def when(self) -> str:
        return self.hint or "now"

    def as_dict(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id,
            "name": self.name,
            "company": self.company,
            "grade": self.grade,
            "is_coach": self.is_coach,
            "action": self.action,
            "do": self.do,
            "due_at": iso(self.due_at),
            "reasons": [reason.as_dict() for reason in self.reasons],
        }


def first_contact_reason(lead: Any, verdict: r.FirstContact, rules: r.Rules, now: datetime) -> Reason:
    window = fmt_span(rules.first_contact_window)
    ago = fmt_span(now - lead.created_at)
    if verdict.state == "at_risk":
        text = f"{lead.source} {ago} ago — first contact due within {window}, {fmt_span(verdict.left(now))} left"
    else:
        text = f"{lead.source} {ago} ago — first contact was due within {window}, {fmt_span(verdict.left(now))} over"
    return Reason("first_contact", text)


def _followup_reason(followup: Any, source: Any, now: datetime) -> Reason:
    late = f" ({fmt_span(now - followup.due_at)} overdue)" if now - followup.due_at >= timedelta(minutes=1) else ""
    if followup.rule == "fallback":
        what = (
            f"call {fmt_local(source.at, now)} didn't get through ({lifecycle.outcome_words(source.outcome)})"
            if source
            else "a call failed"
        )
        return Reason("fallback", f"{what} — {lifecycle.followup_phrase([followup.channel])}{late}")
    if followup.rule == "no_show":
        return Reason("scheduled", f"missed the meeting — {followup.channel} to set a new time{late}")
    note = f": {followup.note}" if followup.note else ""
    return Reason("scheduled", f"{followup.channel} scheduled for {fmt_local(followup.due_at, now)}{late}{note}")


def call_hint(lead: Any, action: str, now: datetime, by: datetime | None = None) -> str | None:
    """When to call a lead whose preferred hours (``lead.best_time``) don't hold now; calls
    only: a message waits in their inbox for whenever suits them. ``by``: a first-contact
    deadline, which their hours don't push back (METHOD.md §4: within 5 hours)."""
    if action != "call" or not lead.best_time:
        return None
    return timing_advice.lead_call_hint(lead.best_time, lead.timezone, now, by)


def _cadence_reason(lead: Any, rules: r.Rules, now: datetime) -> Reason:
    days = rules.cadence(lead.grade).days
    grade = f"grade {lead.grade}" if lead.grade else "ungraded"
    if lead.last_touch_at is None:
        return Reason(
            "cadence", f"{grade}: never touched, arrived {fmt_span(now - lead.created_at)} ago (every {days}d)"
        )
    return Reason("cadence", f"{grade}: last touch {fmt_span(now - lead.last_touch_at)} ago (every {days}d)")


def flag_reasons(lead: Any, rules: r.Rules, progressed_lately: bool) -> list[Reason]:
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


def items(conn: sqlite3.Connection, rules: r.Rules, now: datetime, ranked: list[tuple[int, Key]]) -> list[DueItem]:
    """Full queue rows, with every reason in words, for the ranked leads only."""
    leads: dict[int, tuple[Any, str | None, bool]] = {}
    open_followups: dict[int, list[tuple[store.FollowUpRow, _Source | None]]] = {}
    ids = [lead_id for lead_id, _ in ranked]
    bound = ranking.params(rules, now)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        among = {f"id{n}": lead_id for n, lead_id in enumerate(chunk)}
        values = {**bound, **among}
        in_chunk = f"({', '.join(f':{name}' for name in among)})"
        progressed_ids = {
            lead_id
            for (lead_id,) in conn.execute(
                f"SELECT lead.id FROM lead WHERE lead.id IN {in_chunk} AND {ranking.PROGRESSED_SINCE}", values
            )
        }
        for view in lead_store.views(conn, chunk):
            leads[view.lead.id] = (view.lead, view.company, view.lead.id in progressed_ids)
        due_followups = conn.execute(
            f"{store.FOLLOWUP_COLUMNS}, touch.at, touch.outcome FROM followup "
            "LEFT JOIN touch ON touch.id = followup.source_touch_id JOIN lead ON lead.id = followup.lead_id "
            f"WHERE followup.lead_id IN {in_chunk} AND {ranking.LIVE_FOLLOWUP} AND followup.due_at <= :now "
            f"AND (followup.channel != 'call' OR NOT {ranking.MEETING_AHEAD}) ORDER BY followup.due_at, followup.id",
            values,
        )
        for row in due_followups:
            followup = store.followup_from(row[:8])
            source = _Source(store.from_db(row[8]), row[9]) if row[8] is not None else None
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
        hint = call_hint(lead, action, now, due_at if key[0] == 0 else None)
        items.append(
            DueItem(lead_id, lead.name, company, lead.grade, lead.is_coach, action, due_at, reasons, key, hint)
        )
    return items


def iter_due(conn: sqlite3.Connection, rules: r.Rules, now: datetime, limit: int | None = None) -> Iterator[DueItem]:
    """The ordered queue for ``now``, built a chunk at a time so a queue of tens of thousands
    of leads never sits in memory at once; ``limit`` cuts it after the first N leads."""
    ranked = sorted(ranking.ranked(conn, rules, now, limit).items(), key=lambda entry: (entry[1], entry[0]))
    if limit is not None:
        ranked = ranked[:limit]
    for i in range(0, len(ranked), _CHUNK):
        # DueItems hold plain values, and the session's identity map holds its objects
        # weakly: each chunk's leads are freed once it is yielded.
        yield from items(conn, rules, now, ranked[i : i + _CHUNK])


def first_contact_due(conn: sqlite3.Connection, rules: r.Rules, now: datetime) -> list[DueItem]:
    """The head of the queue: leads waiting for first contact, breaches first. It always ranks
    first, so this equals the queue's first rows without ranking the rest of the book."""
    ranked = sorted(ranking.ranked(conn, rules, now, None, first_contact_only=True).items(), key=lambda e: (e[1], e[0]))
    return items(conn, rules, now, ranked)


def due(conn: sqlite3.Connection, rules: r.Rules, now: datetime, limit: int | None = None) -> list[DueItem]:
    """The ordered queue for ``now``; ``limit`` cuts it after the first N leads."""
    return list(iter_due(conn, rules, now, limit))
