"""App-wide keys: screens by letter, help, the command palette, and what a dialog blocks."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from textual.command import CommandPalette
from textual.screen import Screen

from salesdesk.db import read_session
from salesdesk.models import Lead
from salesdesk.services import leads
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.keys import KeysScreen
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.leads import LeadsScreen
from salesdesk.tui.log_call import LogCallModal
from salesdesk.tui.queue import QueueScreen
from salesdesk.tui.today import TodayScreen
from tests.tui.conftest import Settle


async def test_letters_switch_screens_and_help_toggles(demo_app: SalesdeskApp, settle: Settle) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert demo_app.title == "salesdesk (demo)"
        assert isinstance(demo_app.screen, TodayScreen)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadsScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadScreen)
        await pilot.press("l")  # from a lead, l goes back to the list
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadsScreen)
        await pilot.press("question_mark")
        assert isinstance(demo_app.screen, KeysScreen)
        await pilot.press("question_mark")
        assert isinstance(demo_app.screen, LeadsScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(demo_app.screen, QueueScreen)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(demo_app.screen, TodayScreen)
        await pilot.press("q")
    assert demo_app.return_code == 0


async def test_dialog_keeps_letters_for_itself(demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(1)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, LogCallModal)
        await pilot.press("t", "l", "q")  # not outcome keys here, except q (not qualified)
        assert demo_app.screen is modal
        assert modal.query_one("#note").has_focus, "q picked 'not qualified' and moved on"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadScreen)


async def test_palette_finds_a_lead_by_name(demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle) -> None:
    with read_session(demo_engine) as session:
        names = session.execute(select(Lead.id, Lead.name).where(Lead.name.like("% %")).order_by(Lead.id)).all()
        lead_id, name = next((i, n) for i, n in names if leads.count_leads(session, search=n) == 1)

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(demo_app.screen, CommandPalette)
        await pilot.press(*name)
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, LeadScreen)
        assert screen.lead_id == lead_id


@pytest.mark.parametrize(("command", "screen"), [("Leads", LeadsScreen), ("Queue", QueueScreen)])
async def test_palette_jumps_to_a_screen(
    demo_app: SalesdeskApp, settle: Settle, command: str, screen: type[Screen[None]]
) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *command)
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, screen)


async def test_help_lists_this_screens_keys_first_then_global_ones_once_scrollable(
    demo_app: SalesdeskApp, settle: Settle
) -> None:
    """Issue 12 item 4: the table's movement keys came first and pushed the app's below the
    fold at 80x24, with no way to scroll, and quit was listed twice (``^q q Quit Quit``)."""
    from textual.containers import VerticalScroll
    from textual.widgets import Label

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        keys = demo_app.screen
        assert isinstance(keys, KeysScreen)
        titles = [str(label.content) for label in keys.query(".section-title").results(Label)]
        assert titles == ["Leads", "Everywhere", "In the list or field"]
        sections = {s.title: s for s in keys._sections}
        leads_keys = [line.keys for line in sections["Leads"].lines]
        assert leads_keys[:3] == ["/", "c", "a"], "this screen's own keys come first"
        assert "tab" not in leads_keys, "Textual's generic keys are not this screen's"
        quit_lines = [line for s in keys._sections for line in s.lines if "Quit" in line.description]
        assert [line.keys for line in quit_lines] == ["^q, q"], "one line for quit"
        scroller = keys.query_one("#keys", VerticalScroll)
        assert scroller.has_focus and scroller.max_scroll_y > 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert scroller.scroll_y > 0, "the rest is a key away"
        await pilot.press("escape")
        assert isinstance(demo_app.screen, LeadsScreen)


@pytest.mark.parametrize("typed", ["#168", "168"])
async def test_palette_opens_a_lead_by_its_id(demo_app: SalesdeskApp, settle: Settle, typed: str) -> None:
    """Issue 12 item 6: ``#168`` found nothing and ``168`` listed other leads (by phone digits)."""
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*typed)
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")  # the id's lead is the first hit, highlighted
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, LeadScreen)
        assert screen.lead_id == 168
