"""Issue 12, the call session's half (items 5 and 6): the price objection, no-match and add from
the search, the library in Chinese, how to set [me], and the voicemail template to leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, select

from salesdesk.config import Config, Me
from salesdesk.db import read_session
from salesdesk.models import Objection, Touch
from salesdesk.tui.app import SalesdeskApp
from tests.tui.conftest import Notes, Settle, text_of
from tests.tui.test_session import _block, _session, _touch_ids


def _flat(text: str) -> str:
    return " ".join(text.split())


async def test_the_price_objection_is_found_by_its_words(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    start, _ = _block(demo_engine, config, now)
    app = SalesdeskApp(demo_engine, config, lambda: now, session=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = _session(app)
        await pilot.press("ctrl+o", *"expensive")
        await settle(pilot)
        shown = _flat(text_of(session.query_one("#objection-matches")))
        assert "too_expensive It's too expensive." in shown and "compared with what?" in shown
        await pilot.press("enter")  # its first reply
        assert text_of(session.query_one("#objection-mark")).strip() == "too_expensive · reply 1"


async def test_no_match_says_so_and_enter_adds_what_was_typed_and_marks_it(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    start, lead_ids = _block(demo_engine, config, now)
    before = _touch_ids(demo_engine)
    app = SalesdeskApp(demo_engine, config, lambda: now, session=start)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        session = _session(app)
        await pilot.press("ctrl+o", *"already have a supplier")
        await settle(pilot)
        shown = _flat(text_of(session.query_one("#objection-matches")))
        assert "No objection matches “already have a supplier”." in shown
        assert "+ Add “already have a supplier” to the library (Enter)" in shown
        await pilot.press("enter")
        await settle(pilot)
        assert _flat(text_of(session.query_one("#objection-mark"))) == "already_have_a_supplier · no reply marked"
        assert "objection edit already_have_a_supplier --add-reply" in notes.titled("Objection added")[-1]
        await pilot.press("ctrl+o", *"supplier")  # now in the library, found like the others
        await settle(pilot)
        assert "already_have_a_supplier" in text_of(session.query_one("#objection-matches"))
        await pilot.press("escape", "i", "tab", *"brochure", "ctrl+s")
        await settle(pilot)
    with read_session(demo_engine) as db:
        added = db.get(Objection, "already_have_a_supplier")
        assert added is not None and added.text == "already have a supplier"
        touch = db.execute(select(Touch).where(Touch.id.not_in(before))).scalar_one()
    assert (touch.lead_id, touch.objection) == (lead_ids[0], "already_have_a_supplier")


async def test_in_chinese_the_library_and_script_speak_chinese_and_say_how_to_set_me(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    start, _ = _block(demo_engine, config, now)
    app = SalesdeskApp(demo_engine, replace(config, me=Me(language="zh")), lambda: now, session=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = _session(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        script = _flat(text_of(session.query_one("#script")))
        assert "1. 介绍自己" in script and "{my_name}" in script
        assert 'Set name = "…" and company = "…" under [me] in' in script
        await pilot.press("ctrl+t", "ctrl+o", *"太贵")
        await settle(pilot)
        shown = _flat(text_of(session.query_one("#objection-matches")))
        assert "too_expensive 太贵了。" in shown and "No objection matches" not in shown
        await pilot.press("escape", "ctrl+o", *"没时间")
        await settle(pilot)
        assert "我理解。我也老是时间不够用" in text_of(session.query_one("#objection-matches"))


async def test_a_voicemail_outcome_shows_the_message_to_leave(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    start, _ = _block(demo_engine, config, now)
    me = Me(name="Li Lei", company="Acme Software", language="en")
    app = SalesdeskApp(demo_engine, replace(config, me=me), lambda: now, session=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = _session(app)
        assert session.calls is not None and session.library is not None
        lead = session.library.names[session.calls.lead_ids[0]]
        await pilot.press("v")
        await settle(pilot)
        assert session.query_one("#script").display and session.has_class("-pane-script")
        script = _flat(text_of(session.query_one("#script")))
        assert "A question only you can answer" in script and "Leave no message" in script
        assert f"Hello {lead.name}, this is Li Lei from Acme Software." in script
        assert "I'm in until 17:00" in script and "Set name" not in script
