"""services.touches: logging calls and other touches, follow-ups they meet, and daily counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from salesdesk.config import Config
from salesdesk.dates import local_day_bounds
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput
from salesdesk.models import FollowUp, Lead, Touch
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import (
    day_activity,
    log_call,
    log_touch,
    open_followups,
    timeline,
    touches_between,
)

SH = ZoneInfo("Asia/Shanghai")


def sh(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A Shanghai wall-clock time in November 2026 (the suite's TZ)."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def lead_id(engine: Engine, now: datetime) -> int:
    with write_session(engine) as s:
        return add_lead(s, now, name="Li Na", created_at=now - timedelta(days=30)).id  # type: ignore[return-value]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


def _lead(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    assert lead is not None
    return lead


def _rows(engine: Engine, model: type) -> int:
    with read_session(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


# --- log_call ----------------------------------------------------------------------------------


def test_log_call_stores_the_call(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    at = now - timedelta(minutes=20)
    touch = log_call(
        session, config, lead, now, outcome=" Connected ", at=at, duration_s=270,
        note="asked for pricing", benefit="sent the benchmark", objection="No_Money",
    )  # fmt: skip
    session.flush()
    stored = session.get(Touch, touch.id)
    assert stored is not None
    assert (stored.lead_id, stored.channel, stored.outcome, stored.connected) == (lead_id, "call", "connected", True)
    assert (stored.at, stored.recorded_at, stored.duration_s) == (at, now, 270)
    assert (stored.note, stored.benefit, stored.objection) == ("asked for pricing", "sent the benchmark", "no_money")
    assert (lead.status, lead.updated_at) == ("working", now)


@pytest.mark.parametrize(
    ("outcome", "connected"),
    [("no_answer", False), ("voicemail", False), ("bad_number", False), ("meeting_booked", True), ("referred", True)],
)
def test_connected_flag_comes_from_the_outcome(
    session: Session, config: Config, lead_id: int, now: datetime, outcome: str, connected: bool
) -> None:
    touch = log_call(session, config, _lead(session, lead_id), now, outcome=outcome)
    assert touch.connected is connected
    assert touch.at == now


def test_connected_flag_follows_a_configured_outcome(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    custom = replace(
        config, outcomes={**config.outcomes, "voicemail": replace(config.outcome("voicemail"), connected=True)}
    )
    assert log_call(session, custom, _lead(session, lead_id), now, outcome="voicemail").connected is True


def test_status_moves_from_new_to_working_only(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    assert lead.status == "new"
    log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(hours=2))
    assert lead.status == "working"
    lead.status = "won"
    log_call(session, config, lead, now, outcome="connected")
    assert lead.status == "won"  # a touch never reopens a closed lead


def test_callback_without_next_is_refused_and_nothing_written(
    engine: Engine, config: Config, lead_id: int, now: datetime
) -> None:
    with pytest.raises(InvalidInput, match="--next"), write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="callback", note="call me later")
    assert _rows(engine, Touch) == 0
    assert _rows(engine, FollowUp) == 0
    with read_session(engine) as s:
        assert _lead(s, lead_id).status == "new"


def test_next_at_schedules_a_call(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    due = sh(24, 10)
    touch = log_call(session, config, lead, now, outcome="callback", next_at=due, note="after the board meeting")
    session.flush()
    (followup,) = open_followups(session, lead_id)
    assert (followup.channel, followup.rule, followup.due_at) == ("call", "scheduled", due)
    assert (followup.source_touch_id, followup.created_at, followup.done_at) == (touch.id, now, None)
    assert followup.note == "after the board meeting"


def test_next_at_later_today_is_not_met_by_the_call_that_set_it(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    log_call(session, config, _lead(session, lead_id), now, outcome="callback", next_at=now + timedelta(hours=2))
    session.flush()
    assert len(open_followups(session, lead_id)) == 1


@pytest.mark.parametrize("offset", [timedelta(0), -timedelta(minutes=1)])
def test_next_at_not_after_the_call_is_refused(
    engine: Engine, config: Config, lead_id: int, now: datetime, offset: timedelta
) -> None:
    at = now - timedelta(hours=1)
    with pytest.raises(InvalidInput, match="--next"), write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="connected", at=at, next_at=at + offset)
    assert _rows(engine, Touch) == 0 and _rows(engine, FollowUp) == 0


def test_call_in_the_future_is_refused(engine: Engine, config: Config, lead_id: int, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="future"), write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="no_answer", at=now + timedelta(minutes=5, seconds=1))
    assert _rows(engine, Touch) == 0


def test_call_within_the_clock_slack_is_accepted(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    touch = log_call(session, config, _lead(session, lead_id), now, outcome="no_answer", at=now + timedelta(minutes=5))
    assert touch.at == now + timedelta(minutes=5)


def test_unknown_outcome_lists_valid_outcomes(engine: Engine, config: Config, lead_id: int, now: datetime) -> None:
    with pytest.raises(InvalidInput) as info, write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="maybe")
    assert "maybe" in str(info.value)
    assert all(name in str(info.value) for name in config.outcomes)
    assert _rows(engine, Touch) == 0


@pytest.mark.parametrize("seconds", [-1, 24 * 3600 + 1])
def test_impossible_duration_is_refused(
    engine: Engine, config: Config, lead_id: int, now: datetime, seconds: int
) -> None:
    with pytest.raises(InvalidInput, match="24 hours"), write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="connected", duration_s=seconds)
    assert _rows(engine, Touch) == 0


def test_bad_objection_key_is_refused(engine: Engine, config: Config, lead_id: int, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="objection"), write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="connected", objection="no money!")
    assert _rows(engine, Touch) == 0


# --- log_touch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["email", "WeChat", "visit"])
def test_log_touch_on_other_channels(session: Session, lead_id: int, now: datetime, channel: str) -> None:
    lead = _lead(session, lead_id)
    touch = log_touch(session, lead, now, channel=channel, note="sent the deck", benefit="case study",
                      at=now - timedelta(hours=1))  # fmt: skip
    session.flush()
    stored = session.get(Touch, touch.id)
    assert stored is not None
    assert (stored.channel, stored.outcome, stored.connected) == (channel.lower(), None, True)
    assert (stored.note, stored.benefit, stored.at) == ("sent the deck", "case study", now - timedelta(hours=1))
    assert lead.status == "working"


@pytest.mark.parametrize(("channel", "message"), [("call", "log-call"), ("fax", "email"), ("", "channel")])
def test_log_touch_refuses_calls_and_unknown_channels(
    engine: Engine, lead_id: int, now: datetime, channel: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message), write_session(engine) as s:
        log_touch(s, _lead(s, lead_id), now, channel=channel)
    assert _rows(engine, Touch) == 0


def test_log_touch_in_the_future_is_refused(engine: Engine, lead_id: int, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="future"), write_session(engine) as s:
        log_touch(s, _lead(s, lead_id), now, channel="email", at=now + timedelta(hours=1))
    assert _rows(engine, Touch) == 0


# --- follow-ups met by a touch -------------------------------------------------------------------


def _followup(session: Session, lead_id: int, channel: str, due: datetime, now: datetime) -> int:
    followup = FollowUp(
        lead_id=lead_id, channel=channel, due_at=due, rule="scheduled", created_at=now - timedelta(days=5)
    )
    session.add(followup)
    session.flush()
    return followup.id  # type: ignore[return-value]


def test_touch_meets_followups_due_by_the_end_of_its_local_day(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    other_id = add_lead(session, now, name="Wang Wei", created_at=now - timedelta(days=30)).id
    assert other_id is not None
    ids = {
        "overdue": _followup(session, lead_id, "call", sh(20, 10), now),
        "this morning": _followup(session, lead_id, "call", sh(23, 10), now),
        "tonight": _followup(session, lead_id, "call", sh(23, 23, 59), now),
        "tomorrow": _followup(session, lead_id, "call", sh(24, 0, 1), now),
        "email today": _followup(session, lead_id, "email", sh(23, 9), now),
        "other lead": _followup(session, other_id, "call", sh(23, 9), now),
    }
    touch = log_call(session, config, _lead(session, lead_id), now, outcome="no_answer")
    session.flush()
    session.expire_all()

    def done(key: str) -> tuple[datetime | None, int | None]:
        followup = session.get(FollowUp, ids[key])
        assert followup is not None
        return followup.done_at, followup.done_touch_id

    for key in ("overdue", "this morning", "tonight"):
        assert done(key) == (now, touch.id), key
    for key in ("tomorrow", "email today", "other lead"):
        assert done(key) == (None, None), key

    email = log_touch(session, _lead(session, lead_id), now, channel="email")
    session.flush()
    session.expire_all()
    assert done("email today") == (now, email.id)
    assert done("tomorrow") == (None, None)


def test_day_end_is_local_midnight(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    # Local midnight between the 22nd and the 23rd is 16:00 UTC on the 22nd.
    before_midnight = _followup(session, lead_id, "call", datetime(2026, 11, 22, 15, 59, 30, tzinfo=UTC), now)
    after_midnight = _followup(session, lead_id, "call", datetime(2026, 11, 22, 16, 0, 30, tzinfo=UTC), now)
    log_call(session, config, _lead(session, lead_id), now, outcome="no_answer", at=sh(22, 23, 59))
    session.flush()
    assert [f.id for f in open_followups(session, lead_id)] == [after_midnight]
    assert before_midnight != after_midnight


# --- timeline and touches_between ------------------------------------------------------------------


def test_timeline_is_newest_first(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    # Entered out of order: the timeline follows when they happened.
    second = log_call(session, config, lead, now, outcome="no_answer", at=sh(20, 10))
    first = log_touch(session, lead, now, channel="email", at=sh(19, 9))
    third = log_call(session, config, lead, now, outcome="connected", at=sh(23, 11))
    session.flush()
    assert [t.id for t in timeline(session, lead_id)] == [third.id, second.id, first.id]
    assert [t.id for t in timeline(session, lead_id, limit=2)] == [third.id, second.id]
    assert timeline(session, lead_id + 1) == []


def test_touches_between_names_the_lead(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    log_call(session, config, lead, now, outcome="no_answer", at=sh(22, 10))
    late = log_call(session, config, lead, now, outcome="busy", at=sh(23, 10))
    log_call(session, config, lead, now, outcome="busy", at=sh(21, 10))
    session.flush()
    start, end = local_day_bounds(date(2026, 11, 22))
    got = touches_between(session, start, end + timedelta(days=1))
    assert [(t.at, name) for t, name in got] == [(late.at, "Li Na"), (sh(22, 10), "Li Na")]


# --- day_activity -----------------------------------------------------------------------------------


@pytest.fixture
def activity(engine: Engine, config: Config, now: datetime) -> None:
    """Touches and arrivals on both sides of local midnight, 21st/22nd and 22nd/23rd."""
    with write_session(engine) as s:
        old = add_lead(s, now, name="Old Lead", created_at=sh(10, 9))
        late_21 = add_lead(s, now, name="Late Arrival", created_at=sh(21, 23, 59))
        early_22 = add_lead(s, now, name="Early Arrival", created_at=sh(22, 0, 1))
        log_call(s, config, old, now, outcome="connected", at=sh(21, 23, 59))
        log_call(s, config, old, now, outcome="no_answer", at=sh(22, 0, 1))
        log_call(s, config, late_21, now, outcome="connected", at=sh(22, 10))
        log_call(s, config, late_21, now, outcome="meeting_booked", at=sh(22, 11))
        log_touch(s, early_22, now, channel="email", at=sh(22, 12))
        log_call(s, config, early_22, now, outcome="busy", at=sh(22, 23, 59))
        log_touch(s, old, now, channel="wechat", at=sh(23, 0, 1))


@pytest.mark.usefixtures("activity")
def test_day_activity_counts_one_local_day(engine: Engine, config: Config) -> None:
    with read_session(engine) as s:
        day = day_activity(s, config, *local_day_bounds(date(2026, 11, 22)))
    assert (day.dials, day.connects, day.meetings_booked, day.other_touches, day.new_leads) == (4, 2, 1, 1, 1)
    assert day.connect_rate == 0.5
    assert day.meeting_rate == 0.5


@pytest.mark.usefixtures("activity")
def test_day_activity_the_day_before(engine: Engine, config: Config) -> None:
    with read_session(engine) as s:
        day = day_activity(s, config, *local_day_bounds(date(2026, 11, 21)))
    assert (day.dials, day.connects, day.meetings_booked, day.other_touches, day.new_leads) == (1, 1, 0, 0, 1)
    assert (day.connect_rate, day.meeting_rate) == (1.0, 0.0)


@pytest.mark.usefixtures("activity")
def test_day_activity_rates_are_none_without_dials(engine: Engine, config: Config) -> None:
    with read_session(engine) as s:
        day = day_activity(s, config, *local_day_bounds(date(2026, 11, 23)))
        empty = day_activity(s, config, *local_day_bounds(date(2026, 11, 15)))
    assert (day.dials, day.connects, day.meetings_booked, day.other_touches, day.new_leads) == (0, 0, 0, 1, 0)
    assert (day.connect_rate, day.meeting_rate) == (None, None)
    assert (empty.dials, empty.other_touches, empty.new_leads, empty.connect_rate) == (0, 0, 0, None)


@pytest.mark.usefixtures("activity")
def test_day_activity_over_a_range(engine: Engine, config: Config) -> None:
    start, _ = local_day_bounds(date(2026, 11, 21))
    _, end = local_day_bounds(date(2026, 11, 23))
    with read_session(engine) as s:
        span = day_activity(s, config, start, end)
    assert (span.dials, span.connects, span.meetings_booked, span.other_touches, span.new_leads) == (5, 3, 1, 2, 2)


def test_meetings_count_by_the_flag_recorded_when_logged(engine: Engine, config: Config, now: datetime) -> None:
    # A config that made "referred" a meeting at the time...
    then = replace(config, outcomes={**config.outcomes, "referred": replace(config.outcome("referred"), meeting=True)})
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Li Na", created_at=now - timedelta(days=3))
        log_call(s, then, lead, now, outcome="referred", at=sh(22, 10))
        log_call(s, config, lead, now, outcome="referred", at=sh(22, 11))
    # ...still counts one meeting after the flag is gone, and editing the config again
    # does not turn the second referral into a meeting.
    with read_session(engine) as s:
        day = day_activity(s, config, *local_day_bounds(date(2026, 11, 22)))
        again = day_activity(s, then, *local_day_bounds(date(2026, 11, 22)))
    assert (day.dials, day.connects, day.meetings_booked) == (2, 2, 1)
    assert again.meetings_booked == 1
