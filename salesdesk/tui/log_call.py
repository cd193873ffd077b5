"""The Log call modal, and the base class for screens that log calls through it.

The modal only gathers and parses what the rep typed and returns it; the screen that
opened it writes the call. If the write is refused (a callback with no next step, say),
the screen reopens the modal with everything the rep typed, so nothing has to be retyped.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, Static

from salesdesk.config import Config, Outcome
from salesdesk.dates import fmt_local, parse_duration, parse_when
from salesdesk.db import write_session
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.lifecycle import BenefitMissing
from salesdesk.models import Lead
from salesdesk.services import touches
from salesdesk.services.touches import Logged
from salesdesk.terminal import visible
from salesdesk.tui.session_data import Voicemail, read_voicemail
from salesdesk.tui.session_view import script_text
from salesdesk.tui.widgets import HotkeyList, as_plain, outcome_label, titled_input

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LogCallResult:
    """What the rep entered: parsed values to save, and the raw text to show again."""

    outcome: str
    note: str = ""
    benefit: str = ""
    duration_text: str = ""
    next_text: str = ""
    duration_s: int | None = None
    next_at: datetime | None = None
    objection: str | None = None  # the objection's key
    reply: int | None = None  # the reply's number within that objection


HINT = "Press an outcome's key, then type. Enter on Next call saves."
# The outcome whose dialog shows the messages to leave (the seeded voicemail templates).
VOICEMAIL = "voicemail"

# The fields of the dialog a refusal's ``field`` can name; a meeting's time is typed in Next.
FAULT_FIELDS = {
    "note": "#note",
    "benefit": "#benefit",
    "duration": "#duration",
    "next": "#next",
    "meeting": "#next",
}


class LogCallModal(ModalScreen[LogCallResult | None]):
    """Pick an outcome by its key, then note, benefit, duration and next call."""

    DEFAULT_CSS = """
    LogCallModal { align: center middle; }
    LogCallModal > #dialog {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    LogCallModal #title { width: 1fr; text-style: bold; margin-bottom: 1; }
    LogCallModal #body { height: auto; }
    LogCallModal #outcomes { width: 28; height: auto; max-height: 16; border: round $secondary; }
    LogCallModal #outcomes:focus { border: round $accent; }
    LogCallModal #fields { width: 1fr; height: auto; padding-left: 1; }
    LogCallModal Input { border: round $secondary; }
    LogCallModal Input:focus { border: round $accent; }
    LogCallModal #hint { color: $text-muted; margin-top: 1; }
    LogCallModal #voicemail {
        display: none; height: auto; max-height: 8; border: round $secondary; border-title-color: $accent;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        config: Config,
        clock: Clock,
        lead_label: str,
        draft: LogCallResult | None = None,
        *,
        fault: str | None = None,
        voicemail: Voicemail | None = None,
    ) -> None:
        """``fault`` names the field a refusal blamed (``SalesdeskError.field``), to put the
        cursor there rather than where the fix is merely likely. ``voicemail``: the messages
        to leave, shown when the outcome is a voicemail (METHOD.md §2)."""
        super().__init__()
        self._config = config
        self._clock = clock
        self._lead_label = lead_label
        self._draft = draft
        self._fault = fault
        self._voicemail = voicemail
        self._outcome: str | None = draft.outcome if draft else None

    def compose(self) -> ComposeResult:
        choices = [(o.key, o.name, o.label) for o in self._config.outcomes.values()]
        draft = self._draft or LogCallResult(outcome="")
        with Vertical(id="dialog"):
            yield Label(f"Log call · {self._lead_label}", id="title", markup=False)
            with Horizontal(id="body"):
                yield HotkeyList(choices, id="outcomes")
                with Vertical(id="fields"):
                    yield titled_input("note", "Note", "what was said", draft.note)
                    yield titled_input("benefit", "Benefit offered", "the value you gave them", draft.benefit)
                    yield titled_input("duration", "Duration", "4m30s, 90s, 4:30", draft.duration_text)
                    yield titled_input("next", "Next call", "tomorrow 10am, tue 14:00, in 3 days", draft.next_text)
            yield Label(HINT, id="hint", markup=False)
            with VerticalScroll(id="voicemail"):
                yield Static(id="voicemail-text")
        yield Footer()

    def on_mount(self) -> None:
        outcomes = self.query_one("#outcomes", HotkeyList)
        outcomes.border_title = "Outcome"
        self.query_one("#voicemail").border_title = "Leave a message"
        if self._outcome is None:
            outcomes.focus()
            return
        outcomes.select_value(self._outcome)
        self._show_outcome()
        # Reopened after a refusal: on the field the rules blamed, else where the fix most
        # likely goes ("the next call must be later" is about a filled Next call field).
        field = FAULT_FIELDS.get(self._fault or "")
        self.query_one(field or self._first_gap(self._config.outcome(self._outcome)), Input).focus()

    def _first_gap(self, outcome: Outcome) -> str:
        """The first field the rules still want filled for ``outcome``, else the note."""
        if next_needed(outcome) and not self._value("next").strip():
            return "#next"
        try:
            touches.check_call_benefit(self._config, outcome, self._value("benefit").strip() or None)
        except BenefitMissing:
            return "#benefit"
        return "#note"

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def _show_outcome(self) -> None:
        assert self._outcome is not None
        outcome = self._config.outcome(self._outcome)
        self.query_one("#outcomes", HotkeyList).border_subtitle = as_plain(outcome.label)
        field = self.query_one("#next", Input)
        field.border_title, field.placeholder = next_field(outcome)
        messages = self._voicemail
        leave = outcome.name == VOICEMAIL and messages is not None and bool(messages.templates)
        self.query_one("#voicemail").display = leave
        self.query_one("#hint").display = not leave  # room for the message at 80x24
        if leave and messages is not None:
            text = script_text(messages.templates, messages.values, messages.me_hint)
            self.query_one("#voicemail-text", Static).update(text)

    @on(HotkeyList.Picked, "#outcomes")
    def _picked(self, event: HotkeyList.Picked) -> None:
        self._outcome = event.value
        self._show_outcome()
        self.query_one("#note", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "next":
            self.action_save()
        else:
            self.focus_next()

    def _fail(self, field: str, message: str) -> None:
        self.notify(message, severity="error", markup=False)
        self.query_one(field).focus()

    def action_save(self) -> None:
        if self._outcome is None:
            self._fail("#outcomes", "pick an outcome first: press its key in the list")
            return
        duration_text, next_text = self._value("duration").strip(), self._value("next").strip()
        try:
            duration_s = parse_duration(duration_text) if duration_text else None
        except InvalidInput as exc:
            self._fail("#duration", str(exc))
            return
        try:
            next_at = parse_when(next_text, self._clock(), prefer="future") if next_text else None
        except InvalidInput as exc:
            self._fail("#next", str(exc))
            return
        outcome = self._config.outcome(self._outcome)
        if next_needed(outcome) and next_at is None:
            self._fail("#next", missing_next(outcome))
            return
        self.dismiss(
            LogCallResult(
                outcome=self._outcome,
                note=self._value("note"),
                benefit=self._value("benefit"),
                duration_text=duration_text,
                next_text=next_text,
                duration_s=duration_s,
                next_at=next_at,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def record_call(engine: Engine, config: Config, lead_id: int, now: datetime, call: LogCallResult) -> Logged:
    """Write the call in one transaction; a SalesdeskError means nothing was written."""
    with write_session(engine) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise InvalidInput(f"lead #{lead_id} no longer exists")
        logged = touches.log_call(
            session,
            config,
            lead,
            now,
            outcome=call.outcome,
            note=call.note,
            benefit=call.benefit,
            duration_s=call.duration_s,
            next_at=call.next_at,
            objection=call.objection,
            reply=call.reply,
        )
        return logged


def next_needed(outcome: Outcome) -> bool:
    """A callback needs the next call's time; a booked meeting needs the meeting's."""
    return outcome.requires_next or outcome.meeting


def next_field(outcome: Outcome | None) -> tuple[str, str]:
    """The Next field's title and placeholder for ``outcome``: a booked meeting asks for its
    time there (``touches.call_facts`` takes it as the meeting's time)."""
    if outcome is not None and outcome.meeting:
        return "Meeting at", "needed: the meeting's time, e.g. thu 10:00"
    if outcome is not None and outcome.requires_next:
        return "Next call", "needed: when to call back, e.g. tomorrow 10am"
    return "Next call", "tomorrow 10am, tue 14:00, in 3 days"


def missing_next(outcome: Outcome) -> str:
    what = "the meeting's time (read it back with the weekday)" if outcome.meeting else "the time of the next call"
    return f"{visible(outcome.label)} needs {what}"


class CallLoggingScreen(Screen[None]):
    """A screen over the store that can log a call for a lead.

    Subclasses call ``log_call_for`` and refresh themselves in ``touch_logged``.
    """

    def __init__(self, engine: Engine, config: Config, clock: Clock) -> None:
        super().__init__()
        self.engine = engine
        self.config = config
        self.clock = clock

    def log_call_for(
        self, lead_id: int, lead_label: str, draft: LogCallResult | None = None, *, fault: str | None = None
    ) -> None:
        def saved(call: LogCallResult | None) -> None:
            if call is not None:
                self._save_call(lead_id, lead_label, call)

        # A few script rows and one lead's name, by their keys: read here, not in a worker.
        voicemail = read_voicemail(self.engine, self.config, lead_id)
        modal = LogCallModal(self.config, self.clock, lead_label, draft, fault=fault, voicemail=voicemail)
        self.app.push_screen(modal, saved)

    @work(thread=True, group="write")
    def _save_call(self, lead_id: int, lead_label: str, call: LogCallResult) -> None:
        try:
            logged = record_call(self.engine, self.config, lead_id, self.clock(), call)
        except SalesdeskError as exc:
            self.app.call_from_thread(self._call_refused, lead_id, lead_label, call, exc)
            return
        self.app.call_from_thread(self._call_saved, lead_id, lead_label, logged)

    def _call_refused(self, lead_id: int, lead_label: str, call: LogCallResult, exc: SalesdeskError) -> None:
        self.notify(str(exc), title="Call not logged", severity="error", markup=False)
        self.log_call_for(lead_id, lead_label, draft=call, fault=exc.field)

    def _call_saved(self, lead_id: int, lead_label: str, logged: Logged) -> None:
        outcome = logged.touch.outcome or ""
        lines = [f"{outcome_label(self.config, outcome)} · {lead_label}"]
        now = self.clock()
        # Say what the rules opened, so a fallback WeChat or e-mail isn't a surprise later.
        fallbacks = [f.channel for f in logged.followups if f.rule == "fallback"]
        lines += [f"Next {f.channel}: {fmt_local(f.due_at, now)}" for f in logged.followups if f.rule == "scheduled"]
        if fallbacks:
            lines.append(f"Didn't get through: follow up by {' and '.join(fallbacks)}")
        self.notify("\n".join(lines), title="Call logged", markup=False)
        for warning in logged.warnings:
            self.notify(warning, severity="warning", markup=False)
        self.touch_logged(lead_id)

    @abstractmethod
    def touch_logged(self, lead_id: int) -> None:
        """Refresh whatever shows this lead; called on the UI thread after a call (or, on
        screens that log them too, another touch) is saved. Every screen that logs defines it."""
