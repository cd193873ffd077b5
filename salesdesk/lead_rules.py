"""One lead's follow-up rules and its place in the queue (``salesdesk why``, the TUI's Lead
screen, a refused close), written once against the DB-API connection (``sqlite3``).

The hot ``why`` reads through this over a bare ``sqlite3`` connection; ``services.queue`` and
``services.closing`` over their session's own. The close guard (METHOD.md §4 rule 2) lives
here too: ``why`` shows it and a close is refused by it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from salesdesk import lead_store, lifecycle, queue_rows, ranking, store
from salesdesk import rules as r
from salesdesk.config import Config
from salesdesk.dates import fmt_local, iso, to_local
from salesdesk.lead_store import LeadRow
from salesdesk.store import FollowUpRow, MeetingRow
from salesdesk.words import plural


@dataclass(frozen=True)
class CloseGuard:
    """The minimum-touches rule for one lead: touches and distinct days so far, and the minimums."""

    touches: int
    days: int
    min_touches: int
    min_days: int
    terminal: bool

    @property
    def short(self) -> tuple[int, int]:
        return lifecycle.close_short(self.touches, self.days, self.min_touches, self.min_days, self.terminal)

    @property
    def may_close(self) -> bool:
        return self.short == (0, 0)

    def text(self) -> str:
        """The rule's state in words: what is met and which part is missing."""
        if self.terminal:
            return f"{plural(self.touches, 'touch')} · a terminal outcome lifts the minimum: may be closed as lost"
        more_touches, more_days = self.short
        have = f"{plural(self.touches, 'touch')} on {plural(self.days, 'day')}"
        need = f"{self.min_touches} touches on {self.min_days} different days"
        if not more_touches and not more_days:
            return f"{have} · {need} reached: may be closed as lost"
        missing = [plural(more_touches, "more touch", "more touches")] if more_touches else []
        if more_days:
            missing.append(plural(more_days, "more day"))
        return f"{have}; closing as lost needs {need}: {', '.join(missing)}"


def close_guard(conn: sqlite3.Connection, config: Config, lead_id: int) -> CloseGuard:
    """The guard's numbers, read fresh (the touch counter is kept by a trigger)."""
    (touches,) = conn.execute("SELECT touch_count FROM lead WHERE id = ?", (lead_id,)).fetchone()
    # Days are the rep's local days; "other" (a note) is no attempt.
    attempts = conn.execute("SELECT at FROM touch WHERE lead_id = ? AND channel != 'other'", (lead_id,))
    days = len({to_local(store.from_db(at)).date() for (at,) in attempts})
    outcomes = config.terminal_outcomes
    terminal = conn.execute(
        f"SELECT 1 FROM touch WHERE lead_id = ? AND outcome IN ({', '.join('?' * len(outcomes))}) LIMIT 1",
        (lead_id, *outcomes),
    ).fetchone()
    rules = config.rules
    minimums = rules.min_touches_before_lost, rules.min_touch_days_before_lost
    return CloseGuard(touches, days, *minimums, terminal is not None)


@dataclass
class LeadRules:
    """Every rule's state for one lead, and its place in the queue (``salesdesk why``)."""

    lead: LeadRow
    guard: CloseGuard
    first_contact: r.FirstContact | None
    open_followups: list[FollowUpRow]
    cadence_due_at: datetime
    flags: list[queue_rows.Reason]
    item: queue_rows.DueItem | None
    position: int | None
    queue_length: int
    meeting: MeetingRow | None = None  # the next booked meeting, if any
    # When to call them: preferred hours, zone, private number, what their answers suggest.
    timing: list[tuple[str, str]] = field(default_factory=list)

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
        guard = self.guard
        more_touches, more_days = guard.short
        return {
            "lead_id": self.lead.id,
            "name": self.lead.name,
            "status": self.lead.status,
            "touches": {"count": self.lead.touch_count, "minimum_before_lost": guard.min_touches,
                        "days": guard.days, "minimum_days_before_lost": guard.min_days,
                        "short": more_touches, "days_short": more_days, "terminal_outcome": guard.terminal},
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


def explain(conn: sqlite3.Connection, config: Config, lead_id: int, now: datetime) -> LeadRules:
    """Every rule applied to one lead, with the same words the queue uses."""
    rules = config.rules
    lead: LeadRow = lead_store.view(conn, lead_id).lead
    fc = None
    if rules.first_contact_applies(lead.source):
        fc = r.first_contact(
            lead.created_at, lead.first_attempt_at, now, rules.first_contact_window, rules.business_hours
        )
    bound = {**ranking.params(rules, now), "lead_id": lead_id}
    followups = [
        store.followup_from(row)
        for row in conn.execute(
            f"{store.FOLLOWUP_COLUMNS} FROM followup WHERE followup.lead_id = :lead_id AND {ranking.LIVE_FOLLOWUP} "
            "ORDER BY followup.due_at, followup.id",
            bound,
        )
    ]
    place = ranking.place(conn, rules, now, lead_id)
    item = None if place.key is None else queue_rows.items(conn, rules, now, [(lead_id, place.key)])[0]
    (progressed,) = conn.execute(f"SELECT {ranking.PROGRESSED_SINCE} FROM lead WHERE id = :lead_id", bound).fetchone()
    meeting = conn.execute(
        f"{store.MEETING_COLUMNS} FROM meeting WHERE lead_id = ? AND status = 'booked' ORDER BY at, id LIMIT 1",
        (lead_id,),
    ).fetchone()
    learned = lead_store.learned_best_time(conn, lead)
    return LeadRules(
        lead=lead,
        guard=close_guard(conn, config, lead_id),
        first_contact=fc,
        open_followups=followups,
        cadence_due_at=r.cadence_due_at(lead.last_touch_at, lead.created_at, rules.cadence(lead.grade)),
        flags=queue_rows.flag_reasons(lead, rules, bool(progressed)),
        item=item,
        position=place.position,
        queue_length=place.of,
        meeting=None if meeting is None else store.meeting_from(meeting),
        timing=lead_store.when_to_call(lead, learned, config.timing, now),
    )
