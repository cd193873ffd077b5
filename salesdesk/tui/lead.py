"""The Lead screen: who the lead is, their grades, open follow-ups and every touch.

Also holds the small grade picker it opens with ``g``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Label, Static

from salesdesk.config import Config
from salesdesk.dates import fmt_local
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.models import FollowUp, GradeChange, Lead, Touch
from salesdesk.services import leads, touches
from salesdesk.services.leads import LeadView
from salesdesk.tui.log_call import CallLoggingScreen, Clock
from salesdesk.tui.widgets import Col, FitTable, HotkeyList, cell, touch_cells

# A lead with a long history opens at once; older touches are a CLI export away.
TIMELINE_LIMIT = 200

TIMELINE_COLUMNS = (
    Col("When", 16),
    Col("Channel", 7),
    Col("Outcome", 14),
    Col("Dur", 6),
    Col("Note", 10, flex=1),
    Col("Benefit", 10, flex=1),
)

# What each grade means (the method's "time to close"), shown where the rep picks one.
GRADE_MEANINGS = {
    "A": "can close within 1 month",
    "B": "can close in 2-3 months",
    "C": "4-6 months",
    "D": "not within 6 months",
}
NO_GRADE = "none"
# Wide enough for "Follow-ups", so every label on the card lines up.
LABEL_WIDTH = 10


@dataclass(frozen=True)
class LeadDetail:
    view: LeadView
    grades: list[GradeChange]
    followups: list[FollowUp]
    timeline: list[Touch]


class GradeModal(ModalScreen[str | None]):
    """Pick A-D by its key, or ``-`` for no grade. Returns the grade, "" to clear, None to cancel."""

    DEFAULT_CSS = """
    GradeModal { align: center middle; }
    GradeModal > #grade-dialog {
        width: 44; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    GradeModal HotkeyList { height: auto; border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, lead_name: str, current: str | None) -> None:
        super().__init__()
        self._lead_name = lead_name
        self._current = current

    def compose(self) -> ComposeResult:
        choices = [(grade.lower(), grade, f"{grade}  {meaning}") for grade, meaning in GRADE_MEANINGS.items()]
        choices.append(("-", NO_GRADE, "-  no grade"))
        with Vertical(id="grade-dialog"):
            yield Label(f"Grade for {self._lead_name}", markup=False)
            yield HotkeyList(choices, id="grades")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(HotkeyList).select_value(self._current or NO_GRADE)

    @on(HotkeyList.Picked)
    def _picked(self, event: HotkeyList.Picked) -> None:
        self.dismiss("" if event.value == NO_GRADE else event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _grade_text(change: GradeChange, now: datetime) -> str:
    when = fmt_local(change.at, now)
    if change.old_grade is None:
        return f"set {change.new_grade} {when}"
    if change.new_grade is None:
        return f"{change.old_grade} cleared {when}"
    return f"{change.old_grade}→{change.new_grade} {when}"


class LeadScreen(CallLoggingScreen):
    """One lead, read in a worker; ``c`` logs a call, ``g`` grades, ``o`` toggles coach."""

    DEFAULT_CSS = """
    LeadScreen #card { height: auto; max-width: 110; padding: 0 1; }
    LeadScreen #history { height: auto; max-height: 6; padding: 0 1; }
    LeadScreen #timeline-title { padding: 0 1; margin-top: 1; text-style: bold; }
    LeadScreen #no-touches { padding: 0 1; color: $text-muted; display: none; }
    LeadScreen.-untouched #no-touches { display: block; }
    LeadScreen.-untouched #timeline { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "log_call", "Call"),
        Binding("g", "grade", "Grade"),
        Binding("o", "toggle_coach", "Coach"),
    ]

    AUTO_FOCUS = "#timeline"

    def __init__(self, engine: Engine, config: Config, clock: Clock, lead_id: int) -> None:
        super().__init__(engine, config, clock)
        self.lead_id = lead_id
        self.detail: LeadDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="card")
        yield Static("", id="history")
        yield Label("Timeline", id="timeline-title")
        yield Label("No touches yet. Press c to log a call.", id="no-touches")
        yield FitTable(TIMELINE_COLUMNS, id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Lead #{self.lead_id}"
        self.reload()

    @work(thread=True, exclusive=True, group="lead")
    def reload(self) -> None:
        try:
            with read_session(self.engine) as session:
                detail = LeadDetail(
                    view=leads.lead_view(session, self.lead_id),
                    grades=leads.grade_history(session, self.lead_id),
                    followups=touches.open_followups(session, self.lead_id),
                    timeline=touches.timeline(session, self.lead_id, limit=TIMELINE_LIMIT),
                )
        except SalesdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: LeadDetail) -> None:
        self.detail = detail
        lead = detail.view.lead
        self.sub_title = f"Lead #{lead.id} · {lead.name}"
        now = self.clock()
        self.query_one("#card", Static).update(self._card(detail.view, now))
        self.query_one("#history", Static).update(self._history(detail, now))
        shown = len(detail.timeline)
        total = detail.view.touch_count
        if shown < total:
            title = f"Timeline (latest {shown} of {total})"
        else:
            title = f"Timeline ({total} touch{'' if total == 1 else 'es'})"
        self.query_one("#timeline-title", Label).update(title)
        self.set_class(not detail.timeline, "-untouched")
        self.query_one("#timeline", FitTable).set_rows(
            [(str(t.id), [cell(fmt_local(t.at, now)), *touch_cells(self.config, t)]) for t in detail.timeline]
        )

    @staticmethod
    def _card(view: LeadView, now: datetime) -> RenderableType:
        lead = view.lead
        heading = Text.assemble((lead.name, "bold"))
        for part in (view.company, lead.title):
            if part:
                heading.append(f" · {part}")
        if lead.is_coach:
            heading.append("  ★ coach", style="bold yellow")
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="dim", width=LABEL_WIDTH, no_wrap=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(style="dim", width=7, no_wrap=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")

        def show(value: Any) -> Text:
            return Text("-" if value in (None, "") else str(value), no_wrap=True, overflow="ellipsis")

        last = f", last {fmt_local(view.last_touch_at, now)}" if view.last_touch_at else ""
        status = lead.status
        if lead.closed_at is not None:
            status += f" {fmt_local(lead.closed_at, now)}" + (f" · {lead.close_reason}" if lead.close_reason else "")
        rows = [
            ("Phone", lead.phone, "Email", lead.email),
            ("WeChat", lead.wechat, "Source", lead.source),
            ("Grade", lead.grade, "Status", status),
            ("Coach", "yes" if lead.is_coach else "no", "Role", lead.role),
            ("Created", fmt_local(lead.created_at, now), "Touches", f"{view.touch_count}{last}"),
        ]
        for left, left_value, right, right_value in rows:
            grid.add_row(left, show(left_value), right, show(right_value))
        notes = Table.grid(padding=(0, 1), expand=True)
        notes.add_column(style="dim", width=LABEL_WIDTH)
        notes.add_column(ratio=1)
        notes.add_row("Notes", Text(lead.notes or "-", overflow="ellipsis"))
        return Group(heading, grid, notes)

    @staticmethod
    def _history(detail: LeadDetail, now: datetime) -> RenderableType:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="dim", width=LABEL_WIDTH, no_wrap=True)
        grid.add_column(ratio=1)
        grades = " · ".join(_grade_text(change, now) for change in detail.grades) or "never graded"
        grid.add_row("Grades", Text(grades))
        if not detail.followups:
            grid.add_row("Follow-ups", "none open")
        for index, followup in enumerate(detail.followups):
            overdue = followup.due_at < now
            due = f"{followup.channel} due {fmt_local(followup.due_at, now)}"
            line = Text(due, style="bold red" if overdue else "")
            if overdue:
                line.append(" (overdue)", style="red")
            if followup.note:
                line.append(f" · {followup.note}")
            grid.add_row("" if index else "Follow-ups", line)
        return grid

    def action_log_call(self) -> None:
        if self.detail is None:
            return
        view = self.detail.view
        label = f"{view.lead.name} · {view.company}" if view.company else view.lead.name
        self.log_call_for(self.lead_id, label)

    def call_logged(self, lead_id: int) -> None:
        self.reload()

    def action_grade(self) -> None:
        if self.detail is None:
            return
        lead = self.detail.view.lead

        def picked(grade: str | None) -> None:
            if grade is not None:
                self._edit(grade=grade)

        self.app.push_screen(GradeModal(lead.name, lead.grade), picked)

    def action_toggle_coach(self) -> None:
        if self.detail is not None:
            self._edit(is_coach=not self.detail.view.lead.is_coach)

    @work(thread=True, group="write")
    def _edit(self, **changes: Any) -> None:
        try:
            with write_session(self.engine) as session:
                lead = session.get(Lead, self.lead_id)
                if lead is None:
                    raise InvalidInput(f"lead #{self.lead_id} no longer exists")
                leads.edit_lead(session, lead, self.clock(), **changes)
        except SalesdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not changed", severity="error", markup=False)
            return
        self.app.call_from_thread(self.reload)

    @on(DataTable.RowSelected, "#timeline")
    def _read_touch(self, event: DataTable.RowSelected) -> None:
        # Notes are cut to the column at 80 columns; Enter shows the whole touch.
        if self.detail is None:
            return
        touch = next((t for t in self.detail.timeline if str(t.id) == event.row_key.value), None)
        if touch is not None:
            self.notify(
                f"Note: {touch.note or '-'}\nBenefit: {touch.benefit or '-'}",
                title=f"{fmt_local(touch.at, self.clock())} · {touch.channel}",
                markup=False,
                timeout=10,
            )
