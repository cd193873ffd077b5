"""A prompt of the review: a label, the lines recorded so far, and a one-line input."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Static


class PasteInput(Input):
    """An Input that keeps every line of a paste: Textual's keeps only the first, silently
    dropping the rest of a pasted paragraph (issue 12). The lines are joined with " / "."""

    def _on_paste(self, event: events.Paste) -> None:
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if len(lines) > 1:
            event.stop()
            event.prevent_default()  # Input's own handler would add the first line again
            joined = " / ".join(lines)
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(joined)
            else:
                self.replace(joined, *selection)
            self.notify(f"{len(lines)} pasted lines joined with ' / ' into one", timeout=3, markup=False)
            return


class PromptLine(Widget):
    """``Went well  · opened with the case study`` over an input for one more line.

    ``recorded`` is what the store holds for a prompt whose answer is replaced rather than
    added to (a deviation reason, a call's reflection): the input starts with it, and the
    answer counts as typed only once it differs.
    """

    DEFAULT_CSS = """
    PromptLine { layout: horizontal; height: auto; }
    PromptLine.-gap { margin-bottom: 1; }
    PromptLine > .prompt-label {
        width: 18; padding-right: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    PromptLine:focus-within > .prompt-label { color: $accent; text-style: bold; }
    PromptLine.-wide-label > .prompt-label { width: 30; }
    PromptLine > Vertical { height: auto; width: 1fr; }
    PromptLine .prompt-lines { height: auto; }
    PromptLine Input { background: $boost; }
    """

    def __init__(
        self,
        label: str,
        *,
        placeholder: str,
        recorded: str = "",
        value: str | None = None,
        wide_label: bool = False,
        gap: bool = False,
        id: str | None = None,
    ) -> None:
        """``gap`` leaves a blank line below (after a pair of prompts, say)."""
        classes = [name for name, on in (("-wide-label", wide_label), ("-gap", gap)) if on]
        super().__init__(id=id, classes=" ".join(classes))
        self._label = label
        self._placeholder = placeholder
        self.recorded = recorded
        self._value = recorded if value is None else value

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="prompt-label", markup=False)
        with Vertical():
            yield Static("", classes="prompt-lines")
            yield PasteInput(value=self._value, placeholder=self._placeholder, compact=True, select_on_focus=False)

    def on_mount(self) -> None:
        self.query_one(".prompt-lines", Static).display = False

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def typed(self) -> str | None:
        """The answer as typed, when there is one and it is not what is stored already."""
        value = self.input.value
        return value if value.strip() and value != self.recorded else None

    def show(self, *, label: str | None = None, lines: Sequence[str] = (), recorded: str | None = None) -> None:
        """Show the stored ``lines`` above the input; a new ``recorded`` answer replaces the
        input's text unless the rep has typed something else there."""
        if label is not None:
            self.query_one(".prompt-label", Label).update(label)
        if recorded is not None:
            if self.input.value == self.recorded:
                self.input.value = recorded
            self.recorded = recorded
        box = self.query_one(".prompt-lines", Static)
        box.display = bool(lines)
        box.update(Text("\n").join(Text(f"· {line}") for line in lines))

    def clear(self) -> None:
        self.input.value = self.recorded
