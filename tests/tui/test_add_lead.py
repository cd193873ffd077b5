"""The first run (issue 12 item 3): an empty book greets with what to do, and a lead can be
added from the TUI with the checks of ``salesdesk lead add``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select
from textual.widgets import Input, Label, Static

from salesdesk.config import Config
from salesdesk.db import read_session, write_session
from salesdesk.models import Lead
from salesdesk.services import leads
from salesdesk.tui.add_lead import AddLeadModal
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.leads import LeadsScreen
from salesdesk.tui.today import TodayScreen
from tests.tui.conftest import Notes, Settle, text_of


def _all_leads(engine: Engine) -> list[Lead]:
    with read_session(engine) as session:
        return list(session.execute(select(Lead).order_by(Lead.id)).scalars())


async def test_an_empty_book_greets_and_a_adds_the_first_lead(
    engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        today = app.screen
        assert isinstance(today, TodayScreen)
        welcome = today.query_one("#welcome", Static)
        assert welcome.display, "the first run says what to do"
        shown = text_of(welcome)
        for step in ("add a lead", "salesdesk import leads FILE", "salesdesk --demo"):
            assert step in shown

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddLeadModal)
        await pilot.press(*"Wang Fang", "enter", *"Huawei", "enter", *"+86 138 0013 8000", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen), "the new lead's card, ready for a first call"
        assert notes.titled("Lead added")
        await pilot.press("escape")
        await settle(pilot)
        assert not today.query_one("#welcome", Static).display, "the welcome goes once the book has a lead"

    [lead] = _all_leads(engine)
    assert (lead.name, lead.phone, lead.source, lead.status) == ("Wang Fang", "+8613800138000", "outbound", "new")


async def test_a_bad_phone_is_refused_on_the_phone_field_with_the_rest_kept(
    engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Wang Fang", "enter", *"Huawei", "enter", *"12ab", "ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, AddLeadModal), "the dialog comes back with what was typed"
        assert "is not a phone number" in notes.titled("Lead not added")[-1]
        phone = modal.query_one("#phone", Input)
        assert phone.has_focus and phone.selected_text == ""
        assert modal.query_one("#name", Input).value == "Wang Fang"
        assert modal.query_one("#company", Input).value == "Huawei"
    assert _all_leads(engine) == []


async def test_a_known_phone_is_refused_as_lead_add_refuses_it(
    engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    with write_session(engine) as session:
        leads.add_lead(session, now, name="Li Na", phone="13800138000")
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Li Na again", "enter", "enter", *"138 0013 8000", "ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, AddLeadModal)
        assert "already has this phone or email" in notes.titled("Lead not added")[-1]
        assert modal.query_one("#phone", Input).has_focus
    assert len(_all_leads(engine)) == 1


async def test_the_empty_leads_list_says_how_to_add_leads_in_full_at_80_columns(
    engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LeadsScreen)
        assert screen.range_label() == "no leads yet", "no search was made, so nothing 'matches'"
        shown = " ".join(text_of(screen.query_one("#empty", Label)).split())
        assert "Press a to add one" in shown
        assert "salesdesk import leads FILE (CSV or Excel exports, vCard)." in shown, "not cut at 80 columns"
