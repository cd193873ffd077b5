"""dates: every WHEN form of the contract, days, durations, DST, and the replayable clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.dates import (
    clock_now,
    fmt_span,
    local_day_bounds,
    parse_day,
    parse_duration,
    parse_when,
    to_local,
)
from salesdesk.errors import InvalidInput

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
# The suite's "now" (conftest): Monday 23 Nov 2026, 15:00 in Shanghai.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=SH)


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, zone: ZoneInfo = SH) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=zone)


# --- parse_when: the forms people type -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", local(2026, 11, 23, 15)),
        ("NOW", local(2026, 11, 23, 15)),
        ("today 14:30", local(2026, 11, 23, 14, 30)),
        ("yesterday 3pm", local(2026, 11, 22, 15)),
        ("tomorrow 9am", local(2026, 11, 24, 9)),
        ("tomorrow", local(2026, 11, 24, 9)),  # a day without a time is the start of work
        ("today 12am", local(2026, 11, 23, 0)),
        ("today 12pm", local(2026, 11, 23, 12)),
        ("2h ago", local(2026, 11, 23, 13)),
        ("90 minutes ago", local(2026, 11, 23, 13, 30)),
        ("in 3 days", local(2026, 11, 26, 15)),
        ("in 2 weeks", local(2026, 12, 7, 15)),
        ("+2d", local(2026, 11, 25, 15)),
        ("-90m", local(2026, 11, 23, 13, 30)),
        ("- 1 h", local(2026, 11, 23, 14)),
        ("3 pm", local(2026, 11, 23, 15)),
        ("3pm", local(2026, 11, 23, 15)),
        ("  Today   2:05 PM ", local(2026, 11, 23, 14, 5)),
        ("noon", local(2026, 11, 23, 12)),
        ("midnight", local(2026, 11, 23, 0)),
        ("明天 9am", local(2026, 11, 24, 9)),
        ("昨天 18:00", local(2026, 11, 22, 18)),
        # ISO: naive means local time; an offset is honoured.
        ("2026-11-23T14:30", local(2026, 11, 23, 14, 30)),
        ("2026-11-23 14:30", local(2026, 11, 23, 14, 30)),
        ("2026-11-23T14:30+00:00", datetime(2026, 11, 23, 14, 30, tzinfo=UTC)),
        ("2026-11-23T14:30Z", datetime(2026, 11, 23, 14, 30, tzinfo=UTC)),
        ("2026-11-23T09:00-05:00", datetime(2026, 11, 23, 14, 0, tzinfo=UTC)),
        ("2026-11-20", local(2026, 11, 20, 0)),
    ],
)
def test_parse_when_forms(text: str, expected: datetime, now: datetime) -> None:
    got = parse_when(text, now)
    assert got == expected
    assert got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_relative_forms_do_not_depend_on_prefer(now: datetime) -> None:
    for text in ("2h ago", "in 3 days", "+2d", "-90m", "today 14:30", "tomorrow 9am", "2026-11-23T14:30"):
        assert parse_when(text, now, prefer="past") == parse_when(text, now, prefer="future")


@pytest.mark.parametrize(
    ("text", "prefer", "expected"),
    [
        # Today is Monday 23 Nov, 15:00.
        ("tue 10:00", "past", local(2026, 11, 17, 10)),
        ("tue 10:00", "future", local(2026, 11, 24, 10)),
        ("Tuesday 10am", "past", local(2026, 11, 17, 10)),
        ("fri", "past", local(2026, 11, 20, 9)),
        ("fri", "future", local(2026, 11, 27, 9)),
        # Today's weekday: the time decides whether today is past or future.
        ("mon 14:00", "past", local(2026, 11, 23, 14)),
        ("mon 14:00", "future", local(2026, 11, 30, 14)),
        ("mon 16:00", "past", local(2026, 11, 16, 16)),
        ("mon 16:00", "future", local(2026, 11, 23, 16)),
        ("mon 15:00", "past", local(2026, 11, 23, 15)),
        ("mon 15:00", "future", local(2026, 11, 23, 15)),
        # "next"/"last" always leave today and override prefer.
        ("next tue", "past", local(2026, 11, 24, 9)),
        ("next tue", "future", local(2026, 11, 24, 9)),
        ("next mon", "future", local(2026, 11, 30, 9)),
        ("next mon 8am", "past", local(2026, 11, 30, 8)),
        ("last mon", "future", local(2026, 11, 16, 9)),
        ("last fri 17:30", "future", local(2026, 11, 20, 17, 30)),
    ],
)
def test_weekdays_follow_prefer(text: str, prefer: str, expected: datetime, now: datetime) -> None:
    assert parse_when(text, now, prefer=prefer) == expected  # type: ignore[arg-type]


def test_weekday_result_is_that_weekday_within_a_week(now: datetime) -> None:
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for index, name in enumerate(names):
        past = to_local(parse_when(f"{name} 10:00", now, prefer="past"))
        future = to_local(parse_when(f"{name} 10:00", now, prefer="future"))
        assert past.weekday() == index == future.weekday()
        assert now - timedelta(days=7) < past <= now <= future < now + timedelta(days=7)


def test_now_is_returned_as_utc(now: datetime) -> None:
    got = parse_when("now", now)
    assert got == now
    assert got.tzinfo == UTC


@pytest.mark.parametrize(
    "text",
    ["9", "soon", "", "   ", "25:00", "13pm", "0am", "2026-13-40", "12:60", "next", "next 9am", "tue tue",
     "today tomorrow", "in days", "3 parsecs ago", "2026-02-30T10:00", "in 99999999999 weeks"],
)  # fmt: skip
def test_garbage_is_refused_with_examples(text: str, now: datetime) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_when(text, now)
    message = str(info.value)
    assert "tomorrow 9am" in message and "2h ago" in message


def test_garbage_message_quotes_what_was_typed(now: datetime) -> None:
    with pytest.raises(InvalidInput, match="'soon'"):
        parse_when("soon", now)


# --- DST (America/New_York) -------------------------------------------------------------


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")


@pytest.mark.usefixtures("new_york")
def test_spring_forward_day_is_23_hours() -> None:
    start, end = local_day_bounds(date(2026, 3, 8))
    assert start == datetime(2026, 3, 8, 5, tzinfo=UTC)  # midnight EST
    assert end == datetime(2026, 3, 9, 4, tzinfo=UTC)  # midnight EDT
    assert end - start == timedelta(hours=23)


@pytest.mark.usefixtures("new_york")
def test_fall_back_day_is_25_hours() -> None:
    start, end = local_day_bounds(date(2026, 11, 1))
    assert end - start == timedelta(hours=25)
    assert start == datetime(2026, 11, 1, 4, tzinfo=UTC)


@pytest.mark.usefixtures("new_york")
def test_ordinary_day_is_24_hours() -> None:
    start, end = local_day_bounds(date(2026, 11, 23))
    assert (start, end - start) == (datetime(2026, 11, 23, 5, tzinfo=UTC), timedelta(hours=24))


@pytest.mark.usefixtures("new_york")
def test_nonexistent_local_time_resolves_to_a_real_instant() -> None:
    now = local(2026, 3, 8, 12, zone=NY)
    for text in ("2026-03-08T02:30", "today 2:30am"):
        got = parse_when(text, now)
        # 02:30 does not exist that night; the clock jumped from 02:00 EST to 03:00 EDT.
        assert got == datetime(2026, 3, 8, 7, 30, tzinfo=UTC), text
        wall = to_local(got)
        assert (wall.hour, wall.minute) == (3, 30)
        assert wall.astimezone(UTC) == got  # a round trip: the instant is real


@pytest.mark.usefixtures("new_york")
def test_naive_iso_follows_tz_env() -> None:
    assert parse_when("2026-11-23T09:00", NOW) == datetime(2026, 11, 23, 14, tzinfo=UTC)


def test_day_bounds_in_shanghai_start_at_16_utc() -> None:
    start, end = local_day_bounds(date(2026, 11, 23))
    assert start == datetime(2026, 11, 22, 16, tzinfo=UTC)
    assert end == datetime(2026, 11, 23, 16, tzinfo=UTC)


# --- parse_day ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-16", date(2026, 11, 16)),
        ("today", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 22)),
        ("mon", date(2026, 11, 23)),  # today is Monday
        ("tue", date(2026, 11, 17)),  # a weekday means the one just gone
        ("last mon", date(2026, 11, 16)),
        ("昨天", date(2026, 11, 22)),
    ],
)
def test_parse_day(text: str, expected: date, now: datetime) -> None:
    assert parse_day(text, now) == expected


@pytest.mark.parametrize("hour", [0, 8, 9, 10, 23])
def test_parse_day_weekday_does_not_depend_on_the_hour(hour: int) -> None:
    monday = local(2026, 11, 23, hour)
    assert parse_day("mon", monday) == date(2026, 11, 23)
    assert parse_day("last mon", monday) == date(2026, 11, 16)
    assert parse_day("sun", monday) == date(2026, 11, 22)
    assert parse_day("tue", monday) == date(2026, 11, 17)
    assert parse_day("next mon", monday) == date(2026, 11, 30)


def test_parse_day_is_local(now: datetime) -> None:
    # 00:30 on the 24th in Shanghai is 16:30 on the 23rd in UTC: the local calendar decides.
    late = local(2026, 11, 24, 0, 30)
    assert parse_day("today", late) == date(2026, 11, 24)


@pytest.mark.parametrize("text", ["", "soon", "2026-13-40", "2026-02-30", "9", "16/11/2026"])
def test_parse_day_refuses_garbage_with_examples(text: str, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="2026-11-16"):
        parse_day(text, now)


# --- parse_duration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4m30s", 270),
        ("4m 30s", 270),
        ("90s", 90),
        ("1h", 3600),
        ("1h2m3s", 3723),
        ("2m", 120),
        ("4:30", 270),
        ("04:05", 245),
        ("1:02:03", 3723),
        ("270", 270),
        ("0", 0),
        (" 45 ", 45),
        ("24h", 86400),
        ("24:00:00", 86400),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    ["", "abc", "4x", "-5", "4:60", "1:60:00", "4m30", "h", "1.5h", "25h", "24h1s", "86401", "24:00:01", "²",
     "9" * 30],
)  # fmt: skip
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(InvalidInput, match="4m30s"):
        parse_duration(text)


# --- fmt_span -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=48), "48m"),
        (timedelta(hours=4, minutes=12), "4h12m"),
        (timedelta(hours=4, minutes=5), "4h05m"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=3, hours=4, minutes=59), "3d4h"),
        (timedelta(days=3), "3d"),
        (timedelta(seconds=59), "0m"),
        (timedelta(minutes=-48), "48m"),
        (-timedelta(days=1, hours=2), "1d2h"),
    ],
)
def test_fmt_span(delta: timedelta, text: str) -> None:
    assert fmt_span(delta) == text


# --- clock_now ------------------------------------------------------------------------------


def test_clock_now_unset_is_the_real_clock() -> None:
    before = datetime.now(UTC)
    got = clock_now({})
    after = datetime.now(UTC)
    assert before <= got <= after
    assert got.utcoffset() == timedelta(0)


def test_clock_now_empty_value_is_the_real_clock() -> None:
    before = datetime.now(UTC)
    assert before <= clock_now({"SALESDESK_NOW": ""}) <= datetime.now(UTC)


def test_clock_now_replays_a_fixed_time() -> None:
    assert clock_now({"SALESDESK_NOW": "2026-11-23T09:30+08:00"}) == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    # Naive means local time (Asia/Shanghai in the suite).
    assert clock_now({"SALESDESK_NOW": " 2026-11-23T09:30 "}) == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def test_clock_now_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", "2026-01-02T03:04:05Z")
    assert clock_now() == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("value", ["soon", "2026-13-01T00:00", "9999-12-31T23:59:59-10:00"])
def test_clock_now_invalid_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(InvalidInput, match="SALESDESK_NOW"):
        clock_now({"SALESDESK_NOW": value})


# --- properties -----------------------------------------------------------------------------

_fixed_offsets = st.integers(min_value=-(24 * 3600 - 1), max_value=24 * 3600 - 1).map(
    lambda s: timezone(timedelta(seconds=s))
)
_aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 12, 31, 23, 59, 59),
    timezones=st.one_of(st.just(UTC), st.timezones(), _fixed_offsets),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dt=_aware)
def test_iso_round_trip(dt: datetime) -> None:
    got = parse_when(dt.isoformat(), NOW)
    # Compare in UTC: an aware == between zones is False for times in a DST fold or gap.
    assert got == dt.astimezone(UTC)
    assert got.tzinfo == UTC


_TOKENS = ["now", "today", "tomorrow", "yesterday", "明天", "next", "last", "tue", "mon", "in", "ago", "3",
           "9am", "13pm", "14:30", "25:00", "noon", "+2d", "-90m", "h", "days", "2026-11-23", "T14:30", "+08:00",
           "pm", " ", "99999999999999999999"]  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_TOKENS), max_size=5).map(" ".join)),
    prefer=st.sampled_from(["past", "future"]),
)
def test_parse_when_returns_aware_or_invalid_input(text: str, prefer: str) -> None:
    try:
        got = parse_when(text, NOW, prefer=prefer)  # type: ignore[arg-type]
    except InvalidInput:
        return
    assert got.tzinfo is not None
    assert got.utcoffset() == timedelta(0)
