"""The Queue screen: who to contact next, on which channel, and why (``salesdesk due``).

Only the first ``QUEUE_LIMIT`` leads of the queue are read (the service builds rows for
those only), so a huge queue still opens at once; the top is what a rep works through. ``a`` logs
the highlighted row's suggested call or touch, and the queue is re-read at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Label, Static

from salesdesk.config import Config
from salesdesk.db import read_session
from salesdesk.services import queue
from salesdesk.services.queue import DueItem
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.log_call import Clock
from salesdesk.tui.log_touch import LogTouchResult, TouchLoggingScreen, touch_channels
from salesdesk.tui.widgets import Col, FitTable, cell

QUEUE_LIMIT = 200
# Time moves leads into the queue (a cadence falls due, a deadline passes): re-read it
# this often while it is shown.
REFRESH_S = 60

# "call after 14:00" (a lead's preferred hours) widens the Do column, up to this.
DO_MAX = 18


def columns(do_width: int = 6) -> tuple[Col, ...]:
    return (
        Col("#", 3),
        Col("Lead", 12, flex=1, max_width=24),
        Col("G", 1),
        Col("Do", max(6, min(do_width, DO_MAX))),
        Col("Why", 20, flex=4),
    )


COLUMNS = columns()


@dataclass(frozen=True)
class QueuePage:
    items: list[DueItem]
    total: int  # leads due in all; more than shown when the queue is cut at QUEUE_LIMIT


def count_text(shown: int, total: int) -> str:
    """``72 due``, or ``the first 200 of 34,208 due`` for a queue cut at the limit."""
    if not total:
        return "nothing due"
    return f"the first {shown:,} of {total:,} due" if total > shown else f"{total:,} due"


def lead_label(item: DueItem) -> str:
    return f"{item.name} · {item.company}" if item.company else item.name


class QueueScreen(TouchLoggingScreen):
    """The due queue; Enter opens the lead, ``a`` logs the suggested call or touch."""

    DEFAULT_CSS = """
    QueueScreen #status-line { height: 1; padding: 0 1; color: $text-muted; }
    QueueScreen #why { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    QueueScreen #empty { height: auto; padding: 1 2; color: $text-muted; display: none; }
    QueueScreen.-empty #empty { display: block; }
    QueueScreen.-empty #why { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "act", "Act", tooltip="log the suggested call or touch for the highlighted lead"),
        Binding("c", "log_call", "Call", tooltip="log a call for the highlighted lead"),
        Binding("m", "log_touch", "Touch", tooltip="log an e-mail, WeChat, visit... for the highlighted lead"),
        Binding("r", "refresh", "Refresh"),
    ]

    AUTO_FOCUS = "#queue-table"

    def __init__(self, engine: Engine, config: Config, clock: Clock) -> None:
        super().__init__(engine, config, clock)
        self.page: QueuePage | None = None
        self._request = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("loading…", id="status-line", markup=False)
        yield FitTable(COLUMNS, id="queue-table")
        yield Static("", id="why")
        yield Label("Nothing is due: every rule is kept. Press l for your leads.", id="empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Queue"
        self.set_interval(REFRESH_S, self._tick)

    def _tick(self) -> None:
        if self.is_current:
            self.reload(keep_lead=True)

    def on_screen_resume(self) -> None:
        # Back from a lead (or another screen): what was done there shows at once.
        self.reload(keep_lead=True)

    @property
    def table(self) -> FitTable:
        return self.query_one("#queue-table", FitTable)

    def action_refresh(self) -> None:
        self.reload(keep_lead=True)

    def reload(self, *, keep_lead: bool) -> None:
        """Re-read the queue. ``keep_lead`` keeps the cursor on the same lead; otherwise it
        stays on the same row, so after acting on a lead the next one is under the cursor."""
        self._request += 1
        self._load(self._request, keep_lead)

    @work(thread=True, exclusive=True, group="queue")
    def _load(self, request: int, keep_lead: bool) -> None:
        with read_session(self.engine) as session:
            now = self.clock()
            items = queue.due(session, self.config.rules, now, limit=QUEUE_LIMIT)
            # Counting ranks the whole book: only worth it when the page is full.
            total = queue.count_due(session, self.config.rules, now) if len(items) == QUEUE_LIMIT else len(items)
        page = QueuePage(items, total)
        self.app.call_from_thread(self._show, request, keep_lead, page)

    def _show(self, request: int, keep_lead: bool, page: QueuePage) -> None:
        # A slower, older read may land after a newer one: only the newest is shown.
        if request != self._request:
            return
        self.page = page
        keep = self.table.highlighted_key() if keep_lead else None
        rows = [(str(item.lead_id), self._cells(position, item)) for position, item in enumerate(page.items, 1)]
        self.table.set_columns(columns(max((len(item.do) for item in page.items), default=0)))
        self.table.set_rows(rows, cursor_key=keep, cursor_row=self.table.cursor_row)
        self.set_class(not page.items, "-empty")
        self.query_one("#status-line", Label).update(
            f"{count_text(len(page.items), page.total)}  ·  enter opens · a does what the row says"
        )
        self._show_why()

    @staticmethod
    def _cells(position: int, item: DueItem) -> list[Text]:
        name = f"{item.name} ★" if item.is_coach else item.name
        return [
            cell(position, justify="right"),
            cell(name, style="bold" if item.is_coach else ""),
            cell(item.grade),
            cell(item.do, style="bold"),
            cell(" · ".join(reason.text for reason in item.reasons)),
        ]

    def highlighted(self) -> DueItem | None:
        key = self.table.highlighted_key()
        if key is None or self.page is None:
            return None
        return next((item for item in self.page.items if str(item.lead_id) == key), None)

    @on(DataTable.RowHighlighted, "#queue-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_why()

    def _show_why(self) -> None:
        """Every reason of the highlighted row in full: at 80 columns the table cuts them."""
        item = self.highlighted()
        why = Text(no_wrap=False)
        if item is not None:
            for index, reason in enumerate(item.reasons):
                if index:
                    why.append("\n")
                why.append(f"{reason.rule.replace('_', ' ')}: ", style="bold")
                why.append(reason.text)
        self.query_one("#why", Static).update(why)

    @on(DataTable.RowSelected, "#queue-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(LeadScreen(self.engine, self.config, self.clock, int(event.row_key.value)))

    def _target(self) -> DueItem | None:
        item = self.highlighted()
        if item is None:
            self.notify("nothing due to act on", severity="warning")
        return item

    def action_act(self) -> None:
        item = self._target()
        if item is None:
            return
        if item.action == "call":
            self.log_call_for(item.lead_id, lead_label(item))
        else:
            self.log_touch_for(item.lead_id, lead_label(item), LogTouchResult(channel=item.action))

    def action_log_call(self) -> None:
        item = self._target()
        if item is not None:
            self.log_call_for(item.lead_id, lead_label(item))

    def action_log_touch(self) -> None:
        item = self._target()
        if item is None:
            return
        channels = touch_channels(self.config)
        channel = item.action if item.action in channels else next(iter(channels), "")
        self.log_touch_for(item.lead_id, lead_label(item), LogTouchResult(channel=channel))

    def touch_logged(self, lead_id: int) -> None:
        self.reload(keep_lead=False)
