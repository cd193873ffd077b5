"""``salesdesk import leads``: many leads at once from a CSV or JSON Lines file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from salesdesk.commands.common import JsonOpt, state_of

if TYPE_CHECKING:
    from salesdesk.services.imports import DateOrder

app = typer.Typer(help="Import records from files.", no_args_is_help=True)


@app.command("leads")
def import_leads(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="CSV (, ; or tab) with a header, JSON Lines or vCard; - is stdin.")
    ],
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map", metavar="COLUMN=field", help="Put COLUMN in field (name, phone...; A+B=name joins; - skips it)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")] = False,
    skip_errors: Annotated[
        bool, typer.Option("--skip-errors", help="Import the good rows and report the bad (default: all or nothing).")
    ] = False,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="The file's encoding (default: judged from its bytes).")
    ] = None,
    date_order: Annotated[
        str | None, typer.Option("--date-order", metavar="mdy|dmy", help="How to read 1/2/2026 (mdy = US).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", metavar="NAME", help="Use the --map etc. saved under NAME.")
    ] = None,
    save_profile: Annotated[
        str | None,
        typer.Option("--save-profile", metavar="NAME", help="Keep this --map etc. as NAME for the next import."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import leads from CSV, JSON Lines or vCard; all or nothing.

    Exports of HubSpot, Salesforce (reports and Data Loader), Pipedrive, Google Contacts,
    Outlook, Chinese CRM sheets and salesdesk itself are recognised by their headers, as
    are generic ones (name/姓名, First Name + Last Name, 姓 + 名, phone/手机, email/邮箱...);
    --map names the others. The mobile wins over other phones (kept in the notes); picklist
    columns whose values salesdesk doesn't know go to the notes. Leads whose phone or email
    is already known (or repeated in the file) are skipped and counted. A bad row is
    reported with its line number (the header is line 1) and all its problems.

    Example: salesdesk import leads contacts.csv --map 'Handy=phone' --dry-run

    Monthly: salesdesk import leads november.csv --profile crm (saved with --save-profile crm)
    """
    from functools import partial

    from salesdesk import paths, reading, render
    from salesdesk.bounds import SPOOL_MAX
    from salesdesk.db import read_session
    from salesdesk.errors import InvalidInput
    from salesdesk.services import import_files, import_profiles, imports
    from salesdesk.services.import_formats import value_tables

    state = state_of(ctx)
    if save_profile is not None:
        import_profiles.profile_path(paths.config_dir(), save_profile)  # a bad name fails before importing
    if profile is not None:
        saved = import_profiles.load_profile(paths.config_dir(), profile)
        maps = [*saved.maps, *(maps or [])]  # what is typed now wins over the profile
        encoding = encoding or saved.encoding
        date_order = date_order or saved.date_order
    chosen = imports.parse_maps(maps or [])
    if date_order not in (None, "mdy", "dmy"):
        raise InvalidInput(f"--date-order {date_order!r} is not mdy (US: 1/31/2026) or dmy (31/1/2026)")
    tables = value_tables(state.config.import_values)
    # A dry run only reads, so it never takes the write lock from the TUI or a script; an
    # import prints its report before it commits (State.write).
    session_scope = partial(read_session, state.engine) if dry_run else state.write
    # The import reads its file more than once: a pipe, a device or - is copied once first.
    with (
        reading.spooled(Path(file), SPOOL_MAX) as local,
        render.row_progress("Importing leads") as progress,
        session_scope() as session,
    ):
        source = import_files.open_source(local, "standard input" if file == "-" else file, encoding)
        report = imports.import_leads(
            session,
            source,
            state.now,
            maps=chosen,
            dry_run=dry_run,
            skip_errors=skip_errors,
            date_order=cast("DateOrder | None", date_order),  # checked against mdy|dmy above
            values=tables,
            progress=progress,
        )
        if as_json:
            render.emit_json(report.as_dict())
        else:
            render.import_report(report)
    if save_profile is not None:
        kept = import_profiles.Profile(list(maps or []), encoding, date_order)
        saved_at = import_profiles.save_profile(paths.config_dir(), save_profile, kept)
        if not as_json:
            render.say(f"Saved as profile {save_profile!r} ({saved_at}); next time: --profile {save_profile}")
    if dry_run and report.bad_count and not skip_errors:
        # The dry run showed what it found; the exit code says the real import would refuse.
        raise typer.Exit(2)
