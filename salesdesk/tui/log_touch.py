"""The Log touch modal (e-mail, WeChat, visit...: every channel but the call), and the base
class for screens that log both calls and touches.

As with calls, the modal only gathers what the rep typed; the screen writes it, and if the
rules refuse it (a WeChat with no benefit offered, say) the modal comes back with the text
kept and the cursor on the field at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from string import ascii_lowercase, digits
from typing import ClassVar

from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from salesdesk.config import Config
from salesdesk.db import write_session
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.models import Lead
from salesdesk.services import touches
from salesdesk.services.touches import Logged
from salesdesk.tui.log_call import CallLoggingScreen
from salesdesk.tui.widgets import HotkeyList, titled_input

# The fields a refusal can point at; any other field (or none) puts the cursor on the note.
FIELDS = ("note", "benefit")


@dataclass(frozen=True)
class LogTouchResult:
    """What the rep entered, kept as typed so a refused touch can be shown again."""

    channel: str
    note: str = ""
    benefit: str = ""


def touch_channels(config: Config) -> tuple[str, ...]:
    """The configured channels a touch can be logged on: all but ``call`` (calls have outcomes)."""
    return tuple(channel for channel in config.channels if channel != "call")


def channel_keys(channels: Sequence[str]) -> list[tuple[str, str]]:
    """One key per channel: the first letter of its name not already taken, else any free
    letter or digit (``social`` after ``sms`` gets ``o``). Channels beyond those 36 keys
    get none and are picked with the arrows and Enter."""
    taken: set[str] = set()
    keys = []
    for channel in channels:
        pool = [*channel.lower(), *ascii_lowercase, *digits]
        key = next((c for c in pool if c in ascii_lowercase + digits and c not in taken), "")
        taken.add(key)
        keys.append((key, channel))
    return keys


class LogTouchModal(ModalScreen[LogTouchResult | None]):
    """The channel comes preselected (Enter keeps it, a channel's key changes it); then
    note and benefit. Returns what was typed, or None when cancelled."""

    DEFAULT_CSS = """
    LogTouchModal { align: center middle; }
    LogTouchModal > #dialog {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    LogTouchModal #title { width: 1fr; text-style: bold; margin-bottom: 1; }
    LogTouchModal #body { height: auto; }
    LogTouchModal #channels { width: 22; height: auto; max-height: 12; border: round $secondary; }
    LogTouchModal #channels:focus { border: round $accent; }
    LogTouchModal #fields { width: 1fr; height: auto; padding-left: 1; }
    LogTouchModal Input { border: round $secondary; }
    LogTouchModal Input:focus { border: round $accent; }
    LogTouchModal #hint { width: 1fr; color: $text-muted; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        config: Config,
        lead_label: str,
        draft: LogTouchResult,
        *,
        fault: str | None = None,
    ) -> None:
        """``draft`` holds the preselected channel (and, after a refusal, the text typed);
        ``fault`` names the field a refusal blamed, to put the cursor there."""
        super().__init__()
        self._channels = touch_channels(config)
        self._lead_label = lead_label
        self._draft = draft
        self._fault = fault
        self._channel: str | None = draft.channel if draft.channel in self._channels else None

    def compose(self) -> ComposeResult:
        choices = [(key, channel, channel) for key, channel in channel_keys(self._channels)]
        with Vertical(id="dialog"):
            yield Label(f"Log touch · {self._lead_label}", id="title", markup=False)
            with Horizontal(id="body"):
                yield HotkeyList(choices, id="channels")
                with Vertical(id="fields"):
                    yield titled_input("note", "Note", "what was sent or said", self._draft.note)
                    yield titled_input("benefit", "Benefit offered", "the value you gave them", self._draft.benefit)
            yield Label(
                "Enter keeps the channel (or press another's key). Enter on Benefit saves.",
                id="hint",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        channels = self.query_one("#channels", HotkeyList)
        channels.border_title = "Channel"
        if self._channel is None:
            channels.focus()
            return
        channels.select_value(self._channel)
        self._show_channel()
        if self._fault is None:
            channels.focus()
        else:
            # Back after a refusal: the channel was chosen; the fix goes in a field.
            self.query_one(f"#{self._fault if self._fault in FIELDS else 'note'}", Input).focus()

    def _show_channel(self) -> None:
        self.query_one("#channels", HotkeyList).border_subtitle = self._channel

    @on(HotkeyList.Picked, "#channels")
    def _picked(self, event: HotkeyList.Picked) -> None:
        self._channel = event.value
        self._show_channel()
        self.query_one("#note", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "benefit":
            self.action_save()
        else:
            self.focus_next()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def action_save(self) -> None:
        if self._channel is None:
            self.notify("pick a channel first: press its key in the list", severity="error", markup=False)
            self.query_one("#channels").focus()
            return
        self.dismiss(LogTouchResult(channel=self._channel, note=self._value("note"), benefit=self._value("benefit")))

    def action_cancel(self) -> None:
        self.dismiss(None)


def record_touch(engine: Engine, config: Config, lead_id: int, now: datetime, entry: LogTouchResult) -> Logged:
    """Write the touch in one transaction; a SalesdeskError means nothing was written."""
    with write_session(engine) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise InvalidInput(f"lead #{lead_id} no longer exists")
        return touches.log_touch(
            session, config, lead, now, channel=entry.channel, note=entry.note, benefit=entry.benefit
        )


class TouchLoggingScreen(CallLoggingScreen):
    """A screen that logs calls (``log_call_for``) and other touches (``log_touch_for``);
    it refreshes itself in ``touch_logged`` after either."""

    def log_touch_for(self, lead_id: int, lead_label: str, draft: LogTouchResult, *, fault: str | None = None) -> None:
        if not touch_channels(self.config):
            self.notify("config.toml lists no channel but call to log a touch on", severity="warning")
            return

        def saved(entry: LogTouchResult | None) -> None:
            if entry is not None:
                self._save_touch(lead_id, lead_label, entry)

        self.app.push_screen(LogTouchModal(self.config, lead_label, draft, fault=fault), saved)

    @work(thread=True, group="write")
    def _save_touch(self, lead_id: int, lead_label: str, entry: LogTouchResult) -> None:
        try:
            logged = record_touch(self.engine, self.config, lead_id, self.clock(), entry)
        except SalesdeskError as exc:
            self.app.call_from_thread(self._touch_refused, lead_id, lead_label, entry, exc)
            return
        self.app.call_from_thread(self._touch_saved, lead_id, lead_label, logged)

    def _touch_refused(self, lead_id: int, lead_label: str, entry: LogTouchResult, exc: SalesdeskError) -> None:
        self.notify(str(exc), title="Touch not logged", severity="error", markup=False)
        self.log_touch_for(lead_id, lead_label, entry, fault=exc.field or "note")

    def _touch_saved(self, lead_id: int, lead_label: str, logged: Logged) -> None:
        self.notify(f"{logged.touch.channel} · {lead_label}", title="Touch logged", markup=False)
        for warning in logged.warnings:
            self.notify(warning, severity="warning", markup=False)
        self.touch_logged(lead_id)
