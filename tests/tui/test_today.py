"""The Today screen shows the day's numbers as the service counts them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.dates import fmt_span, local_day_bounds, to_local
from salesdesk.db import read_session
from salesdesk.services import queue, touches
from salesdesk.tui import today
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.today import STATS, TodayScreen, stat_values
from salesdesk.tui.widgets import FitTable, Stat
from tests.tui.conftest import Settle, text_of


async def test_today_counts_match_day_activity(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    start, end = local_day_bounds(to_local(now).date())
    with read_session(demo_engine) as session:
        activity = touches.day_activity(session, config, start, end)
        today = touches.touches_between(session, start, end)
    assert activity.dials > 0, "the demo day should have calls to count"

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, TodayScreen)
        shown = {key: screen.query_one(f"#stat-{key}", Stat).value for key, _ in STATS}
        assert shown == stat_values(activity)
        assert shown["dials"] == str(activity.dials)
        table = screen.query_one("#today-touches", FitTable)
        assert table.row_count == len(today)
        newest, name = today[0]
        assert str(table.get_row_at(0)[1]) == name
        assert table.highlighted_key() == str(newest.id)


async def test_today_is_quiet_on_an_empty_store(engine: Engine, config: Config, now: datetime, settle: Settle) -> None:
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-quiet")
        assert screen.query_one("#stat-connect-rate", Stat).value == "-"
        assert screen.query_one("#stat-dials", Stat).value == "0"


async def test_enter_on_a_touch_opens_its_lead(demo_app: SalesdeskApp, settle: Settle) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        today = demo_app.screen
        assert isinstance(today, TodayScreen) and today.snapshot is not None
        first_touch = today.snapshot.touches[0][0]
        await pilot.press("enter")
        await settle(pilot)
        lead_screen = demo_app.screen
        assert isinstance(lead_screen, LeadScreen)
        assert lead_screen.lead_id == first_touch.lead_id
        await pilot.press("escape")
        await settle(pilot)
        assert demo_app.screen is today


async def test_first_contact_countdowns_move_with_the_clock(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, monkeypatch: pytest.MonkeyPatch
) -> None:
    with read_session(demo_engine) as session:
        waiting = [item for item in queue.due(session, config.rules, now) if item.reasons[0].rule == "first_contact"]
    at_risk = next(item for item in waiting if item.due_at > now + timedelta(hours=1))
    breached = len([item for item in waiting if item.due_at < now])
    # The countdowns are worked out again from the clock between the (minute-apart) queries.
    monkeypatch.setattr(today, "COUNTDOWN_S", 0.05)
    clock = [now]
    app = SalesdeskApp(demo_engine, config, lambda: clock[0])

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen) and screen.snapshot is not None
        read_at_start = screen.snapshot
        title = text_of(screen.query_one("#deadlines-title")).strip()
        assert title == f"First contact · {len(waiting) - breached} at risk · {breached} breached"
        shown = text_of(screen.query_one("#deadlines"))
        left = at_risk.due_at - now
        assert at_risk.name in shown and f"{fmt_span(left)} left" in shown

        clock[0] = now + timedelta(minutes=47)
        await pilot.pause(0.3)
        shown = text_of(screen.query_one("#deadlines"))
        assert f"{fmt_span(left - timedelta(minutes=47))} left" in shown
        assert f"{fmt_span(left)} left" not in shown

        clock[0] = at_risk.due_at + timedelta(minutes=5)
        await pilot.pause(0.3)
        assert "5m over" in text_of(screen.query_one("#deadlines"))
        assert f"{breached + 1} breached" in text_of(screen.query_one("#deadlines-title"))
        assert screen.snapshot is read_at_start, "no query was needed for the countdowns to move"


async def test_today_lists_the_days_meetings(
    demo_app: SalesdeskApp, demo_engine: Engine, now: datetime, settle: Settle
) -> None:
    from salesdesk.services import meetings

    start, end = local_day_bounds(to_local(now).date())
    with read_session(demo_engine) as session:
        views = meetings.meetings_between(session, start, end)
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = demo_app.screen
        shown = text_of(screen.query_one("#meetings"))
        assert screen.has_class("-no-meetings") is (not views)
    for view in views:
        assert f"{to_local(view.meeting.at):%H:%M} {view.lead_name}" in " ".join(shown.split())
