"""services.metrics, goals and pdca: every figure of the daily summary against a hand-made day,
the plan's limit and carry-over, goals spread over working days, reviews and problems."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from salesdesk.config import Config, load_config
from salesdesk.dates import local_day_bounds
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Lead, PlanItem, Problem, ReviewEntry
from salesdesk.services import deals, goals, metrics, pdca
from salesdesk.services.closing import close_lead
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import log_call, log_touch

SH = ZoneInfo("Asia/Shanghai")
SUNDAY = date(2026, 11, 22)


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in November 2026 (the suite's TZ)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def warn_config(config: Config) -> Config:
    """The benefit rule set to warn, so touches without a benefit can be logged."""
    return replace(config, rules=replace(config.rules, benefit="warn"))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


def _figures(session: Session, config: Config, day: date, now: datetime) -> dict[str, object]:
    return metrics.figures(session, config, *local_day_bounds(day), now).as_dict()


# --- the hand-made day: Sunday 22 November 2026 in Shanghai -------------------------------------


@pytest.fixture
def sunday(engine: Engine, warn_config: Config, now: datetime) -> None:
    """Arrivals and touches on both sides of Sunday's local midnights.

    New on Sunday: Ann (inbound 09:00, called 09:30: in time), Ben (inbound 10:00, first call
    16:00: an hour late), Cat (inbound 12:00, never contacted: breached at 17:00), Dan
    (outbound 00:01, first touch 11:45: the rule doesn't apply). Speed to lead: 30, 360 and
    720 minutes (Cat, to the day's end) -> median 360. Around them: Late Arrival (Sat 23:59)
    and Early Bird (Mon 00:01).
    """
    c = warn_config
    with write_session(engine) as s:
        ann = add_lead(s, now, name="Ann", source="inbound", created_at=sh(22, 9))
        ben = add_lead(s, now, name="Ben", source="inbound", created_at=sh(22, 10))
        add_lead(s, now, name="Cat", source="inbound", created_at=sh(22, 12))
        dan = add_lead(s, now, name="Dan", source="outbound", created_at=sh(22, 0, 1))
        eve = add_lead(s, now, name="Eve", source="outbound", created_at=sh(20, 10))
        fay = add_lead(s, now, name="Fay", source="outbound", created_at=sh(20, 9))
        gus = add_lead(s, now, name="Gus", source="outbound", created_at=sh(20, 9))
        add_lead(s, now, name="Late Arrival", source="inbound", created_at=sh(21, 23, 59))
        add_lead(s, now, name="Early Bird", source="inbound", created_at=sh(23, 0, 1))

        log_call(s, c, ann, now, outcome="connected", at=sh(22, 9, 30), benefit="deck")
        log_call(s, c, ben, now, outcome="no_answer", at=sh(22, 16))  # opens wechat + email, due 16:00
        log_touch(s, c, ben, now, channel="wechat", at=sh(22, 16, 30), benefit="case study")  # kept
        log_touch(s, c, dan, now, channel="email", at=sh(22, 11, 45), benefit="price list")
        log_call(s, c, eve, now, outcome="busy", at=sh(21, 23, 59))  # Saturday
        log_call(s, c, eve, now, outcome="meeting_booked", at=sh(22, 14), benefit="deck", meeting_at=sh(26, 10))
        log_call(s, c, eve, now, outcome="connected", at=sh(22, 14, 30))  # no benefit
        log_touch(s, c, eve, now, channel="wechat", at=sh(22, 15))  # no benefit (meets Saturday's fallback)
        log_call(s, c, ann, now, outcome="do_not_call", at=sh(22, 17))  # terminal: no benefit needed
        log_call(s, c, eve, now, outcome="no_answer", at=sh(22, 23, 59))  # opens wechat + email, due 23:59
        log_call(s, c, eve, now, outcome="busy", at=sh(23, 0, 1))  # Monday
        log_touch(s, c, eve, now, channel="email", at=sh(23, 9), benefit="deck")  # Saturday's email, late
        log_touch(s, c, eve, now, channel="wechat", at=sh(23, 9, 30), benefit="deck")  # Sunday's WeChat, late

        log_call(s, c, fay, now, outcome="no_answer", at=sh(21, 10))
        close_lead(s, c, fay, sh(22, 18), won=False, reason="went bust", force=True)  # forced, Sunday
        close_lead(s, c, dan, sh(22, 18, 30), won=True)  # a won close is never forced
        log_call(s, c, gus, now, outcome="no_answer", at=sh(21, 11))
        close_lead(s, c, gus, sh(23, 0, 1), won=False, reason="moved away", force=True)  # forced, Monday


def test_local_day_bounds_are_shanghai_midnights() -> None:
    start, end = local_day_bounds(SUNDAY)
    assert start == datetime(2026, 11, 21, 16, tzinfo=UTC) and end == datetime(2026, 11, 22, 16, tzinfo=UTC)
    # 23:59 and 00:01 Shanghai are 15:59 and 16:01 UTC: either side of the boundary.
    assert sh(21, 23, 59) == datetime(2026, 11, 21, 15, 59, tzinfo=UTC) < start
    assert start < sh(22, 0, 1) == datetime(2026, 11, 21, 16, 1, tzinfo=UTC)


@pytest.mark.usefixtures("sunday")
def test_every_figure_of_a_hand_made_day(engine: Engine, config: Config, now: datetime) -> None:
    with read_session(engine) as s:
        got = _figures(s, config, SUNDAY, now)
    assert got == {
        "dials": 6,  # Ann 09:30 and 17:00, Ben 16:00, Eve 14:00, 14:30 and 23:59
        "connects": 4,  # Ann connected and do-not-call, Eve meeting and connected
        "connect_rate": 4 / 6,
        "meetings_booked": 1,
        "meeting_rate": 1 / 4,
        "new_leads": 4,  # Ann, Ben, Cat, Dan (00:01); not Late Arrival (Sat 23:59)
        "first_contact_breaches": 2,  # Ben late, Cat never; Ann in time; Dan outbound
        # Inbound only: 30 (Ann), 360 (Ben), 720 (Cat, never attempted: counted to midnight,
        # when Sunday's figures closed). Dan is outbound: the rule, and the figure, skip him.
        "speed_to_lead_median_min": 360.0,
        "touches_without_benefit": 2,  # Eve's 14:30 call and 15:00 WeChat; not the do-not-call
        "forced_closes": 1,  # Fay; Dan was won, Gus was Monday
    }


@pytest.mark.usefixtures("sunday")
def test_the_days_either_side_see_only_their_own_minutes(engine: Engine, config: Config, now: datetime) -> None:
    with read_session(engine) as s:
        saturday = _figures(s, config, date(2026, 11, 21), now)
        monday = _figures(s, config, date(2026, 11, 23), now)
    assert (saturday["dials"], saturday["new_leads"], saturday["forced_closes"]) == (3, 1, 0)
    assert saturday["first_contact_breaches"] == 1  # Late Arrival, never called
    assert (monday["dials"], monday["new_leads"], monday["forced_closes"]) == (1, 1, 1)
    # Early Bird arrived at 00:01 and nobody has called: the 5 hours ran out at 05:01. Her
    # wait is not known until Monday is over (a call before midnight would still count).
    assert monday["first_contact_breaches"] == 1 and monday["speed_to_lead_median_min"] is None


@pytest.mark.usefixtures("sunday")
def test_follow_up_compliance_of_the_day(engine: Engine) -> None:
    with read_session(engine) as s:
        saturday = metrics.followups(s, *local_day_bounds(date(2026, 11, 21)))
        sunday = metrics.followups(s, *local_day_bounds(SUNDAY))
    # Due on Saturday: Eve's WeChat (met Sunday) and email (met Monday), Fay's and Gus's WeChat
    # and email (closed with their leads on Sunday and Monday): all six unmet when Saturday
    # ended, so all missed. What happened later does not rewrite Saturday.
    assert saturday == metrics.FollowUps(due=6, kept=0)
    # Due on Sunday: Ben's WeChat (kept at 16:30) and email (never met); Eve's WeChat and email
    # of 23:59 (met Monday: missed on Sunday). Her meeting booked at 14:00 answered Saturday's
    # two, so 23:59 opened both anew.
    assert sunday == metrics.FollowUps(due=4, kept=1)
    assert (sunday.missed, sunday.rate) == (3, 1 / 4)
    assert (saturday + sunday).as_dict() == {"due": 10, "kept": 1, "missed": 9, "superseded": 0, "rate": 1 / 10}
    assert sunday.sentence() == "1 of 4 due kept on the day (25%), 3 missed."


def test_a_follow_up_superseded_on_its_day_is_not_missed(engine: Engine, config: Config, now: datetime) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Moved On", created_at=sh(17, 9))
        log_call(s, config, lead, now, outcome="callback", at=sh(18, 9), next_at=sh(19, 15), benefit="deck")
        # They call back the same day and set another time: Thursday's call is replaced, not missed.
        log_call(s, config, lead, now, outcome="callback", at=sh(18, 11), next_at=sh(20, 10), benefit="deck")
    with read_session(engine) as s:
        day = metrics.followups(s, *local_day_bounds(date(2026, 11, 19)))
    assert day == metrics.FollowUps(due=0, kept=0, superseded=1)
    assert day.sentence() == "0 of 0 due kept on the day (n/a), 0 missed; 1 superseded by a newer step."


def test_a_follow_up_dropped_with_its_lead_on_the_day_is_not_missed(
    engine: Engine, config: Config, now: datetime
) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Gone", created_at=sh(17, 9))
        log_call(s, config, lead, now, outcome="no_answer", at=sh(18, 10))  # WeChat and email due 10:00
        close_lead(s, config, lead, sh(18, 17), won=False, reason="went bust", force=True)
    with read_session(engine) as s:
        assert metrics.followups(s, *local_day_bounds(date(2026, 11, 18))) == metrics.FollowUps()


def test_an_empty_day_has_zeros_and_no_rates(engine: Engine, config: Config, now: datetime) -> None:
    with read_session(engine) as s:
        got = _figures(s, config, date(2026, 11, 15), now)
        summary = pdca.day_summary(s, config, date(2026, 11, 15), now)
    assert got == {
        "dials": 0, "connects": 0, "connect_rate": None, "meetings_booked": 0, "meeting_rate": None,
        "new_leads": 0, "first_contact_breaches": 0, "speed_to_lead_median_min": None,
        "touches_without_benefit": 0, "forced_closes": 0,
    }  # fmt: skip
    assert summary.as_dict()["plan"]["items"] == [] and summary.as_dict()["review"] is None
    assert summary.followups == metrics.FollowUps() and summary.followups.rate is None


def test_dials_without_connects_have_a_zero_connect_rate_and_no_meeting_rate(
    engine: Engine, config: Config, now: datetime
) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Li Na", created_at=sh(16, 9))
        for hour in (10, 11, 14):
            log_call(s, config, lead, now, outcome="no_answer", at=sh(17, hour))
    with read_session(engine) as s:
        got = _figures(s, config, date(2026, 11, 17), now)
    assert (got["dials"], got["connects"], got["connect_rate"], got["meeting_rate"]) == (3, 0, 0.0, None)


def test_speed_to_lead_median_of_an_even_count_is_the_mean_of_the_middle_two(
    engine: Engine, config: Config, now: datetime
) -> None:
    with write_session(engine) as s:
        for name, wait in (("A", 10), ("B", 20), ("C", 40), ("D", 100)):
            lead = add_lead(s, now, name=name, source="inbound", created_at=sh(18, 9))
            log_touch(s, config, lead, now, channel="email", at=sh(18, 9) + timedelta(minutes=wait), benefit="x")
    with read_session(engine) as s:
        assert _figures(s, config, date(2026, 11, 18), now)["speed_to_lead_median_min"] == 30.0


def test_first_contact_counts_business_hours_when_configured(engine: Engine, config: Config, now: datetime) -> None:
    from salesdesk.rules import BusinessHours

    hours = BusinessHours(start=datetime.min.time().replace(hour=9), end=datetime.min.time().replace(hour=18),
                          weekdays=frozenset(range(5)))  # fmt: skip
    office = replace(config, rules=replace(config.rules, business_hours=hours))
    with write_session(engine) as s:
        # Friday 16:00 + 5 working hours = Monday 12:00: a Monday 11:00 call is in time.
        lead = add_lead(s, now, name="Weekend Wu", source="inbound", created_at=sh(20, 16))
        log_call(s, config, lead, now, outcome="busy", at=sh(23, 11))
    with read_session(engine) as s:
        assert _figures(s, office, date(2026, 11, 20), now)["first_contact_breaches"] == 0
        assert _figures(s, config, date(2026, 11, 20), now)["first_contact_breaches"] == 1


def test_speed_to_lead_counts_business_hours_when_configured(engine: Engine, config: Config, now: datetime) -> None:
    from salesdesk.rules import BusinessHours

    hours = BusinessHours(start=datetime.min.time().replace(hour=9), end=datetime.min.time().replace(hour=18),
                          weekdays=frozenset(range(5)))  # fmt: skip
    office = replace(config, rules=replace(config.rules, business_hours=hours))
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Weekend Wu", source="inbound", created_at=sh(20, 16))
        log_call(s, config, lead, now, outcome="busy", at=sh(23, 11))
    with read_session(engine) as s:
        # Friday 16:00-18:00 and Monday 09:00-11:00: four working hours, not a weekend.
        assert _figures(s, office, date(2026, 11, 20), now)["speed_to_lead_median_min"] == 240.0
        # Wall clock: the weekend counts, and Friday's figures closed at midnight (Fri 21:00
        # deadline) with no attempt: 8 hours, a breach.
        assert _figures(s, config, date(2026, 11, 20), now)["speed_to_lead_median_min"] == 480.0


def test_speed_to_lead_covers_only_leads_the_first_contact_rule_applies_to(
    engine: Engine, config: Config, now: datetime
) -> None:
    everyone = replace(config, rules=replace(config.rules, first_contact_sources=("all",)))
    with write_session(engine) as s:
        for name, source, wait in (("In", "inbound", 300), ("Out", "outbound", 5), ("Ref", "referral", 10)):
            lead = add_lead(s, now, name=name, source=source, created_at=sh(18, 9))
            log_call(s, config, lead, now, outcome="busy", at=sh(18, 9) + timedelta(minutes=wait))
    with read_session(engine) as s:
        assert _figures(s, config, date(2026, 11, 18), now)["speed_to_lead_median_min"] == 300.0
        assert _figures(s, everyone, date(2026, 11, 18), now)["speed_to_lead_median_min"] == 10.0


def test_a_touch_on_channel_other_never_stops_the_first_contact_clock(
    engine: Engine, warn_config: Config, now: datetime
) -> None:
    assert metrics.is_attempt("wechat") and not metrics.is_attempt("other")
    assert set(metrics.ATTEMPT_CHANNELS) == {"call", "email", "wechat", "sms", "visit", "social"}
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Looked Up", source="inbound", created_at=sh(18, 9))
        log_touch(s, warn_config, lead, now, channel="other", at=sh(18, 9, 10), note="read their website")
        log_call(s, warn_config, lead, now, outcome="busy", at=sh(18, 16))
    with read_session(engine) as s:
        got = _figures(s, warn_config, date(2026, 11, 18), now)
    assert (got["first_contact_breaches"], got["speed_to_lead_median_min"]) == (1, 420.0)


def test_a_closed_days_first_contact_figures_ignore_later_attempts(engine: Engine, config: Config) -> None:
    """Arrived Wednesday 12:00, nobody called by midnight: a breach with a 12-hour wait, then
    and a week later, after a Thursday call."""
    wednesday = date(2026, 11, 18)
    with write_session(engine) as s:
        lead = add_lead(s, sh(18, 12), name="Slow", source="inbound", created_at=sh(18, 12))
    with read_session(engine) as s:
        before = _figures(s, config, wednesday, sh(20, 9))
    with write_session(engine) as s:
        log_call(s, config, s.get(Lead, lead.id), sh(19, 10), outcome="connected", at=sh(19, 10), benefit="deck")
    with read_session(engine) as s:
        after = _figures(s, config, wednesday, sh(27, 9))
    assert before == after
    assert (after["first_contact_breaches"], after["speed_to_lead_median_min"]) == (1, 720.0)


def test_a_dst_day_in_new_york_has_23_hours(engine: Engine, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    ny = ZoneInfo("America/New_York")
    start, end = local_day_bounds(date(2026, 3, 8))
    assert (start, end - start) == (datetime(2026, 3, 8, 5, tzinfo=UTC), timedelta(hours=23))
    now = datetime(2026, 3, 10, 12, tzinfo=ny)
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Nora", source="inbound", created_at=datetime(2026, 3, 1, 9, tzinfo=ny))
        for at in (
            datetime(2026, 3, 7, 23, 30, tzinfo=ny),  # Saturday
            datetime(2026, 3, 8, 0, 30, tzinfo=ny),  # 05:30 UTC, still EST
            datetime(2026, 3, 8, 23, 30, tzinfo=ny),  # 03:30 UTC on the 9th, EDT
            datetime(2026, 3, 9, 0, 30, tzinfo=ny),  # Monday
        ):
            log_call(s, config, lead, now, outcome="no_answer", at=at)
        # Arrived 01:30 EST, called 03:30 EDT: two hours on the clock, one hour of real time.
        quick = add_lead(s, now, name="Quinn", source="inbound", created_at=datetime(2026, 3, 8, 1, 30, tzinfo=ny))
        log_call(s, config, quick, now, outcome="busy", at=datetime(2026, 3, 8, 3, 30, tzinfo=ny))
    with read_session(engine) as s:
        got = _figures(s, config, date(2026, 3, 8), now)
    assert (got["dials"], got["new_leads"], got["speed_to_lead_median_min"]) == (3, 1, 60.0)


# --- targets, goals and the summary -------------------------------------------------------------


def test_goals_are_spread_over_working_days_and_add_up() -> None:
    assert goals.spread(10, 4) == [3, 2, 3, 2]  # running totals 2.5, 5, 7.5, 10 rounded: 3, 5, 8, 10
    assert goals.spread(7, 7) == [1] * 7
    assert goals.spread(0, 5) == [0] * 5
    assert goals.spread(20, 23)[:5] == [1, 1, 1, 0, 1]  # running 0.87, 1.74, 2.61, 3.48, 4.35
    assert all(sum(goals.spread(total, days)) == total for total in (0, 1, 19, 1000) for days in (1, 20, 23))


def test_a_month_goal_becomes_each_working_days_target(session: Session, config: Config, now: datetime) -> None:
    view = goals.set_goal(session, config, "2026-12", {"meetings": 20, "dials": 1000}, now)
    # December 2026: Tuesday the 1st to Thursday the 31st, 23 weekdays.
    assert len(view.working_days) == 23 and view.working_days[0] == date(2026, 12, 1)
    daily = view.daily()
    assert sum(d["dials"] for d in daily.values()) == 1000 and sum(d["meetings"] for d in daily.values()) == 20
    assert goals.goal_targets(session, config, date(2026, 12, 1)) == {"dials": 43, "meetings": 1}
    assert goals.goal_targets(session, config, date(2026, 12, 2)) == {"dials": 44, "meetings": 1}
    # Running totals 43.48, 86.96, 130.43, 173.91 -> 43, 87, 130, 174; the 4th meetings share is 0: no target.
    assert goals.goal_targets(session, config, date(2026, 12, 3)) == {"dials": 43, "meetings": 1}
    assert goals.goal_targets(session, config, date(2026, 12, 4)) == {"dials": 44}
    assert goals.goal_targets(session, config, date(2026, 12, 5)) == {}  # Saturday
    six_days = replace(config, working_days=frozenset(range(6)))
    assert len(goals.working_days(six_days, "2026-12")) == 27
    assert goals.goal_targets(session, six_days, date(2026, 12, 5)) != {}


def test_goal_input_is_checked(session: Session, config: Config, now: datetime) -> None:
    for month in ("2026-13", "2026/12", "Dec"):
        with pytest.raises(InvalidInput, match="YYYY-MM"):
            goals.set_goal(session, config, month, {"dials": 1}, now)
    with pytest.raises(InvalidInput, match="at least one goal"):
        goals.set_goal(session, config, "2026-12", {"dials": None}, now)
    goals.set_goal(session, config, "2026-12", {"dials": 500}, now)
    goals.set_goal(session, config, "2026-12", {"dials": 600, "meetings": None}, now)
    assert goals.goal_view(session, config, "2026-12").goals == {"dials": 600}


def test_plan_targets_override_the_goal_share(session: Session, config: Config, now: datetime) -> None:
    goals.set_goal(session, config, "2026-11", {"dials": 840, "meetings": 21}, now)  # 40 and 1 a day
    pdca.plan_day(session, config, date(2026, 11, 23), now, targets={"dials": 60, "connects": 15})
    targets = pdca.day_targets(session, config, date(2026, 11, 23))
    assert {name: (t.value, t.source) for name, t in targets.items()} == {
        "dials": (60, "plan"),
        "connects": (15, "plan"),
        "meetings": (1, "goal"),
    }


@pytest.mark.usefixtures("sunday")
def test_the_summary_json_has_the_figures_and_the_targets(engine: Engine, config: Config, now: datetime) -> None:
    with write_session(engine) as s:
        pdca.plan_day(s, config, SUNDAY, now, targets={"dials": 10, "meetings": 1, "new_leads": 4})
        pdca.record_review(s, SUNDAY, now, deviations={"dials": "Sunday"})
    with read_session(engine) as s:
        data = pdca.day_summary(s, config, SUNDAY, now).as_dict()
    assert set(data) == {"date", *metrics.FIGURES, "followups", "best_hours", "targets", "plan", "review"}
    assert data["date"] == "2026-11-22" and data["dials"] == 6
    assert data["targets"] == {
        "dials": {"target": 10, "source": "plan", "actual": 6, "attainment_pct": 60.0, "missed": True,
                  "deviation": "Sunday"},
        "meetings": {"target": 1, "source": "plan", "actual": 1, "attainment_pct": 100.0, "missed": False,
                     "deviation": None},
        "new_leads": {"target": 4, "source": "plan", "actual": 4, "attainment_pct": 100.0, "missed": False,
                      "deviation": None},
    }  # fmt: skip
    assert data["review"]["deviations"] == {"dials": "Sunday"}


@pytest.mark.usefixtures("sunday")
def test_a_missed_target_asks_for_a_reason_until_the_review_gives_one(
    engine: Engine, config: Config, now: datetime
) -> None:
    with write_session(engine) as s:
        pdca.plan_day(s, config, SUNDAY, now, targets={"dials": 10, "connects": 4})
        asked = pdca.day_summary(s, config, SUNDAY, now).deviation_prompts
        assert [t.name for t in asked] == ["dials"]  # connects: 4 of 4, met
        pdca.record_review(s, SUNDAY, now, deviations={"dials": "two meetings ran long"})
        pdca.record_review(s, SUNDAY, now, deviations={"dials": "it was Sunday"})  # replaces the reason
        summary = pdca.day_summary(s, config, SUNDAY, now)
    assert summary.deviation_prompts == [] and summary.targets["dials"].deviation == "it was Sunday"
    with pytest.raises(InvalidInput, match="not a target"), write_session(engine) as s:
        pdca.record_review(s, SUNDAY, now, deviations={"calls": "x"})


def test_deals_won_count_against_the_deals_won_goal(session: Session, config: Config, now: datetime) -> None:
    goals.set_goal(session, config, "2026-11", {"deals_won": 21}, now)  # one a working day
    lead = add_lead(session, now, name="Li Na", created_at=sh(20, 9))
    deal = deals.add_deal(session, config, sh(23, 9), lead=lead, title="50 seats")
    deals.move_deal(session, config, deal, sh(23, 10), "proposal")
    deals.close_deal(session, config, deal, sh(23, 11), won=True)
    summary = pdca.day_summary(session, config, date(2026, 11, 23), now)
    assert summary.targets["deals_won"].actual == 1 and summary.targets["deals_won"].attainment_pct == 100.0
    assert [(m.from_stage, m.to_stage) for m in summary.moves] == [
        (None, "interested"),
        ("interested", "proposal"),
        ("proposal", "won"),
    ]


# --- the plan -----------------------------------------------------------------------------------


def test_a_day_holds_at_most_seven_items(engine: Engine, config: Config, now: datetime) -> None:
    day = date(2026, 11, 23)
    with write_session(engine) as s:
        pdca.plan_day(s, config, day, now, items=[(f"item {i}", "key") for i in range(5)])
    with pytest.raises(Refused, match=r"at most 7 items.*would make 8"), write_session(engine) as s:
        pdca.plan_day(s, config, day, now, items=[("six", None), ("seven", None), ("eight", None)])
    with read_session(engine) as s:
        assert s.execute(select(func.count()).select_from(PlanItem)).scalar_one() == 5  # nothing written
    with write_session(engine) as s:
        view = pdca.plan_day(s, config, day, now, items=[("six", "routine"), ("seven", "adhoc")])
        assert [item.position for item in view.items] == [1, 2, 3, 4, 5, 6, 7]
        with pytest.raises(Refused, match="at most 7"):
            pdca.plan_day(s, config, day, now, items=[("eight", None)])


def test_plan_items_are_checked(session: Session, config: Config, now: datetime) -> None:
    day = date(2026, 11, 23)
    with pytest.raises(InvalidInput, match="kind"):
        pdca.plan_day(session, config, day, now, items=[("x", "urgent")])
    with pytest.raises(InvalidInput, match="item is empty"):
        pdca.plan_day(session, config, day, now, items=[("  ", None)])
    pdca.plan_day(session, config, day, now, items=[("Call Wang", None)])
    with pytest.raises(Refused, match="already on"):
        pdca.plan_day(session, config, day, now, items=[("call  WANG", None)])
    assert pdca.pair_kinds(["a", "b"], ["routine"]) == [("a", "routine"), ("b", "routine")]
    assert pdca.pair_kinds(["a", "b"], ["key", "adhoc"]) == [("a", "key"), ("b", "adhoc")]
    assert pdca.pair_kinds(["a"], []) == [("a", None)]
    with pytest.raises(InvalidInput, match="one --kind per --item"):
        pdca.pair_kinds(["a", "b", "c"], ["key", "adhoc"])


def test_a_refused_plan_or_review_leaves_nothing_pending(session: Session, config: Config, now: datetime) -> None:
    day = date(2026, 11, 23)
    pdca.plan_day(session, config, day, now, items=[("Call Wang", None)])
    with pytest.raises(Refused, match="already on"):
        pdca.plan_day(session, config, day, now, items=[("new one", None), ("call wang", None)])
    with pytest.raises(Refused, match="given twice"):
        pdca.plan_day(session, config, day, now, items=[("twice", None), ("Twice", None)])
    with pytest.raises(InvalidInput, match="not a target"):
        pdca.record_review(session, day, now, reflections={"well": ["good"]}, deviations={"calls": "x"})
    with pytest.raises(InvalidInput, match="not a connected call"):
        pdca.record_review(session, day, now, problem="a new problem", calls={"77": "x"})
    assert not session.new and not session.dirty
    assert [item.text for item in pdca.plan_view(session, config, day).items] == ["Call Wang"]
    assert pdca.review_view(session, day).recorded is False and pdca.list_problems(session) == []


def test_done_and_undo(session: Session, config: Config, now: datetime) -> None:
    day = date(2026, 11, 23)
    view = pdca.plan_day(session, config, day, now, items=[("Send Wang the quote", None), ("Call block", "routine")])
    item = pdca.resolve_item(session, "quote", day)
    assert item.id == view.items[0].id and pdca.resolve_item(session, f"#{item.id}", day) is item
    pdca.set_done(session, item, now, True)
    assert item.done_at == now
    with pytest.raises(Refused, match="already done"):
        pdca.set_done(session, item, now, True)
    pdca.set_done(session, item, now, False)
    assert item.done_at is None
    with pytest.raises(Refused, match="not done"):
        pdca.set_done(session, item, now, False)
    with pytest.raises(InvalidInput, match="matches 2 items"):
        pdca.resolve_item(session, "a", day)
    with pytest.raises(InvalidInput, match="no plan item has id 99"):
        pdca.resolve_item(session, "99", day)


def test_a_new_day_is_offered_the_last_days_unfinished_and_act_items(
    session: Session, config: Config, now: datetime
) -> None:
    friday, monday = date(2026, 11, 20), date(2026, 11, 23)
    items = [("Send the quote", "key"), ("Clear follow-ups", "routine")]
    view = pdca.plan_day(session, config, friday, now, items=items)
    pdca.set_done(session, view.items[0], now, True)
    pdca.record_review(session, friday, now, act=["Ask for the meeting sooner"], reflections={"well": ["opened well"]})
    offers = pdca.plan_view(session, config, monday).offers
    # The weekend had no plan: Friday's leftovers are offered on Monday.
    assert [(o.text, o.kind, o.source, o.from_day) for o in offers] == [
        ("Clear follow-ups", "routine", "unfinished", "2026-11-20"),
        ("Ask for the meeting sooner", "key", "act", "2026-11-20"),
    ]
    carried = pdca.plan_day(session, config, monday, now, items=[("clear FOLLOW-ups", None), ("New thing", None)])
    first = carried.items[0]
    assert (first.text, first.kind, first.carried_from) == ("Clear follow-ups", "routine", view.items[1].id)
    assert [o.source for o in carried.offers] == ["act"]  # taken offers are not offered again
    acted = pdca.plan_day(session, config, monday, now, items=[("Ask for the meeting sooner", "adhoc")])
    act_id = session.execute(select(ReviewEntry.id).where(ReviewEntry.kind == "act")).scalar_one()
    assert (acted.items[-1].act_entry_id, acted.items[-1].kind, acted.offers) == (act_id, "adhoc", [])


def test_a_first_day_has_nothing_to_carry(session: Session, config: Config) -> None:
    assert pdca.carry_offers(session, date(2026, 11, 23)) == []


# --- reviews and problems -----------------------------------------------------------------------


def test_a_review_records_the_pairs_acts_and_the_days_problem(session: Session, now: datetime) -> None:
    day = date(2026, 11, 23)
    view = pdca.record_review(
        session, day, now,
        reflections={"finished": ["the call block"], "unfinished": ["CRM notes"], "well": ["asked early"],
                     "not_well": ["talked too long"], "did": ["called A leads"], "didnt": ["no referrals"]},
        act=["Ask sooner"], problem="Gatekeepers stop me",
    )  # fmt: skip
    again = pdca.record_review(session, day, now, reflections={"well": ["Asked  early", "kept it short"]})
    assert again.entries["well"] == ["asked early", "kept it short"]  # the same line is not added twice
    d = view.as_dict()
    assert (d["finished"], d["didnt"], d["act"]) == (["the call block"], ["no referrals"], ["Ask sooner"])
    assert d["problem"]["text"] == "Gatekeepers stop me" and d["problem"]["days"] == ["2026-11-23"]


def test_a_problem_lives_on_until_solved(session: Session, now: datetime) -> None:
    pdca.record_review(session, date(2026, 11, 19), now, problem="Gatekeepers stop me")
    problem_id = session.execute(select(Problem.id)).scalar_one()
    pdca.record_review(session, date(2026, 11, 20), now, problem=f"#{problem_id}")
    pdca.record_review(session, date(2026, 11, 23), now, problem="gatekeepers STOP me")  # its text links it too
    assert session.execute(select(func.count()).select_from(Problem)).scalar_one() == 1
    [listed] = pdca.list_problems(session)
    assert listed.days == ["2026-11-19", "2026-11-20", "2026-11-23"] and listed.problem.opened_day == "2026-11-19"
    solved = pdca.solve_problem(session, listed.problem, now, "call before 9:00")
    assert solved.as_dict()["solution"] == "call before 9:00" and solved.problem.solved_at == now
    with pytest.raises(Refused, match="already solved"):
        pdca.solve_problem(session, listed.problem, now)
    with pytest.raises(Refused, match="was solved"):
        pdca.record_review(session, date(2026, 11, 24), now, problem=f"#{problem_id}")
    pdca.record_review(session, date(2026, 11, 24), now, problem="Gatekeepers stop me")  # a recurrence: new
    assert [p.problem.solved_at is None for p in pdca.list_problems(session)] == [True, False]


def test_connected_calls_are_offered_for_a_one_line_reflection(session: Session, config: Config, now: datetime) -> None:
    lead = add_lead(session, now, name="Li Na", created_at=sh(20, 9))
    call = log_call(session, config, lead, now, outcome="connected", at=sh(23, 10), benefit="deck").touch
    log_call(session, config, lead, now, outcome="no_answer", at=sh(23, 11))
    view = pdca.review_view(session, date(2026, 11, 23))
    assert [(c.touch_id, c.lead, c.reflection) for c in view.calls] == [(call.id, "Li Na", None)]
    view = pdca.record_review(session, date(2026, 11, 23), now, calls={str(call.id): "landed; ask sooner"})
    assert view.calls[0].reflection == "landed; ask sooner"
    missed = session.execute(select(func.max(Lead.id))).scalar_one()  # an id that is a lead, not a call
    with pytest.raises(InvalidInput, match="not a connected call"):
        pdca.record_review(session, date(2026, 11, 23), now, calls={str(call.id + 1): "x", str(missed): "y"})
    assert pdca.parse_pairs(["dials=ran long", "meetings = none booked "], "--deviation", "x") == {
        "dials": "ran long",
        "meetings": "none booked",
    }
    with pytest.raises(InvalidInput, match="NAME=TEXT"):
        pdca.parse_pairs(["dials"], "--deviation", "dials=REASON")


def test_working_days_are_read_from_config_toml(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('working_days = ["mon", "tue", "wed", "thu", "fri", "saturday"]\n', encoding="utf-8")
    assert load_config(path).working_days == frozenset(range(6))
    for body in ('working_days = ["mon", "funday"]\n', "working_days = []\n", 'working_days = "mon"\n'):
        path.write_text(body, encoding="utf-8")
        with pytest.raises(InvalidInput, match="working_days"):
            load_config(path)


def test_the_pdca_core_imports_no_ui_framework() -> None:
    modules = ("metrics", "deals", "funnel", "goals", "pdca", "reports", "exports")
    script = (
        "import sys, json\n"
        + "".join(f"import salesdesk.services.{name}\n" for name in modules)
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert not set(json.loads(proc.stdout)) & {"textual", "typer", "rich", "click"}
