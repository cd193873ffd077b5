"""The Leads screen: paging, filters and search, always one page of rows at most."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from salesdesk.config import Config
from salesdesk.db import open_store, read_session
from salesdesk.demo import generate
from salesdesk.models import Lead
from salesdesk.services import leads
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.leads import PAGE_SIZE, LeadsScreen
from salesdesk.tui.today import TodayScreen
from salesdesk.tui.widgets import FitTable
from tests.tui.conftest import Settle, text_of


def _leads_screen(app: SalesdeskApp) -> LeadsScreen:
    screen = app.screen
    assert isinstance(screen, LeadsScreen)
    return screen


def _shown_ids(screen: LeadsScreen) -> list[int]:
    table = screen.query_one("#leads-table", FitTable)
    return [int(str(row.key.value)) for row in table.ordered_rows]


async def test_paging_moves_the_offset_and_the_range(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    with read_session(demo_engine) as session:
        total = leads.count_leads(session)
        second_page = [v.lead.id for v in leads.list_leads(session, limit=PAGE_SIZE, offset=PAGE_SIZE)]
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE, "the demo book should span exactly two pages"

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        screen = _leads_screen(demo_app)
        assert screen.range_label() == f"1–100 of {total:,}"
        assert screen.query_one("#leads-table", FitTable).row_count == PAGE_SIZE

        await pilot.press("n")
        await settle(pilot)
        assert screen.query_state.offset == PAGE_SIZE
        assert screen.range_label() == f"101–{total} of {total}"
        assert _shown_ids(screen) == second_page

        await pilot.press("n")  # already on the last page: nothing moves
        await settle(pilot)
        assert screen.query_state.offset == PAGE_SIZE

        await pilot.press("p")
        await settle(pilot)
        assert screen.query_state.offset == 0
        assert screen.range_label() == f"1–100 of {total}"


async def test_filter_keys_cycle_and_narrow_the_list(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    with read_session(demo_engine) as session:
        grade_a = leads.count_leads(session, grade="A")
        grade_a_working = leads.count_leads(session, grade="A", status="working")

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        screen = _leads_screen(demo_app)
        await pilot.press("g")
        await settle(pilot)
        assert screen.query_state.grade == "A"
        assert screen.range_label() == f"1–{grade_a} of {grade_a}"
        await pilot.press("s", "s")  # any -> new -> working
        await settle(pilot)
        assert screen.query_state.status == "working"
        assert screen.range_label().endswith(f"of {grade_a_working}")
        status_line = text_of(screen.query_one("#status-line"))
        assert "g grade A" in status_line and "s status working" in status_line
        with read_session(demo_engine) as session:
            for lead_id in _shown_ids(screen):
                lead = session.get(Lead, lead_id)
                assert lead is not None and (lead.grade, lead.status) == ("A", "working")
        await pilot.press("x")
        await settle(pilot)
        assert screen.query_state.grade is None and screen.query_state.status is None


async def test_search_filters_by_part_of_a_name(demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        screen = _leads_screen(demo_app)
        await pilot.press("slash", *"artin")  # "t" and "l" type into the search box
        assert screen.query_one("#search").has_focus
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadsScreen), "typing must not switch screens"
        with read_session(demo_engine) as session:
            expected = [v.lead.id for v in leads.list_leads(session, search="artin", limit=PAGE_SIZE)]
        assert expected and _shown_ids(screen) == expected
        assert screen.query_one("#leads-table").has_focus


async def test_typing_searches_after_a_pause(demo_app: SalesdeskApp, settle: Settle) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        screen = _leads_screen(demo_app)
        await pilot.press("slash", *"no such lead")
        await pilot.pause(0.5)  # longer than the debounce
        await settle(pilot)
        assert screen.query_state.search == "no such lead"
        assert screen.range_label() == "no leads match"
        assert screen.has_class("-empty")


async def test_enter_opens_the_lead_and_escape_comes_back(demo_app: SalesdeskApp, settle: Settle) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        screen = _leads_screen(demo_app)
        await pilot.press("down", "enter")
        await settle(pilot)
        lead_screen = demo_app.screen
        assert isinstance(lead_screen, LeadScreen)
        assert lead_screen.lead_id == _shown_ids(screen)[1]
        await pilot.press("escape")
        await settle(pilot)
        assert demo_app.screen is screen
        assert screen.query_one("#leads-table", FitTable).cursor_row == 1, "the cursor stays where it was"
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(demo_app.screen, TodayScreen)
        await pilot.press("l")
        await settle(pilot)
        assert demo_app.screen is screen, "the Leads screen keeps its state across modes"


async def test_large_book_loads_one_page_only(tmp_path: Path, config: Config, now: datetime, settle: Settle) -> None:
    engine = open_store(tmp_path / "big.db", now)
    try:
        generate(engine, now, leads=5000, days=60)
        with read_session(engine) as session:
            assert session.execute(select(func.count()).select_from(Lead)).scalar_one() == 5000
        app = SalesdeskApp(engine, config, lambda: now)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("l")
            await settle(pilot)
            screen = _leads_screen(app)
            table = screen.query_one("#leads-table", FitTable)
            assert table.row_count == PAGE_SIZE
            assert screen.range_label() == "1–100 of 5,000"
            await pilot.press("n", "n")
            await settle(pilot)
            assert table.row_count == PAGE_SIZE
            assert screen.range_label() == "201–300 of 5,000"
    finally:
        engine.dispose()
