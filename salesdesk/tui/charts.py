"""Bar charts drawn in the terminal with plotext (through textual-plotext).

The chart only draws the numbers it is handed; the screens read them from the services.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

# Nice steps for a count axis: whole numbers only, never "6.7 dials".
STEPS = (1, 2, 5)
# At most this many ticks on the count axis, so they stay readable in a small chart.
MAX_TICKS = 5


def count_ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 up to at least ``top``, at most ``MAX_TICKS`` of them."""
    scale = 1
    while True:
        for step in STEPS:
            size = step * scale
            if top <= size * (MAX_TICKS - 1):
                return list(range(0, max(top, 1) + size, size))
        scale *= 10


class BarChart(PlotextPlot):
    """Bars of one or more series (name, color, values) over the same labels.

    Several series are drawn side by side in each label's slot, with a legend; the count
    axis then reaches a third higher, so the legend in the top corner never hides a bar.
    """

    DEFAULT_CSS = """
    BarChart { height: 12; }
    """

    def show(self, title: str, labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.title(title)
        values = [list(numbers) for _, _, numbers in series]
        top = max((v for numbers in values for v in numbers), default=0)
        if len(series) == 1:
            plt.bar(list(labels), values[0], color=series[0][1], width=0.6)
        else:
            names = [name for name, _, _ in series]
            colors = [color for _, color, _ in series]
            plt.multiple_bar(list(labels), values, labels=names, color=colors, width=0.8)  # type: ignore[call-arg, arg-type]  # plotext takes labels= and a color per bar; its stub says label=
            top += -(-top // 3)
        ticks = count_ticks(top)
        plt.yticks(list[float](ticks))
        plt.ylim(0, ticks[-1])
        self.refresh()
