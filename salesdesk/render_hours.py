"""The connect-rate map drawn as a terminal heatmap (Rich), for the shell and the Week screen.

Rows are weekdays, columns hours (07-20, widened to any hour with dials); each cell is the
rate in percent, shaded by how it compares with the rep's own average, so it reads without
colour too (a pipe, a log). ``·`` marks a cell with too few dials to judge; blank, none.
Fits 80 columns: 4 + 18 x 4 characters, or 3-character cells when more hours have dials.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from rich.text import Text

from salesdesk.connect_rates import WEEKDAYS, Cell, HourMap
from salesdesk.dates import to_local
from salesdesk.rules import UNGRADED

if TYPE_CHECKING:
    from rich.console import Console

    from salesdesk.block_slots import Suggestion

Metric = Literal["connect", "meeting"]
FIRST_HOUR, LAST_HOUR = 7, 20
WIDE_CELL_MAX_HOURS = 18
TOO_FEW = "·"

# Relative to the average: well above, above, about, below, well below.
SHADES = (
    (1.5, "bold black on green3"),
    (1.15, "black on dark_sea_green2"),
    (0.85, ""),
    (0.5, "black on light_salmon1"),
    (0.0, "bold white on red3"),
)


def _rate(cell: Cell, metric: Metric) -> float | None:
    return cell.connect_rate if metric == "connect" else cell.meeting_rate


def _enough(cell: Cell, hmap: HourMap, metric: Metric) -> bool:
    # Meetings are judged per connect: a meeting rate needs as many connects as a connect rate dials.
    return cell.enough_data if metric == "connect" else cell.connects >= hmap.min_dials


def _average(hmap: HourMap, group: str | None, metric: Metric) -> float | None:
    cells = [c for c in hmap.cells if c.group == group]
    dials, connects = sum(c.dials for c in cells), sum(c.connects for c in cells)
    meetings = sum(c.meetings for c in cells)
    if metric == "connect":
        return connects / dials if dials else None
    return meetings / connects if connects else None


def _shade(rate: float, average: float | None) -> str:
    if not average:
        return ""
    ratio = rate / average
    return next(style for floor, style in SHADES if ratio >= floor)


def heatmap(hmap: HourMap, group: str | None = None, metric: Metric = "connect") -> Text:
    """The grid for one group (None: the whole map), with its hour header."""
    cells = {(c.weekday, c.hour): c for c in hmap.cells if c.group == group}
    hours_with_dials = [hour for _, hour in cells]
    first = min([FIRST_HOUR, *hours_with_dials])
    last = max([LAST_HOUR, *hours_with_dials])
    hours = range(first, last + 1)
    gap = " " if len(hours) <= WIDE_CELL_MAX_HOURS else ""
    average = _average(hmap, group, metric)
    lines = [Text("    " + gap.join(f" {hour:02d}" for hour in hours), style="dim")]
    for weekday, name in enumerate(WEEKDAYS):
        line = Text(f"{name} ")
        for index, hour in enumerate(hours):
            if index:
                line.append(gap)
            cell = cells.get((weekday, hour))
            if cell is None:
                line.append("   ")
            elif not _enough(cell, hmap, metric):
                line.append(f"{TOO_FEW:>3}", style="dim")
            else:
                rate = _rate(cell, metric) or 0.0
                line.append(f"{round(rate * 100):>3d}", style=_shade(rate, average))
        line.rstrip()
        lines.append(line)
    return Text("\n").join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def cell_text(cell: Cell) -> str:
    low, high = cell.interval
    return f"{cell.label} {_pct(cell.connect_rate)} ({cell.dials} dials; 95% CI {low * 100:.0f}–{high:.0%})"


def legend(hmap: HourMap, metric: Metric = "connect") -> Text:
    unit = "dials" if metric == "connect" else "connects"
    text = Text("Rates in %, shaded ")
    text.append("above", style=SHADES[1][1])
    text.append(" or ")
    text.append("below", style=SHADES[3][1])
    text.append(f" your average.\n{TOO_FEW} fewer than {hmap.min_dials} {unit}: not ranked. Blank: no dials.")
    return text


def title(hmap: HourMap, group: str | None, metric: Metric, zone: str) -> str:
    """Two lines: what the map is, and over what."""
    what = "Connect rate (connects per dial)" if metric == "connect" else "Meeting rate (meetings per connect)"
    clock = f"your time, {zone}" if hmap.clock == "rep" else "the lead's time where known"
    cells = [c for c in hmap.cells if c.group == group]
    dials = sum(c.dials for c in cells)
    head = ""
    if hmap.by is not None:
        head = f"{hmap.by} {'none' if group == UNGRADED else group}: "
    weeks = f"{hmap.weeks} week{'' if hmap.weeks == 1 else 's'}"
    return (
        f"{head}{what} by hour ({clock})\n"
        f"Last {weeks}: {dials:,} dials, {_pct(_average(hmap, group, metric))} on average"
    )


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def zone_name(now: datetime) -> str:
    """The rep's zone as ``$TZ`` names it, else its abbreviation (``CST``)."""
    return os.environ.get("TZ") or to_local(now).tzname() or "local"


def panel(hmap: HourMap, group: str | None, metric: Metric, zone: str) -> Text:
    """One group's map: its title, the grid, and its best and worst hours."""
    lines = [Text(title(hmap, group, metric, zone), style="bold"), heatmap(hmap, group, metric)]
    if metric == "connect":
        best, worst = hmap.best_and_worst(group)
        for label, cells in (("Best: ", best), ("Worst:", worst)):
            lines += [Text(f"{label if i == 0 else '':6} {cell_text(cell)}") for i, cell in enumerate(cells)]
        if not best:
            lines.append(Text(f"No hour has {hmap.min_dials} dials yet: nothing to rank."))
    return Text("\n").join(lines)


def empty_text(hmap: HourMap) -> str:
    return f"No calls in the last {hmap.weeks} weeks: log calls (salesdesk log-call) and the map fills in."


def print_map(hmap: HourMap, now: datetime, metric: Metric = "connect") -> None:
    """``stats hours``: one grid per group, its best and worst hours, and the legend. Lines
    are never wrapped (a pipe gets them whole); each grid is at most 80 columns."""
    console = _console()
    if not hmap.cells:
        console.print(empty_text(hmap), soft_wrap=True)
        return
    for index, group in enumerate(hmap.groups()):
        if index:
            console.print()
        console.print(panel(hmap, group, metric, zone_name(now)), soft_wrap=True)
    console.print(legend(hmap, metric), soft_wrap=True)


def print_suggestions(found: Sequence[Suggestion]) -> None:
    console = _console()
    if not found:
        console.print(
            "No free slot next week in working hours outside lunch, dinner, blocks and meetings.", soft_wrap=True
        )
        return
    for s in found:
        console.print(f"{s.rank}. {s.reason}", soft_wrap=True, markup=False)
    console.print("Take one: salesdesk block add --suggested N [--repeat weekly] [--goal-dials 20]", style="dim")
