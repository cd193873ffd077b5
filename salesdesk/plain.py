"""What a card or a table prints, said once, and printed without Rich when Rich would print
exactly that text.

``render`` builds a ``Doc`` (lines of styled segments, tables of plain cells) for ``lead show``
and ``lead list``. When the output is not a terminal (no styles to draw), every line fits
the width and every character's width is known, the text Rich would print is plain: each
line as is; a table's columns two spaces apart, each as wide as its widest cell, every cell
padded to it. Otherwise Rich renders the same ``Doc`` (styles, wrapping, folding), so the
output never depends on which of the two printed it. Importing Rich costs about 40 ms: the
hot commands (``lead show``, ``lead list``) print plain whenever they can.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from salesdesk.terminal import visible

Segment = tuple[str, str | None]  # text, and its Rich style (None: unstyled)


# A table cell: text, or styled segments. A line break in it makes the row taller.
Cell = str | list[Segment]


@dataclass
class Table:
    title: str | None
    columns: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _text(cell: Cell) -> str:
    return visible(cell if isinstance(cell, str) else "".join(text for text, _ in cell))


def _rich_text(cell: Cell):  # type: ignore[no-untyped-def]
    """A Rich ``Text``, never markup: what was typed is printed as typed (no ``[tag]`` or
    ``:emoji:`` read in it)."""
    from rich.text import Text

    segments = [(cell, None)] if isinstance(cell, str) else cell
    return Text.assemble(*((visible(text), style or "") for text, style in segments))


@dataclass
class Doc:
    """Lines and tables, in the order printed. Text is as typed: made visible when printed."""

    items: list[list[Segment] | Table] = field(default_factory=list)

    def line(self, *segments: Segment | str) -> None:
        self.items.append([(s, None) if isinstance(s, str) else s for s in segments])

    def table(self, title: str | None, columns: Sequence[str]) -> Table:
        table = Table(title, columns)
        self.items.append(table)
        return table

    def print(self) -> None:
        text = _plain(self, _plain_width())
        if text is None:
            _rich(self)
        else:
            sys.stdout.write(text)


def _cell_width(ch: str) -> int | None:
    """Columns the character takes, as Rich counts them; None when not surely known."""
    if " " <= ch <= "~":
        return 1
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc", "Cn", "Co", "Cs", "Zl", "Zp"):
        return None
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_len(text: str) -> int | None:
    total = 0
    for ch in text:
        width = _cell_width(ch)
        if width is None:
            return None
        total += width
    return total


def _plain_width() -> int | None:
    """The width Rich would lay out to, when it would print no styles; None when it would
    (a terminal, or one forced: ``TTY_COMPATIBLE``, ``FORCE_COLOR``)."""
    env = os.environ
    forced = env.get("TTY_COMPATIBLE", "")
    if forced == "1" or (forced != "0" and env.get("FORCE_COLOR") not in (None, "")):
        return None
    if forced != "0" and sys.stdout.isatty():
        return None
    if env.get("COLUMNS", "").isdigit():
        return int(env["COLUMNS"])
    for fd in (0, 1, 2):  # as Rich does: any standard stream's terminal gives the width
        try:
            return os.get_terminal_size(fd).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


def _fits(text: str, width: int) -> int | None:
    """The text's width when it is one line Rich would print unchanged, else None."""
    if "\n" in text or "\t" in text:  # Rich expands tabs
        return None
    found = cell_len(text)
    return found if found is not None and found <= width else None


def _plain(doc: Doc, width: int | None) -> str | None:
    if width is None:
        return None
    out: list[str] = []
    for item in doc.items:
        if isinstance(item, Table):
            lines = _plain_table(item, width)
            if lines is None:
                return None
            out.extend(lines)
            continue
        text = visible("".join(text for text, _ in item))
        for part in text.split("\n"):  # a multi-line value prints as its lines
            if part and _fits(part, width) is None:
                return None
        out.append(text)
    return "".join(f"{line}\n" for line in out)


def _plain_table(table: Table, width: int) -> list[str] | None:
    # Each cell as its lines: a row is as tall as its tallest cell, the others padded below.
    grid = [[[c] for c in table.columns], *([_text(c).split("\n") for c in row] for row in table.rows)]
    widths = [[[_fits(part, width) if part else 0 for part in cell] for cell in row] for row in grid]
    if any(w is None for row in widths for cell in row for w in cell):
        return None
    columns = [max(max(cell_widths) for cell_widths in (row[i] for row in widths)) for i in range(len(table.columns))]  # type: ignore[type-var]
    total = sum(columns) + 2 * (len(columns) - 1)  # type: ignore[arg-type]
    if total > width or 0 in columns:
        return None  # Rich would shrink and fold the columns; an empty column is its own case
    lines = []
    if table.title:  # Rich draws no title for an empty one
        title = visible(table.title)
        title_width = _fits(title, total)
        if title_width is None:
            return None
        lines.append(title + " " * (total - title_width))
    for row, row_widths in zip(grid, widths, strict=True):
        for n in range(max(len(cell) for cell in row)):
            parts = (
                (cell[n], cell_widths[n]) if n < len(cell) else ("", 0)
                for cell, cell_widths in zip(row, row_widths, strict=True)
            )
            lines.append("  ".join(part + " " * (columns[i] - w) for i, (part, w) in enumerate(parts)))  # type: ignore[operator]
    return lines


def _rich(doc: Doc) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(highlight=False, soft_wrap=False)
    for item in doc.items:
        if isinstance(item, Table):
            title = _rich_text(item.title) if item.title else None
            table = RichTable(title=title, title_justify="left", header_style="bold", box=None, pad_edge=False)
            for column in item.columns:
                table.add_column(column, overflow="fold")
            for row in item.rows:
                table.add_row(*(_rich_text(cell) for cell in row))
            console.print(table)
        else:
            console.print(_rich_text(item))
