"""The objection search of the call session: type a few letters, read the replies, pick
the one used. A widget: it is handed the library and posts what was picked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from salesdesk.services.objections import ObjectionView

# An option id: the objection's key, a reply as ``key:number``, NONE to clear the mark, or
# ADD to add what was typed to the library.
NONE = "-"
ADD = "+"


def matches(library: Sequence[ObjectionView], query: str) -> list[ObjectionView]:
    """The objections whose key or wording holds every word typed, in the library's order."""
    words = query.casefold().split()
    found = []
    for view in library:
        haystack = f"{view.objection.key.replace('_', ' ')} {view.objection.text} {view.text}".casefold()
        if all(word in haystack for word in words):
            found.append(view)
    return found


def mark_text(key: str | None, reply: int | None) -> str:
    """``send_materials · reply 2`` as the form shows it."""
    if key is None:
        return "none"
    return f"{key} · reply {reply}" if reply is not None else f"{key} · no reply marked"


def _reply_row(number: int, text: str, chosen: bool) -> Table:
    """``  ● 2  Gladly; it reads…`` with the text wrapped under itself, not under the number."""
    row = Table.grid(padding=(0, 1))
    row.add_column(width=5, justify="right", no_wrap=True)
    row.add_column(ratio=1)
    row.add_row(Text.assemble(("● " if chosen else "", "bold green"), (f" {number} ", "bold reverse")), Text(text))
    return row


class ObjectionSearch(Vertical):
    """A search box over the objection library, with each match's numbered replies under it.

    Up and down move through the matches while typing; Enter picks the highlighted reply
    (or the objection alone, when no reply of it was used) and posts ``Picked``.
    """

    DEFAULT_CSS = """
    ObjectionSearch { height: 1fr; }
    ObjectionSearch > #objection-title { text-style: bold; }
    ObjectionSearch > Input { margin-bottom: 1; }
    ObjectionSearch > OptionList { height: 1fr; border: none; padding: 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next match", show=False),
        Binding("up", "move(-1)", "Previous match", show=False),
        Binding("escape", "close", "Close search"),
    ]

    class Picked(Message):
        """An objection came up (``key``), answered with reply number ``reply``; None clears it."""

        def __init__(self, key: str | None, reply: int | None) -> None:
            super().__init__()
            self.key = key
            self.reply = reply

    class Closed(Message):
        """Closed without a pick."""

    class AddRequested(Message):
        """Add ``text`` (what the customer said, as typed in the search) as a new objection."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._library: list[ObjectionView] = []
        self._marked: tuple[str | None, int | None] = (None, None)

    def compose(self) -> ComposeResult:
        yield Label("Objections · ctrl+o, type, ↑↓, Enter", id="objection-title")
        query = Input(placeholder="type a few letters: time, mat, budget…", compact=True, id="objection-query")
        # Out of the Tab order until asked for: Tab after an outcome goes through the call's
        # fields, and the matches are moved through from the search box.
        query.can_focus = False
        found = OptionList(id="objection-matches")
        found.can_focus = False
        yield query
        yield found

    def show_library(self, library: Sequence[ObjectionView]) -> None:
        self._library = list(library)
        self._refill()

    def mark(self, key: str | None, reply: int | None) -> None:
        """Show which objection and reply are marked for the call being logged."""
        self._marked = (key, reply)
        self._refill()

    def clear_query(self) -> None:
        self.query_one("#objection-query", Input).value = ""

    def focus_query(self) -> None:
        query = self.query_one("#objection-query", Input)
        query.can_focus = True
        query.focus()

    def leave(self) -> None:
        """Back out of the Tab order (focus has moved on)."""
        self.query_one("#objection-query", Input).can_focus = False

    @on(Input.Changed, "#objection-query")
    def _typed(self) -> None:
        self._refill()

    def _refill(self) -> None:
        query = self.query_one("#objection-query", Input).value
        options: list[Option] = []
        key, reply = self._marked
        if key is not None:
            options.append(Option(Text(f"✕ no objection (marked: {mark_text(key, reply)})", style="dim"), id=NONE))
        first_reply = marked_at = None
        found_views = matches(self._library, query)
        for view in found_views:
            objection = view.objection
            alone = key == objection.key and reply is None
            if alone:
                marked_at = len(options)
            options.append(
                Option(
                    Text.assemble(
                        ("● " if alone else "", "bold green"),
                        (objection.key, "bold"),
                        "  ",
                        (view.text, "italic"),
                        ("  (no reply yet: prepare your own)" if not view.replies else "", "dim"),
                    ),
                    id=objection.key,
                )
            )
            for answer in view.replies:
                if first_reply is None:
                    first_reply = len(options)
                chosen = key == objection.key and reply == answer.position
                if chosen:
                    marked_at = len(options)
                options.append(
                    Option(
                        _reply_row(answer.position, view.reply_text(answer), chosen),
                        id=f"{objection.key}:{answer.position}",
                    )
                )
        typed = " ".join(query.split())
        add_at = None
        if typed:
            # What the customer said may be new: it can be added from here, named as typed.
            if not found_views:
                options.append(Option(Text(f"No objection matches “{typed}”.", style="dim"), disabled=True))
            add_at = len(options)
            enter = "" if found_views else " (Enter)"
            options.append(Option(Text(f"+ Add “{typed}” to the library{enter}", style="bold"), id=ADD))
        found = self.query_one("#objection-matches", OptionList)
        found.set_options(options)
        if add_at is not None and not found_views:
            found.highlighted = add_at  # nothing matched: Enter adds what was typed
        elif marked_at is not None:
            found.highlighted = marked_at
        elif options:
            # The first reply of the first match: what the rep most likely reads out.
            found.highlighted = first_reply if first_reply is not None and query else 0

    def action_move(self, step: int) -> None:
        found = self.query_one("#objection-matches", OptionList)
        if step > 0:
            found.action_cursor_down()
        else:
            found.action_cursor_up()

    def action_close(self) -> None:
        self.post_message(self.Closed())

    @on(Input.Submitted, "#objection-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        found = self.query_one("#objection-matches", OptionList)
        if found.highlighted is not None:
            self._pick(found.get_option_at_index(found.highlighted).id)

    @on(OptionList.OptionSelected, "#objection-matches")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id is None or option_id == NONE:
            self.post_message(self.Picked(None, None))
            return
        if option_id == ADD:
            typed = " ".join(self.query_one("#objection-query", Input).value.split())
            if typed:
                self.post_message(self.AddRequested(typed))
            return
        key, _, number = option_id.partition(":")
        self.post_message(self.Picked(key, int(number) if number else None))
