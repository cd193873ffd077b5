"""``salesdesk backup`` and ``salesdesk doctor``: looking after the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesdesk.commands.common import JsonOpt, state_of

app = typer.Typer()


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="Where to write it (default: beside the database).")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace FILE even if it is not a salesdesk backup.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Copy the database with SQLite's online backup: safe while the TUI is open. The copy is
    owner-only (0600); it replaces an older backup, never another file (unless --overwrite)
    and never a symlink's target.

    Example: salesdesk backup ~/backups/salesdesk-monday.db
    """
    from salesdesk import outfile, render
    from salesdesk.db import backup_file, backup_to
    from salesdesk.errors import InvalidInput

    state = state_of(ctx)
    source = Path(state.engine.url.database or "")
    why = None if file is None else outfile.why_guarded(file, [source])
    if why is not None and why != outfile.A_BACKUP:
        raise InvalidInput(f"{file} is {why}; the backup must go to another file")
    try:
        target = backup_to(source, file, overwrite=overwrite) if file is not None else backup_file(source, state.now)
    except OSError as exc:
        raise InvalidInput(f"cannot write the backup to {file}: {exc.strerror}") from None
    if as_json:
        render.emit_json({"backup": str(target), "bytes": target.stat().st_size})
    else:
        render.say(f"Backed up {source} to {target} ({target.stat().st_size:,} bytes).")


@app.command("doctor")
def doctor(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Check the database: integrity, schema version, permissions, counters, counts. Exit 1 if unwell.

    Example: salesdesk doctor
    """
    from sqlite3 import Error as SqliteError

    from sqlalchemy.exc import DatabaseError

    from salesdesk import paths, render
    from salesdesk.errors import SalesdeskError
    from salesdesk.services import maintenance

    state = state_of(ctx)
    # A damaged file is the doctor's finding, not its failure: report it and the way back.
    try:
        database = state.engine.url.database
        checkup = maintenance.doctor(state.engine, Path(database) if database and database != ":memory:" else None)
    except (SalesdeskError, DatabaseError, SqliteError) as exc:
        problem = str(exc.orig) if isinstance(exc, DatabaseError) else str(exc).rsplit(": ", 1)[-1]
        checkup = maintenance.unreadable(paths.demo_db_path() if state.demo else paths.db_path(), problem)
    if as_json:
        render.emit_json(checkup.as_dict())
    else:
        render.checkup(checkup)
    if not checkup.ok:
        raise typer.Exit(1)
