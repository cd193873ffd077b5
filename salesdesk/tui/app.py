"""The salesdesk TUI: Today, Queue and Leads as three modes, each with its own stack of screens.

The app is handed its store, settings and clock; it never opens a database, reads the
environment or asks the system for the time, so tests drive it over a temporary store
at a fixed moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import traceback
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen, Screen

from salesdesk.config import Config
from salesdesk.db import read_session
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.services import leads
from salesdesk.services.leads import LeadView
from salesdesk.tui.keys import KeysScreen, key_sections
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.leads import LeadsScreen
from salesdesk.tui.log_call import Clock
from salesdesk.tui.queue import QueueScreen
from salesdesk.tui.review import ReviewScreen
from salesdesk.tui.session import SessionScreen
from salesdesk.tui.session_data import SessionStart, occurrence_to_start
from salesdesk.tui.today import TodayScreen
from salesdesk.tui.week import WeekScreen

# One footer entry ("t d l v w Go") for the five screens keeps every footer to one line at
# 80 columns; "?" names each.
SCREEN_KEYS = Binding.Group("Go")
# How many leads the command palette offers for what was typed.
PALETTE_LEADS = 20
# Leads found by phone or e-mail don't fuzzy-match their displayed name; keep them listed.
PALETTE_MIN_SCORE = 0.1
# Above any fuzzy score, for the lead whose id was typed.
PALETTE_ID_SCORE = 1e6


class LeadFinder(Provider):
    """Command palette hits: leads whose name, company, phone, e-mail or WeChat holds the text."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, SalesdeskApp)
        views = await asyncio.to_thread(app.find_leads, query)
        matcher = self.matcher(query)
        by_id = palette_id(query)
        for view in views:
            lead = view.lead
            label = f"{lead.name} · {view.company}" if view.company else lead.name
            assert lead.id is not None
            # The lead the id names tops the list: its label can't match "#168", and Textual's
            # fuzzy scores are not bounded by 1 (a name holding "168" scores 12).
            score = PALETTE_ID_SCORE if lead.id == by_id else max(matcher.match(label), PALETTE_MIN_SCORE)
            yield Hit(
                score,
                Content(label),
                partial(app.open_lead, lead.id),
                text=label,
                help=escape(f"lead #{lead.id} · grade {lead.grade or '-'} · {lead.status}"),
            )


class SalesdeskApp(App[None]):
    """Today (the default screen), Queue and Leads, with a Lead screen and its dialogs."""

    TITLE = "salesdesk"
    DEFAULT_MODE = "today"
    COMMANDS = App.COMMANDS | {LeadFinder}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "go('today')", "Today", group=SCREEN_KEYS),
        Binding("d", "go('queue')", "Queue", tooltip="who to contact next, and why", group=SCREEN_KEYS),
        Binding("l", "go('leads')", "Leads", group=SCREEN_KEYS),
        Binding("v", "go('review')", "Review", tooltip="tick the plan, check targets, reflect", group=SCREEN_KEYS),
        Binding("w", "go('week')", "Week", tooltip="the week in charts and numbers", group=SCREEN_KEYS),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "toggle_help", "Help"),
        # Left out of the footer to keep it to one line at 80 columns; "?" lists it.
        Binding("q", "quit", "Quit", show=False),
    ]

    def __init__(
        self,
        engine: Engine,
        config: Config,
        clock: Clock,
        *,
        title_suffix: str = "",
        session: SessionStart | None = None,
        crash_log: Path | None = None,
    ) -> None:
        """``session`` opens the app in the call session of that block occurrence (``block start``);
        ``crash_log`` is where the traceback of an unhandled error goes (not the screen)."""
        super().__init__()
        self.crash_log = crash_log
        self.engine = engine
        self.config = config
        self.clock = clock
        self.title = f"salesdesk{title_suffix}"
        self._session = session
        self.add_mode("today", partial(TodayScreen, engine, config, clock))
        self.add_mode("queue", partial(QueueScreen, engine, config, clock))
        self.add_mode("leads", partial(LeadsScreen, engine, config, clock))
        self.add_mode("review", partial(ReviewScreen, engine, config, clock))
        self.add_mode("week", partial(WeekScreen, engine, config, clock))

    def _handle_exception(self, error: Exception) -> None:
        # Textual ends the app on an unhandled error and prints the traceback over the shell.
        # The traceback goes to the log file instead, and the screen gets one line saying where;
        # the process still exits non-zero (the CLI returns ``return_code``).
        super()._handle_exception(error)
        if self.crash_log is not None:
            written = write_crash_log(self.crash_log, error)
            where = f"the details are in {self.crash_log}" if written else "and could not write its log"
            self._exit_renderables[:] = [f"salesdesk: the TUI stopped on an unexpected error; {where}"]

    def on_mount(self) -> None:
        if self._session is not None:
            self.open_session(self._session)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letters belong to the dialog, or to the call session's outcomes, while one is open
        # (an outcome key may be "q"); leaving a session goes through its result.
        if action in ("go", "quit") and (isinstance(self.screen, ModalScreen) or self.in_session()):
            return False
        # Hidden where they would do nothing, so the footer keeps room at 80 columns.
        at_base = len(self.screen_stack) == 1
        if action == "back":
            return not at_base
        return not (action == "go" and parameters == (self.current_mode,) and at_base)

    async def action_go(self, mode: str) -> None:
        """Show the base screen of ``mode``; its search, filters and page are kept."""
        if self.in_session():
            # Going to a base screen would close the session under the screen shown (a lead
            # opened from the palette, say) with its calls still being written.
            self.notify("A call block is open: go back to it and press Esc to end it.", markup=False)
            return
        if self.current_mode != mode:
            await self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            await self.pop_screen()

    def action_toggle_help(self) -> None:
        # KeysScreen closes itself on "?"; this opens it over whatever screen is shown.
        if not isinstance(self.screen, KeysScreen):
            self.push_screen(KeysScreen(key_sections(self, self.screen)))

    def open_lead(self, lead_id: int) -> None:
        self.push_screen(LeadScreen(self.engine, self.config, self.clock, lead_id))

    def in_session(self) -> bool:
        """Is a call session open, shown or under another screen?"""
        return any(isinstance(screen, SessionScreen) for screen in self.screen_stack)

    def open_session(self, start: SessionStart) -> None:
        """The call session of one block occurrence, over whatever screen is shown."""
        if self.in_session():
            self.notify("A call session is open already; Esc in it shows the block's result.", markup=False)
            return
        self.push_screen(SessionScreen(self.engine, self.config, self.clock, start))

    def start_block(self) -> None:
        """The session of the block under way now, or the next one today."""
        self._find_block(self.clock())

    @work(thread=True, group="start-block")
    def _find_block(self, now: datetime) -> None:
        try:
            with read_session(self.engine) as session:
                found = occurrence_to_start(session, now)
        except SalesdeskError as exc:
            self.call_from_thread(self.notify, str(exc), title="No call block", severity="warning", markup=False)
            return
        self.call_from_thread(self.open_session, SessionStart.of(found))

    def find_leads(self, text: str) -> list[LeadView]:
        """Leads matching ``text`` for the palette; runs in a thread, so it opens its own session."""
        try:
            with read_session(self.engine) as session:
                found = leads.list_leads(session, search=text, limit=PALETTE_LEADS)
                lead_id = palette_id(text)
                if lead_id is not None and all(view.lead.id != lead_id for view in found):
                    # No lead with that id: the text still searches phones and names.
                    with contextlib.suppress(InvalidInput):
                        found.insert(0, leads.lead_view(session, lead_id))
                return found
        except SalesdeskError:
            # Text the search refuses (e.g. far too long) simply finds no lead in the palette.
            return []

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Today", "Today's numbers and touches (t)", partial(self.action_go, "today"))
        yield SystemCommand("Queue", "Who to contact next, and why (d)", partial(self.action_go, "queue"))
        yield SystemCommand("Leads", "Search, filter and page through leads (l)", partial(self.action_go, "leads"))
        yield SystemCommand("Review", "Today's plan, targets and reflection (v)", partial(self.action_go, "review"))
        yield SystemCommand("Week", "The week in charts and numbers (w)", partial(self.action_go, "week"))
        yield SystemCommand(
            "Start call block", "The call session of the block under way now, or next today", self.start_block
        )
        yield from super().get_system_commands(screen)


def palette_id(text: str) -> int | None:
    """The lead id ``#168`` or ``168`` typed in the palette, else None."""
    match = re.fullmatch(r"#?(\d{1,9})", text.strip())
    return int(match.group(1)) if match else None


def write_crash_log(path: Path, error: BaseException) -> bool:
    """Append ``error``'s traceback to ``path`` (owner-only, never through a symlink)."""
    text = "".join(traceback.format_exception(error))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError:
        return False
    return True
