"""The Lead screen: who the lead is, where the follow-up rules stand for them, their
grades, open follow-ups and every touch; calls, touches, grading, closing and reopening.

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
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Label, Static

from salesdesk import lifecycle
from salesdesk.config import Config
from salesdesk.dates import fmt_local, fmt_span
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, Refused, SalesdeskError
from salesdesk.lead_rules import LeadRules
from salesdesk.models import FollowUp, GradeChange, Lead, Meeting, Touch
from salesdesk.rules import FirstContact
from salesdesk.services import closing, deals, leads, meetings, queue, touches
from salesdesk.services.deals import DealView
from salesdesk.services.leads import LeadView
from salesdesk.tui.call_hours import CallHours, CallHoursModal
from salesdesk.tui.close_lead import CloseModal, CloseRequest, OverrideModal, guard_lines
from salesdesk.tui.log_call import Clock
from salesdesk.tui.log_touch import LogTouchResult, TouchLoggingScreen, touch_channels
from salesdesk.tui.widgets import Col, FitTable, HotkeyList, cell, countdown_text, touch_cells

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
# Wide enough for "1st contact", so every label on the card lines up.
LABEL_WIDTH = 11
# A lead that ``r`` reopens: closed, parked, or asked not to be contacted.
REOPENABLE = (*lifecycle.CLOSED, "nurture")


@dataclass(frozen=True)
class LeadDetail:
    view: LeadView
    rules: LeadRules
    grades: list[GradeChange]
    followups: list[FollowUp]
    timeline: list[Touch]
    meetings: list[Meeting]
    deals: list[DealView]


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


def state_text(lead: Lead, now: datetime) -> str:
    """The lead's state in words; a parked lead says when it comes back."""
    if lead.status == "nurture" and lead.nurture_until is not None:
        return f"nurture until {fmt_local(lead.nurture_until, now)}"
    # Lead.status is a str column to the ORM; only the store writes it, and only LeadState values.
    return f"{lead.status.replace('_', ' ')} ({lifecycle.STATE_WORDS[lead.status]})"  # type: ignore[index]


def _grade_text(change: GradeChange, now: datetime) -> str:
    when = fmt_local(change.at, now)
    if change.old_grade is None:
        return f"set {change.new_grade} {when}"
    if change.new_grade is None:
        return f"{change.old_grade} cleared {when}"
    return f"{change.old_grade}→{change.new_grade} {when}"


def _stored_lead(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise InvalidInput(f"lead #{lead_id} no longer exists")
    return lead


def touches_text(state: LeadRules) -> str:
    """Touches (and days with one) so far against the minimum before closing as lost."""
    return state.guard.text()


def first_contact_text(fc: FirstContact | None, source: str, now: datetime) -> Text:
    """The first-contact clock: met, late, running (time left) or breached (time over)."""
    if fc is None:
        return Text(f"no deadline for {source} leads")
    due = fmt_local(fc.deadline, now)
    if fc.first_attempt_at is not None:
        attempt = fmt_local(fc.first_attempt_at, now)
        if fc.state == "met":
            return Text(f"met: first attempt {attempt}, due by {due}")
        return Text(f"late: first attempt {attempt}, {fmt_span(fc.first_attempt_at - fc.deadline)} after {due}")
    style = "bold red" if fc.state == "breach" else "yellow"
    return Text.assemble((countdown_text(fc.deadline, now), style), f" · due by {due}, not tried yet")


class LeadScreen(TouchLoggingScreen):
    """One lead, read in a worker; ``c`` logs a call, ``m`` a touch, ``x`` closes the lead,
    ``r`` reopens it, ``g`` grades, ``o`` toggles coach, ``h`` sets when to call them."""

    DEFAULT_CSS = """
    LeadScreen #card { height: auto; max-width: 110; padding: 0 1; }
    LeadScreen #rules { height: auto; max-width: 110; padding: 0 1; }
    LeadScreen #history { height: auto; max-height: 6; padding: 0 1; }
    LeadScreen #timeline-title { padding: 0 1; margin-top: 1; text-style: bold; }
    LeadScreen #no-touches { padding: 0 1; color: $text-muted; display: none; }
    LeadScreen.-untouched #no-touches { display: block; }
    LeadScreen.-untouched #timeline { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "log_call", "Call"),
        Binding("m", "log_touch", "Touch", tooltip="log an e-mail, WeChat, visit..."),
        Binding("x", "close_lead", "Close", tooltip="close as won or lost"),
        Binding("r", "reopen", "Reopen", tooltip="put a closed lead back to work"),
        Binding("g", "grade", "Grade"),
        # Out of the footer to keep it to one line at 80 columns; "?" lists it, the card shows it.
        Binding("o", "toggle_coach", "Coach", tooltip="mark or unmark as a coach (★)", show=False),
        Binding("h", "call_hours", "Hours", tooltip="when to call them: hours, time zone, private number", show=False),
    ]

    AUTO_FOCUS = "#timeline"

    def __init__(self, engine: Engine, config: Config, clock: Clock, lead_id: int) -> None:
        super().__init__(engine, config, clock)
        self.lead_id = lead_id
        self.detail: LeadDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="card")
        yield Static("", id="rules")
        yield Static("", id="history")
        yield Label("Timeline", id="timeline-title")
        yield Label("No touches yet. Press c to log a call, m for another touch.", id="no-touches")
        yield FitTable(TIMELINE_COLUMNS, id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Lead #{self.lead_id}"
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Close or Reopen, whichever applies: the footer shows one, and neither until loaded.
        if action in ("close_lead", "reopen"):
            if self.detail is None:
                return False
            closed = self.detail.view.lead.status in REOPENABLE
            return closed if action == "reopen" else not closed
        return True

    @work(thread=True, exclusive=True, group="lead")
    def reload(self) -> None:
        now = self.clock()
        try:
            with read_session(self.engine) as session:
                view = leads.lead_view(session, self.lead_id)
                detail = LeadDetail(
                    view=view,
                    rules=queue.explain(session, self.config, view.lead, now),
                    grades=leads.grade_history(session, self.lead_id),
                    followups=touches.open_followups(session, self.lead_id),
                    timeline=touches.timeline(session, self.lead_id, limit=TIMELINE_LIMIT),
                    meetings=meetings.lead_meetings(session, self.lead_id),
                    deals=deals.lead_deals(session, self.lead_id),
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
        self.query_one("#rules", Static).update(self._rules(detail.rules, now))
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
        self.refresh_bindings()

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
        status = state_text(lead, now)
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
    def _rules(state: LeadRules, now: datetime) -> RenderableType:
        """Where the follow-up rules stand for this lead (``salesdesk why``)."""
        lead = state.lead
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="dim", width=LABEL_WIDTH, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row("Touches", Text(touches_text(state)))
        if lead.status in REOPENABLE:
            # The clocks and flags stop with the lead; they start again if it is reopened.
            grid.add_row("Next", Text(f"{state.next_step(now)}; r reopens it"))
            return grid
        grid.add_row("1st contact", first_contact_text(state.first_contact, lead.source, now))
        if state.flags:
            grid.add_row("Flags", Text(" · ".join(flag.text for flag in state.flags)))
        for label, text in state.timing:  # when to call them: hours, zone, private number, learned
            grid.add_row(label.capitalize(), Text(text))
        if not state.timing:  # the key is out of the footer (80 columns): say it where it applies
            grid.add_row("Hours", Text("any time · h sets their hours, time zone or a private number", style="dim"))
        place = f" (#{state.position} of {state.queue_length} in the queue)" if state.position else ""
        grid.add_row("Next", Text(state.next_step(now) + place))
        return grid

    @staticmethod
    def _history(detail: LeadDetail, now: datetime) -> RenderableType:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="dim", width=LABEL_WIDTH, no_wrap=True)
        grid.add_column(ratio=1)
        grades = " · ".join(_grade_text(change, now) for change in detail.grades) or "never graded"
        grid.add_row("Grades", Text(grades))
        for index, view in enumerate(detail.deals):
            deal = view.deal
            value = f" · {deal.value:,}" if deal.value is not None else ""
            grid.add_row("" if index else "Deals", Text(f"#{deal.id} {deal.title} · {deal.stage}{value}"))
        for index, meeting in enumerate(detail.meetings):
            place = f" · {meeting.place}" if meeting.place else ""
            status = meeting.status.replace("_", "-")
            line = Text(f"{fmt_local(meeting.at, now)}{place} · {status}", style="bold" if status == "booked" else "")
            grid.add_row("" if index else "Meetings", line)
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

    def _label(self, view: LeadView) -> str:
        return f"{view.lead.name} · {view.company}" if view.company else view.lead.name

    def action_log_call(self) -> None:
        if self.detail is not None:
            self.log_call_for(self.lead_id, self._label(self.detail.view))

    def action_log_touch(self) -> None:
        if self.detail is None:
            return
        channels = touch_channels(self.config)
        # The channel a follow-up is waiting on (a fallback WeChat, say), else the first one.
        waiting = [f.channel for f in self.detail.followups if f.channel in channels]
        channel = next(iter(waiting or channels), "")
        self.log_touch_for(self.lead_id, self._label(self.detail.view), LogTouchResult(channel=channel))

    def action_close_lead(self) -> None:
        if self.detail is not None:
            self._ask_close(CloseRequest())

    def _ask_close(self, draft: CloseRequest) -> None:
        assert self.detail is not None

        def chosen(request: CloseRequest | None) -> None:
            if request is not None:
                self._close(request, force=False)

        self.app.push_screen(CloseModal(self._label(self.detail.view), draft), chosen)

    @work(thread=True, group="write")
    def _close(self, request: CloseRequest, *, force: bool) -> None:
        now = self.clock()
        won = bool(request.won)
        try:
            with write_session(self.engine) as session:
                lead = _stored_lead(session, self.lead_id)
                closing.close_lead(session, self.config, lead, now, won=won, reason=request.reason or None, force=force)
        except Refused as exc:
            guard = None if won or force else self._close_guard(now)
            if guard is None:
                self.app.call_from_thread(self._not_closed, str(exc))
            else:
                self.app.call_from_thread(self._offer_override, request, guard_lines(guard, now))
            return
        except SalesdeskError as exc:
            self.app.call_from_thread(self._not_closed, str(exc), request)
            return
        self.app.call_from_thread(self._lead_closed, won, force)

    def _close_guard(self, now: datetime) -> LeadRules | None:
        """The lead's rule state when it is the minimum-touches rule that refused a lost close."""
        with read_session(self.engine) as session:
            lead = _stored_lead(session, self.lead_id)
            state = queue.explain(session, self.config, lead, now)
        return state if lead.status not in REOPENABLE and not state.guard.may_close else None

    def _not_closed(self, message: str, draft: CloseRequest | None = None) -> None:
        self.notify(message, title="Not closed", severity="error", markup=False)
        if draft is not None:
            self._ask_close(draft)
        self.reload()

    def _offer_override(self, request: CloseRequest, lines: list[str]) -> None:
        def confirmed(reason: str | None) -> None:
            if reason is not None:
                self._close(CloseRequest(won=False, reason=reason), force=True)

        self.app.push_screen(OverrideModal(lines, request.reason), confirmed)

    def _lead_closed(self, won: bool, forced: bool) -> None:
        what = "won" if won else "lost"
        if forced:
            what += ", recorded as an override"
        self.notify(f"Closed as {what}", title="Lead closed", markup=False)
        self.reload()

    def action_reopen(self) -> None:
        if self.detail is not None:
            self._reopen()

    @work(thread=True, group="write")
    def _reopen(self) -> None:
        try:
            with write_session(self.engine) as session:
                lead = closing.reopen_lead(session, _stored_lead(session, self.lead_id), self.clock())
                status = lead.status
        except SalesdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not reopened", severity="error", markup=False)
            return
        self.app.call_from_thread(self._reopened, status)

    def _reopened(self, status: str) -> None:
        self.notify(f"Back to work ({status})", title="Lead reopened", markup=False)
        self.reload()

    def touch_logged(self, lead_id: int) -> None:
        self.reload()

    def action_grade(self) -> None:
        if self.detail is None:
            return
        lead = self.detail.view.lead

        def picked(grade: str | None) -> None:
            if grade is not None:
                self._edit(grade=grade)

        self.app.push_screen(GradeModal(lead.name, lead.grade), picked)

    def action_call_hours(self) -> None:
        if self.detail is not None:
            lead = self.detail.view.lead
            self._ask_hours(CallHours(lead.best_time or "", lead.timezone or "", bool(lead.private_phone)))

    def _ask_hours(self, draft: CallHours, problem: str | None = None) -> None:
        assert self.detail is not None

        def chosen(hours: CallHours | None) -> None:
            if hours is not None:
                self._set_hours(hours)

        self.app.push_screen(CallHoursModal(self._label(self.detail.view), draft, problem), chosen)

    @work(thread=True, group="write")
    def _set_hours(self, hours: CallHours) -> None:
        try:
            with write_session(self.engine) as session:
                leads.edit_lead(
                    session,
                    _stored_lead(session, self.lead_id),
                    self.clock(),
                    best_time=hours.best_time,
                    timezone=hours.timezone,
                    private_phone=hours.private_phone,
                )
        except SalesdeskError as exc:
            # Asked again with what was typed and why it was refused: nothing was saved.
            self.app.call_from_thread(self._ask_hours, hours, str(exc))
            return
        self.app.call_from_thread(self.reload)

    def action_toggle_coach(self) -> None:
        if self.detail is not None:
            self._edit(is_coach=not self.detail.view.lead.is_coach)

    @work(thread=True, group="write")
    def _edit(self, **changes: Any) -> None:
        try:
            with write_session(self.engine) as session:
                leads.edit_lead(session, _stored_lead(session, self.lead_id), self.clock(), **changes)
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
