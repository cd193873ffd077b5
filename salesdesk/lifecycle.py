"""The lead lifecycle: a lead's states, and the one decision every logged touch goes through.

``decide_touch`` is pure: the lead's facts, the touch, the rules and ``now`` in; a
``Decision`` out, which says whether the touch may be logged and what it does to the
lead's follow-ups, state and meetings. The CLI, the batch path (``log-call --from``), the
TUI and the demo generator all call it, then write its result with ``store.write_touch``.
So the policy exists once, and a test can compare any two paths that use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, get_args

from salesdesk.dates import MAX_DURATION_S, fmt_local, local_day_bounds, to_local
from salesdesk.errors import InvalidInput, Refused

if TYPE_CHECKING:
    from salesdesk.config import Outcome
    from salesdesk.rules import Rules

LeadState = Literal["new", "working", "meeting", "deal", "won", "lost", "nurture", "do_not_contact"]
STATES: tuple[LeadState, ...] = get_args(LeadState)
# Worked leads: in the queue, on block lists, under cadence. ``nurture`` joins them on its date.
ACTIVE: tuple[LeadState, ...] = ("new", "working", "meeting", "deal")
# Out of every queue for good (until reopened).
CLOSED: tuple[LeadState, ...] = ("won", "lost", "do_not_contact")
STATE_WORDS: dict[LeadState, str] = {
    "new": "never attempted",
    "working": "being worked",
    "meeting": "a meeting is booked",
    "deal": "an open deal",
    "won": "won",
    "lost": "closed as lost",
    "nurture": "parked until a revisit date",
    "do_not_contact": "asked not to be contacted",
}

FollowUpRule = Literal["scheduled", "fallback", "no_show"]
# How a follow-up ended: kept (a touch on its channel), satisfied (the customer was reached
# another way), superseded (a newer next step), lapsed (a fallback left too long), cancelled
# (the lead was closed).
Resolution = Literal["kept", "satisfied", "superseded", "lapsed", "cancelled"]
RESOLUTIONS: tuple[Resolution, ...] = get_args(Resolution)
MeetingStatus = Literal["booked", "held", "no_show", "moved", "cancelled"]

# Clocks drift and people type "now" a little late; a touch this far ahead is a typo.
FUTURE_SLACK = timedelta(minutes=5)


def is_attempt(channel: str) -> bool:
    """A real attempt to reach the customer: every channel but "other" (looking up a
    company is not contact). Attempts stop the first-contact clock and make a lead worked."""
    return channel != "other"


def reached(channel: str, connected: bool) -> bool:
    """Did this touch reach the customer? Connected calls, and messages or visits on any
    channel but "other" (METHOD.md §4 rule 3 applies to these)."""
    return connected if channel == "call" else is_attempt(channel)


def followup_phrase(channels: Iterable[str], *, now: bool = False) -> str:
    """The one wording of what the fallback rule asks: "follow up by wechat and email"."""
    names = list(channels)
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"follow up {'now ' if now else ''}by {joined}"


# What each follow-up rule is called in text; JSON keeps the key.
FOLLOWUP_WORDS: dict[str, str] = {
    "scheduled": "scheduled",
    "fallback": "after a call that didn't get through",
    "no_show": "after a no-show",
}


def followup_words(rule: str) -> str:
    return FOLLOWUP_WORDS.get(rule, rule.replace("_", " "))


def outcome_words(outcome: str | None) -> str:
    """A call outcome as text says it (``no answer``); keys (``no_answer``) stay in JSON, CSV
    and options. Outcomes are settings, so a key nobody described is spelled out the same way."""
    return (outcome or "").replace("_", " ")


@dataclass(frozen=True)
class OpenFollowUp:
    id: int
    channel: str
    due_at: datetime
    rule: str


@dataclass(frozen=True)
class LeadFacts:
    """What the decision needs to know about the lead, read by ``store.lead_facts``."""

    id: int
    name: str
    created_at: datetime
    state: LeadState
    open_followups: tuple[OpenFollowUp, ...] = ()
    nurture_until: datetime | None = None

    @property
    def label(self) -> str:
        return f"#{self.id} {self.name}"


@dataclass(frozen=True)
class TouchFacts:
    """A touch as the user gave it, cleaned: ``outcome`` is set for calls only."""

    channel: str
    at: datetime
    outcome: Outcome | None = None
    benefit: str | None = None
    note: str | None = None
    duration_s: int | None = None
    next_at: datetime | None = None
    meeting_at: datetime | None = None
    place: str | None = None
    books_meeting: bool = False  # a non-call touch that booked a meeting (log-touch --meeting)

    @property
    def connected(self) -> bool:
        return self.outcome.connected if self.outcome is not None else is_attempt(self.channel)

    @property
    def meeting(self) -> bool:
        return self.outcome.meeting if self.outcome is not None else self.books_meeting

    @property
    def reached(self) -> bool:
        return reached(self.channel, self.connected)

    @property
    def conversation(self) -> bool:
        """Two-way contact: a connected call, a visit, or any touch that booked a meeting. It
        answers every fallback; a message sent answers only its own channel's (METHOD.md §4
        rule 4 asks for both the WeChat and the email)."""
        return (self.channel == "call" and self.connected) or self.channel == "visit" or self.meeting


@dataclass(frozen=True)
class NewFollowUp:
    channel: str
    due_at: datetime
    rule: FollowUpRule
    note: str | None = None


@dataclass(frozen=True)
class Decision:
    """What logging the touch does; ``state`` is the lead's state afterwards, and ``cause``
    says why it changed (None when it didn't)."""

    resolve: tuple[tuple[int, Resolution], ...]
    open: tuple[NewFollowUp, ...]
    state: LeadState
    cause: str | None
    meeting_at: datetime | None
    place: str | None
    warnings: tuple[str, ...] = field(default=())


class DoNotContact(Refused):
    """A touch on a lead who asked not to be contacted."""


class BenefitMissing(Refused):
    """A touch that reached the customer, offering nothing, under ``rules.benefit = require``:
    the input is valid, the rep's own rule refuses it (exit 1, like the close guard)."""


def benefit_warning(mode: str, touch: TouchFacts) -> str | None:
    """METHOD.md §4 rule 3: a touch that reaches the customer offers something of value.
    Refuse (require) or warn; a do-not-contact answer is exempt: offering more to someone
    who asked not to be called is not the point of the rule."""
    terminal = touch.outcome is not None and touch.outcome.do_not_contact
    if touch.benefit or mode == "off" or terminal or not touch.reached:
        return None
    what = "a connected call" if touch.channel == "call" else f"a {touch.channel} touch"
    message = (
        f"rule 'every touch offers a benefit' (rules.benefit = {mode}): {what} needs a benefit, "
        "the information or resource offered"
    )
    if mode == "require":
        raise BenefitMissing(message, field="benefit")
    return message


def _check(lead: LeadFacts, touch: TouchFacts, now: datetime) -> None:
    if touch.at > now + FUTURE_SLACK:
        raise InvalidInput("a touch cannot be logged in the future; plan it as the next call instead", field="at")
    if touch.at < lead.created_at:
        # It would make speed-to-lead negative: the lead's arrival time is what's wrong.
        raise InvalidInput(
            f"{lead.label} arrived {fmt_local(lead.created_at, now)}, after this touch; "
            "correct the lead's arrival time first",
            field="arrival",
        )
    outcome = touch.outcome
    if outcome is not None and outcome.requires_next and touch.next_at is None:
        raise InvalidInput(f"outcome {outcome.name} needs the time of the next call", field="next")
    if touch.next_at is not None and touch.next_at <= touch.at:
        raise InvalidInput("the next call must be later than this one", field="next")
    if touch.meeting and touch.meeting_at is None:
        raise InvalidInput(
            "a booked meeting needs its time, proposed by you and read back with the weekday", field="meeting"
        )
    if touch.meeting_at is not None and not touch.meeting:
        raise InvalidInput("a meeting time goes with a booked meeting (outcome meeting_booked)", field="meeting")
    if touch.meeting_at is not None and touch.meeting_at <= touch.at:
        raise InvalidInput("the meeting must be later than the touch that booked it", field="meeting")
    if touch.duration_s is not None and not 0 <= touch.duration_s <= MAX_DURATION_S:
        raise InvalidInput(f"a call lasts 0 seconds to 24 hours, not {touch.duration_s} seconds", field="duration")


def _resolution(followup: OpenFollowUp, touch: TouchFacts, day_end: datetime) -> Resolution | None:
    if followup.channel == touch.channel and is_attempt(touch.channel) and followup.due_at < day_end:
        return "kept"  # the asked-for touch, made by the end of the day it was due
    if touch.conversation and followup.rule in ("fallback", "no_show"):
        return "satisfied"  # they asked "get through to them somehow", and we did
    if followup.rule == "scheduled" and (touch.next_at is not None or touch.meeting):
        return "superseded"  # a newer next step (or a meeting) replaces the old plan
    return None


def _back_from_nurture(lead: LeadFacts, now: datetime) -> bool:
    """A parked lead whose revisit date has come is worked again by the first touch."""
    return lead.state == "nurture" and lead.nurture_until is not None and lead.nurture_until <= now


def _next_state(lead: LeadFacts, touch: TouchFacts, now: datetime) -> tuple[LeadState, str | None]:
    outcome = touch.outcome
    if outcome is not None and outcome.do_not_contact:
        return "do_not_contact", f"call outcome {outcome.name}"
    if _back_from_nurture(lead, now):
        back = _next_state(replace(lead, state="working"), touch, now)[0]
        return back, "revisit date reached: worked again"
    if lead.state not in ACTIVE:
        return lead.state, None
    if touch.meeting and lead.state != "deal":
        return "meeting", f"meeting booked by {touch.channel}"
    if lead.state == "new" and is_attempt(touch.channel):
        return "working", f"first attempt ({touch.channel})"
    return lead.state, None


def decide_touch(lead: LeadFacts, touch: TouchFacts, rules: Rules, now: datetime) -> Decision:
    """May this touch be logged, and what does it do? Raises ``InvalidInput`` for a touch
    that can't be right, ``DoNotContact`` for a lead who asked not to be contacted, and
    ``BenefitMissing`` when the benefit rule refuses it."""
    if lead.state == "do_not_contact":
        raise DoNotContact(
            f"{lead.label} asked not to be contacted; nothing was logged. "
            f"If that has changed, `salesdesk lead reopen {lead.id}` lifts it."
        )
    _check(lead, touch, now)
    warning = benefit_warning(rules.benefit, touch)
    _, day_end = local_day_bounds(to_local(touch.at).date())
    resolve = []
    still_open: list[str] = []
    for followup in lead.open_followups:
        resolution = _resolution(followup, touch, day_end)
        if resolution is None:
            still_open.append(followup.channel)
        else:
            resolve.append((followup.id, resolution))
    state, cause = _next_state(lead, touch, now)
    opened: list[NewFollowUp] = []
    # METHOD.md §4 rule 4: a call that doesn't get through opens follow-ups on the fallback
    # channels, due at once: never twice on one channel, and not for a lead no longer worked.
    if touch.channel == "call" and not touch.connected and state in ACTIVE:
        opened += [
            NewFollowUp(channel, touch.at, "fallback")
            for channel in dict.fromkeys(rules.fallback_channels)
            if channel not in still_open
        ]
    if touch.next_at is not None:
        opened.insert(0, NewFollowUp("call", touch.next_at, "scheduled", touch.note))
    warnings = [warning] if warning else []
    if lead.state in ("won", "lost", "nurture") and state not in ACTIVE:
        warnings.append(state_notice(lead))
    return Decision(
        resolve=tuple(resolve),
        open=tuple(opened),
        state=state,
        cause=cause,
        meeting_at=touch.meeting_at,
        place=touch.place,
        warnings=tuple(warnings),
    )


def state_notice(lead: LeadFacts) -> str:
    """The one line said when a touch is logged on a lead that isn't being worked."""
    if lead.state == "nurture" and lead.nurture_until is not None:
        return (
            f"{lead.label} is parked (nurture) until {to_local(lead.nurture_until):%a %d %b}: "
            "logged, no fallbacks opened"
        )
    return f"{lead.label} is {STATE_WORDS[lead.state]}: logged, no fallbacks opened"


def lapse_cutoff(now: datetime, expiry_days: int) -> datetime:
    """Fallbacks due at or before this have lapsed: nobody acted on them in time, and a
    fallback is worth something only soon after the failed call."""
    return now - timedelta(days=expiry_days)


def close_short(touch_count: int, touch_days: int, min_touches: int, min_days: int, terminal: bool) -> tuple[int, int]:
    """How many more touches, and more distinct local days with a touch, a lead needs before
    it may be closed as lost: (0, 0) means it may. Persistence means touches spread over time
    (METHOD.md §4), so six dials in one sitting don't count as six days of trying. A terminal
    outcome (bad number, do-not-call) lifts the guard: more attempts are pointless."""
    if terminal:
        return 0, 0
    return max(0, min_touches - touch_count), max(0, min_days - touch_days)
