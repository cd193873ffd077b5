"""The keys dialog (``?``): this screen's keys first, then the ones that work everywhere,
then the list or field under the cursor, scrollable.

Textual's own help panel listed the focused table's twelve movement keys first, so at
80x24 the app's keys were below the fold with no way to scroll, and ``^q q Quit Quit``
listed one action twice (issue 12 item 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static


@dataclass(frozen=True)
class KeyLine:
    keys: str  # "q, ^q"
    description: str


@dataclass(frozen=True)
class KeySection:
    title: str
    lines: tuple[KeyLine, ...]


def key_sections(app: App[Any], screen: Screen[Any]) -> list[KeySection]:
    """The active keys of ``screen``, grouped by where they are bound, one line per action."""
    # Every screen has Tab, Shift+Tab and copy from Textual's Screen: they are not this screen's.
    generic = {b.action for b in Screen.BINDINGS if isinstance(b, Binding)}
    here: list[tuple[str, Binding]] = []
    everywhere: list[tuple[str, Binding]] = []
    widget: list[tuple[str, Binding]] = []
    bindings: dict[str, ActiveBinding] = screen.active_bindings
    for active in bindings.values():
        if not active.enabled:
            continue
        binding = active.binding
        entry = (app.get_key_display(binding), binding)
        if active.node is screen and binding.action not in generic:
            here.append(entry)
        elif active.node is app:
            everywhere.append(entry)
        else:
            widget.append(entry)
    sections = [
        KeySection(f"{screen.sub_title or 'This screen'}", _merged(here)),
        KeySection("Everywhere", _merged(everywhere)),
        KeySection("In the list or field", _merged(widget)),
    ]
    return [section for section in sections if section.lines]


def _merged(entries: Iterable[tuple[str, Binding]]) -> tuple[KeyLine, ...]:
    """One line per action, its keys joined (``q, ^q  Quit``), in binding order."""
    merged: dict[tuple[str, str], tuple[list[str], str]] = {}
    for key, binding in entries:
        text = binding.description or binding.action
        if binding.tooltip:
            # Textual's own tooltips repeat the description ("Quit the app and ...").
            text = binding.tooltip if binding.tooltip.startswith(text) else f"{text}: {binding.tooltip}"
        keys, _ = merged.setdefault((binding.action, binding.description), ([], text))
        if key not in keys:
            keys.append(key)
    return tuple(KeyLine(", ".join(keys), text) for keys, text in merged.values())


def section_table(section: KeySection) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True)
    table.add_column()
    for line in section.lines:
        table.add_row(Text(line.keys), Text(line.description))
    return table


class KeysScreen(ModalScreen[None]):
    """The keys of the screen below it, by section; ? or Esc closes it, arrows scroll."""

    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > #dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    KeysScreen #keys { height: auto; max-height: 100%; }
    KeysScreen .section-title { text-style: bold; color: $accent; margin-top: 1; }
    KeysScreen #keys-title { text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "close", "Close"),
    ]

    def __init__(self, sections: list[KeySection]) -> None:
        super().__init__()
        self._sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"), VerticalScroll(id="keys"):
            yield Label("Keys · arrows scroll · ? or Esc closes", id="keys-title", markup=False)
            for section in self._sections:
                yield Label(section.title, classes="section-title", markup=False)
                yield Static(section_table(section))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)
