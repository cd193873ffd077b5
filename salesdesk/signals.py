"""SIGTERM as an exception, while a command has something to clean up.

By default SIGTERM ends the process on the spot: ``finally`` blocks never run and a
half-written temporary file stays behind. Inside ``terminated()`` it raises ``SystemExit``
instead (exit 143, as a shell reports a SIGTERM death), which unwinds through the cleanup.
SIGINT needs nothing: Python already raises ``KeyboardInterrupt``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

TERMINATED_EXIT = 128 + signal.SIGTERM


def _raise(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(TERMINATED_EXIT)


@contextmanager
def terminated() -> Iterator[None]:
    # Handlers can only be set from the main thread (a TUI worker keeps the default).
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
