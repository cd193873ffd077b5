"""services.touches: logging calls and other touches, follow-ups they meet, and daily counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from salesdesk.config import CHANNELS, Config
from salesdesk.dates import local_day_bounds
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import FollowUp, Lead, Touch
from salesdesk.rules import Rules
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import (
    Logged,
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
    ).touch  # fmt: skip
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
    meeting_at = now + timedelta(days=1) if outcome == "meeting_booked" else None
    lead = _lead(session, lead_id)
    touch = log_call(session, config, lead, now, outcome=outcome, benefit="case study", meeting_at=meeting_at).touch
    assert touch.connected is connected
    assert touch.at == now


def test_connected_flag_follows_a_configured_outcome(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    custom = replace(
        config, outcomes={**config.outcomes, "voicemail": replace(config.outcome("voicemail"), connected=True)}
    )
    logged = log_call(session, custom, _lead(session, lead_id), now, outcome="voicemail", benefit="case study")
    assert logged.touch.connected is True


def test_status_moves_from_new_to_working_only(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    assert lead.status == "new"
    log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(hours=2))
    assert lead.status == "working"
    lead.status = "won"
    log_call(session, config, lead, now, outcome="connected", benefit="case study")
    assert lead.status == "won"  # a touch never reopens a closed lead


def test_callback_without_next_is_refused_and_nothing_written(
    engine: Engine, config: Config, lead_id: int, now: datetime
) -> None:
    with (
        pytest.raises(InvalidInput, match="callback needs the time of the next call") as info,
        write_session(engine) as s,
    ):
        log_call(s, config, _lead(s, lead_id), now, outcome="callback", note="call me later", benefit="deck")
    assert info.value.field == "next"
    assert _rows(engine, Touch) == 0
    assert _rows(engine, FollowUp) == 0
    with read_session(engine) as s:
        assert _lead(s, lead_id).status == "new"


def test_next_at_schedules_a_call(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    due = sh(24, 10)
    touch = log_call(
        session, config, lead, now, outcome="callback", next_at=due, note="after the board meeting", benefit="deck"
    ).touch
    session.flush()
    (followup,) = open_followups(session, lead_id)
    assert (followup.channel, followup.rule, followup.due_at) == ("call", "scheduled", due)
    assert (followup.source_touch_id, followup.created_at, followup.done_at) == (touch.id, now, None)
    assert followup.note == "after the board meeting"


def test_next_at_later_today_is_not_met_by_the_call_that_set_it(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    lead = _lead(session, lead_id)
    log_call(session, config, lead, now, outcome="callback", next_at=now + timedelta(hours=2), benefit="deck")
    session.flush()
    assert len(open_followups(session, lead_id)) == 1


@pytest.mark.parametrize("offset", [timedelta(0), -timedelta(minutes=1)])
def test_next_at_not_after_the_call_is_refused(
    engine: Engine, config: Config, lead_id: int, now: datetime, offset: timedelta
) -> None:
    at = now - timedelta(hours=1)
    with pytest.raises(InvalidInput, match="next call must be later") as info, write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="connected", at=at, next_at=at + offset, benefit="deck")
    assert info.value.field == "next"
    assert _rows(engine, Touch) == 0 and _rows(engine, FollowUp) == 0


def test_call_in_the_future_is_refused(engine: Engine, config: Config, lead_id: int, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="future"), write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="no_answer", at=now + timedelta(minutes=5, seconds=1))
    assert _rows(engine, Touch) == 0


def test_call_within_the_clock_slack_is_accepted(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    logged = log_call(session, config, _lead(session, lead_id), now, outcome="no_answer", at=now + timedelta(minutes=5))
    assert logged.touch.at == now + timedelta(minutes=5)


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
        log_call(s, config, _lead(s, lead_id), now, outcome="connected", duration_s=seconds, benefit="deck")
    assert _rows(engine, Touch) == 0


def test_bad_objection_key_is_refused(engine: Engine, config: Config, lead_id: int, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="objection"), write_session(engine) as s:
        log_call(s, config, _lead(s, lead_id), now, outcome="connected", objection="no money!", benefit="deck")
    assert _rows(engine, Touch) == 0


# --- log_touch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["email", "WeChat", "visit"])
def test_log_touch_on_other_channels(
    session: Session, config: Config, lead_id: int, now: datetime, channel: str
) -> None:
    lead = _lead(session, lead_id)
    touch = log_touch(session, config, lead, now, channel=channel, note="sent the deck", benefit="case study",
                      at=now - timedelta(hours=1)).touch  # fmt: skip
    session.flush()
    stored = session.get(Touch, touch.id)
    assert stored is not None
    assert (stored.channel, stored.outcome, stored.connected) == (channel.lower(), None, True)
    assert (stored.note, stored.benefit, stored.at) == ("sent the deck", "case study", now - timedelta(hours=1))
    assert lead.status == "working"


@pytest.mark.parametrize(("channel", "message"), [("call", "log-call"), ("fax", "email"), ("", "channel")])
def test_log_touch_refuses_calls_and_unknown_channels(
    engine: Engine, config: Config, lead_id: int, now: datetime, channel: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message), write_session(engine) as s:
        log_touch(s, config, _lead(s, lead_id), now, channel=channel, benefit="deck")
    assert _rows(engine, Touch) == 0


def test_log_touch_in_the_future_is_refused(engine: Engine, config: Config, lead_id: int, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="future"), write_session(engine) as s:
        log_touch(s, config, _lead(s, lead_id), now, channel="email", at=now + timedelta(hours=1), benefit="deck")
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
    touch = log_call(session, config, _lead(session, lead_id), now, outcome="no_answer").touch
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

    email = log_touch(session, config, _lead(session, lead_id), now, channel="email", benefit="deck").touch
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
    # (The failed call also opens its wechat and email fallbacks; only calls are at issue here.)
    assert [f.id for f in open_followups(session, lead_id) if f.channel == "call"] == [after_midnight]
    assert before_midnight != after_midnight


# --- timeline and touches_between ------------------------------------------------------------------


def test_timeline_is_newest_first(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    # Entered out of order: the timeline follows when they happened.
    second = log_call(session, config, lead, now, outcome="no_answer", at=sh(20, 10)).touch
    first = log_touch(session, config, lead, now, channel="email", at=sh(19, 9), benefit="deck").touch
    third = log_call(session, config, lead, now, outcome="connected", at=sh(23, 11), benefit="deck").touch
    session.flush()
    assert [t.id for t in timeline(session, lead_id)] == [third.id, second.id, first.id]
    assert [t.id for t in timeline(session, lead_id, limit=2)] == [third.id, second.id]
    assert timeline(session, lead_id + 1) == []


def test_touches_between_names_the_lead(session: Session, config: Config, lead_id: int, now: datetime) -> None:
    lead = _lead(session, lead_id)
    log_call(session, config, lead, now, outcome="no_answer", at=sh(22, 10))
    late = log_call(session, config, lead, now, outcome="busy", at=sh(23, 10)).touch
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
        log_call(s, config, old, now, outcome="connected", at=sh(21, 23, 59), benefit="deck")
        log_call(s, config, old, now, outcome="no_answer", at=sh(22, 0, 1))
        log_call(s, config, late_21, now, outcome="connected", at=sh(22, 10), benefit="deck")
        log_call(
            s, config, late_21, now, outcome="meeting_booked", at=sh(22, 11), benefit="deck", meeting_at=sh(25, 10)
        )
        log_touch(s, config, early_22, now, channel="email", at=sh(22, 12), benefit="deck")
        log_call(s, config, early_22, now, outcome="busy", at=sh(22, 23, 59))
        log_touch(s, config, old, now, channel="wechat", at=sh(23, 0, 1), benefit="deck")


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
        log_call(s, then, lead, now, outcome="referred", at=sh(22, 10), benefit="deck", meeting_at=sh(24, 10))
        log_call(s, config, lead, now, outcome="referred", at=sh(22, 11), benefit="deck")
    # ...still counts one meeting after the flag is gone, and editing the config again
    # does not turn the second referral into a meeting.
    with read_session(engine) as s:
        day = day_activity(s, config, *local_day_bounds(date(2026, 11, 22)))
        again = day_activity(s, then, *local_day_bounds(date(2026, 11, 22)))
    assert (day.dials, day.connects, day.meetings_booked) == (2, 2, 1)
    assert again.meetings_booked == 1


# --- the benefit rule (METHOD.md §4 rule 3) ---------------------------------------------------------

# (channel, outcome) of touches that reach the customer, and of touches that don't.
REACHED = [("call", "connected"), ("call", "meeting_booked"), ("email", None), ("wechat", None), ("visit", None)]
NOT_REACHED = [("call", "no_answer"), ("call", "bad_number"), ("other", None)]


def _log(
    session: Session, config: Config, lead: Lead, now: datetime, channel: str, outcome: str | None, **kw: object
) -> Logged:
    if channel == "call":
        if outcome == "meeting_booked":
            kw.setdefault("meeting_at", now + timedelta(days=1))  # a booked meeting has its time
        return log_call(session, config, lead, now, outcome=outcome, **kw)  # type: ignore[arg-type]
    return log_touch(session, config, lead, now, channel=channel, **kw)  # type: ignore[arg-type]


def _benefit(mode: str) -> Config:
    return Config(rules=Rules(benefit=mode))  # type: ignore[arg-type]


@pytest.mark.parametrize(("channel", "outcome"), REACHED)
@pytest.mark.parametrize("benefit", [None, "", "   "])
def test_require_refuses_a_reached_touch_without_benefit_and_writes_nothing(
    engine: Engine, lead_id: int, now: datetime, channel: str, outcome: str | None, benefit: str | None
) -> None:
    with pytest.raises(Refused) as info, write_session(engine) as s:
        _log(s, _benefit("require"), _lead(s, lead_id), now, channel, outcome, benefit=benefit)
    message = str(info.value)
    assert info.value.exit_code == 1  # refused by a rule, as the README's exit codes say
    assert "every touch offers a benefit" in message and "rules.benefit = require" in message
    assert "needs a benefit" in message and info.value.field == "benefit"
    assert (channel in message) if channel != "call" else ("a connected call" in message)
    assert _rows(engine, Touch) == 0 and _rows(engine, FollowUp) == 0
    with read_session(engine) as s:
        assert _lead(s, lead_id).status == "new"


@pytest.mark.parametrize(("channel", "outcome"), REACHED)
def test_warn_logs_a_reached_touch_without_benefit_with_a_warning(
    engine: Engine, lead_id: int, now: datetime, channel: str, outcome: str | None
) -> None:
    with write_session(engine) as s:
        logged = _log(s, _benefit("warn"), _lead(s, lead_id), now, channel, outcome)
    (warning,) = logged.warnings
    assert "every touch offers a benefit" in warning and "rules.benefit = warn" in warning
    assert (logged.touch.channel, logged.touch.benefit) == (channel, None)
    assert _rows(engine, Touch) == 1


@pytest.mark.parametrize(("channel", "outcome"), REACHED + NOT_REACHED)
def test_off_logs_any_touch_without_benefit_silently(
    engine: Engine, lead_id: int, now: datetime, channel: str, outcome: str | None
) -> None:
    with write_session(engine) as s:
        logged = _log(s, _benefit("off"), _lead(s, lead_id), now, channel, outcome)
    assert logged.warnings == []
    assert _rows(engine, Touch) == 1


@pytest.mark.parametrize("mode", ["require", "warn"])
@pytest.mark.parametrize(("channel", "outcome"), NOT_REACHED)
def test_a_touch_that_reached_nobody_never_needs_a_benefit(
    engine: Engine, lead_id: int, now: datetime, mode: str, channel: str, outcome: str | None
) -> None:
    with write_session(engine) as s:
        logged = _log(s, _benefit(mode), _lead(s, lead_id), now, channel, outcome)
    assert logged.warnings == []
    assert (logged.touch.connected, _rows(engine, Touch)) == (False, 1)  # "other" reached nobody either


@pytest.mark.parametrize("mode", ["require", "warn", "off"])
@pytest.mark.parametrize(("channel", "outcome"), REACHED)
def test_a_touch_with_a_benefit_passes_in_every_mode(
    engine: Engine, lead_id: int, now: datetime, mode: str, channel: str, outcome: str | None
) -> None:
    with write_session(engine) as s:
        logged = _log(s, _benefit(mode), _lead(s, lead_id), now, channel, outcome, benefit=" industry report ")
    assert (logged.warnings, logged.touch.benefit) == ([], "industry report")


# --- fallbacks after a call that doesn't get through (METHOD.md §4 rule 4) ----------------------------


def _open(session: Session, lead_id: int) -> dict[str, FollowUp]:
    session.flush()
    followups = open_followups(session, lead_id)
    assert len({f.channel for f in followups}) == len(followups), "two open follow-ups on one channel"
    return {f.channel: f for f in followups}


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "voicemail", "gatekeeper", "bad_number"])
def test_a_failed_call_opens_wechat_and_email_due_at_the_call(
    session: Session, config: Config, lead_id: int, now: datetime, outcome: str
) -> None:
    at = now - timedelta(hours=3)
    logged = log_call(session, config, _lead(session, lead_id), now, outcome=outcome, at=at)
    opened = _open(session, lead_id)
    assert list(opened) == ["wechat", "email"]
    assert [f.channel for f in logged.followups] == ["wechat", "email"]
    for followup in opened.values():
        assert (followup.rule, followup.due_at, followup.source_touch_id) == ("fallback", at, logged.touch.id)
        assert (followup.created_at, followup.done_at, followup.done_touch_id) == (now, None, None)


def test_a_second_failed_call_does_not_duplicate_open_fallbacks(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    lead = _lead(session, lead_id)
    first = log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(hours=3))
    second = log_call(session, config, lead, now, outcome="busy", at=now - timedelta(hours=1))
    assert second.followups == []
    opened = _open(session, lead_id)
    assert {f.source_touch_id for f in opened.values()} == {first.touch.id}
    assert session.execute(select(func.count()).select_from(FollowUp)).scalar_one() == 2


def test_only_the_channels_without_an_open_fallback_are_reopened(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    lead = _lead(session, lead_id)
    log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(hours=3))
    log_touch(session, config, lead, now, channel="wechat", benefit="deck", at=now - timedelta(hours=2))
    again = log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(hours=1))
    assert [f.channel for f in again.followups] == ["wechat"]
    assert _open(session, lead_id)["wechat"].source_touch_id == again.touch.id
    assert session.execute(select(func.count()).select_from(FollowUp)).scalar_one() == 3


@pytest.mark.parametrize("outcome", ["connected", "meeting_booked", "not_interested", "do_not_call"])
def test_a_connected_call_opens_no_fallback(
    session: Session, config: Config, lead_id: int, now: datetime, outcome: str
) -> None:
    meeting_at = now + timedelta(days=1) if outcome == "meeting_booked" else None
    logged = log_call(
        session, config, _lead(session, lead_id), now, outcome=outcome, benefit="deck", meeting_at=meeting_at
    )
    assert logged.followups == []
    assert _open(session, lead_id) == {}


def test_a_callback_opens_only_the_scheduled_call(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    logged = log_call(
        session, config, _lead(session, lead_id), now, outcome="callback", next_at=sh(24, 10), benefit="deck"
    )
    assert [(f.channel, f.rule) for f in logged.followups] == [("call", "scheduled")]


def test_a_wechat_touch_completes_the_wechat_fallback_only(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    lead = _lead(session, lead_id)
    log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(hours=3))
    fallbacks = _open(session, lead_id)
    wechat = log_touch(session, config, lead, now, channel="wechat", benefit="white paper", at=now - timedelta(hours=1))
    session.flush()
    session.expire_all()
    done = session.get(FollowUp, fallbacks["wechat"].id)
    assert done is not None and (done.done_at, done.done_touch_id) == (now - timedelta(hours=1), wechat.touch.id)
    assert list(_open(session, lead_id)) == ["email"]


def test_configured_fallback_channels(session: Session, lead_id: int, now: datetime) -> None:
    config = Config(rules=Rules(fallback_channels=("whatsapp",)), channels=(*CHANNELS, "whatsapp"))
    lead = _lead(session, lead_id)
    failed = log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(hours=2))
    assert [(f.channel, f.rule) for f in failed.followups] == [("whatsapp", "fallback")]
    assert list(_open(session, lead_id)) == ["whatsapp"]
    message = log_touch(session, config, lead, now, channel="WhatsApp", benefit="price list")
    assert message.touch.channel == "whatsapp"
    assert _open(session, lead_id) == {}


def test_no_fallback_channels_opens_nothing(session: Session, lead_id: int, now: datetime) -> None:
    config = Config(rules=Rules(fallback_channels=()))
    assert log_call(session, config, _lead(session, lead_id), now, outcome="no_answer").followups == []
    assert _open(session, lead_id) == {}


# --- a touch cannot predate the lead ----------------------------------------------------------------


@pytest.mark.parametrize("channel", ["call", "email"])
def test_a_touch_before_the_lead_arrived_is_refused(
    engine: Engine, config: Config, now: datetime, channel: str
) -> None:
    arrived = now - timedelta(days=1)
    with write_session(engine) as s:
        lead_id = add_lead(s, now, name="Late Comer", created_at=arrived).id
    with pytest.raises(InvalidInput) as info, write_session(engine) as s:
        outcome = "no_answer" if channel == "call" else None
        _log(s, config, _lead(s, lead_id), now, channel, outcome, benefit="deck", at=arrived - timedelta(minutes=1))  # type: ignore[arg-type]
    assert "arrived" in str(info.value) and info.value.field == "arrival"
    assert _rows(engine, Touch) == 0 and _rows(engine, FollowUp) == 0
    with write_session(engine) as s:  # the very minute it arrived is fine
        _log(s, config, _lead(s, lead_id), now, channel, outcome, benefit="deck", at=arrived)  # type: ignore[arg-type]
    assert _rows(engine, Touch) == 1


# --- per-lead counters kept by triggers (migration 0003) ----------------------------------------------


def _counters(engine: Engine, lead_id: int) -> tuple[object, ...]:
    with read_session(engine) as s:
        lead = _lead(s, lead_id)
        return (lead.touch_count, lead.call_count, lead.connect_count, lead.meeting_count,
                lead.first_touch_at, lead.last_touch_at)  # fmt: skip


def test_counters_follow_a_mix_of_touches_and_raw_deletes(engine: Engine, config: Config, lead_id: int) -> None:
    now = sh(23, 15)
    assert _counters(engine, lead_id) == (0, 0, 0, 0, None, None)
    with write_session(engine) as s:
        lead = _lead(s, lead_id)
        # Entered out of order: first and last follow the times, not the order of entry.
        meeting = log_call(
            s, config, lead, now, outcome="meeting_booked", at=sh(21, 10), benefit="demo", meeting_at=sh(24, 10)
        ).touch
        log_call(s, config, lead, now, outcome="no_answer", at=sh(19, 10))
        log_call(s, config, lead, now, outcome="connected", at=sh(20, 10), benefit="deck")
        email = log_touch(s, config, lead, now, channel="email", at=sh(18, 9), benefit="case study").touch
        log_touch(s, config, lead, now, channel="wechat", at=sh(22, 9), benefit="price list")
    assert _counters(engine, lead_id) == (5, 3, 2, 1, sh(18, 9), sh(22, 9))

    with write_session(engine) as s:
        # The records that point at touches go first (nothing in salesdesk deletes touches).
        s.execute(text("DELETE FROM meeting"))
        s.execute(text("DELETE FROM lead_state_change"))
        s.execute(text("DELETE FROM touch WHERE id = :id"), {"id": meeting.id})
    assert _counters(engine, lead_id) == (4, 2, 1, 0, sh(18, 9), sh(22, 9))
    with write_session(engine) as s:
        s.execute(text("DELETE FROM touch WHERE id = :id"), {"id": email.id})
    assert _counters(engine, lead_id) == (3, 2, 1, 0, sh(19, 10), sh(22, 9))
    with write_session(engine) as s:
        s.execute(text("DELETE FROM followup"))
        s.execute(text("DELETE FROM touch"))
    assert _counters(engine, lead_id) == (0, 0, 0, 0, None, None)


def test_counters_follow_a_raw_update(engine: Engine, config: Config, lead_id: int, now: datetime) -> None:
    with write_session(engine) as s:
        touch = log_call(s, config, _lead(s, lead_id), now, outcome="no_answer", at=sh(20, 10)).touch
    with write_session(engine) as s:
        s.execute(text("UPDATE touch SET connected = 1, at = :at WHERE id = :id"),
                  {"at": "2026-11-21 02:00:00.000000", "id": touch.id})  # fmt: skip
    assert _counters(engine, lead_id) == (1, 1, 1, 0, sh(21, 10), sh(21, 10))


def test_counters_are_fresh_on_a_lead_already_in_the_session(
    session: Session, config: Config, lead_id: int, now: datetime
) -> None:
    lead = _lead(session, lead_id)
    assert lead.touch_count == 0
    log_call(session, config, lead, now, outcome="no_answer", at=sh(22, 10))
    log_touch(session, config, lead, now, channel="email", at=sh(22, 11), benefit="deck")
    assert (lead.touch_count, lead.call_count) == (2, 1)
    assert (lead.first_touch_at, lead.last_touch_at) == (sh(22, 10), sh(22, 11))
    assert lead.status == "working"
