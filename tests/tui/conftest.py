"""Fixtures for the TUI tests: the app over a test store at the suite's fixed NOW."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest
from sqlalchemy import Engine
from textual.geometry import Region
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.widget import Widget

from salesdesk.config import Config
from salesdesk.tui.app import SalesdeskApp

Settle = Callable[[Pilot[None]], Awaitable[None]]


async def _settle(pilot: Pilot[None]) -> None:
    """Wait until every worker (queries, writes) has finished and its result is shown.

    A finished query may start another (a save reloads the page), so wait in rounds.
    """
    for _ in range(50):
        await pilot.pause()
        running = [worker for worker in pilot.app.workers if not worker.is_finished]
        if not running:
            await pilot.pause()
            return
        await pilot.app.workers.wait_for_complete(running)
    raise AssertionError("the app's workers never settled")


def text_of(widget: Widget) -> str:
    """What ``widget`` shows on screen, as plain text lines."""
    width, height = widget.outer_size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


class Notes:
    """Notifications the app raised; pass ``hook`` as ``run_test(message_hook=...)``."""

    def __init__(self) -> None:
        self.seen: list[Notification] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.seen.append(message.notification)

    def errors(self) -> list[str]:
        return [n.message for n in self.seen if n.severity == "error"]

    def titled(self, title: str) -> list[str]:
        return [n.message for n in self.seen if n.title == title]


@pytest.fixture
def notes() -> Notes:
    return Notes()


@pytest.fixture
def settle() -> Settle:
    return _settle


@pytest.fixture
def demo_app(demo_engine: Engine, config: Config, now: datetime) -> SalesdeskApp:
    return SalesdeskApp(demo_engine, config, lambda: now, title_suffix=" (demo)")
