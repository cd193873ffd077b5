"""services.blocks: recurrence in local wall time, overlaps, removal, the planner, free slots,
and what was done in each occurrence. NOW is Monday 23 Nov 2026, 15:00 in Shanghai."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import BlockException, BlockFill, BlockLead, CallBlock, Touch
from salesdesk.rules import BusinessHours, Rules
from salesdesk.services import blocks
from salesdesk.services.leads import add_lead
from salesdesk.timing import Timing, Window

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def sh(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


def _add(session: Session, now: datetime, start: datetime, minutes: int = 90, **kwargs: object) -> CallBlock:
    return blocks.add_block(session, now, start=start, minutes=minutes, **kwargs)  # type: ignore[arg-type]


def _starts(session: Session, first: date, last: date) -> list[datetime]:
    return [o.start.astimezone(SH) for o in blocks.expand(session, first, last)]


def _count(engine: Engine, model: type) -> int:
    with read_session(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


# --- recurrence ------------------------------------------------------------------------------


def test_a_one_off_block_has_one_occurrence(session: Session, now: datetime) -> None:
    _add(session, now, sh(24, 9))
    assert _starts(session, date(2026, 11, 23), date(2026, 11, 29)) == [sh(24, 9)]
    assert _starts(session, date(2026, 11, 25), date(2026, 11, 29)) == []


def test_daily_weekdays_and_weekly_expand_over_an_inclusive_range(session: Session, now: datetime) -> None:
    _add(session, now, sh(24, 9), 60, repeat="daily")
    _add(session, now, sh(24, 11), 60, repeat="weekdays")
    _add(session, now, sh(24, 14), 60, repeat="weekly")
    found = _starts(session, date(2026, 11, 23), date(2026, 12, 1))
    daily = [sh(d, 9) for d in range(24, 31)] + [sh(1, 9, month=12)]
    weekdays = [sh(d, 11) for d in (24, 25, 26, 27, 30)] + [sh(1, 11, month=12)]
    weekly = [sh(24, 14), sh(1, 14, month=12)]
    assert found == sorted(daily + weekdays + weekly)
    # --to is inclusive: the last day's 09:00 is in, the day after is not.
    assert _starts(session, date(2026, 12, 1), date(2026, 12, 1))[0] == sh(1, 9, month=12)


def test_a_custom_rrule_starts_on_its_first_matching_day(session: Session, now: datetime) -> None:
    # Added for Monday 30 Nov, but the rule names Tuesdays and Thursdays: DTSTART moves to Tuesday.
    block = _add(session, now, sh(30, 10), 60, repeat="RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=3")
    assert block.start == sh(1, 10, month=12).astimezone(UTC)
    assert block.rrule == "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=3"
    assert _starts(session, date(2026, 11, 23), date(2026, 12, 31)) == [
        sh(1, 10, month=12), sh(3, 10, month=12), sh(8, 10, month=12),
    ]  # fmt: skip


def test_monthly_rule_and_an_until_date_that_includes_its_day(session: Session, now: datetime) -> None:
    _add(session, now, sh(24, 9), 60, repeat="FREQ=DAILY;UNTIL=20261126")
    _add(session, now, sh(24, 16), 60, repeat="FREQ=MONTHLY;BYDAY=1MO")  # the first Monday of each month
    assert _starts(session, date(2026, 11, 23), date(2027, 1, 31)) == [
        sh(24, 9), sh(25, 9), sh(26, 9), sh(7, 16, month=12), datetime(2027, 1, 4, 16, tzinfo=SH),
    ]  # fmt: skip
    stored = session.execute(select(CallBlock.rrule).where(CallBlock.rrule.like("%UNTIL%"))).scalar_one()  # type: ignore[union-attr]
    assert stored == "FREQ=DAILY;UNTIL=20261126T155959Z"  # the end of the local day, in UTC


def test_recurrence_keeps_local_wall_time_across_dst(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    now = datetime(2026, 10, 28, 12, tzinfo=NY)
    _add(session, now, datetime(2026, 10, 30, 9, tzinfo=NY), 60, repeat="daily")
    found = blocks.expand(session, date(2026, 10, 30), date(2026, 11, 3))
    assert [o.start.astimezone(NY).time() for o in found] == [time(9)] * 5
    # 09:00 EDT is 13:00 UTC; after DST ends on 1 Nov, 09:00 EST is 14:00 UTC.
    assert [o.start.hour for o in found] == [13, 13, 14, 14, 14]
    assert [o.end - o.start for o in found] == [timedelta(hours=1)] * 5
    spring = blocks.expand(session, date(2027, 3, 13), date(2027, 3, 15))
    assert [(o.start.astimezone(NY).time(), o.start.hour) for o in spring] == [
        (time(9), 14),
        (time(9), 13),
        (time(9), 13),
    ]


@pytest.mark.parametrize(
    ("repeat", "message"),
    [
        ("hourly", "FREQ"),
        ("FREQ=HOURLY", "FREQ"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20261231", "COUNT or UNTIL"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("FREQ=DAILY;UNTIL=2026-12", "UNTIL"),
        ("FREQ=DAILY;INTERVAL=2;INTERVAL=3", "twice"),
    ],
)
def test_bad_repeat_rules_are_invalid_input(session: Session, now: datetime, repeat: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _add(session, now, sh(24, 9), repeat=repeat)


def test_block_length_and_past_one_off_blocks(session: Session, now: datetime) -> None:
    assert [blocks.parse_minutes(t) for t in ("90m", "1h30m", "1h", "1:30", "45", "2 h")] == [90, 90, 60, 90, 45, 120]
    for bad in ("", "abc", "1:75", "90s"):
        with pytest.raises(InvalidInput, match="block length"):
            blocks.parse_minutes(bad)
    with pytest.raises(InvalidInput, match="5 minutes to 12 hours"):
        _add(session, now, sh(24, 9), minutes=4)
    with pytest.raises(InvalidInput, match="past"):
        _add(session, now, sh(23, 9))
    # A repeating block may start in the past: the series goes on.
    assert _add(session, now, sh(16, 9), repeat="weekdays").start == sh(16, 9).astimezone(UTC)


# --- overlaps --------------------------------------------------------------------------------


def test_overlapping_one_off_blocks_are_refused_naming_the_other(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        first = _add(s, now, sh(24, 9), 90, title="Morning calls")
    clash = rf"overlaps block #{first.id} 'Morning calls' \(Tue 24 Nov 09:00-10:30\)"
    with pytest.raises(Refused, match=clash), write_session(engine) as s:
        _add(s, now, sh(24, 10), 60)
    assert _count(engine, CallBlock) == 1
    with write_session(engine) as s:
        _add(s, now, sh(24, 10, 30), 30)  # touching is not overlapping
        _add(s, now, sh(24, 8), 60)


def test_recurring_and_single_blocks_overlap_both_ways(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        series = _add(s, now, sh(24, 9), 90, repeat="weekdays", title="Prospecting")
        single = _add(s, now, sh(5, 9, month=12), 60, title="Saturday push")  # a Saturday: no clash
    clash = rf"on Thu 03 Dec 10:00-11:00 overlaps block #{series.id} 'Prospecting'"
    with pytest.raises(Refused, match=clash), write_session(engine) as s:
        _add(s, now, sh(3, 10, month=12), 60)
    # A new series is checked against every later occurrence, here the Saturday block a week on.
    with pytest.raises(Refused, match=rf"overlaps block #{single.id} 'Saturday push'"), write_session(engine) as s:
        _add(s, now, sh(28, 9, 30), 30, repeat="FREQ=WEEKLY;BYDAY=SA")
    # Around midnight: a 23:30 block that runs past 00:00 clashes with the next day's 00:00.
    with write_session(engine) as s:
        _add(s, now, sh(29, 23, 30), 60)
    with pytest.raises(Refused), write_session(engine) as s:
        _add(s, now, sh(30, 0), 30)
    assert _count(engine, CallBlock) == 3


def test_a_removed_occurrence_frees_its_time(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        series = _add(s, now, sh(24, 9), 90, repeat="weekdays")
        blocks.remove(s, series.id, date(2026, 11, 26))  # type: ignore[arg-type]
        _add(s, now, sh(26, 10), 60)
    with read_session(engine) as s:
        assert _starts(s, date(2026, 11, 26), date(2026, 11, 26)) == [sh(26, 10)]


# --- removal ---------------------------------------------------------------------------------


def test_removing_one_occurrence_then_the_block(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        block_id = _add(s, now, sh(24, 9), 90, repeat="weekdays").id
        _, removed = blocks.remove(s, block_id, date(2026, 11, 25))  # type: ignore[arg-type]
        assert removed is not None and removed.start == sh(25, 9).astimezone(UTC)
        assert [d.day for d in _starts(s, date(2026, 11, 23), date(2026, 11, 29))] == [24, 26, 27]
    for day, message in ((date(2026, 11, 25), "no occurrence on Wed 25 Nov"), (date(2026, 11, 28), "Sat 28 Nov")):
        with pytest.raises(InvalidInput, match=message), write_session(engine) as s:
            blocks.remove(s, block_id, day)  # type: ignore[arg-type]
    with write_session(engine) as s:
        blocks.remove(s, block_id)  # type: ignore[arg-type]
    assert (_count(engine, CallBlock), _count(engine, BlockException)) == (0, 0)
    with pytest.raises(InvalidInput, match="no block #"), write_session(engine) as s:
        blocks.remove(s, block_id)  # type: ignore[arg-type]


def test_removing_the_only_occurrence_of_a_one_off_block_removes_it(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        block_id = _add(s, now, sh(24, 9)).id
        _, removed = blocks.remove(s, block_id, date(2026, 11, 24))  # type: ignore[arg-type]
    assert removed is None and _count(engine, CallBlock) == 0


# --- what was done in each occurrence ----------------------------------------------------------


def _touch(session: Session, lead_id: int, at: datetime, *, channel: str = "call", connected: bool = False,
           meeting: bool = False) -> None:  # fmt: skip
    outcome = (
        ("meeting_booked" if meeting else "connected" if connected else "no_answer") if channel == "call" else None
    )
    session.add(Touch(lead_id=lead_id, at=at, channel=channel, outcome=outcome, connected=connected,
                      meeting=meeting, recorded_at=at))  # fmt: skip
    session.flush()


@pytest.fixture
def lead_id(engine: Engine, now: datetime) -> int:
    with write_session(engine) as s:
        return add_lead(s, now, name="Li Na", created_at=now - timedelta(weeks=20)).id  # type: ignore[return-value]


def test_past_occurrences_count_the_calls_inside_their_time(engine: Engine, now: datetime, lead_id: int) -> None:
    with write_session(engine) as s:
        _add(s, now, sh(16, 9), 90, repeat="weekdays", goal_dials=20, goal_meetings=2)
        _touch(s, lead_id, sh(23, 8, 59))  # before the block
        _touch(s, lead_id, sh(23, 9))  # at its start: in
        _touch(s, lead_id, sh(23, 9, 40), connected=True)
        _touch(s, lead_id, sh(23, 10), connected=True, meeting=True)
        _touch(s, lead_id, sh(23, 10, 15), channel="email")  # not a dial
        _touch(s, lead_id, sh(23, 10, 30))  # at its end: out
    with read_session(engine) as s:
        views = blocks.listing(s, date(2026, 11, 20), date(2026, 11, 24), now)
    assert [(v.occurrence.day.day, v.activity) for v in views] == [
        (20, blocks.Activity(0, 0, 0)),
        (23, blocks.Activity(3, 2, 1)),
        (24, None),  # not started yet
    ]
    shown = views[1].as_dict()
    expected = {"block_id": 1, "title": "Call block", "goal_dials": 20, "goal_meetings": 2, "dials": 3, "connects": 2}
    assert {k: shown[k] for k in expected} == expected and shown["meetings"] == 1
    assert (shown["start"], shown["end"]) == ("2026-11-23T09:00:00+08:00", "2026-11-23T10:30:00+08:00")


def test_activity_counts_many_spans_in_chunks(engine: Engine, lead_id: int) -> None:
    with write_session(engine) as s:
        _touch(s, lead_id, sh(1, 9, 30))
    base = sh(1, 9) - timedelta(hours=300)
    spans = [(base + timedelta(hours=i), base + timedelta(hours=i + 1)) for i in range(450)]
    with read_session(engine) as s:
        found = blocks.activity(s, spans)
    assert len(found) == 450 and found[300] == blocks.Activity(1, 0, 0)
    assert sum(a.dials for a in found) == 1


# --- the planner -----------------------------------------------------------------------------


def _history(engine: Engine, lead_id: int, now: datetime, dials: int, meetings: int, *, days_ago: int = 3) -> None:
    """``dials`` first calls, each to a new prospect, ``meetings`` of them booking one; and as
    many warm calls to ``lead_id``, all booking meetings, which the planner's rate must ignore."""
    with write_session(engine) as s:
        _touch(s, lead_id, now - timedelta(weeks=19), connected=True)  # its first call, long before
        for i in range(dials):
            at = now - timedelta(days=days_ago, minutes=i)
            prospect = add_lead(s, now, name=f"Prospect {days_ago}-{i}", created_at=at - timedelta(days=1))
            _touch(s, prospect.id, at, meeting=i < meetings, connected=i < meetings)  # type: ignore[arg-type]
            _touch(s, lead_id, at, meeting=True, connected=True)


def test_the_given_rate_wins(engine: Engine, now: datetime, lead_id: int) -> None:
    _history(engine, lead_id, now, 40, 4)
    with read_session(engine) as s:
        rate = blocks.choose_rate(s, now, 0.25)
        planned = blocks.plan(s, Rules(), now, 5, 0.25)
    assert (rate.value, rate.source) == (Fraction(1, 4), "given")
    assert planned.list_size == 20 and planned.as_dict()["rate_source"] == "given"


def test_history_is_used_from_30_dials_in_the_last_8_weeks(engine: Engine, now: datetime, lead_id: int) -> None:
    _history(engine, lead_id, now, 30, 3)
    _history(engine, lead_id, now, 50, 50, days_ago=57)  # older than 8 weeks: not counted
    with read_session(engine) as s:
        rate = blocks.choose_rate(s, now)
        planned = blocks.plan(s, Rules(), now, 5)
    assert (rate.value, rate.source, rate.dials, rate.meetings) == (Fraction(1, 10), "history", 30, 3)
    assert planned.list_size == 50
    assert "3 meetings in 30 first calls to prospects over the last 8 weeks" in rate.explain()


def test_below_30_dials_the_default_is_used_and_said(engine: Engine, now: datetime, lead_id: int) -> None:
    _history(engine, lead_id, now, 29, 10)
    with read_session(engine) as s:
        rate = blocks.choose_rate(s, now)
    assert (rate.value, rate.source, rate.dials) == (Fraction(1, 5), "default", 29)
    assert "default rate 0.2" in rate.explain() and "29 first calls to prospects" in rate.explain()


def test_history_without_a_meeting_falls_back_to_the_default(engine: Engine, now: datetime, lead_id: int) -> None:
    _history(engine, lead_id, now, 40, 0)
    with read_session(engine) as s:
        rate = blocks.choose_rate(s, now)
    assert rate.source == "default" and "no meeting in 40 first calls to prospects" in rate.explain()


def test_list_size_is_the_exact_ceiling() -> None:
    assert blocks.list_size(5, Fraction(1, 5)) == 25
    assert blocks.list_size(3, Fraction(1, 10)) == 30
    assert blocks.list_size(1, Fraction(1, 49)) == 49  # 1 / (1 / 49) in floats is 49.00000000000001
    assert blocks.list_size(2, Fraction(2, 98)) == 98
    assert blocks.list_size(5, Fraction(3, 10)) == 17  # 16.67 rounds up
    assert blocks.list_size(1, Fraction(1)) == 1


@pytest.mark.parametrize("rate", [0.0, -0.1, 1.5, float("nan"), float("inf"), 1e-9])
def test_rates_outside_0_to_1_are_invalid(engine: Engine, now: datetime, rate: float) -> None:
    with pytest.raises(InvalidInput, match="rate"), read_session(engine) as s:
        blocks.choose_rate(s, now, rate)


def test_the_plan_proposes_the_due_leads_whose_next_step_is_a_call(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        for hours, name in ((7, "Late Lily"), (1, "Fresh Fred")):
            add_lead(s, now, name=name, source="inbound", created_at=now - timedelta(hours=hours))
    with read_session(engine) as s:
        planned = blocks.plan(s, Rules(), now, 1, 0.5)
        larger = blocks.plan(s, Rules(), now, 5)
    assert planned.list_size == 2 and [item.name for item in planned.leads] == ["Late Lily", "Fresh Fred"]
    assert larger.list_size == 25 and len(larger.leads) == 2  # the queue runs dry before the list is full
    with pytest.raises(InvalidInput, match="meetings"), read_session(engine) as s:
        blocks.plan(s, Rules(), now, 0)


def test_fill_attaches_the_list_to_the_next_occurrence_and_replaces_it(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        for hours, name in ((7, "Late Lily"), (1, "Fresh Fred")):
            add_lead(s, now, name=name, source="inbound", created_at=now - timedelta(hours=hours))
        block_id = _add(s, now, sh(16, 9), 90, repeat="weekdays", goal_meetings=2).id
    with write_session(engine) as s:
        filled = blocks.fill(s, Rules(), now, block_id)  # type: ignore[arg-type]
    assert filled.occurrence.start == sh(24, 9).astimezone(UTC)  # today's is over: tomorrow's
    assert (filled.fill.target_meetings, filled.fill.list_size, filled.fill.rate_source) == (2, 10, "default")
    with write_session(engine) as s:
        blocks.fill(s, Rules(), now, block_id, target=1, rate=0.5)  # type: ignore[arg-type]
    assert (_count(engine, BlockFill), _count(engine, BlockLead)) == (1, 2)
    with read_session(engine) as s:
        planned = blocks.listing(s, date(2026, 11, 24), date(2026, 11, 24), now)[0].planned
    assert planned is not None and planned.as_dict() == {
        "target_meetings": 1, "rate": 0.5, "rate_source": "given", "list_size": 2, "lead_ids": [1, 2],
    }  # fmt: skip
    with pytest.raises(InvalidInput, match="no occurrence on Mon 23 Nov"), write_session(engine) as s:
        blocks.fill(s, Rules(), now, block_id, day=date(2026, 11, 23))  # type: ignore[arg-type]
    # Removing the occurrence drops its list; removing the block drops everything.
    with write_session(engine) as s:
        blocks.remove(s, block_id, date(2026, 11, 24))  # type: ignore[arg-type]
    assert (_count(engine, BlockFill), _count(engine, BlockLead)) == (0, 0)


def test_fill_needs_a_goal_and_due_leads(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        block_id = _add(s, now, sh(24, 9)).id
    with pytest.raises(InvalidInput, match="no meeting goal"), write_session(engine) as s:
        blocks.fill(s, Rules(), now, block_id)  # type: ignore[arg-type]
    with pytest.raises(Refused, match="no lead is due"), write_session(engine) as s:
        blocks.fill(s, Rules(), now, block_id, target=2)  # type: ignore[arg-type]


# --- protected time and free slots ------------------------------------------------------------


def test_free_slots_skip_blocks_lunch_and_nights(session: Session, now: datetime) -> None:
    _add(session, now, sh(24, 9), 180, repeat="weekdays")  # 09:00-12:00 every weekday
    at_block = blocks.free_slots(session, sh(24, 10), now)
    # 12:00-13:30 is lunch; mid-afternoon ([timing] preferred) comes before the rest of the day.
    assert [s.astimezone(SH) for s in at_block] == [sh(24, 14), sh(25, 14)]
    assert blocks.either_or(at_block, now) == "Tuesday 14:00 or Wednesday 14:00?"
    at_night = blocks.free_slots(session, sh(24, 21), now)
    assert [s.astimezone(SH) for s in at_night] == [sh(24, 16, 30), sh(25, 14)]
    weekend = blocks.free_slots(session, sh(28, 10), now)
    assert [s.astimezone(SH) for s in weekend] == [sh(30, 14), sh(1, 14, month=12)]
    late_lunch = Timing(lunch=Window(time(12), time(14)), preferred=(Window(time(13), time(17)),))
    assert blocks.free_slots(session, sh(24, 10), now, timing=late_lunch)[0].astimezone(SH) == sh(24, 14)


def test_free_slots_follow_business_hours_and_never_offer_the_past(session: Session, now: datetime) -> None:
    hours = BusinessHours(time(8), time(20), frozenset({0, 1, 2, 3, 4, 5}))
    saturday = blocks.free_slots(session, sh(28, 19), now, hours)
    assert [s.astimezone(SH) for s in saturday] == [sh(28, 16, 30), sh(30, 9, 30)]  # preferred hours; Sunday is off
    today = blocks.free_slots(session, now - timedelta(hours=5), now, hours)
    assert all(slot >= now for slot in today) and today[0] == now


def test_either_or_names_the_date_a_week_or_more_away(now: datetime) -> None:
    slots = [sh(24, 10), sh(2, 15, month=12)]
    assert blocks.either_or(slots, now) == "Tuesday 10:00 or Wednesday 02 Dec 15:00?"


def test_protect_warning_inside_a_protected_block_only(session: Session, now: datetime) -> None:
    protected = _add(session, now, sh(24, 9), 90, repeat="weekdays", title="Prospecting")
    _add(session, now, sh(24, 14), 60, protect=False)
    warning = blocks.protect_warning(session, sh(24, 10), now)
    assert warning == (
        f"Tue 24 Nov 10:00 is inside call block #{protected.id} 'Prospecting' (Tue 24 Nov 09:00-10:30), "
        'time kept for calling; offer "Tuesday 10:30 or Wednesday 10:30?" instead'
    )
    assert blocks.protect_warning(session, sh(24, 14, 30), now) is None  # not protected
    assert blocks.protect_warning(session, sh(24, 10, 30), now) is None  # the block has ended


# --- ranges ----------------------------------------------------------------------------------


def test_day_ranges(now: datetime) -> None:
    mon, sun = date(2026, 11, 23), date(2026, 11, 29)
    assert blocks.day_range(now) == (mon, sun)
    assert blocks.day_range(now, week="next") == (date(2026, 11, 30), date(2026, 12, 6))
    assert blocks.day_range(now, week="2026-W47") == (date(2026, 11, 16), date(2026, 11, 22))
    assert blocks.day_range(now, week="2026-11-26") == (mon, sun)
    assert blocks.day_range(now, day="2026-11-24") == (date(2026, 11, 24),) * 2
    assert blocks.day_range(now, first="2026-11-20", last="2026-11-21") == (date(2026, 11, 20), date(2026, 11, 21))
    assert blocks.day_range(now, first="2026-11-25") == (date(2026, 11, 25), date(2026, 12, 1))
    for kwargs, message in (
        ({"day": "today", "week": "this"}, "one of"),
        ({"first": "2026-11-25", "last": "2026-11-24"}, "before"),
        ({"first": "2026-01-01", "last": "2027-06-01"}, "at most"),
        ({"week": "2026-W60"}, "not a week"),
    ):
        with pytest.raises(InvalidInput, match=message):
            blocks.day_range(now, **kwargs)  # type: ignore[arg-type]


def test_upcoming_day_reads_weekdays_forward(now: datetime) -> None:
    assert blocks.upcoming_day("mon", now) == date(2026, 11, 23)  # today is Monday
    assert blocks.upcoming_day("sun", now) == date(2026, 11, 29)
    assert blocks.upcoming_day("tomorrow", now) == date(2026, 11, 24)
    assert blocks.upcoming_day("2026-11-20", now) == date(2026, 11, 20)


def test_plan_takes_due_calls_first_then_prospects_best_first(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        due_lead = add_lead(s, now, name="Due", grade="D", created_at=now - timedelta(days=100))
        _touch(s, due_lead.id, now - timedelta(days=95), connected=True)  # type: ignore[arg-type]
        for name, grade, coach, days in [("C old", "C", False, 9), ("A new", "A", False, 1), ("A coach", "A", True, 2),
                                         ("A old", "A", False, 5), ("none", None, False, 10)]:  # fmt: skip
            add_lead(s, now, name=name, grade=grade, is_coach=coach, created_at=now - timedelta(days=days))
    with read_session(engine) as s:
        planned = blocks.plan(s, Rules(), now, 1)  # 1 meeting at 1 in 5: five names
    assert [item.name for item in planned.leads] == ["Due", "A coach", "A old", "A new", "C old"]
    assert (planned.due, planned.prospects) == (1, 4)
    assert planned.as_dict()["prospects"] == 4
    assert planned.leads[1].reasons[0].rule == "prospect"
