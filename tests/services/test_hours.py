"""The connect-rate map, the Wilson interval, dials in the best hours and block suggestions,
over a history logged through the real call service at the suite's fixed NOW."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from salesdesk.block_slots import Suggestion
from salesdesk.config import Config
from salesdesk.connect_rates import Bucket, HourMap, cells_from_buckets, top_quartile, wilson
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput
from salesdesk.models import Lead
from salesdesk.services import blocks, hours, leads, touches
from salesdesk.timing import Timing
from tests.hours_history import make_history

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def history(engine: Engine, config: Config, now: datetime) -> Engine:
    make_history(engine, config, now)
    return engine


def _log(engine: Engine, config: Config, now: datetime, calls: list[tuple[datetime, str]], **lead: str) -> None:
    """Each call on a lead of its own (made 14 weeks ago), through the call service."""
    with write_session(engine) as session:
        base = session.execute(select(func.count()).select_from(Lead)).scalar_one()
        for n, (at, outcome) in enumerate(calls):
            person = leads.add_lead(
                session, now, name=f"Extra {base + n}", created_at=now - timedelta(weeks=14), **lead
            )
            benefit = "deck" if outcome == "connected" else None
            touches.log_call(session, config, person, now, outcome=outcome, at=at, benefit=benefit)


def _map(engine: Engine, config: Config, now: datetime, **options: object) -> HourMap:
    with read_session(engine) as session:
        return hours.hour_map(session, config, now, **options)  # type: ignore[arg-type]


def _suggest(engine: Engine, config: Config, now: datetime, count: int = 5, minutes: int = 90) -> list[Suggestion]:
    with read_session(engine) as session:
        return hours.suggest_blocks(session, config, now, minutes=minutes, count=count)


# --- the interval ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), "Two-sided confidence intervals for the single proportion", method 3.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # The issue's cells.
        (24, 60, 0.2857, 0.5263),
        (3, 60, 0.0171, 0.1370),
    ],
)
def test_wilson_matches_published_values(successes: int, n: int, low: float, high: float) -> None:
    assert [round(v, 4) for v in wilson(successes, n)] == [low, high]


def test_wilson_of_nothing_is_the_whole_range() -> None:
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(5, 5)[1] == 1.0


# --- the map ---------------------------------------------------------------------------------------


def test_map_gives_the_issues_rates_and_intervals(history: Engine, config: Config, now: datetime) -> None:
    found = {(c["weekday"], c["hour"]): c for c in _map(history, config, now).as_list()}
    assert set(found) == {(1, 10), (0, 16), (2, 15)}
    tue = found[(1, 10)]
    assert (tue["dials"], tue["connects"], tue["meetings"]) == (60, 24, 6)
    assert (tue["connect_rate"], tue["low"], tue["high"], tue["enough_data"]) == (0.4, 0.2857, 0.5263, True)
    assert tue["meeting_rate"] == 0.25
    mon = found[(0, 16)]
    assert (mon["dials"], mon["connects"], mon["connect_rate"], mon["low"], mon["high"]) == (60, 3, 0.05, 0.0171, 0.137)
    wed = found[(2, 15)]
    assert (wed["dials"], wed["enough_data"]) == (3, False)


def test_map_counts_only_its_weeks(history: Engine, config: Config, now: datetime) -> None:
    # The history covers the ten weeks before NOW's week: three weeks see only three of them.
    three = _map(history, config, now, weeks=3)
    assert {(c.weekday, c.hour): c.dials for c in three.cells} == {(0, 16): 18, (1, 10): 18, (2, 15): 3}
    assert _map(history, config, now - timedelta(weeks=20)).cells == ()


def test_map_refuses_weeks_out_of_range(engine: Engine, config: Config, now: datetime) -> None:
    for weeks in (0, 105):
        with pytest.raises(InvalidInput, match="--weeks must be from 1 to 104"):
            _map(engine, config, now, weeks=weeks)
    with pytest.raises(InvalidInput, match="--by takes source or grade"):
        hours.check_by("colour")


def test_map_splits_by_grade_and_source(engine: Engine, config: Config, now: datetime) -> None:
    tue = datetime(2026, 11, 17, 10, 5, tzinfo=SHANGHAI)
    _log(engine, config, now, [(tue, "connected"), (tue, "no_answer")], grade="A", source="inbound")
    _log(engine, config, now, [(tue, "no_answer")])
    by_grade = _map(engine, config, now, by="grade")
    assert [(c["grade"], c["dials"], c["connects"]) for c in by_grade.as_list()] == [("-", 1, 0), ("A", 2, 1)]
    by_source = _map(engine, config, now, by="source")
    assert [(c["source"], c["dials"]) for c in by_source.as_list()] == [("inbound", 2), ("outbound", 1)]


def test_map_in_the_leads_time_where_the_lead_has_a_zone(engine: Engine, config: Config, now: datetime) -> None:
    # Tuesday 22:00 in Shanghai is Tuesday 09:00 in New York (EST, UTC-5).
    at = datetime(2026, 11, 17, 22, 0, tzinfo=SHANGHAI)
    _log(engine, config, now, [(at, "no_answer")])
    _log(engine, config, now, [(at, "connected")])
    with write_session(engine) as session:
        lead = session.get_one(Lead, 1)
        lead.timezone = "America/New_York"
        session.get_one(Lead, 2).timezone = "Not/AZone"  # unknown: the rep's time
    rep = _map(engine, config, now)
    assert [(c.weekday, c.hour, c.dials) for c in rep.cells] == [(1, 22, 2)]
    theirs = _map(engine, config, now, clock="lead")
    assert sorted((c.weekday, c.hour, c.dials) for c in theirs.cells) == [(1, 9, 1), (1, 22, 1)]


def test_buckets_land_in_local_hours_across_dst_and_half_hour_zones() -> None:
    def cell(start: datetime, zone: str) -> tuple[int, int]:
        (found,) = cells_from_buckets([Bucket(start, 1, 0, 0)], ZoneInfo(zone), 1)
        return found.weekday, found.hour

    # Berlin: 08:00 UTC is 09:00 on Friday 27 March 2026 (CET) and 10:00 on Monday 30 March (CEST).
    assert cell(datetime(2026, 3, 27, 8, 0, tzinfo=UTC), "Europe/Berlin") == (4, 9)
    assert cell(datetime(2026, 3, 30, 8, 0, tzinfo=UTC), "Europe/Berlin") == (0, 10)
    # India is UTC+05:30: the 04:15 bucket is 09:45, the 04:30 one 10:00.
    assert cell(datetime(2026, 11, 17, 4, 15, tzinfo=UTC), "Asia/Kolkata") == (1, 9)
    assert cell(datetime(2026, 11, 17, 4, 30, tzinfo=UTC), "Asia/Kolkata") == (1, 10)


def test_top_quartile_needs_four_ranked_cells() -> None:
    def hmap(rates: dict[tuple[int, int], int]) -> HourMap:
        buckets = [
            Bucket(datetime(2026, 11, 16 + wd, hour, tzinfo=SHANGHAI).astimezone(UTC), 10, connects, 0)
            for (wd, hour), connects in rates.items()
        ]
        cells = cells_from_buckets(buckets, SHANGHAI, 10)
        return HourMap(cells, datetime.now(UTC), datetime.now(UTC), 12, 10)

    assert top_quartile(hmap({(0, 9): 5, (1, 10): 4, (2, 11): 3})) is None
    assert top_quartile(hmap({(0, 9): 5, (1, 10): 4, (2, 11): 3, (3, 14): 8})) == {(3, 14)}
    five = {(0, 9): 5, (1, 10): 4, (2, 11): 3, (3, 14): 8, (4, 15): 1}
    assert top_quartile(hmap(five)) == {(3, 14), (0, 9)}


def test_best_hours_share_of_the_days_dials(history: Engine, config: Config, now: datetime) -> None:
    with read_session(history) as session:
        too_little = hours.best_hours_share(session, config, date(2026, 11, 23), now)
    assert too_little.in_best is None and "not enough history" in too_little.sentence()
    # Three more ranked cells: Mon 09:00 at 80% and Fri 14:00 at 50% make the top quartile
    # of five (ceil(5/4) = 2), above Tue 10:00 at 40%, Thu 09:00 at 20% and Mon 16:00 at 5%.
    extra: list[tuple[datetime, str]] = []
    for day, hour, connects in ((date(2026, 11, 16), 9, 8), (date(2026, 11, 13), 14, 5), (date(2026, 11, 12), 9, 2)):
        extra += [
            (datetime.combine(day, time(hour, i * 5), tzinfo=SHANGHAI), "connected" if i < connects else "no_answer")
            for i in range(10)
        ]
    # Today (Monday 23 Nov): three dials at 09:xx (a best hour), two at 11:xx.
    today = [datetime(2026, 11, 23, 9, 10, tzinfo=SHANGHAI)] * 3 + [datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI)] * 2
    _log(history, config, now, extra + [(at, "no_answer") for at in today])
    with read_session(history) as session:
        found = hours.best_hours_share(session, config, date(2026, 11, 23), now)
    assert (found.dials, found.in_best, found.share) == (5, 3, 0.6)
    assert found.sentence() == "Dials in your best hours (top quarter by connect rate): 3 of 5 (60%)"
    assert found.as_dict() == {"dials": 5, "in_best_hours": 3, "share": 0.6}


# --- block suggestions --------------------------------------------------------------------------------


def _local(s: Suggestion) -> tuple[str, str]:
    start, end = s.start.astimezone(SHANGHAI), s.end.astimezone(SHANGHAI)
    return f"{start:%a %d %H:%M}", f"{end:%H:%M}"


def _hits(s: Suggestion, weekday: int, first: time, last: time) -> bool:
    start, end = s.start.astimezone(SHANGHAI), s.end.astimezone(SHANGHAI)
    return start.weekday() == weekday and start.time() < last and first < end.time()


def test_suggest_ranks_tuesday_ten_first_and_never_monday_four_or_lunch(
    history: Engine, config: Config, now: datetime
) -> None:
    found = _suggest(history, config, now, count=20)
    assert _local(found[0]) == ("Tue 01 10:00", "11:30")
    assert found[0].basis == "data"
    assert found[0].reason == "Tue 01 Dec 10:00–11:30: 40% connect, 60 dials at 10:00–11:00; your average is 23%"
    assert found[0].as_dict()["start"] == "2026-12-01T10:00:00+08:00"
    assert len(found) > 8
    for s in found:
        assert not _hits(s, 0, time(16), time(17)), s.reason
        assert not any(_hits(s, wd, time(12), time(13, 30)) for wd in range(7)), s.reason
        start = s.start.astimezone(SHANGHAI)
        assert start.date() >= date(2026, 11, 30) and start.date() <= date(2026, 12, 6)
        assert start.weekday() < 5
    # Suggestions never overlap each other.
    spans = sorted((s.start, s.end) for s in found)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(spans))
    # The rest are the method's hours, spread over the week: mornings first, one a day.
    assert [_local(s)[0] for s in found[1:5]] == ["Mon 30 09:30", "Wed 02 09:30", "Thu 03 09:30", "Fri 04 09:30"]
    assert all(s.basis == "default" and "mid-morning (09:30-11:30)" in s.reason for s in found[1:5])


def test_suggest_is_prefix_stable(history: Engine, config: Config, now: datetime) -> None:
    assert _suggest(history, config, now, count=3) == _suggest(history, config, now, count=12)[:3]


def test_suggest_avoids_blocks_meetings_holidays_and_the_morning_after(
    history: Engine, config: Config, now: datetime
) -> None:
    with write_session(history) as session:
        blocks.add_block(session, now, start=datetime(2026, 12, 1, 10, 30, tzinfo=SHANGHAI), minutes=60)
        lead = leads.add_lead(session, now, name="Meeting Mo")
        touches.log_call(
            session, config, lead, now, outcome="meeting_booked", benefit="agenda",
            meeting_at=datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI),
        )  # fmt: skip
    # Wednesday is a holiday, so Thursday morning is the first after it.
    config = replace(config, timing=replace(config.timing, holidays=frozenset({date(2026, 12, 2)})))
    found = _suggest(history, config, now, count=20)
    for s in found:
        assert not _hits(s, 1, time(10, 30), time(11, 30)), s.reason  # the block
        assert not _hits(s, 0, time(10), time(11)), s.reason  # the meeting
        assert s.start.astimezone(SHANGHAI).weekday() != 2, s.reason
        assert not _hits(s, 3, time(0), time(12)) or s.start.astimezone(SHANGHAI).time() >= time(12), s.reason
    # With 10:30-11:30 taken, no 90 minutes left on Tuesday are mostly in the good hour: the
    # first slot is Monday's first free one in the method's hours (the meeting takes 10-11).
    assert all(s.basis == "default" for s in found)
    assert _local(found[0]) == ("Mon 30 14:00", "15:30")


def test_suggest_with_no_history_offers_the_methods_hours(engine: Engine, config: Config, now: datetime) -> None:
    found = _suggest(engine, config, now, count=10)
    assert [_local(s) for s in found[:5]] == [
        ("Mon 30 09:30", "11:00"), ("Tue 01 09:30", "11:00"), ("Wed 02 09:30", "11:00"),
        ("Thu 03 09:30", "11:00"), ("Fri 04 09:30", "11:00"),
    ]  # fmt: skip
    assert [_local(s)[0] for s in found[5:10]] == [
        "Mon 30 14:00",
        "Tue 01 14:00",
        "Wed 02 14:00",
        "Thu 03 14:00",
        "Fri 04 14:00",
    ]
    assert all(s.basis == "default" and s.dials == 0 for s in found)


def test_suggest_honours_working_days_business_hours_and_length(engine: Engine, config: Config, now: datetime) -> None:
    custom = replace(
        config,
        working_days=frozenset({5}),
        timing=Timing(preferred=(Timing().preferred[1],)),
    )
    found = _suggest(engine, custom, now, count=5, minutes=60)
    assert [_local(s) for s in found] == [
        ("Sat 05 14:00", "15:00"), ("Sat 05 15:00", "16:00"), ("Sat 05 16:00", "17:00")
    ]  # fmt: skip
    assert "mid-afternoon (14:00-17:00)" in found[0].reason
    with pytest.raises(InvalidInput, match="a block lasts 5 minutes to 12 hours"):
        _suggest(engine, config, now, minutes=2)
    with pytest.raises(InvalidInput, match="--count must be from 1 to 20"):
        _suggest(engine, config, now, count=0)
    with read_session(engine) as session, pytest.raises(InvalidInput, match="only 3 suggested slots"):
        hours.suggested(session, custom, now, 4, 60)
