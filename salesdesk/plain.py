"""What a card or a table prints, said once, and printed without Rich when Rich would print
exactly that text.

``render`` builds a ``Doc`` (lines of styled segments, tables of cells) for ``lead show``,
``lead list`` and ``due``. When the output is not a terminal (no styles to draw) and every
character's width is known, the text Rich would print is laid out here the way Rich lays it
out: lines wrapped at word boundaries, long words folded; a box-less table's columns two
spaces apart, as wide as their widest line, narrowed as Rich narrows them when the table is
wider than the console, each cell wrapped and padded. A property test holds this to Rich's
own output. Otherwise (a terminal, forced colour, a tab, a character of unsure width) Rich
renders the same ``Doc``. Importing Rich costs about 40 ms: the hot commands print plain
whenever they can.
"""

from __future__ import annotations

import itertools
import os
import re
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


def _segments(segments: Sequence[Segment | str]) -> list[Segment]:
    return [(s, None) if isinstance(s, str) else s for s in segments]


def _text(cell: Cell) -> str:
    return visible(cell if isinstance(cell, str) else "".join(text for text, _ in cell))


def _rich_text(cell: Cell):
    """A Rich ``Text``, never markup: what was typed is printed as typed (no ``[tag]`` or
    ``:emoji:`` read in it)."""
    from rich.text import Text

    segments = [(cell, None)] if isinstance(cell, str) else cell
    return Text.assemble(*((visible(text), style or "") for text, style in segments))


@dataclass
class Hang:
    """``head`` then ``text``, whose wrapped lines start under its first character, not at the
    margin (a label and its value)."""

    head: list[Segment]
    text: list[Segment]


@dataclass
class Doc:
    """Lines and tables, in the order printed. Text is as typed: made visible when printed."""

    items: list[list[Segment] | Table | Hang] = field(default_factory=list)

    def line(self, *segments: Segment | str) -> None:
        self.items.append(_segments(segments))

    def hang(self, head: Segment | str, *text: Segment | str) -> None:
        self.items.append(Hang(_segments([head]), _segments(text)))

    def table(self, title: str | None, columns: Sequence[str]) -> Table:
        table = Table(title, columns)
        self.items.append(table)
        return table

    def print(self) -> None:
        text = _plain(self, _plain_width())
        if text is None:
            _rich(self)
        else:
            # Rich pads each table row to the table's width; a pipe gets each line bare.
            sys.stdout.write("".join(f"{line.rstrip(' ')}\n" for line in text.splitlines()))


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


# Piped or redirected, output is never wrapped and never padded (``grep``, ``cut`` and diffs
# see each row whole): laid out as wide as ``render._console`` lays it out there.
PIPE_WIDTH = 100_000


def _plain_width() -> int | None:
    """The width to lay out to without Rich: stdout is not a terminal; None when it is (or
    one is forced: ``TTY_COMPATIBLE``, ``FORCE_COLOR``), and Rich prints, with its styles."""
    env = os.environ
    forced = env.get("TTY_COMPATIBLE", "")
    if forced == "1" or (forced != "0" and env.get("FORCE_COLOR") not in (None, "")):
        return None
    if forced != "0" and sys.stdout.isatty():
        return None
    return PIPE_WIDTH


def _fits(text: str, width: int) -> int | None:
    """The text's width when it is one line Rich would print unchanged, else None."""
    if "\n" in text or "\t" in text:  # Rich expands tabs
        return None
    found = cell_len(text)
    return found if found is not None and found <= width else None


# Rich's words: a run of non-space with the spaces around it (rich._wrap).
_WORD = re.compile(r"\s*\S+\s*")


def _chop(word: str, width: int) -> list[str]:
    """A word longer than the width, folded into pieces that fit (rich.cells.chop_cells)."""
    pieces, start, size = [], 0, 0
    for index, ch in enumerate(word):
        cells = _cell_width(ch) or 0
        if size + cells > width:
            pieces.append(word[start:index])
            start, size = index, 0
        size += cells
    if size:
        pieces.append(word[start:])
    return pieces


def _wrap(line: str, width: int) -> list[str] | None:
    """One line of text broken to ``width`` cells as Rich breaks it (rich._wrap.divide_line,
    folding words longer than a line), each piece with the trailing spaces that still fit.
    None when a width is not surely known."""
    if "\t" in line or cell_len(line) is None:
        return None
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(line):
        start, word = match.start(), match.group()
        length = cell_len(word.rstrip()) or 0
        if width - offset >= length:
            offset += cell_len(word) or 0
        elif length > width:
            pieces = _chop(word, width)
            for n, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if n == len(pieces) - 1:
                    offset = cell_len(piece) or 0
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word) or 0
    bounds = [0, *breaks, len(line)]
    out = []
    for a, b in itertools.pairwise(bounds):
        piece = line[a:b]
        while (cell_len(piece) or 0) > width and piece.endswith(" "):
            piece = piece[:-1]  # Rich crops the spaces that overflow the line
        if (cell_len(piece) or 0) > width:
            return None
        out.append(piece)
    return out


def _plain(doc: Doc, width: int | None) -> str | None:
    if width is None:
        return None
    out: list[str] = []
    for item in doc.items:
        if isinstance(item, Table):
            lines = _plain_table(item, width)
        elif isinstance(item, Hang):
            lines = _plain_hang(item, width)
        else:
            lines = _plain_lines(visible("".join(text for text, _ in item)), width, pad=False)
        if lines is None:
            return None
        out.extend(lines)
    return "".join(f"{line}\n" for line in out)


def _plain_lines(text: str, width: int, *, pad: bool) -> list[str] | None:
    """Text as Rich lays it out in ``width`` cells: its lines, each wrapped (and padded to the
    width in a table cell)."""
    lines: list[str] = []
    for line in text.split("\n"):
        pieces = _wrap(line, width)
        if pieces is None:
            return None
        lines.extend(piece + " " * (width - (cell_len(piece) or 0)) if pad else piece for piece in pieces)
    return lines


def _measure(text: str) -> tuple[int, int] | None:
    """Rich's measurement of a cell: its longest word, its longest line (in cells)."""
    longest = 0
    for line in text.split("\n"):
        found = cell_len(line)
        if found is None:
            return None
        longest = max(longest, found)
    words = [cell_len(word) or 0 for word in text.split()]
    return (max(words) if words else longest), longest


def _reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """rich._ratio.ratio_reduce."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, result = total, []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(most, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], width: int) -> list[int]:
    """Rich's Table._collapse_widths (every column may wrap), then its even last resort."""
    excess = sum(widths) - width
    while sum(widths) and excess > 0:
        widest = max(widths)
        second = max((w if w != widest else 0) for w in widths)
        ratios = [1 if w == widest else 0 for w in widths]
        if not widest - second:
            break
        widths = _reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        excess = sum(widths) - width
    if sum(widths) > width:
        widths = _reduce(sum(widths) - width, [1] * len(widths), widths, widths)
    return widths


def _plain_table(table: Table, width: int) -> list[str] | None:
    """A box-less Rich table (cells padded one space each side, none at the outer edges),
    laid out as Rich lays it out: columns as wide as their widest line, narrowed when the
    table is wider than the console, and each cell wrapped to its column."""
    grid = [[visible(c) for c in table.columns], *([_text(c) for c in row] for row in table.rows)]
    n = len(table.columns)
    pads = [(1 if i else 0) + (1 if i < n - 1 else 0) for i in range(n)]
    measured = [[_measure(cell) for cell in row] for row in grid]
    if any(m is None for row in measured for m in row):
        return None
    # measured holds no None past the check above, which mypy can't see through the nesting.
    natural = [max(row[i][1] for row in measured) + pads[i] for i in range(n)]  # type: ignore[index]
    widths = [min(w, width) or 1 for w in natural]
    if sum(widths) > width:
        widths = [min(natural[i], w) for i, w in enumerate(_collapse(widths, width))]
    inner = [w - pads[i] for i, w in enumerate(widths)]
    if min(inner) < 1 or 0 in [max(row[i][1] for row in measured) for i in range(n)]:  # type: ignore[index]  # as above
        return None  # a column too narrow for its padding, or an empty one: Rich's own cases
    total = sum(widths)
    lines = []
    if table.title:  # Rich draws no title for an empty one
        title = visible(table.title)
        title_width = _fits(title, total)
        if title_width is None:
            return None
        lines.append(title + " " * (total - title_width))
    for number, row in enumerate(grid):
        laid = [_plain_lines(cell, inner[i], pad=True) for i, cell in enumerate(row)]
        cells = [cell for cell in laid if cell is not None]
        if len(cells) != len(laid):
            return None
        height = max(len(cell) for cell in cells)
        # Rich aligns body cells to the top of their row, and header cells to the bottom.
        blank = [[" " * inner[i]] * (height - len(cell)) for i, cell in enumerate(cells)]
        shaped = [[*b, *c] if number == 0 else [*c, *b] for b, c in zip(blank, cells, strict=True)]
        lines.extend("  ".join(cell[k] for cell in shaped) for k in range(height))
    return lines


def _plain_hang(hang: Hang, width: int) -> list[str] | None:
    """A two-column grid as Rich lays it out: the head's column as wide as the head, the
    text's as wide as its line or what is left of the width, wrapped in it and padded."""
    head, text = _text(hang.head), _text(hang.text)
    head_width = _fits(head, width)
    text_width = _fits(text, 2**31)
    if not head_width or head_width >= width or not text_width:
        return None  # Rich's own cases: an empty head or text, a head as wide as the line, a line break
    lines = _plain_lines(text, min(text_width, width - head_width), pad=True)
    if lines is None:
        return None
    return [(head if n == 0 else " " * head_width) + line for n, line in enumerate(lines)]


def _rich(doc: Doc, width: int | None = None) -> None:
    """``doc`` printed by Rich: as every command prints (``render._console``: a terminal's
    width; on a pipe, unwrapped and trimmed), or at ``width`` (the tests' comparison)."""
    from rich.console import Console
    from rich.table import Table as RichTable

    from salesdesk.render import _console

    console = _console() if width is None else Console(width=width, highlight=False, soft_wrap=False)
    for item in doc.items:
        if isinstance(item, Table):
            title = _rich_text(item.title) if item.title else None
            table = RichTable(title=title, title_justify="left", header_style="bold", box=None, pad_edge=False)
            for column in item.columns:
                table.add_column(_rich_text(column), overflow="fold")
            for row in item.rows:
                table.add_row(*(_rich_text(cell) for cell in row))
            console.print(table)
        elif isinstance(item, Hang):
            head = _rich_text(item.head)
            grid = RichTable.grid(padding=0)
            grid.add_column(width=head.cell_len, no_wrap=True)
            grid.add_column(overflow="fold")
            grid.add_row(head, _rich_text(item.text))
            console.print(grid)
        else:
            console.print(_rich_text(item))
