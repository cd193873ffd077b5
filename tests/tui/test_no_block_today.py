"""``b`` on Today with no block left today (issue 12 item 2): it says so and names the next
block instead of doing nothing; and a block half a day away counts down in hours."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from textual.widgets import Static

from salesdesk.config import Config
from salesdesk.db import read_session, write_session
from salesdesk.services import blocks
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.session_data import block_today, next_block_after_today
from salesdesk.tui.session_view import timer_text
from salesdesk.tui.today import TodayScreen
from tests.tui.conftest import Notes, Settle, text_of


async def test_b_with_no_block_left_today_names_the_next_one(
    engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    tomorrow_930 = (now + timedelta(days=1)).replace(hour=9, minute=30)
    with write_session(engine) as session:
        blocks.add_block(session, now, start=tomorrow_930, minutes=90, title="Morning prospecting")
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen)
        line = text_of(today.query_one("#block", Static))
        assert "No call block left today" in line and "Morning prospecting, Tue 24 Nov 09:30" in line
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is today, "tomorrow's block is not opened tonight"
        said = notes.titled("No call block today")
        assert said and "next: Morning prospecting, Tue 24 Nov 09:30" in said[-1]


async def test_b_with_no_block_at_all_says_how_to_add_one(
    engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        said = notes.titled("No call block today")
        assert said and "salesdesk block add" in said[-1]


def test_a_block_half_a_day_away_counts_down_in_hours(engine: Engine, now: datetime) -> None:
    evening = now.replace(hour=21, minute=0)
    start = evening + timedelta(hours=12, minutes=28, seconds=30)
    with write_session(engine) as session:
        blocks.add_block(session, now, start=start, minutes=90)
    with read_session(engine) as session:
        assert block_today(session, evening) is None
        occurrence = next_block_after_today(session, evening)
    assert occurrence is not None
    assert str(timer_text(occurrence, evening)) == "starts in 12h28m · 90:00 block"
    assert str(timer_text(occurrence, start - timedelta(minutes=5, seconds=3))).startswith("starts in 5:03 ")
