"""The Week screen's heatmap: ``h`` swaps the bar charts for the connect-rate map that
``stats hours`` prints, over the 12 weeks up to the end of the week shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import read_session
from salesdesk.services import hours, reports
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.week import WeekScreen
from tests.tui.conftest import Settle, text_of
from tests.tui.test_snapshots import SnapCompare, _after


async def test_h_toggles_the_charts_and_the_heatmap(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    with read_session(demo_engine) as session:
        expected = hours.hour_map(session, config, now)
        last_week = reports.week_report(session, config, reports.parse_week("2026-W47", now), now)
        before = hours.hour_map(session, config, now, until=last_week.end)
    best = max(expected.ranked(), key=lambda c: c.interval[0])
    async with demo_app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, WeekScreen)
        box, charts = screen.query_one("#hours-box"), screen.query_one("#bar-charts")
        assert not box.display and charts.display
        await pilot.press("h")
        await settle(pilot)
        assert box.display and not charts.display
        shown = text_of(screen.query_one("#hours-map"))
        assert f"Last 12 weeks: {expected.dials:,} dials" in shown
        assert f"Best:  {best.label}" in shown
        assert "· fewer than 10 dials: not ranked" in shown
        # The previous week's map ends with that week.
        await pilot.press("p")
        await settle(pilot)
        assert screen.hours is not None and screen.hours.until == last_week.end
        assert f"Last 12 weeks: {before.dials:,} dials" in text_of(screen.query_one("#hours-map"))
        await pilot.press("h")
        await settle(pilot)
        assert not box.display and charts.display


def test_week_hours_80x24(snap_compare: SnapCompare, demo_app: SalesdeskApp, settle: Settle) -> None:
    assert snap_compare(
        demo_app,
        terminal_size=(80, 24),
        run_before=_after(settle, lambda pilot: pilot.press("w"), lambda pilot: pilot.press("h")),
    )
