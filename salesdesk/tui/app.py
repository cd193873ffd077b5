"""The salesdesk TUI: Today, Queue and Leads as three modes, each with its own stack of screens.

The app is handed its store, settings and clock; it never opens a database, reads the
environment or asks the system for the time, so tests drive it over a temporary store
at a fixed moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from sqlalchemy import Engine
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import HelpPanel

from salesdesk.config import Config
from salesdesk.db import read_session
from salesdesk.errors import SalesdeskError
from salesdesk.services import leads
from salesdesk.services.leads import LeadView
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.leads import LeadsScreen
from salesdesk.tui.log_call import Clock
from salesdesk.tui.queue import QueueScreen
from salesdesk.tui.today import TodayScreen

# One footer entry ("t d l Go") for the three screens keeps every footer to one line at
# 80 columns; "?" names each.
SCREEN_KEYS = Binding.Group("Go")
# How many leads the command palette offers for what was typed.
PALETTE_LEADS = 20
# Leads found by phone or e-mail don't fuzzy-match their displayed name; keep them listed.
PALETTE_MIN_SCORE = 0.1


class LeadFinder(Provider):
    """Command palette hits: leads whose name, company, phone, e-mail or WeChat holds the text."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, SalesdeskApp)
        views = await asyncio.to_thread(app.find_leads, query)
        matcher = self.matcher(query)
        for view in views:
            lead = view.lead
            label = f"{lead.name} · {view.company}" if view.company else lead.name
            assert lead.id is not None
            yield Hit(
                max(matcher.match(label), PALETTE_MIN_SCORE),
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
        Binding("escape", "back", "Back"),
        Binding("question_mark", "toggle_help", "Help"),
        # Left out of the footer to keep it to one line at 80 columns; "?" lists it.
        Binding("q", "quit", "Quit", show=False),
    ]

    def __init__(self, engine: Engine, config: Config, clock: Clock, *, title_suffix: str = "") -> None:
        super().__init__()
        self.engine = engine
        self.config = config
        self.clock = clock
        self.title = f"salesdesk{title_suffix}"
        self.add_mode("today", partial(TodayScreen, engine, config, clock))
        self.add_mode("queue", partial(QueueScreen, engine, config, clock))
        self.add_mode("leads", partial(LeadsScreen, engine, config, clock))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letters belong to the dialog while one is open (an outcome key may be "q").
        if action in ("go", "quit") and isinstance(self.screen, ModalScreen):
            return False
        # Hidden where they would do nothing, so the footer keeps room at 80 columns.
        at_base = len(self.screen_stack) == 1
        if action == "back":
            return not at_base
        return not (action == "go" and parameters == (self.current_mode,) and at_base)

    async def action_go(self, mode: str) -> None:
        """Show the base screen of ``mode``; its search, filters and page are kept."""
        if self.current_mode != mode:
            await self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            await self.pop_screen()

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def open_lead(self, lead_id: int) -> None:
        self.push_screen(LeadScreen(self.engine, self.config, self.clock, lead_id))

    def find_leads(self, text: str) -> list[LeadView]:
        """Leads matching ``text`` for the palette; runs in a thread, so it opens its own session."""
        try:
            with read_session(self.engine) as session:
                return leads.list_leads(session, search=text, limit=PALETTE_LEADS)
        except SalesdeskError:
            # Text the search refuses (e.g. far too long) simply finds no lead in the palette.
            return []

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Today", "Today's numbers and touches (t)", partial(self.action_go, "today"))
        yield SystemCommand("Queue", "Who to contact next, and why (d)", partial(self.action_go, "queue"))
        yield SystemCommand("Leads", "Search, filter and page through leads (l)", partial(self.action_go, "leads"))
        yield from super().get_system_commands(screen)
