"""``salesdesk import leads``: many leads at once from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesdesk.commands.common import JsonOpt, state_of

app = typer.Typer(help="Import records from files.", no_args_is_help=True)


@app.command("leads")
def import_leads(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV with a header row; UTF-8 (BOM or not) or GBK. A pipe or - (stdin) works too, up to 256 MiB.",
        ),
    ],
    maps: Annotated[
        list[str] | None,
        typer.Option("--map", metavar="COLUMN=field", help="Put COLUMN in field (name, phone...; - skips it)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")] = False,
    skip_errors: Annotated[
        bool, typer.Option("--skip-errors", help="Import the good rows and report the bad (default: all or nothing).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import leads from a CSV file, all or nothing.

    Headers such as name/姓名/联系人, company/公司, phone/电话/手机, email/邮箱, wechat/微信,
    source/来源, grade/等级, created_at/创建时间, title/职位 and notes/备注 are recognised;
    --map names the others. Phones and emails are normalised; leads whose phone or email is
    already known (or repeated in the file) are skipped and counted. A bad row is reported
    with its line number (the header is line 1).

    Example: salesdesk import leads contacts.csv --map 手机=phone --dry-run
    """
    from functools import partial

    from salesdesk import reading, render
    from salesdesk.bounds import SPOOL_MAX
    from salesdesk.db import read_session
    from salesdesk.services import imports

    state = state_of(ctx)
    chosen = imports.parse_maps(maps or [])
    # A dry run only reads, so it never takes the write lock from the TUI or a script; an
    # import prints its report before it commits (State.write).
    session_scope = partial(read_session, state.engine) if dry_run else state.write
    # The import reads its file more than once: a pipe or device is copied once first.
    with (
        reading.spooled(file, SPOOL_MAX) as local,
        render.byte_progress(local, "Importing leads") as progress,
        session_scope() as session,
    ):
        report = imports.import_leads(
            session, local, state.now, maps=chosen, dry_run=dry_run, skip_errors=skip_errors, progress=progress
        )
        report.file = str(file)
        if as_json:
            render.emit_json(report.as_dict())
        else:
            render.import_report(report)
