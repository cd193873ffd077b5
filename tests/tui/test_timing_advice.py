"""The method's timing advice in the TUI: a next call put at lunch is logged, and the dialog's
notification gives the reason and two better slots, as log-call does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from salesdesk.config import Config
from salesdesk.db import read_session
from salesdesk.models import FollowUp
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import LeadScreen
from tests.tui.conftest import Notes, Settle, text_of


async def test_a_next_call_at_lunch_is_saved_with_the_warning_and_two_slots(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    app = SalesdeskApp(demo_engine, config, lambda: now)
    async with app.run_test(size=(120, 40), notifications=True, message_hook=notes.hook) as pilot:
        app.open_lead(1)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("k", *"call me after lunch", "ctrl+s")  # refused: where is the next call?
        await settle(pilot)
        await pilot.press(*"tomorrow 12:30", "enter")  # refused: a callback offers a benefit
        await settle(pilot)
        await pilot.press(*"price benchmark", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        warnings = [n.message for n in notes.seen if n.severity == "warning"]
        assert any(
            w.startswith('Tue 24 Nov 12:30 — 12:00-13:30 is lunch: avoid calling then unless it is urgent; offer "')
            for w in warnings
        ), warnings
    with read_session(demo_engine) as session:
        followup = session.execute(select(FollowUp).order_by(FollowUp.id.desc()).limit(1)).scalars().first()
    assert followup is not None and followup.rule == "scheduled"  # a warning, not a refusal


async def test_the_lead_screen_shows_their_hours(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    from salesdesk.db import write_session
    from salesdesk.models import Lead

    with write_session(demo_engine) as session:
        lead = session.get_one(Lead, 1)
        lead.best_time, lead.timezone, lead.private_phone = "tue-thu 14:00-17:00", "Europe/Berlin", True
    app = SalesdeskApp(demo_engine, config, lambda: now)
    async with app.run_test(size=(160, 50)) as pilot:
        app.open_lead(1)
        await settle(pilot)
        shown = " ".join(text_of(app.screen.query_one("#rules")).split())
    assert "Best time" in shown and "Tue–Thu 14:00–17:00 (their time)" in shown
    assert "Europe/Berlin (now Mon 08:00 there)" in shown
    assert "a private number: not at dinner time (18:00-20:00)" in shown
