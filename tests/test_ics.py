"""ics: the exported calendar, parsed back with the icalendar library, and its raw RFC 5545 form."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import Engine

from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput
from salesdesk.ics import export, local_zone
from salesdesk.services import blocks

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
# Every character RFC 5545 escapes in TEXT, and Chinese, which folding must not cut in half.
TITLE = r"Calls, then; more \ calls: 电话销售时间 " + "长" * 30


def sh(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def _blocks(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        series = blocks.add_block(
            s, now, start=sh(24, 9), minutes=90, repeat="weekdays", goal_dials=25, goal_meetings=5, title=TITLE
        )
        blocks.remove(s, series.id, date(2026, 11, 26))  # type: ignore[arg-type]
        blocks.add_block(s, now, start=sh(28, 10), minutes=45, protect=False)


def _export(engine: Engine, now: datetime, first: date | None = None, last: date | None = None) -> tuple[bytes, int]:
    with read_session(engine) as s:
        return export(s, now, first, last)


def _events(data: bytes) -> list:  # type: ignore[type-arg]
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_blocks_export_as_events_with_rrule_and_exdate(engine: Engine, now: datetime) -> None:
    _blocks(engine, now)
    data, count = _export(engine, now)
    calendar = Calendar.from_ical(data)
    assert count == 2 and calendar["VERSION"] == "2.0" and calendar["PRODID"].startswith("-//salesdesk//")
    series, single = _events(data)
    assert str(series["SUMMARY"]) == TITLE
    assert series.decoded("DTSTART") == sh(24, 9) and series["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert series.decoded("DTEND") == sh(24, 10, 30)
    assert dict(series["RRULE"]) == {"FREQ": ["WEEKLY"], "BYDAY": ["MO", "TU", "WE", "TH", "FR"]}
    assert [d.dt for d in series["EXDATE"].dts] == [sh(26, 9)]
    assert "Goal: 25 dials, 5 meetings." in str(series["DESCRIPTION"])
    assert "RRULE" not in single and "EXDATE" not in single and "Protected" not in str(single["DESCRIPTION"])
    assert single.decoded("DTEND") - single.decoded("DTSTART") == timedelta(minutes=45)
    assert series["UID"] != single["UID"] and {"DTSTAMP", "CREATED"} <= set(series)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_the_file_is_crlf_folded_at_75_octets_and_escaped(engine: Engine, now: datetime) -> None:
    _blocks(engine, now)
    data, _ = _export(engine, now)
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
    assert "SUMMARY:Calls\\, then\\; more \\\\ calls: 电话销售时间" in unfolded
    assert "\\n" in unfolded.split("DESCRIPTION:")[1].split("\r\n")[0]  # the description's line breaks
    assert "\n" in str(_events(data)[0]["DESCRIPTION"])


def test_the_same_blocks_export_to_the_same_uids(engine: Engine, now: datetime) -> None:
    _blocks(engine, now)
    first = [str(e["UID"]) for e in _events(_export(engine, now)[0])]
    again = [str(e["UID"]) for e in _events(_export(engine, now + timedelta(days=1))[0])]
    assert first == again  # a re-import updates the events instead of duplicating them


def test_a_range_exports_each_occurrence(engine: Engine, now: datetime) -> None:
    _blocks(engine, now)
    data, count = _export(engine, now, date(2026, 11, 23), date(2026, 11, 29))
    events = _events(data)
    # Tue, Wed, (Thu removed), Fri of the series, and the Saturday block.
    assert count == 4 and [e.decoded("DTSTART") for e in events] == [sh(24, 9), sh(25, 9), sh(27, 9), sh(28, 10)]
    assert all("RRULE" not in e for e in events) and len({str(e["UID"]) for e in events}) == 4


def test_dst_zone_gets_both_rules_and_until_in_utc(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    now = datetime(2026, 10, 28, 12, tzinfo=NY)
    with write_session(engine) as s:
        blocks.add_block(
            s, now, start=datetime(2026, 10, 30, 9, tzinfo=NY), minutes=60, repeat="FREQ=DAILY;UNTIL=20261231"
        )
    data, _ = _export(engine, now)
    (event,) = _events(data)
    assert event["DTSTART"].params["TZID"] == "America/New_York" and event.decoded("DTSTART").hour == 9
    until = event["RRULE"]["UNTIL"][0]
    assert until == datetime(2027, 1, 1, 4, 59, 59, tzinfo=until.tzinfo) and until.utcoffset() == timedelta(0)
    (zone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_without_a_zone_name_a_series_is_refused_and_a_range_is_in_utc(
    engine: Engine, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _blocks(engine, now)
    monkeypatch.setenv("TZ", "CST-8")  # a POSIX rule: the same offset, but no name for a TZID
    assert local_zone() is None
    with pytest.raises(InvalidInput, match="set TZ"):
        _export(engine, now)
    data, _ = _export(engine, now, date(2026, 11, 24), date(2026, 11, 24))
    assert b"DTSTART:20261124T010000Z" in data and b"VTIMEZONE" not in data


def test_an_empty_calendar_is_still_valid(engine: Engine, now: datetime) -> None:
    data, count = _export(engine, now)
    assert count == 0 and Calendar.from_ical(data)["VERSION"] == "2.0"
