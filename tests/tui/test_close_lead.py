"""Closing and reopening a lead from its screen, under the same guard as the CLI."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select
from textual.widgets import Input

from salesdesk.config import Config
from salesdesk.db import read_session
from salesdesk.models import Lead, LeadClose
from salesdesk.services import queue
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.close_lead import CloseModal, OverrideModal
from salesdesk.tui.lead import LeadScreen
from tests.tui.conftest import Notes, Settle, text_of


def _short_of_minimum(engine: Engine, config: Config, now: datetime) -> Lead:
    """An open lead with some touches, but fewer than closing it as lost needs."""
    with read_session(engine) as session:
        candidates = select(Lead).where(Lead.status.in_(["new", "working"]), Lead.touch_count > 0).order_by(Lead.id)
        for lead in session.execute(candidates).scalars():
            if not queue.explain(session, config, lead, now).guard.may_close:
                return lead
    raise AssertionError("the demo book should hold an open lead short of the minimum touches")


def _closes(engine: Engine, lead_id: int) -> list[LeadClose]:
    with read_session(engine) as session:
        query = select(LeadClose).where(LeadClose.lead_id == lead_id).order_by(LeadClose.id)
        return list(session.execute(query).scalars())


def _stored(engine: Engine, lead_id: int) -> Lead:
    with read_session(engine) as session:
        lead = session.get(Lead, lead_id)
    assert lead is not None
    return lead


def _lead_screen(app: SalesdeskApp) -> LeadScreen:
    screen = app.screen
    assert isinstance(screen, LeadScreen)
    return screen


async def test_the_card_shows_where_the_rules_stand(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    lead = _short_of_minimum(demo_engine, config, now)
    assert lead.id is not None
    with read_session(demo_engine) as session:
        stored = session.get(Lead, lead.id)
        assert stored is not None
        state = queue.explain(session, config, stored, now)
    async with demo_app.run_test(size=(160, 50)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        rules = text_of(_lead_screen(demo_app).query_one("#rules"))
    flat = " ".join(rules.split())
    assert state.guard.text() in flat and "closing as lost needs 6 touches on 3 different days" in flat
    assert f"Next {state.next_step(now)}" in flat


async def test_lost_below_the_minimum_is_refused_then_overridden_with_a_reason(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    lead = _short_of_minimum(demo_engine, config, now)
    assert lead.id is not None

    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(demo_app.screen, CloseModal)
        await pilot.press("l", *"bought elsewhere", "enter")
        await settle(pilot)

        override = demo_app.screen
        assert isinstance(override, OverrideModal), "the rule refused and offers an explicit override"
        assert _closes(demo_engine, lead.id) == [] and _stored(demo_engine, lead.id).status == lead.status
        rule = text_of(override.query_one("#rule"))
        assert (
            f"has {lead.touch_count} touch" in rule and f"needs {config.rules.min_touches_before_lost} touches" in rule
        )
        assert "Next: " in rule

        await pilot.press("enter")  # Enter alone doesn't confirm an override
        await settle(pilot)
        assert demo_app.screen is override and _closes(demo_engine, lead.id) == []
        reason = override.query_one("#reason", Input)
        reason.value = ""
        await pilot.press("ctrl+s")  # nor does an empty reason
        await settle(pilot)
        assert demo_app.screen is override and _closes(demo_engine, lead.id) == []

        await pilot.press(*"they signed with a rival", "ctrl+s")
        await settle(pilot)
        screen = _lead_screen(demo_app)
        assert "closed as lost; r reopens it" in text_of(screen.query_one("#rules"))

    [record] = _closes(demo_engine, lead.id)
    assert (record.result, record.forced, record.reason) == ("lost", True, "they signed with a rival")
    assert (record.touch_count, record.min_touches, record.at) == (
        lead.touch_count,
        config.rules.min_touches_before_lost,
        now,
    )
    assert _stored(demo_engine, lead.id).status == "lost"


async def test_escape_on_the_override_keeps_the_lead_open(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    lead = _short_of_minimum(demo_engine, config, now)
    assert lead.id is not None
    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("x", "l", *"bought elsewhere", "enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, OverrideModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadScreen)
    assert _closes(demo_engine, lead.id) == []
    assert _stored(demo_engine, lead.id).status == lead.status


async def test_close_as_won_then_reopen(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    # Won is never blocked, even below the minimum touches.
    lead = _short_of_minimum(demo_engine, config, now)
    assert lead.id is not None
    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("x", "w", *"signed the annual plan", "enter")
        await settle(pilot)
        screen = _lead_screen(demo_app)
        assert notes.titled("Lead closed") == ["Closed as won"]
        [record] = _closes(demo_engine, lead.id)
        assert (record.result, record.forced, record.reason) == ("won", False, "signed the annual plan")
        assert _stored(demo_engine, lead.id).status == "won"
        assert screen.check_action("reopen", ()) and not screen.check_action("close_lead", ())

        await pilot.press("r")
        await settle(pilot)
        assert notes.titled("Lead reopened")
        assert "r reopens it" not in text_of(screen.query_one("#rules"))

    reopened = _stored(demo_engine, lead.id)
    assert reopened.status == "working" and reopened.closed_at is None
    [record] = _closes(demo_engine, lead.id)
    assert record.reopened_at == now


async def test_lost_needs_a_reason_before_anything_is_written(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    lead = _short_of_minimum(demo_engine, config, now)
    assert lead.id is not None
    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("x", "l", "enter")
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, CloseModal)
        assert modal.query_one("#reason", Input).has_focus
    assert _closes(demo_engine, lead.id) == []
