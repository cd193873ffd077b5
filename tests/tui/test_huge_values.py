"""Deal values from before they were bounded (issue 10, item 6): two deals at 2^63 - 1 once
made SQLite's SUM overflow and killed the Week screen for good."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, text

from salesdesk.config import Config
from salesdesk.db import write_session
from salesdesk.services import deals, leads
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.week import WeekScreen
from tests.tui.conftest import Settle


async def test_the_week_screen_survives_values_past_the_limit(
    engine: Engine, config: Config, now: datetime, settle: Settle, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        lead = leads.add_lead(session, now, name="Li Na", created_at=now)
        for title in ("big", "bigger"):
            deals.add_deal(session, config, now, lead=lead, title=title, value=1)
    with write_session(engine) as session:  # what an older salesdesk let in
        session.execute(text("UPDATE deal SET value = :v"), {"v": 2**63 - 1})
    app = SalesdeskApp(engine, config, lambda: now, crash_log=tmp_path / "tui-error.log")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WeekScreen)
    assert app.return_code in (0, None)
    assert not (tmp_path / "tui-error.log").exists()
