"""The dialog that adds an item to the day's plan: its text, then its group by one key.

It only gathers what the rep typed; the Review screen hands it to the plan service, which
applies the seven-item limit.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from salesdesk.tui.widgets import HotkeyList

# METHOD.md §7: key work, routine work, ad-hoc work.
KIND_CHOICES = (("k", "key", "Key work"), ("r", "routine", "Routine work"), ("a", "adhoc", "Ad-hoc work"))


class AddItemModal(ModalScreen[tuple[str, str] | None]):
    """Type the item, Enter, then pick its group by key. Returns (text, kind), or None."""

    DEFAULT_CSS = """
    AddItemModal { align: center middle; }
    AddItemModal > #dialog {
        width: 70; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    AddItemModal #title { text-style: bold; margin-bottom: 1; }
    AddItemModal Input { border: round $secondary; }
    AddItemModal Input:focus { border: round $accent; }
    AddItemModal HotkeyList { height: auto; border: round $secondary; }
    AddItemModal HotkeyList:focus { border: round $accent; }
    AddItemModal #hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Add to the highlighted group"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="title", markup=False)
            text = Input(placeholder="what to get done", id="text")
            text.border_title = "Item"
            yield text
            kinds = HotkeyList(KIND_CHOICES, id="kind")
            kinds.border_title = "Group"
            yield kinds
            # The footer alone hid how an item is saved (issue 12): say it where the eyes are.
            yield Label("Type it, Enter, then k, r or a: added to that group", id="hint")
        yield Footer()

    @on(Input.Submitted, "#text")
    def _to_kind(self) -> None:
        self.query_one("#kind", HotkeyList).focus()

    @on(HotkeyList.Picked)
    def _picked(self, event: HotkeyList.Picked) -> None:
        self.dismiss((self.query_one("#text", Input).value, event.value))

    def action_save(self) -> None:
        kinds = self.query_one("#kind", HotkeyList)
        index = kinds.highlighted if kinds.highlighted is not None else 0
        self.dismiss((self.query_one("#text", Input).value, KIND_CHOICES[index][1]))

    def action_cancel(self) -> None:
        self.dismiss(None)
