"""When to call one lead, set from the TUI: their hours, their time zone, a private number.

The dialog only gathers what the rep typed; the Lead screen saves it through
``leads.edit_lead``, the same checks as ``salesdesk lead edit --best-time --timezone
--private-phone``, and reopens the dialog with the message and the text as typed when a
value is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Input, Label, Static


@dataclass(frozen=True)
class CallHours:
    """As typed: "" clears the hours (any time) or the zone (the rep's own)."""

    best_time: str = ""
    timezone: str = ""
    private_phone: bool = False


class CallHoursModal(ModalScreen[CallHours | None]):
    """Their hours (``tue-thu 14:00-17:00``, ``周二-周四 14:00-17:00`` or ``learned``), their
    zone (``Europe/Berlin``) and whether the number is private. ctrl+s or enter saves."""

    DEFAULT_CSS = """
    CallHoursModal { align: center middle; }
    CallHoursModal > #dialog {
        width: 70; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    CallHoursModal #title { text-style: bold; margin-bottom: 1; }
    CallHoursModal #problem { color: $error; margin-bottom: 1; }
    CallHoursModal Input { border: round $secondary; }
    CallHoursModal Input:focus { border: round $accent; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, lead_label: str, draft: CallHours, problem: str | None = None) -> None:
        super().__init__()
        self._lead_label = lead_label
        self._draft = draft
        self._problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"When to call · {self._lead_label}", id="title", markup=False)
            if self._problem:
                yield Static(self._problem, id="problem", markup=False)
            hours = Input(
                value=self._draft.best_time, placeholder="tue-thu 14:00-17:00, or learned; empty: any time", id="hours"
            )
            hours.border_title = "Their hours"
            yield hours
            zone = Input(value=self._draft.timezone, placeholder="Europe/Berlin; empty: your own", id="zone")
            zone.border_title = "Their time zone"
            yield zone
            yield Checkbox("A private number (no calls at dinner time)", self._draft.private_phone, id="private")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#hours", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(
            CallHours(
                best_time=self.query_one("#hours", Input).value.strip(),
                timezone=self.query_one("#zone", Input).value.strip(),
                private_phone=self.query_one("#private", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
