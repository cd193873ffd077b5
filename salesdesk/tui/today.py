"""The Today screen: first-contact deadlines running now, then the day's numbers so far
and the touches behind them.

Laid out as a stack of sections in ``#today``. The deadlines come from the queue, read
with the day; their countdowns are worked out again from the clock every
``COUNTDOWN_S`` seconds in between, so "48m left" keeps moving without a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from rich.text import Text
from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from salesdesk.config import Config
from salesdesk.dates import fmt_local, fmt_span, local_day_bounds, to_local
from salesdesk.db import read_session
from salesdesk.models import Touch
from salesdesk.services import leads, meetings, queue, touches
from salesdesk.services.blocks import Occurrence
from salesdesk.services.meetings import MeetingView
from salesdesk.services.touches import DayActivity
from salesdesk.tui.add_lead import add_lead_from
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.log_call import Clock
from salesdesk.tui.session import SessionScreen
from salesdesk.tui.session_data import SessionStart, block_today, next_block_after_today
from salesdesk.tui.widgets import Col, Countdowns, FitTable, Stat, cell, touch_cells

# The screen re-reads the day this often, so calls logged from the CLI in another
# terminal (and the day rolling over at midnight) show up without a keypress.
REFRESH_S = 60
# A countdown shown in minutes is never more than half a minute behind the clock.
COUNTDOWN_S = 30

TOUCH_COLUMNS = (
    Col("Time", 5),
    Col("Lead", 12, flex=2, max_width=24),
    Col("Channel", 7),
    Col("Outcome", 14),
    Col("Dur", 6),
    Col("Note", 8, flex=2),
    Col("Benefit", 8, flex=2),
)

STATS = (
    ("dials", "Dials"),
    ("connects", "Connects"),
    ("connect-rate", "Connect rate"),
    ("meetings", "Meetings booked"),
    ("other", "Other touches"),
    ("new-leads", "New leads"),
)


@dataclass(frozen=True)
class Deadline:
    """A lead the first-contact rule is waiting on, and when its window closes."""

    name: str
    deadline: datetime


@dataclass(frozen=True)
class DaySnapshot:
    day: date
    activity: DayActivity
    touches: list[tuple[Touch, str]]
    deadlines: list[Deadline]
    block: Occurrence | None  # under way now, or next today
    next_block: Occurrence | None  # with none left today, the next one after today
    meetings: list[MeetingView]
    book_empty: bool = False  # no lead at all: the first run


# What a first run can do, said where it starts (issue 12: an empty book was a dead end).
WELCOME = Text.assemble(
    ("Welcome to salesdesk.", "bold"),
    " Your book has no leads yet; three ways to start:\n",
    ("  a ", "bold reverse"),
    "  add a lead here (name, company, phone...)\n",
    ("  $ ", "bold reverse"),
    "  salesdesk import leads FILE   (a CRM export, a sheet, a vCard)\n",
    ("  $ ", "bold reverse"),
    "  salesdesk --demo   to look around a sample book first\n",
    "Then d shows who to contact next, and v plans the day.",
)


def deadline_title(deadlines: list[Deadline], now: datetime) -> str:
    """``First contact · 2 at risk · 5 breached``."""
    at_risk = sum(1 for d in deadlines if now <= d.deadline)
    breached = len(deadlines) - at_risk
    parts = ["First contact"]
    if at_risk:
        parts.append(f"{at_risk} at risk")
    if breached:
        parts.append(f"{breached} breached")
    return " · ".join(parts)


def meetings_text(views: list[MeetingView]) -> Text:
    """Today's meetings, one line: time, who, where, and how each went."""
    line = Text("Meetings today: ", style="bold")
    for index, view in enumerate(views):
        m = view.meeting
        place = f" ({m.place})" if m.place else ""
        status = "" if m.status == "booked" else f" · {m.status.replace('_', '-')}"
        line.append(("  ·  " if index else "") + f"{to_local(m.at):%H:%M} {view.lead_name}{place}{status}")
    return line


def stat_values(activity: DayActivity) -> dict[str, str]:
    """The six numbers as shown, keyed like ``STATS``."""
    rate = activity.connect_rate
    return {
        "dials": str(activity.dials),
        "connects": str(activity.connects),
        "connect-rate": "-" if rate is None else f"{rate:.0%}",
        "meetings": str(activity.meetings_booked),
        "other": str(activity.other_touches),
        "new-leads": str(activity.new_leads),
    }


class TodayScreen(Screen[None]):
    """First-contact countdowns, today's counts and touches, re-read whenever the screen is shown."""

    DEFAULT_CSS = """
    TodayScreen #today { height: 1fr; }
    TodayScreen #deadlines { margin-bottom: 1; }
    TodayScreen.-no-deadlines #deadlines-title { display: none; }
    TodayScreen.-no-deadlines #deadlines { display: none; }
    TodayScreen .section-title { padding: 0 1; text-style: bold; }
    TodayScreen #stats {
        grid-size: 3; grid-gutter: 0 3; height: auto; padding: 0 1; margin-bottom: 1;
    }
    TodayScreen.-wide #stats { grid-size: 6; }
    TodayScreen #block { padding: 0 1; margin-bottom: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    TodayScreen #meetings { padding: 0 1; margin-bottom: 1; }
    TodayScreen.-no-meetings #meetings { display: none; }
    TodayScreen #welcome { padding: 0 1; margin-bottom: 1; border: round $accent; height: auto; display: none; }
    TodayScreen.-first-run #welcome { display: block; }
    TodayScreen #no-touches { padding: 0 1; color: $text-muted; display: none; }
    TodayScreen.-quiet #no-touches { display: block; }
    TodayScreen.-quiet #today-touches { display: none; }
    """

    # Textual declares this an instance attribute, so a ClassVar here is a type error.
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh"),
        Binding("b", "start_block", "Call block", tooltip="start the call session of the block under way or next"),
        # Footer room at 80 columns is short: shown while the book is empty, the welcome's "a".
        Binding("a", "add_lead", "Add lead", tooltip="add a lead: name, company, phone, e-mail..."),
    ]

    AUTO_FOCUS = "#today-touches"

    def __init__(self, engine: Engine, config: Config, clock: Clock) -> None:
        super().__init__()
        self.engine = engine
        self.config = config
        self.clock = clock
        self.snapshot: DaySnapshot | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="today"):
            yield Static(WELCOME, id="welcome")
            yield Static("", id="block")
            yield Static("", id="meetings")
            yield Label("", id="deadlines-title", classes="section-title", markup=False)
            yield Countdowns(id="deadlines")
            yield Label("", id="day-title", classes="section-title", markup=False)
            with Grid(id="stats"):
                for key, label in STATS:
                    yield Stat(label, id=f"stat-{key}")
            yield Label("Touches so far", classes="section-title")
            yield Label("No touches yet today. Press d for who to contact next, or l for your leads.", id="no-touches")
            yield FitTable(TOUCH_COLUMNS, id="today-touches")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Today"
        self.set_interval(REFRESH_S, self._tick)
        self.set_interval(COUNTDOWN_S, self._tick_countdowns)

    def _tick(self) -> None:
        # Hidden, it waits: showing it again re-reads the day anyway.
        if self.is_current:
            self.action_refresh()

    def _tick_countdowns(self) -> None:
        if self.is_current and self.snapshot is not None:
            self._show_block(self.snapshot.block)
            self._show_deadlines(self.snapshot.deadlines)

    def _show_block(self, block: Occurrence | None) -> None:
        self.refresh_bindings()
        now = self.clock()
        if block is not None:
            when = f"starts in {fmt_span(block.start - now)}" if now < block.start else "under way"
            span = f"{to_local(block.start):%H:%M}-{to_local(block.end):%H:%M}"
            line = Text.assemble(("Call block ", "bold"), f"{block.block.title} · {span} · {when}", (" (b)", "dim"))
        else:
            line = Text(self._no_block_text(now), style="dim")
        self.query_one("#block", Static).update(line)

    def _no_block_text(self, now: datetime) -> str:
        """Said on the block line and by ``b`` when no block is left today: never silence."""
        following = self.snapshot.next_block if self.snapshot is not None else None
        if following is None:
            return "No call block planned; add one: salesdesk block add 'tomorrow 9:30' --for 90m"
        return f"No call block left today · next: {following.block.title}, {fmt_local(following.start, now)}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_lead":
            return self.snapshot is not None and self.snapshot.book_empty
        return True

    def action_add_lead(self) -> None:
        add_lead_from(self, self.engine, self.clock, self._lead_added)

    def _lead_added(self, lead_id: int) -> None:
        self.action_refresh()
        self.app.push_screen(LeadScreen(self.engine, self.config, self.clock, lead_id))

    def action_start_block(self) -> None:
        if self.snapshot is None:
            return
        if self.snapshot.block is None:
            # Not tomorrow's block opened tonight: its calls would count against tomorrow.
            self.notify(
                self._no_block_text(self.clock()), title="No call block today", severity="warning", markup=False
            )
            return
        self.app.push_screen(SessionScreen(self.engine, self.config, self.clock, SessionStart.of(self.snapshot.block)))

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load(self.clock())

    @work(thread=True, exclusive=True, group="today")
    def _load(self, now: datetime) -> None:
        day = to_local(now).date()
        start, end = local_day_bounds(day)
        with read_session(self.engine) as session:
            # The head of the queue, without ranking the rest of the book (a row's due time is
            # its deadline).
            deadlines = queue.first_contact_due(session, self.config.rules, now)
            snapshot = DaySnapshot(
                day=day,
                activity=touches.day_activity(session, self.config, start, end),
                touches=touches.touches_between(session, start, end),
                deadlines=[Deadline(item.name, item.due_at) for item in deadlines],
                block=(block := block_today(session, now)),
                next_block=None if block is not None else next_block_after_today(session, now),
                meetings=meetings.meetings_between(session, start, end),
                book_empty=leads.book_is_empty(session),
            )
        self.app.call_from_thread(self._show, snapshot)

    def _show(self, snapshot: DaySnapshot) -> None:
        self.snapshot = snapshot
        self.set_class(snapshot.book_empty, "-first-run")
        self._show_block(snapshot.block)
        self.set_class(not snapshot.meetings, "-no-meetings")
        self.query_one("#meetings", Static).update(meetings_text(snapshot.meetings))
        self._show_deadlines(snapshot.deadlines)
        self.query_one("#day-title", Label).update(f"{snapshot.day:%A %d %B %Y} · so far today")
        for key, value in stat_values(snapshot.activity).items():
            self.query_one(f"#stat-{key}", Stat).show(value)
        self.set_class(not snapshot.touches, "-quiet")
        rows = [
            (str(touch.id), [cell(to_local(touch.at).strftime("%H:%M")), cell(name), *touch_cells(self.config, touch)])
            for touch, name in snapshot.touches
        ]
        self.query_one("#today-touches", FitTable).set_rows(rows)

    @on(DataTable.RowSelected, "#today-touches")
    def _open_lead(self, event: DataTable.RowSelected) -> None:
        if self.snapshot is None:
            return
        touch = next((t for t, _ in self.snapshot.touches if str(t.id) == event.row_key.value), None)
        if touch is not None:
            self.app.push_screen(LeadScreen(self.engine, self.config, self.clock, touch.lead_id))

    def _show_deadlines(self, deadlines: list[Deadline]) -> None:
        now = self.clock()
        self.set_class(not deadlines, "-no-deadlines")
        self.query_one("#deadlines-title", Label).update(deadline_title(deadlines, now))
        self.query_one("#deadlines", Countdowns).show([(d.name, d.deadline) for d in deadlines], now)
