"""What every command module shares: the lazily-built state, and the common options."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, overload

import typer

from salesdesk.commands import completion

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from salesdesk.config import Config
    from salesdesk.dates import Prefer
    from salesdesk.tui.app import SalesdeskApp

T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout (and nothing else).")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="What was said or done.")]
BenefitOpt = Annotated[str | None, typer.Option("--benefit", help="The value offered: information or a resource.")]
LeadArg = Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.", autocompletion=completion.lead)]


@dataclass
class State:
    """What every command shares: the clock, the settings and the store, made on first use."""

    demo: bool = False
    _engine: Engine | None = field(default=None, init=False)

    @cached_property
    def now(self) -> datetime:
        from salesdesk.dates import clock_now

        return clock_now()

    @cached_property
    def config(self) -> Config:
        from salesdesk.config import load_config
        from salesdesk.paths import config_path

        return load_config(config_path())

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from salesdesk import paths

            if self.demo:
                from salesdesk.demo import open_demo

                self._engine = open_demo(paths.demo_db_path(), self.now)
            else:
                from salesdesk.db import is_read_only, open_store

                self._engine = open_store(paths.db_path(), self.now)
                if is_read_only(paths.db_path()):
                    from salesdesk import render

                    render.warn(f"{paths.db_path()} is read-only: it can be read, exported and backed up, not changed")
        return self._engine

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work, committed only once its result is out: print it inside the block.

        If stdout can't take the result, the work is rolled back, so the user never sees an
        error for something that was saved (and a retry can't save it twice). The price: a
        commit that fails after the result was printed (a full disk) must say the result is void.
        """
        from sqlalchemy.exc import DatabaseError

        from salesdesk.db import write_session

        with _printed_then_committed(write_session(self.engine), DatabaseError, lambda exc: exc.orig) as session:
            yield session

    @contextmanager
    def write_conn(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """``write`` over a bare sqlite3 connection (from ``current_conn``), which it closes."""
        from salesdesk.connect import write_transaction

        try:
            with _printed_then_committed(write_transaction(conn), sqlite3.Error, str) as handle:
                yield handle
        finally:
            conn.close()

    def current_conn(self) -> sqlite3.Connection | None:
        """A bare sqlite3 connection to the user's store when its schema is current; None when
        only the engine can open it (the demo store, no file yet, read-only, to be migrated)."""
        if self.demo:
            return None
        from salesdesk import paths
        from salesdesk.connect import NotCurrent, open_current

        try:
            return open_current(paths.db_path())
        except NotCurrent:
            return None

    @contextmanager
    def read_conn(self) -> Iterator[sqlite3.Connection]:
        """A connection for store-layer reads, in one read transaction (a consistent snapshot).
        Without SQLAlchemy when the store allows it, else the engine's own connection."""
        conn = self.current_conn()
        if conn is None:
            from salesdesk.db import read_session
            from salesdesk.store import dbapi

            with read_session(self.engine) as session:
                yield dbapi(session)
            return
        try:
            conn.execute("BEGIN")
            yield conn
        finally:
            conn.close()  # closing ends the read transaction

    @overload
    def when(self, text: str, prefer: Prefer = "past") -> datetime: ...
    @overload
    def when(self, text: str | None, prefer: Prefer = "past") -> datetime | None: ...
    def when(self, text: str | None, prefer: Prefer = "past") -> datetime | None:
        from salesdesk.dates import parse_when

        return None if text is None else parse_when(text, self.now, prefer=prefer)

    def clock(self) -> Callable[[], datetime]:
        """The TUI's clock: fixed when SALESDESK_NOW replays a day, else the real one."""
        if os.environ.get("SALESDESK_NOW"):
            fixed = self.now
            return lambda: fixed
        from salesdesk.dates import clock_now

        return clock_now


@contextmanager
def _printed_then_committed(
    unit: AbstractContextManager[T], database_error: type[Exception], reason: Callable[[Any], object]
) -> Iterator[T]:
    """Run ``unit`` (a transaction: committed when it exits cleanly) with the output flushed
    before the commit; see ``State.write``."""
    from salesdesk import stdout
    from salesdesk.errors import InvalidInput

    printed = False
    try:
        with unit as handle:
            yield handle
            stdout.flush()
            printed = True
    except stdout.OutputFailed as exc:
        raise stdout.OutputFailed(f"{exc}; nothing was logged") from None
    except database_error as exc:
        if not printed:
            raise
        raise InvalidInput(f"database error: {reason(exc)}; nothing was logged, whatever it says above") from None


def state_of(ctx: typer.Context) -> State:
    return ctx.ensure_object(State)


def databases(state: State) -> list[Path]:
    """The store in use and the user's and demo stores: what an output file must never replace."""
    from salesdesk import paths

    return [Path(state.engine.url.database or ""), paths.db_path(), paths.demo_db_path()]


def run_tui(app: SalesdeskApp) -> None:
    """Run the TUI; an unhandled error in it is exit 1, with its traceback in the data dir's
    ``tui-error.log`` rather than on the screen."""
    from salesdesk import paths

    app.crash_log = paths.ensure_private_dir(paths.data_dir()) / "tui-error.log"
    app.run()
    if app.return_code:
        raise typer.Exit(app.return_code)
