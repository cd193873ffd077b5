"""Layout snapshots at the sizes a rep uses: a laptop terminal and a wide one.

The clock is fixed and every query has landed before the picture is taken; the focused
widgets are tables, so no blinking cursor is caught mid-blink.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from salesdesk.tui.app import SalesdeskApp
from tests.tui.conftest import Settle

SnapCompare = Callable[..., bool]
Step = Callable[[Pilot[Any]], Awaitable[None] | None]


def _after(settle: Settle, *steps: Step) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A ``run_before`` that lets every query land, after each of ``steps`` too."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            result = step(pilot)
            if result is not None:
                await result
            await settle(pilot)

    return run_before


def test_today_80x24(snap_compare: SnapCompare, demo_app: SalesdeskApp, settle: Settle) -> None:
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_after(settle))


def test_leads_80x24(snap_compare: SnapCompare, demo_app: SalesdeskApp, settle: Settle) -> None:
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_after(settle, lambda pilot: pilot.press("l")))


def test_lead_160x50(snap_compare: SnapCompare, demo_app: SalesdeskApp, settle: Settle) -> None:
    # Lead #17 has a long history, a closed status and Chinese and English neighbours.
    assert snap_compare(
        demo_app, terminal_size=(160, 50), run_before=_after(settle, lambda pilot: demo_app.open_lead(17))
    )


def test_log_call_80x24(snap_compare: SnapCompare, demo_app: SalesdeskApp, settle: Settle) -> None:
    async def open_dialog(pilot: Pilot[Any]) -> None:
        demo_app.open_lead(17)
        await settle(pilot)
        await pilot.press("c")

    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_after(settle, open_dialog))


def test_queue_80x24(snap_compare: SnapCompare, demo_app: SalesdeskApp, settle: Settle) -> None:
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_after(settle, lambda pilot: pilot.press("d")))
