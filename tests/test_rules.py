"""Each follow-up rule at its edges, as a pure function with fixed times (TZ=Asia/Shanghai)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from salesdesk import rules

SH = ZoneInfo("Asia/Shanghai")
FIVE_HOURS = timedelta(hours=5)
OFFICE = rules.BusinessHours(time(9), time(18), frozenset(range(5)))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in November 2026 (the 20th is a Friday, the 23rd a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


class TestFirstContact:
    def test_deadline_is_five_wall_clock_hours_after_arrival(self) -> None:
        verdict = rules.first_contact(at(23, 10), None, at(23, 11), FIVE_HOURS, None)
        assert verdict.deadline == at(23, 15)
        assert verdict.state == "at_risk" and verdict.left(at(23, 11)) == timedelta(hours=4)

    def test_exactly_at_the_deadline_is_not_yet_a_breach(self) -> None:
        assert rules.first_contact(at(23, 10), None, at(23, 15), FIVE_HOURS, None).state == "at_risk"
        assert rules.first_contact(at(23, 10), None, at(23, 15, 1), FIVE_HOURS, None).state == "breach"

    def test_an_attempt_exactly_at_the_deadline_is_in_time(self) -> None:
        assert rules.first_contact(at(23, 10), at(23, 15), at(23, 20), FIVE_HOURS, None).state == "met"
        late = rules.first_contact(at(23, 10), at(23, 15, 1), at(23, 20), FIVE_HOURS, None)
        assert late.state == "late" and late.first_attempt_at == at(23, 15, 1)

    def test_the_clock_stops_at_the_first_attempt_even_long_after(self) -> None:
        verdict = rules.first_contact(at(20, 9), at(20, 10), at(23, 9), FIVE_HOURS, None)
        assert verdict.state == "met"

    def test_business_hours_skip_the_night(self) -> None:
        # Arrives Monday 16:00: two working hours that day, three more from Tuesday 09:00.
        assert rules.first_contact(at(23, 16), None, at(23, 16), FIVE_HOURS, OFFICE).deadline == at(24, 12)

    def test_business_hours_skip_the_weekend(self) -> None:
        # Arrives Friday 17:00: one hour on Friday, four on Monday.
        assert rules.add_working_time(at(20, 17), FIVE_HOURS, OFFICE) == at(23, 13)

    def test_arrival_on_a_saturday_starts_the_clock_on_monday_morning(self) -> None:
        assert rules.add_working_time(at(21, 11), FIVE_HOURS, OFFICE) == at(23, 14)

    def test_arrival_before_opening_counts_from_opening(self) -> None:
        assert rules.add_working_time(at(23, 6), FIVE_HOURS, OFFICE) == at(23, 14)

    def test_a_window_ending_exactly_at_closing_time_stays_that_day(self) -> None:
        assert rules.add_working_time(at(23, 13), FIVE_HOURS, OFFICE) == at(23, 18)

    def test_business_hours_must_make_sense(self) -> None:
        with pytest.raises(ValueError):
            rules.BusinessHours(time(18), time(9), frozenset({0}))
        with pytest.raises(ValueError):
            rules.BusinessHours(time(9), time(18), frozenset())


class TestCadenceFocusReview:
    def test_cadence_counts_from_the_last_touch_or_from_arrival(self) -> None:
        week = timedelta(days=7)
        assert rules.cadence_due_at(at(16, 10), at(2, 10), week) == at(23, 10)
        assert rules.cadence_due_at(None, at(2, 10), week) == at(9, 10)

    @pytest.mark.parametrize(("reached", "has_deal", "focus"), [(2, False, False), (3, False, True), (5, True, False)])
    def test_focus_when_reached_three_times_without_a_deal(self, reached: int, has_deal: bool, focus: bool) -> None:
        assert rules.needs_focus(reached, has_deal, 3) is focus

    @pytest.mark.parametrize(
        ("reached", "progressed", "review"), [(4, False, False), (5, False, True), (8, True, False)]
    )
    def test_review_when_reached_five_times_without_recent_progress(
        self, reached: int, progressed: bool, review: bool
    ) -> None:
        assert rules.needs_review(reached, progressed, 5) is review

    @pytest.mark.parametrize(("calls", "reached", "hard"), [(2, 0, False), (3, 0, True), (9, 1, False)])
    def test_hard_to_reach_when_calls_reach_nobody(self, calls: int, reached: int, hard: bool) -> None:
        assert rules.hard_to_reach(calls, reached, 3) is hard


class TestLatestBreachedArrival:
    """The cut between breaches and the rest, found without a deadline per lead."""

    @pytest.mark.parametrize("hours", [None, OFFICE], ids=["wall clock", "office hours"])
    @pytest.mark.parametrize("now", [at(23, 15), at(23, 9, 30), at(21, 12), at(20, 18, 30)])
    def test_every_arrival_up_to_it_is_a_breach_and_none_after(self, hours, now) -> None:  # type: ignore[no-untyped-def]
        earliest = at(16, 0)
        cut = rules.latest_breached_arrival(earliest, now, FIVE_HOURS, hours)
        assert cut is not None
        breached = lambda arrival: rules.first_contact(arrival, None, now, FIVE_HOURS, hours).state == "breach"  # noqa: E731
        assert breached(cut) and not breached(cut + timedelta(microseconds=1))
        arrivals = [earliest + timedelta(minutes=17 * i) for i in range(800)]
        assert all(breached(a) == (a <= cut) for a in arrivals if a <= now)

    def test_none_when_the_earliest_arrival_is_still_in_time(self) -> None:
        assert rules.latest_breached_arrival(at(23, 11), at(23, 15), FIVE_HOURS, None) is None
        assert rules.latest_breached_arrival(at(23, 10), at(23, 15), FIVE_HOURS, None) is None  # exactly at it
