"""The Leads screen: one page of leads at a time, searched and filtered in SQL.

Only a page (``PAGE_SIZE`` rows) is ever loaded into the table, so 50,000 leads scroll as
quickly as 50. Queries run in a thread worker; the newest request wins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label

from salesdesk.config import GRADES, SOURCES, STATUSES, Config
from salesdesk.dates import to_local
from salesdesk.db import read_session
from salesdesk.errors import SalesdeskError
from salesdesk.services import leads
from salesdesk.services.leads import LeadView
from salesdesk.tui.add_lead import add_lead_from
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.log_call import CallLoggingScreen, Clock
from salesdesk.tui.widgets import Col, FitTable, cell

PAGE_SIZE = 100
# Grouped so the footer still fits at 80 columns ("n p Page", "g s o Filter").
PAGE_KEYS = Binding.Group("Page")
FILTER_KEYS = Binding.Group("Filter")
# Long enough to skip the queries for letters typed in a burst, short enough to feel live.
SEARCH_DEBOUNCE_S = 0.25

COLUMNS = (
    Col("#", 6),
    Col("Name", 14, flex=1, max_width=30),
    Col("Company", 12, flex=1, max_width=30),
    Col("G", 1),
    Col("Status", 7),
    Col("Source", 8),
    Col("Tch", 3),
    Col("Last touch", 11),
)


@dataclass(frozen=True)
class LeadQuery:
    """What the rep asked to see: search text, filters (None = any) and the page offset."""

    search: str = ""
    grade: str | None = None
    status: str | None = None
    source: str | None = None
    offset: int = 0

    def filters(self) -> dict[str, str | None]:
        return {"search": self.search or None, "grade": self.grade, "status": self.status, "source": self.source}


@dataclass(frozen=True)
class LeadPage:
    query: LeadQuery
    total: int
    rows: list[LeadView]


def _cycle(value: str | None, choices: tuple[str, ...]) -> str | None:
    """any -> first -> ... -> last -> any."""
    options: list[str | None] = [None, *choices]
    return options[(options.index(value) + 1) % len(options)]


def fmt_last_touch(at: datetime | None, now: datetime) -> str:
    """``today 14:30`` for today, else ``Mon 16 Nov``: short, and always with the weekday."""
    if at is None:
        return "-"
    local, today = to_local(at), to_local(now).date()
    return local.strftime("today %H:%M") if local.date() == today else local.strftime("%a %d %b")


def range_text(offset: int, shown: int, total: int, *, filtered: bool = True) -> str:
    """The rows shown and the total, e.g. ``1-100 of 50,000`` (with an en dash)."""
    if total == 0:
        return "no leads match" if filtered else "no leads yet"
    return f"{offset + 1:,}–{offset + shown:,} of {total:,}"


class LeadsScreen(CallLoggingScreen):
    """Search, filter and page through leads; open one, or log a call for it."""

    DEFAULT_CSS = """
    LeadsScreen #search { border: none; height: 1; padding: 0 1; background: $boost; }
    LeadsScreen #search:focus { background: $primary 20%; }
    LeadsScreen #status-line { height: 1; padding: 0 1; color: $text-muted; }
    LeadsScreen #empty { width: 1fr; height: auto; padding: 1 2; color: $text-muted; display: none; }
    LeadsScreen.-empty #empty { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("c", "log_call", "Call"),
        Binding("a", "add_lead", "Add", tooltip="add a lead: name, company, phone, e-mail..."),
        Binding("n", "page(1)", "Next page", group=PAGE_KEYS),
        Binding("p", "page(-1)", "Previous page", group=PAGE_KEYS),
        Binding("g", "cycle('grade')", "Cycle the grade filter", group=FILTER_KEYS),
        Binding("s", "cycle('status')", "Cycle the status filter", group=FILTER_KEYS),
        Binding("o", "cycle('source')", "Cycle the source filter", group=FILTER_KEYS),
        Binding("x", "clear_filters", "Clear filters", show=False),
        Binding("escape", "focus_table", "Back to list", show=False),
    ]

    AUTO_FOCUS = "#leads-table"

    def __init__(self, engine: Engine, config: Config, clock: Clock) -> None:
        super().__init__(engine, config, clock)
        self.query_state = LeadQuery()
        self.page: LeadPage | None = None
        self._request = 0
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="/ search name, company, phone, email, wechat", id="search")
        yield Label("", id="status-line", markup=False)
        yield FitTable(COLUMNS, id="leads-table")
        yield Label("", id="empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Leads"
        self.reload()

    @property
    def table(self) -> FitTable:
        return self.query_one("#leads-table", FitTable)

    def reload(self, query: LeadQuery | None = None) -> None:
        """Load the page ``query`` asks for (default: the current one, e.g. after a write)."""
        self.query_state = query or self.query_state
        self._request += 1
        self._show_status(loading=True)
        self._load(self._request, self.query_state)

    @work(thread=True, exclusive=True, group="leads-page")
    def _load(self, request: int, query: LeadQuery) -> None:
        try:
            with read_session(self.engine) as session:
                total = leads.count_leads(session, **query.filters())
                if query.offset >= total > 0:
                    # Rows vanished under a filter (e.g. a status changed): show the last page.
                    query = replace(query, offset=(total - 1) // PAGE_SIZE * PAGE_SIZE)
                rows = leads.list_leads(session, **query.filters(), limit=PAGE_SIZE, offset=query.offset)
        except SalesdeskError as exc:
            self.app.call_from_thread(self._refused, request, str(exc))
            return
        self.app.call_from_thread(self._show_page, request, LeadPage(query, total, rows))

    def _refused(self, request: int, message: str) -> None:
        if request == self._request:
            self.notify(message, severity="error", markup=False)
            self._show_status()

    def _show_page(self, request: int, page: LeadPage) -> None:
        # A slower, older query may finish after a newer one: only the newest is shown.
        if request != self._request:
            return
        keep = self.table.highlighted_key() if self.page and self.page.query == page.query else None
        self.page = page
        self.query_state = page.query
        now = self.clock()
        self.table.set_rows([(str(view.lead.id), self._cells(view, now)) for view in page.rows], cursor_key=keep)
        self.set_class(not page.rows, "-empty")
        filtered = any(page.query.filters().values())
        self.query_one("#empty", Label).update(
            "No lead matches. x clears the search and filters; a adds a lead."
            if filtered
            else "No leads yet. Press a to add one, or in a shell: salesdesk import leads FILE "
            "(CSV or Excel exports, vCard)."
        )
        self._show_status()

    @staticmethod
    def _cells(view: LeadView, now: datetime) -> list[Text]:
        lead = view.lead
        return [
            cell(lead.id, justify="right"),
            cell(lead.name, style="bold" if lead.is_coach else ""),
            cell(view.company),
            cell(lead.grade),
            cell(lead.status),
            cell(lead.source),
            cell(view.touch_count, justify="right"),
            cell(fmt_last_touch(view.last_touch_at, now)),
        ]

    def _show_status(self, *, loading: bool = False) -> None:
        q = self.query_state
        parts = [f"g grade {q.grade or 'any'}", f"s status {q.status or 'any'}", f"o source {q.source or 'any'}"]
        if q.search:
            parts.insert(0, f"search {q.search!r}")
        where = "loading…" if self.page is None or loading else self.range_label()
        self.query_one("#status-line", Label).update(f"{where}  ·  {' · '.join(parts)}")

    def range_label(self) -> str:
        """The range text as shown in the status line."""
        page = self.page
        if page is None:
            return ""
        return range_text(page.query.offset, len(page.rows), page.total, filtered=any(page.query.filters().values()))

    def action_page(self, step: int) -> None:
        page = self.page
        if page is None:
            return
        # From the page asked for, not the one shown, so quick presses each move a page.
        offset = self.query_state.offset + step * PAGE_SIZE
        if offset < 0 or offset >= page.total:
            self.notify("first page" if offset < 0 else "last page", timeout=2)
            return
        self.reload(replace(self.query_state, offset=offset))

    def action_cycle(self, field: str) -> None:
        choices = {"grade": GRADES, "status": STATUSES, "source": SOURCES}[field]
        q = self.query_state
        value = _cycle(getattr(q, field), choices)
        changes: dict[str, Any] = {field: value, "offset": 0}
        self.reload(replace(q, **changes))

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        self.reload(LeadQuery())

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE_S, self._apply_search)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._apply_search()
        self.table.focus()

    def _apply_search(self) -> None:
        text = self.query_one("#search", Input).value.strip()
        if text != self.query_state.search:
            self.reload(replace(self.query_state, search=text, offset=0))

    def _highlighted(self) -> LeadView | None:
        key = self.table.highlighted_key()
        if key is None or self.page is None:
            return None
        return next((view for view in self.page.rows if str(view.lead.id) == key), None)

    @on(DataTable.RowSelected, "#leads-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(LeadScreen(self.engine, self.config, self.clock, int(event.row_key.value)))

    def action_log_call(self) -> None:
        view = self._highlighted()
        if view is None:
            self.notify("no lead highlighted", severity="warning")
            return
        lead_id = view.lead.id
        assert lead_id is not None, "leads read from the store have ids"
        label = f"{view.lead.name} · {view.company}" if view.company else view.lead.name
        self.log_call_for(lead_id, label)

    def action_add_lead(self) -> None:
        add_lead_from(self, self.engine, self.clock, self._lead_added)

    def _lead_added(self, lead_id: int) -> None:
        # Straight to its card: the next thing a new lead wants is a first call.
        self.reload()
        self.app.push_screen(LeadScreen(self.engine, self.config, self.clock, lead_id))

    def touch_logged(self, lead_id: int) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        # Back from a lead: calls or grade changes made there show in the list.
        if self.page is not None:
            self.reload()
