"""The one decision step for touches (``lifecycle.decide_touch``), at fixed times, no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from salesdesk import lifecycle
from salesdesk.config import Config
from salesdesk.errors import InvalidInput, Refused
from salesdesk.lifecycle import LeadFacts, OpenFollowUp, TouchFacts, decide_touch
from salesdesk.rules import Rules

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=SH)
H = timedelta(hours=1)
CONFIG = Config()
RULES = CONFIG.rules


def lead(state: lifecycle.LeadState = "working", *followups: OpenFollowUp, **kw: object) -> LeadFacts:
    return LeadFacts(1, "Li Na", NOW - timedelta(days=10), state, tuple(followups), **kw)  # type: ignore[arg-type]


def call(outcome: str, at: datetime = NOW, **kw: object) -> TouchFacts:
    return TouchFacts(channel="call", at=at, outcome=CONFIG.outcome(outcome), **kw)  # type: ignore[arg-type]


def fallback(fid: int, channel: str, due: datetime = NOW - 2 * H) -> OpenFollowUp:
    return OpenFollowUp(fid, channel, due, "fallback")


def test_a_failed_call_opens_every_fallback_channel_due_at_once() -> None:
    decision = decide_touch(lead(), call("no_answer"), RULES, NOW)
    assert [(f.channel, f.due_at, f.rule) for f in decision.open] == [
        ("wechat", NOW, "fallback"),
        ("email", NOW, "fallback"),
    ]
    assert decision.resolve == () and decision.state == "working" and decision.cause is None


def test_a_failed_call_never_opens_a_second_fallback_on_an_open_channel() -> None:
    decision = decide_touch(lead("working", fallback(7, "wechat")), call("busy"), RULES, NOW)
    assert [f.channel for f in decision.open] == ["email"]
    assert decide_touch(lead(), call("busy"), Rules(fallback_channels=("email", "email")), NOW).open[0].channel == (
        "email"
    )


def test_a_connected_call_satisfies_every_fallback_of_earlier_failed_calls() -> None:
    before = lead("working", fallback(7, "wechat"), fallback(8, "email"))
    decision = decide_touch(before, call("connected", benefit="deck"), RULES, NOW)
    assert decision.resolve == ((7, "satisfied"), (8, "satisfied"))
    assert decision.open == ()


def test_a_message_keeps_only_its_own_channels_fallback() -> None:
    before = lead("working", fallback(7, "wechat"), fallback(8, "email"))
    wechat = TouchFacts(channel="wechat", at=NOW, benefit="report")
    assert decide_touch(before, wechat, RULES, NOW).resolve == ((7, "kept"),)


def test_a_new_next_step_supersedes_the_older_scheduled_one() -> None:
    planned = OpenFollowUp(5, "call", NOW + timedelta(days=3), "scheduled")
    decision = decide_touch(lead("working", planned), call("callback", next_at=NOW + 2 * H, benefit="x"), RULES, NOW)
    assert decision.resolve == ((5, "superseded"),)
    assert [(f.channel, f.due_at, f.rule) for f in decision.open] == [("call", NOW + 2 * H, "scheduled")]


def test_a_scheduled_call_due_today_is_kept_by_any_call_that_day() -> None:
    planned = OpenFollowUp(5, "call", NOW - H, "scheduled")
    assert decide_touch(lead("working", planned), call("no_answer"), RULES, NOW).resolve == ((5, "kept"),)


def test_first_attempt_makes_a_new_lead_worked_but_a_note_on_other_does_not() -> None:
    first = decide_touch(lead("new"), call("no_answer"), RULES, NOW)
    assert (first.state, first.cause) == ("working", "first attempt (call)")
    note = decide_touch(lead("new"), TouchFacts(channel="other", at=NOW), RULES, NOW)
    assert (note.state, note.cause) == ("new", None)


def test_a_booked_meeting_needs_its_time_and_moves_the_lead_to_meeting() -> None:
    with pytest.raises(InvalidInput, match="booked meeting needs its time") as info:
        decide_touch(lead(), call("meeting_booked", benefit="deck"), RULES, NOW)
    assert info.value.field == "meeting"
    planned = OpenFollowUp(5, "call", NOW + timedelta(days=2), "scheduled")
    booked = call("meeting_booked", benefit="deck", meeting_at=NOW + timedelta(days=1), place="their office")
    decision = decide_touch(lead("working", planned, fallback(7, "wechat")), booked, RULES, NOW)
    assert (decision.state, decision.meeting_at, decision.place) == ("meeting", NOW + timedelta(days=1), "their office")
    assert decision.resolve == ((5, "superseded"), (7, "satisfied"))


def test_a_meeting_on_another_channel_counts_and_keeps_a_deal_a_deal() -> None:
    wechat = TouchFacts(channel="wechat", at=NOW, benefit="x", meeting_at=NOW + H, books_meeting=True)
    assert decide_touch(lead("deal"), wechat, RULES, NOW).state == "deal"
    assert decide_touch(lead("working"), wechat, RULES, NOW).state == "meeting"


@pytest.mark.parametrize(
    ("touch", "field"),
    [
        (call("no_answer", at=NOW + timedelta(minutes=6)), "at"),
        (call("no_answer", at=NOW - timedelta(days=11)), "arrival"),
        (call("callback", benefit="x"), "next"),
        (call("busy", next_at=NOW - H), "next"),
        (call("meeting_booked", benefit="x", meeting_at=NOW - H), "meeting"),
        (call("busy", meeting_at=NOW + H), "meeting"),
        (call("busy", duration_s=24 * 3600 + 1), "duration"),
        (call("connected"), "benefit"),
    ],
)
def test_a_touch_that_cannot_be_right_is_refused_with_the_field_at_fault(touch: TouchFacts, field: str) -> None:
    # Bad input, or (a missing benefit) the rep's own rule refusing it: either names the field.
    with pytest.raises((InvalidInput, Refused)) as info:
        decide_touch(lead(), touch, RULES, NOW)
    assert info.value.field == field


def test_do_not_call_moves_the_lead_out_and_opens_nothing() -> None:
    decision = decide_touch(lead("working"), call("do_not_call"), RULES, NOW)
    assert (decision.state, decision.open) == ("do_not_contact", ())
    assert decision.cause == "call outcome do_not_call"


def test_a_do_not_contact_lead_refuses_every_touch_and_says_how_to_lift_it() -> None:
    with pytest.raises(lifecycle.DoNotContact) as info:
        decide_touch(lead("do_not_contact"), call("no_answer"), RULES, NOW)
    assert isinstance(info.value, Refused) and info.value.exit_code == 1
    assert "asked not to be contacted" in str(info.value) and "salesdesk lead reopen 1" in str(info.value)


@pytest.mark.parametrize("state", ["won", "lost", "nurture"])
def test_closed_or_parked_leads_log_with_a_notice_and_open_no_fallback(state: lifecycle.LeadState) -> None:
    until = NOW + timedelta(days=30) if state == "nurture" else None
    decision = decide_touch(lead(state, nurture_until=until), call("no_answer"), RULES, NOW)
    assert (decision.state, decision.open) == (state, ())
    (notice,) = decision.warnings
    assert "#1 Li Na" in notice and "no fallbacks opened" in notice


@pytest.mark.parametrize(
    ("touches", "days", "short"), [(0, 0, (6, 3)), (6, 1, (0, 2)), (5, 3, (1, 0)), (6, 3, (0, 0)), (9, 4, (0, 0))]
)
def test_closing_as_lost_needs_touches_on_several_days(touches: int, days: int, short: tuple[int, int]) -> None:
    assert lifecycle.close_short(touches, days, 6, 3, terminal=False) == short
    assert lifecycle.close_short(touches, days, 6, 3, terminal=True) == (0, 0)


def test_the_follow_up_wording_lives_in_one_function() -> None:
    assert lifecycle.followup_phrase(["wechat"]) == "follow up by wechat"
    assert lifecycle.followup_phrase(["wechat", "email"], now=True) == "follow up now by wechat and email"
    assert lifecycle.followup_phrase(["sms", "wechat", "email"]) == "follow up by sms, wechat and email"


def test_a_parked_lead_is_worked_again_by_a_touch_once_its_date_has_come() -> None:
    parked = lead("nurture", nurture_until=NOW - H)
    decision = decide_touch(parked, call("no_answer"), RULES, NOW)
    assert (decision.state, decision.cause) == ("working", "revisit date reached: worked again")
    assert [f.channel for f in decision.open] == ["wechat", "email"] and decision.warnings == ()
    booked = decide_touch(parked, call("meeting_booked", benefit="x", meeting_at=NOW + H), RULES, NOW)
    assert booked.state == "meeting"
