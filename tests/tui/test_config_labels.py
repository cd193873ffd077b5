"""Outcome labels come from config.toml, text anyone may have edited: the TUI shows an ESC
sequence in one escaped (``\\x1b``) and markup such as ``[bold]`` as typed, never obeyed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import write_session
from salesdesk.services import leads
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.log_call import LogCallModal
from salesdesk.tui.widgets import HotkeyList
from tests.tui.conftest import Notes, Settle, text_of

# An ESC sequence (red), a markup tag, and a closing tag with no opening one (which, read as
# markup, would stop the app with a MarkupError).
LABEL = "\x1b[31m[b]Bk[/i]"
SHOWN = "\\x1b[31m[b]Bk[/i]"


async def test_a_label_with_escapes_and_markup_is_shown_as_typed(
    engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    booked = replace(config.outcomes["meeting_booked"], label=LABEL)
    config = replace(config, outcomes={**config.outcomes, "meeting_booked": booked})
    with write_session(engine) as session:
        lead_id = leads.add_lead(session, now, name="Li Na").id
    assert lead_id is not None
    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(100, 30), notifications=True, message_hook=notes.hook) as pilot:
        app.open_lead(lead_id)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, LogCallModal)
        outcomes = app.screen.query_one("#outcomes", HotkeyList)
        assert f" m   {SHOWN} " in text_of(outcomes)
        await pilot.press("m")  # picked: the label goes to the list's border, which reads markup
        await settle(pilot)
        assert text_of(outcomes).splitlines()[-1].count(SHOWN) == 1
        await pilot.press("ctrl+s")  # no meeting time: the refusal names the outcome
        await settle(pilot)
        assert any(error.startswith(SHOWN) for error in notes.errors()), notes.errors()
    assert not any("\x1b" in note.message for note in notes.seen)
