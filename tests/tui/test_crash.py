"""An unhandled error in the TUI (issue 10, item 12): the process exits non-zero, and the
traceback goes to a log file under the data dir, not over the user's shell."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.tui.app import SalesdeskApp
from tests.cli_helpers import run


def _boom() -> None:
    raise ZeroDivisionError("a bug")


async def test_an_unhandled_error_is_logged_not_shown(
    engine: Engine, config: Config, now: datetime, tmp_path: Path
) -> None:
    log = tmp_path / "tui-error.log"
    app = SalesdeskApp(engine, config, lambda: now, crash_log=log)
    shown: list[str] = []  # what Textual prints to the terminal once the app has stopped
    app._print_error_renderables = lambda: shown.extend(map(str, app._exit_renderables))  # type: ignore[method-assign]
    with pytest.raises(ZeroDivisionError):  # Pilot re-raises it for the test, after the app has handled it
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(_boom)
            await pilot.pause()
    assert app.return_code == 1
    assert "ZeroDivisionError: a bug" in log.read_text() and "Traceback" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert shown == [f"salesdesk: the TUI stopped on an unexpected error; the details are in {log}"]


def test_the_command_exits_with_the_apps_code(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> None:
    seen: list[Path | None] = []

    def crashed(self: SalesdeskApp) -> None:
        seen.append(self.crash_log)
        self._return_code = 1

    monkeypatch.setattr(SalesdeskApp, "run", crashed)
    assert run().code == 1
    assert seen == [isolated_home / "tui-error.log"]
