"""Closing a lead from the TUI: the Close dialog (won or lost, and why), and the override
dialog shown when the minimum-touches rule refuses a lost close.

As with the other dialogs, these only gather what the rep decided; the Lead screen calls
the closing service, which applies the same guard as ``salesdesk lead close``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from salesdesk.lead_rules import LeadRules
from salesdesk.tui.widgets import HotkeyList

RESULTS = (("w", "won", "Won"), ("l", "lost", "Lost"))


@dataclass(frozen=True)
class CloseRequest:
    """Won or lost (None until picked), and the reason as typed."""

    won: bool | None = None
    reason: str = ""


def guard_lines(state: LeadRules, now: datetime) -> list[str]:
    """Why the minimum-touches rule refuses: touches and days so far, required, and what is next."""
    return [f"{state.lead.name} has {state.guard.text()}.", f"Next: {state.next_step(now)}"]


class CloseModal(ModalScreen[CloseRequest | None]):
    """Pick won or lost by its key, then give the reason (a lost lead needs one)."""

    DEFAULT_CSS = """
    CloseModal { align: center middle; }
    CloseModal > #dialog {
        width: 70; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    CloseModal #title { text-style: bold; margin-bottom: 1; }
    CloseModal HotkeyList { height: auto; border: round $secondary; }
    CloseModal HotkeyList:focus { border: round $accent; }
    CloseModal Input { border: round $secondary; }
    CloseModal Input:focus { border: round $accent; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Close lead"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, lead_label: str, draft: CloseRequest) -> None:
        super().__init__()
        self._lead_label = lead_label
        self._draft = draft
        self._won = draft.won

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Close · {self._lead_label}", id="title", markup=False)
            yield HotkeyList(RESULTS, id="results")
            reason = Input(
                value=self._draft.reason, placeholder="why it was won or lost", id="reason", select_on_focus=False
            )
            reason.border_title = "Reason"
            yield reason
        yield Footer()

    def on_mount(self) -> None:
        results = self.query_one("#results", HotkeyList)
        if self._won is None:
            results.focus()
            return
        results.select_value("won" if self._won else "lost")
        self.query_one("#reason", Input).focus()

    @on(HotkeyList.Picked, "#results")
    def _picked(self, event: HotkeyList.Picked) -> None:
        self._won = event.value == "won"
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if self._won is None:
            self.notify("pick won (w) or lost (l) first", severity="error", markup=False)
            self.query_one("#results").focus()
            return
        if not self._won and not reason:
            self.notify("a lost lead needs a reason: why is it lost?", severity="error", markup=False)
            self.query_one("#reason").focus()
            return
        self.dismiss(CloseRequest(won=self._won, reason=reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class OverrideModal(ModalScreen[str | None]):
    """The rule said no: show why, and close as lost anyway only when the rep confirms with
    a reason (recorded with the override). Returns the reason, or None to keep the lead."""

    DEFAULT_CSS = """
    OverrideModal { align: center middle; }
    OverrideModal > #dialog {
        width: 80; max-width: 100%; height: auto; border: thick $error; background: $surface; padding: 0 1;
    }
    OverrideModal #title { text-style: bold; color: $error; margin-bottom: 1; }
    OverrideModal #rule { margin-bottom: 1; }
    OverrideModal #hint { width: 1fr; color: $text-muted; }
    OverrideModal Input { border: round $secondary; }
    OverrideModal Input:focus { border: round $accent; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Close anyway"),
        Binding("escape", "cancel", "Keep it open"),
    ]

    def __init__(self, lines: list[str], reason: str) -> None:
        super().__init__()
        self._lines = lines
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Not closed: too few touches to give up", id="title", markup=False)
            yield Static("\n".join(self._lines), id="rule", markup=False)
            # Enter alone doesn't confirm: giving up early takes a deliberate key.
            yield Label(
                "ctrl+s closes it as lost anyway, recorded as an override with this reason; escape keeps it open.",
                id="hint",
                markup=False,
            )
            reason = Input(value=self._reason, placeholder="why close it now", id="reason")
            reason.border_title = "Reason for the override"
            yield reason
        yield Footer()

    def action_confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.notify("an override needs a reason", severity="error", markup=False)
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
