"""The Queue screen: the service's order, and acting on a row from the keyboard."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from textual.pilot import Pilot
from textual.widgets import Input

from salesdesk.config import Config
from salesdesk.db import read_session
from salesdesk.models import FollowUp, Touch
from salesdesk.services import queue
from salesdesk.services.queue import DueItem
from salesdesk.tui import queue as queue_screen
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.log_call import LogCallModal
from salesdesk.tui.log_touch import LogTouchModal
from salesdesk.tui.queue import QueueScreen
from salesdesk.tui.widgets import FitTable, HotkeyList
from tests.tui.conftest import Notes, Settle, text_of


def _due(engine: Engine, config: Config, now: datetime) -> list[DueItem]:
    with read_session(engine) as session:
        return queue.due(session, config.rules, now, limit=queue_screen.QUEUE_LIMIT)


def _count(engine: Engine, table: type[Touch] | type[FollowUp]) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def _newest_touch(engine: Engine) -> Touch:
    with read_session(engine) as session:
        touch = session.execute(select(Touch).order_by(Touch.id.desc()).limit(1)).scalars().first()
    assert touch is not None
    return touch


def _queue(app: SalesdeskApp) -> QueueScreen:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


def _shown_ids(screen: QueueScreen) -> list[int]:
    return [int(str(row.key.value)) for row in screen.query_one("#queue-table", FitTable).ordered_rows]


def _first_fallback(items: list[DueItem]) -> tuple[int, DueItem]:
    """The first row the queue asks to follow up on another channel than a call."""
    return next((i, item) for i, item in enumerate(items) if item.reasons[0].rule == "fallback")


async def _open_queue_at(app: SalesdeskApp, settle: Settle, pilot: Pilot[None], row: int) -> QueueScreen:
    """Show the queue with the cursor on ``row``."""
    await pilot.press("d")
    await settle(pilot)
    screen = _queue(app)
    screen.query_one("#queue-table", FitTable).move_cursor(row=row, animate=False)
    await settle(pilot)
    return screen


async def test_queue_shows_the_services_order_and_enter_opens_the_lead(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    expected = _due(demo_engine, config, now)
    assert expected and expected[0].reasons[0].rule == "first_contact", "the demo's queue opens with first contact"

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        screen = _queue(demo_app)
        assert _shown_ids(screen) == [item.lead_id for item in expected]
        assert text_of(screen.query_one("#status-line")).strip().startswith(f"{len(expected)} due")
        first = expected[0]
        table = screen.query_one("#queue-table", FitTable)
        assert [str(c) for c in table.get_row_at(0)[:4]] == ["1", first.name, first.grade or "-", first.action]
        why = text_of(screen.query_one("#why"))
        assert "first contact: " in why and first.reasons[0].text[:40] in why.replace("\n", " ")

        await pilot.press("enter")
        await settle(pilot)
        lead_screen = demo_app.screen
        assert isinstance(lead_screen, LeadScreen) and lead_screen.lead_id == first.lead_id
        await pilot.press("escape")
        await settle(pilot)
        assert demo_app.screen is screen


async def test_a_huge_queue_is_cut_at_the_limit(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle, monkeypatch
) -> None:
    monkeypatch.setattr(queue_screen, "QUEUE_LIMIT", 10)
    with read_session(demo_engine) as session:
        first_ten = [item.lead_id for item in queue.due(session, config.rules, now, limit=10)]
        total = queue.count_due(session, config.rules, now)
    assert total > 10
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        screen = _queue(demo_app)
        assert _shown_ids(screen) == first_ten
        assert text_of(screen.query_one("#status-line")).strip().startswith(f"the first 10 of {total} due")


async def test_acting_on_a_call_row_logs_the_call_and_the_row_updates(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    before = _due(demo_engine, config, now)
    top = before[0]
    assert top.action == "call" and top.reasons[0].rule == "first_contact"

    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await _open_queue_at(demo_app, settle, pilot, 0)
        await pilot.press("a")
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, LogCallModal)
        assert top.name in str(modal.query_one("#title").content)
        await pilot.press("n", "ctrl+s")  # no answer
        await settle(pilot)
        assert demo_app.screen is screen

        touch = _newest_touch(demo_engine)
        assert (touch.lead_id, touch.channel, touch.outcome) == (top.lead_id, "call", "no_answer")
        after = _due(demo_engine, config, now)
        assert _shown_ids(screen) == [item.lead_id for item in after], "the list is re-read at once"
        moved = next(item for item in after if item.lead_id == top.lead_id)
        # First contact is met by the attempt; the failed call opened the fallback touches.
        assert [r.rule for r in moved.reasons if r.rule != "review"][:1] == ["fallback"]
        assert moved.action in config.rules.fallback_channels
        table = screen.query_one("#queue-table", FitTable)
        assert table.highlighted_key() == str(after[0].lead_id), "the cursor stays on the row: the next lead"


async def test_acting_on_a_fallback_row_logs_the_touch_and_meets_the_follow_up(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    row, item = _first_fallback(_due(demo_engine, config, now))
    assert item.action in ("wechat", "email")
    with read_session(demo_engine) as session:
        followup = session.execute(
            select(FollowUp).where(
                FollowUp.lead_id == item.lead_id,
                FollowUp.channel == item.action,
                FollowUp.rule == "fallback",
                FollowUp.done_at.is_(None),
            )
        ).scalar_one()

    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await _open_queue_at(demo_app, settle, pilot, row)
        await pilot.press("a")
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, LogTouchModal)
        assert modal.query_one("#channels", HotkeyList).border_subtitle == item.action, "the row's channel is chosen"
        await pilot.press("enter", *"added them", "enter", *"sent the case study", "enter")
        await settle(pilot)
        assert demo_app.screen is screen

        touch = _newest_touch(demo_engine)
        assert (touch.lead_id, touch.channel) == (item.lead_id, item.action)
        assert (touch.note, touch.benefit, touch.at) == ("added them", "sent the case study", now)
        with read_session(demo_engine) as session:
            met = session.get(FollowUp, followup.id)
        assert met is not None and (met.done_at, met.done_touch_id) == (now, touch.id)

        after = _due(demo_engine, config, now)
        assert _shown_ids(screen) == [i.lead_id for i in after]
        still = next((i for i in after if i.lead_id == item.lead_id), None)
        fallback_text = item.reasons[0].text
        assert still is None or fallback_text not in [r.text for r in still.reasons], "the row drops or changes"


async def test_a_refused_touch_writes_nothing_and_keeps_the_note(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    row, _ = _first_fallback(_due(demo_engine, config, now))
    touches_before, followups_open = _count(demo_engine, Touch), _open_followups(demo_engine)

    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await _open_queue_at(demo_app, settle, pilot, row)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter", *"added them on wechat", "ctrl+s")  # no benefit offered
        await settle(pilot)

        assert _count(demo_engine, Touch) == touches_before
        assert _open_followups(demo_engine) == followups_open
        assert notes.titled("Touch not logged") and "benefit" in notes.titled("Touch not logged")[-1]
        modal = demo_app.screen
        assert isinstance(modal, LogTouchModal), "the dialog comes back with what was typed"
        assert modal.query_one("#note", Input).value == "added them on wechat"
        assert modal.query_one("#benefit", Input).has_focus, "the cursor waits where the fix goes"


def _open_followups(engine: Engine) -> int:
    with read_session(engine) as session:
        query = select(func.count()).select_from(FollowUp).where(FollowUp.done_at.is_(None))
        return session.execute(query).scalar_one()


@pytest.mark.parametrize("key", ["c", "m"])
async def test_call_and_touch_keys_act_on_the_highlighted_lead(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle, key: str
) -> None:
    top = _due(demo_engine, config, now)[0]
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await _open_queue_at(demo_app, settle, pilot, 0)
        await pilot.press(key)
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, LogCallModal if key == "c" else LogTouchModal)
        assert top.name in str(modal.query_one("#title").content)
