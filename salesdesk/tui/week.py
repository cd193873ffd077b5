"""The Week screen: an ISO week rolled up, as the weekly export has it (``reports.week_report``).

Results against the week's targets, bars per day for dials, connects and meetings, the
funnel as bars and as a table, follow-up compliance, and the day table the export prints.
Every number comes from the report, so the screen and the markdown page always agree.
``h`` swaps the bars for the rep's connect-rate heatmap (``stats hours``) over the 12 weeks
up to the end of the week shown.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from salesdesk import render_hours
from salesdesk.config import Config
from salesdesk.connect_rates import HourMap
from salesdesk.db import read_session
from salesdesk.services import hours, reports
from salesdesk.services.exports import TARGET_LABELS, day_name, money, pct
from salesdesk.services.funnel import MIN_CLOSED
from salesdesk.services.reports import WeekReport
from salesdesk.tui.charts import BarChart
from salesdesk.tui.log_call import Clock

# Plotext colour names: effort in blue and green, the result (meetings) stands out.
DIALS_COLOR, CONNECTS_COLOR, MEETINGS_COLOR = "blue+", "green+", "orange+"
ENTERED_COLOR, MOVED_COLOR, LOST_COLOR = "cyan+", "green+", "red+"


def results_line(report: WeekReport) -> Text:
    """``Meetings booked 19 of 15 (127%) · Dials ...``: results first, as the export orders them."""
    parts: list[Text] = []
    for name, label in TARGET_LABELS.items():
        t = report.targets.get(name)
        if t is None:
            continue
        attained = "-" if t.attainment_pct is None else f"{t.attainment_pct:.0f}%"
        scope = f", on {t.on_days}" if t.on_days else ""
        parts.append(Text.assemble(f"{label} ", (str(t.actual), "bold"), f" of {t.target} ({attained}{scope})"))
    if not parts:
        return Text("No targets this week: salesdesk goal set, or plan --dials N.", style="dim")
    return Text(" · ").join(parts)


def day_table(report: WeekReport) -> Table:
    """One row per day and the week's totals, with the export's columns."""
    table = Table(expand=False, box=None, padding=(0, 1), header_style="bold")
    table.add_column("Day", no_wrap=True)
    for header in ("Dials", "Conn", "Rate", "Meet", "New", "Breach"):
        table.add_column(header, justify="right", no_wrap=True)

    def cells(figures_row: reports.DayRow | None) -> list[str]:
        f = report.totals if figures_row is None else figures_row.figures
        a = f.activity
        return [
            str(a.dials), str(a.connects), pct(a.connect_rate), str(a.meetings_booked), str(a.new_leads),
            str(f.first_contact_breaches),
        ]  # fmt: skip

    for row in report.days:
        table.add_row(day_name(row.day), *cells(row))
    table.add_row(Text("Week", style="bold"), *cells(None), style="bold")
    return table


def funnel_table(report: WeekReport) -> Table:
    table = Table(expand=False, box=None, padding=(0, 1), header_style="bold")
    table.add_column("Stage", no_wrap=True)
    for header in ("Entered", "Moved on", "Lost", "Still open", "Conversion"):
        table.add_column(header, justify="right", no_wrap=True)
    for row in report.funnel.stages:
        table.add_row(
            row.stage, str(row.entered), str(row.moved_on), str(row.lost), str(row.still_open), pct(row.conversion)
        )
    return table


def funnel_lines(report: WeekReport) -> Text:
    f = report.funnel
    text = Text(f"Won {f.won} · lost {f.lost} this week · forecast {money(f.forecast)} (open deals, weighted)")
    if f.low_confidence:
        text.append(
            f"\nLow confidence: {f.closed_total} deals closed in all; rates settle after about {MIN_CLOSED}.",
            style="yellow",
        )
    return text


def hours_panel(hmap: HourMap, now: datetime) -> Text:
    """The heatmap as ``stats hours`` draws it, with its legend; a sentence when there are no calls."""
    if not hmap.cells:
        return Text(render_hours.empty_text(hmap), style="dim")
    zone = render_hours.zone_name(now)
    return Text("\n").join([render_hours.panel(hmap, None, "connect", zone), render_hours.legend(hmap)])


def followups_line(report: WeekReport) -> str:
    return f"{report.followups.sentence()}\nMeetings: {report.meetings.sentence()}"


class WeekScreen(Screen[None]):
    """One ISO week (this week at first); p and n step to the previous and next week."""

    DEFAULT_CSS = """
    WeekScreen #week { height: 1fr; padding: 0 1; }
    WeekScreen .section-title { text-style: bold; margin-top: 1; }
    WeekScreen #week-title { text-style: bold; }
    WeekScreen .charts { height: auto; }
    WeekScreen .charts > Vertical { height: auto; }
    WeekScreen BarChart { height: 12; }
    WeekScreen #hours-box { height: auto; display: none; }
    WeekScreen.-hours #hours-box { display: block; }
    WeekScreen.-hours #bar-charts { display: none; }
    WeekScreen.-narrow .charts { layout: vertical; }
    WeekScreen.-wide .charts { layout: horizontal; }
    WeekScreen.-wide .charts > BarChart { width: 1fr; height: 16; }
    WeekScreen.-wide #numbers { width: 56; margin-right: 2; }
    WeekScreen.-wide #funnel-box { width: 1fr; }
    WeekScreen #funnel-note { color: $text-muted; }
    """

    # Textual declares this an instance attribute, so a ClassVar here is a type error.
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "step(-1)", "Prev week"),
        Binding("n", "step(1)", "Next week"),
        Binding("h", "toggle_hours", "Hours", tooltip="charts or your connect-rate heatmap"),
    ]

    AUTO_FOCUS = "#week"

    def __init__(self, engine: Engine, config: Config, clock: Clock) -> None:
        super().__init__()
        self.engine = engine
        self.config = config
        self.clock = clock
        self.monday: date | None = None  # None until the first query: this week, by the clock
        self.report: WeekReport | None = None
        self.hours: HourMap | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="week"):
            yield Label("", id="week-title", markup=False)
            yield Static("", id="results")
            with Vertical(id="hours-box"):
                yield Static("", id="hours-map")
            with Horizontal(classes="charts", id="bar-charts"):
                yield BarChart(id="activity-chart")
                yield BarChart(id="meetings-chart")
            with Horizontal(classes="charts"):
                with Vertical(id="numbers"):
                    yield Label("Per day", classes="section-title")
                    yield Static("", id="days")
                    yield Label("Follow-up compliance", classes="section-title")
                    yield Label("", id="followups", markup=False)
                with Vertical(id="funnel-box"):
                    yield Label("Funnel", classes="section-title")
                    yield BarChart(id="funnel-chart")
                    yield Static("", id="funnel")
                    yield Static("", id="funnel-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Week"

    def on_screen_resume(self) -> None:
        self._load(self.monday, self.clock())

    def action_step(self, weeks: int) -> None:
        if self.report is not None:
            self._load(self.report.monday + timedelta(weeks=weeks), self.clock())

    def action_toggle_hours(self) -> None:
        self.toggle_class("-hours")

    @work(thread=True, exclusive=True, group="week")
    def _load(self, monday: date | None, now: datetime) -> None:
        with read_session(self.engine) as session:
            report = reports.week_report(session, self.config, monday or reports.parse_week(None, now), now)
            hmap = hours.hour_map(session, self.config, now, until=min(report.end, now))
        self.app.call_from_thread(self._show, report, hmap)

    def _show(self, report: WeekReport, hmap: HourMap) -> None:
        self.report = report
        self.hours = hmap
        self.query_one("#hours-map", Static).update(hours_panel(hmap, self.clock()))
        self.monday = report.monday
        this_week = reports.parse_week(None, self.clock()) == report.monday
        title = f"{report.label} · {report.monday:%a %d %b} – {report.sunday:%a %d %b %Y}"
        self.query_one("#week-title", Label).update(title + (" · this week" if this_week else ""))
        self.query_one("#results", Static).update(results_line(report))
        days = [f"{row.day:%a}" for row in report.days]
        activity = [row.figures.activity for row in report.days]
        self.query_one("#activity-chart", BarChart).show(
            "Dials and connects",
            days,
            [
                ("dials", DIALS_COLOR, [a.dials for a in activity]),
                ("connects", CONNECTS_COLOR, [a.connects for a in activity]),
            ],
        )
        self.query_one("#meetings-chart", BarChart).show(
            "Meetings booked", days, [("meetings", MEETINGS_COLOR, [a.meetings_booked for a in activity])]
        )
        self.query_one("#days", Static).update(day_table(report))
        stages = report.funnel.stages
        self.query_one("#funnel-chart", BarChart).show(
            "Deals per stage",
            [row.stage for row in stages],
            [
                ("entered", ENTERED_COLOR, [row.entered for row in stages]),
                ("moved on", MOVED_COLOR, [row.moved_on for row in stages]),
                ("lost", LOST_COLOR, [row.lost for row in stages]),
            ],
        )
        self.query_one("#funnel", Static).update(funnel_table(report))
        self.query_one("#funnel-note", Static).update(funnel_lines(report))
        self.query_one("#followups", Label).update(followups_line(report))
        self.sub_title = f"Week {report.label}"
