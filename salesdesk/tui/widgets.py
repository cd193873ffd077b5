"""Small widgets shared by the screens. Widgets only display and post messages; they
never touch the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.console import JustifyMethod, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, OptionList
from textual.widgets.option_list import Option

from salesdesk.config import Config
from salesdesk.dates import fmt_duration, fmt_span
from salesdesk.models import Touch
from salesdesk.terminal import visible


def cell(value: object, *, justify: JustifyMethod = "left", style: str = "", missing: str = "-") -> Text:
    """A table cell that is never read as markup and never wraps.

    DataTable parses plain ``str`` cells as markup, so a note like "[urgent]" would be
    mangled; a Text is shown as is. Newlines in notes are flattened to keep rows one line.
    """
    text = missing if value is None or value == "" else str(value).replace("\r", "").replace("\n", " ")
    return Text(text, no_wrap=True, overflow="ellipsis", justify=justify, style=style)


def outcome_label(config: Config, outcome: str) -> str:
    """The configured label of an outcome (history may name one the config has since removed),
    control characters shown escaped: config.toml is text anyone may have edited."""
    found = config.outcomes.get(outcome)
    return visible(found.label if found is not None else outcome)


def as_plain(text: str) -> Content:
    """``text`` (a label from config.toml, a lead's name) for a place Textual would read as
    markup, such as a border title: shown as typed, "[bold]" included, never obeyed (escaping
    the brackets instead misses some: "\\x1b[31m[b]" keeps its backslash on screen)."""
    return Content(visible(text))


def touch_cells(config: Config, touch: Touch) -> list[Text]:
    """Channel, outcome, duration, note and benefit of a touch, as table cells."""
    connected_style = "green" if touch.connected and touch.channel == "call" else ""
    # Blank rather than "-" for what a touch simply didn't have: the row reads faster.
    return [
        cell(touch.channel),
        cell(outcome_label(config, touch.outcome) if touch.outcome else None, style=connected_style, missing=""),
        cell(fmt_duration(touch.duration_s) if touch.duration_s is not None else None, justify="right", missing=""),
        cell(touch.note, missing=""),
        cell(touch.benefit, missing=""),
    ]


@dataclass(frozen=True)
class Col:
    """A column: its minimum width, its share (``flex``) of spare width, and a cap."""

    label: str
    width: int
    flex: int = 0
    max_width: int | None = None


def fit_widths(specs: Sequence[Col], room: int) -> tuple[int, ...]:
    """Share ``room`` cells among the columns: each gets its width, flexible ones grow.

    A column that reaches its cap hands the rest of its share to the others; width no
    column can take is left unused rather than stretching a name across the screen.
    """
    widths = [spec.width for spec in specs]
    growing = {i for i, spec in enumerate(specs) if spec.flex}
    spare = room - sum(widths)
    while spare > 0 and growing:
        total = sum(specs[i].flex for i in growing)
        given = 0
        for i in sorted(growing):
            cap = specs[i].max_width
            share = max(1, spare * specs[i].flex // total)
            share = min(share, spare - given)
            if cap is not None:
                share = min(share, cap - widths[i])
            widths[i] += share
            given += share
            if cap is not None and widths[i] >= cap:
                growing.discard(i)
        spare -= given
        if given == 0:
            break
    return tuple(widths)


class FitTable(DataTable[Text]):
    """A row-cursor DataTable whose columns share the width it is given.

    Fixed columns keep their width; flexible ones (names, notes) grow, so the same table
    reads well at 80 and at 160 columns. Rows are kept so a resize can re-lay them out.
    """

    DEFAULT_CSS = """
    FitTable { height: 1fr; }
    """

    # Room kept for the vertical scrollbar so a long page doesn't push the last column out.
    SCROLLBAR_ROOM = 2

    def __init__(self, columns: Sequence[Col], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._specs = tuple(columns)
        self._rows: list[tuple[str, Sequence[Text]]] = []
        self._widths: tuple[int, ...] = ()

    def _fit(self, width: int) -> tuple[int, ...]:
        padding = 2 * self.cell_padding * len(self._specs)
        return fit_widths(self._specs, width - self.SCROLLBAR_ROOM - padding)

    def _render_rows(self, cursor_row: int) -> None:
        self.clear(columns=True)
        for spec, width in zip(self._specs, self._widths, strict=True):
            self.add_column(Text(spec.label, no_wrap=True, overflow="ellipsis"), width=width)
        for key, cells in self._rows:
            self.add_row(*cells, key=key)
        if self._rows:
            self.move_cursor(row=min(cursor_row, len(self._rows) - 1), animate=False)

    def set_columns(self, columns: Sequence[Col]) -> None:
        """Change the column specs; they take effect with the next ``set_rows``."""
        self._specs = tuple(columns)

    def set_rows(
        self, rows: Sequence[tuple[str, Sequence[Text]]], *, cursor_key: str | None = None, cursor_row: int = 0
    ) -> None:
        """Show ``rows`` (key, cells); keep the cursor on ``cursor_key`` when it is among them,
        else put it on ``cursor_row`` (or the last row, if there are fewer)."""
        self._rows = list(rows)
        self._widths = self._fit(self.size.width)
        keys = [key for key, _ in self._rows]
        self._render_rows(keys.index(cursor_key) if cursor_key in keys else cursor_row)

    def highlighted_key(self) -> str | None:
        """The key of the row under the cursor, or None for an empty table."""
        if not self._rows or not 0 <= self.cursor_row < len(self._rows):
            return None
        return self._rows[self.cursor_row][0]

    def on_resize(self, event: events.Resize) -> None:
        widths = self._fit(event.size.width)
        if widths != self._widths:
            self._widths = widths
            self._render_rows(self.cursor_row)


class Stat(Widget):
    """One number of the day with its label, e.g. ``Dials  12``."""

    DEFAULT_CSS = """
    Stat { layout: horizontal; height: 1; width: 1fr; }
    Stat > .stat-label { width: 1fr; color: $text-muted; }
    Stat > .stat-value { width: auto; text-style: bold; }
    """

    def __init__(self, label: str, *, id: str) -> None:
        super().__init__(id=id)
        self._label = label

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="stat-label", markup=False)
        yield Label("…", classes="stat-value", markup=False)

    def show(self, value: str) -> None:
        self.query_one(".stat-value", Label).update(value)

    @property
    def value(self) -> str:
        return str(self.query_one(".stat-value", Label).content)


def countdown_text(deadline: datetime, now: datetime) -> str:
    """``48m left`` up to the deadline, ``2h over`` past it."""
    return f"{fmt_span(deadline - now)} {'left' if now <= deadline else 'over'}"


class Countdowns(Widget):
    """Deadlines as ``name  48m left`` cells, as many to a line as fit, worked out afresh
    from ``now`` each time they are shown, so the text moves on without a query."""

    DEFAULT_CSS = """
    Countdowns { height: auto; padding: 0 1; }
    """

    NAME_WIDTH = 12
    # "4h59m left", "23h59m left" and "10d19h over" fit, with a space before them.
    VALUE_WIDTH = 12
    GAP = 2
    MAX_LINES = 3

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._entries: list[tuple[str, datetime]] = []
        self._now: datetime | None = None

    def show(self, entries: Sequence[tuple[str, datetime]], now: datetime) -> None:
        """Show ``entries`` (name, deadline) as they stand at ``now``."""
        self._entries = list(entries)
        self._now = now
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        now = self._now
        if now is None:
            return ""
        slot = self.NAME_WIDTH + self.VALUE_WIDTH + self.GAP
        per_line = max(1, (self.content_size.width + self.GAP) // slot)
        room = per_line * self.MAX_LINES
        entries = self._entries
        hidden = 0 if len(entries) <= room else len(entries) - room + 1
        slots = [
            (Text(name), Text(countdown_text(deadline, now), style="yellow" if now <= deadline else "bold red"))
            for name, deadline in entries[: len(entries) - hidden]
        ]
        if hidden:
            slots.append((Text(f"+{hidden} more", style="dim"), Text("d: queue", style="dim")))
        grid = Table.grid()
        for index in range(per_line):
            if index:
                grid.add_column(width=self.GAP)
            grid.add_column(width=self.NAME_WIDTH, no_wrap=True, overflow="ellipsis")
            grid.add_column(width=self.VALUE_WIDTH, no_wrap=True, overflow="ellipsis", justify="right")
        for start in range(0, len(slots), per_line):
            row: list[Text] = []
            for index, (name, value) in enumerate(slots[start : start + per_line]):
                row += [Text(""), name, value] if index else [name, value]
            grid.add_row(*row)
        return grid


class HotkeyList(OptionList):
    """Options picked by one key each (``n`` No answer, ``m`` Meeting booked...).

    Pressing an option's key, or Enter on the highlighted one, posts ``Picked``.
    Other keys bubble up untouched, so screen bindings keep working.
    """

    class Picked(Message):
        def __init__(self, hotkeys: HotkeyList, value: str) -> None:
            super().__init__()
            self.hotkeys = hotkeys
            self.value = value

        @property
        def control(self) -> HotkeyList:
            return self.hotkeys

    def __init__(self, choices: Sequence[tuple[str, str, str]], *, id: str | None = None) -> None:
        """``choices`` are (key, value, label) triples."""
        self._values = [value for _, value, _ in choices]
        self._keys = {key: index for index, (key, _, _) in enumerate(choices)}
        options = [
            Option(Text.assemble((f" {visible(key)} ", "bold reverse"), "  ", visible(label)), id=value)
            for key, value, label in choices
        ]
        super().__init__(*options, id=id)

    def select_value(self, value: str) -> None:
        """Highlight ``value`` without posting ``Picked`` (used to show a kept choice)."""
        if value in self._values:
            self.highlighted = self._values.index(value)

    def on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not None and focused is not self:
            # Textual queues keys on the widget focused when they arrive, so keys typed right
            # after a pick are queued here although focus has moved on. Hand them back to the
            # app, in order, to be routed afresh (bindings such as Tab, then the new focus), so
            # fast typing lands in the next field instead of picking another option.
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        if event.character is not None and event.character in self._keys:
            event.stop()
            event.prevent_default()
            index = self._keys[event.character]
            self.highlighted = index
            self.post_message(self.Picked(self, self._values[index]))
            # Move on now, not when Picked is handled: the keys queued behind this one must
            # see the focus already on the next field.
            self.screen.focus_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Picked(self, self._values[event.option_index]))


def titled_input(name: str, title: str, placeholder: str, value: str) -> Input:
    """A one-line input with its title on the border: the dialogs' fields.

    Focus never selects the text: Textual's default would, so Tab into a field kept after a
    refusal and the next keystroke replaced the whole note (issue 12)."""
    field = Input(value=value, placeholder=placeholder, id=name, select_on_focus=False)
    field.border_title = title
    return field
