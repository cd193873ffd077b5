"""The Today screen shows the day's numbers as the service counts them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.dates import local_day_bounds, to_local
from salesdesk.db import read_session
from salesdesk.services import touches
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.today import STATS, TodayScreen, stat_values
from salesdesk.tui.widgets import FitTable, Stat
from tests.tui.conftest import Settle


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
