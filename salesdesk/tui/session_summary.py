"""The result of a call block: what was done against its goals and against the rate the
planner assumed. Shown when the rep ends the block, the list runs out, or time is up."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from salesdesk.services.blocks import HISTORY_WEEKS
from salesdesk.tui.session_view import bar
from salesdesk.words import plural

RATE_SOURCES = {
    "history": f"your own, over {HISTORY_WEEKS} weeks",
    "given": "as given",
    "default": "the default",
}


@dataclass(frozen=True)
class BlockResult:
    """A block's numbers: done, the goals, and the planner's assumption."""

    title: str
    span: str
    dials: int
    connects: int
    meetings: int
    objections: list[tuple[str, int]]  # objection key, times met
    goal_dials: int | None
    goal_meetings: int | None
    rate: Fraction  # meetings per dial, as planned
    rate_source: str
    listed: int
    called: int
    skipped: int

    @property
    def objections_met(self) -> int:
        return sum(count for _, count in self.objections)

    @property
    def expected_meetings(self) -> Fraction:
        """Meetings the planner's rate promises for the dials made."""
        return self.rate * self.dials


def per_dials(meetings: int, dials: int) -> str:
    """``1 meeting per 5 dials``."""
    return f"1 meeting per {dials / meetings:.3g} dials"


def result_table(result: BlockResult) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(justify="right", style="bold", no_wrap=True)
    grid.add_column()
    for label, done, goal in (
        ("Dials", result.dials, result.goal_dials),
        ("Meetings booked", result.meetings, result.goal_meetings),
    ):
        against = Text.assemble(bar(done, goal), f" goal {goal}") if goal else Text("no goal set", style="dim")
        grid.add_row(label, str(done), against)
    rate = f"{result.connects / result.dials:.0%} of dials" if result.dials else ""
    grid.add_row("Connects", str(result.connects), rate)
    met = ", ".join(f"{key} {count}" for key, count in result.objections)
    grid.add_row("Objections met", str(result.objections_met), met)
    planned = per_dials(result.rate.numerator, result.rate.denominator)
    grid.add_row("Planner's rate", "", f"{planned} ({RATE_SOURCES.get(result.rate_source, result.rate_source)})")
    actual = per_dials(result.meetings, result.dials) if result.meetings else "no meeting yet"
    grid.add_row(
        "",
        "",
        f"at that rate {plural(result.dials, 'dial')} book {float(result.expected_meetings):.1f} meetings; "
        f"you booked {result.meetings} ({actual})",
    )
    grid.add_row("Call list", "", f"{result.called} of {result.listed} called · {result.skipped} skipped")
    return grid


class BlockResultModal(ModalScreen[bool]):
    """The block's result; True when the rep is done, False to go back to calling."""

    DEFAULT_CSS = """
    BlockResultModal { align: center middle; }
    BlockResultModal > #result-dialog {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    BlockResultModal #result-title { text-style: bold; margin-bottom: 1; }
    BlockResultModal #result-hint { color: $text-muted; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "finish", "Finish"),
        Binding("escape", "back", "Back to calling"),
    ]

    def __init__(self, result: BlockResult, heading: str) -> None:
        super().__init__()
        self.result = result
        self._heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(id="result-dialog"):
            yield Label(f"{self._heading} · {self.result.title} · {self.result.span}", id="result-title", markup=False)
            yield Static(result_table(self.result), id="result")
            yield Label("Enter: finish the block · Esc: back to calling", id="result-hint", markup=False)
        yield Footer()

    def action_finish(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
