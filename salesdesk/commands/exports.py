"""``salesdesk export week``: the weekly roll-up as a markdown page (or JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesdesk.commands.common import state_of

app = typer.Typer(help="Export summaries to files.", no_args_is_help=True)


@app.command("week")
def export_week(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Argument(metavar="WEEK", help="ISO week like 2026-W48, or a day in it (default this week).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (owner-only), not to stdout.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="markdown|json")] = "markdown",
) -> None:
    """The week rolled up: results vs targets, a row per day, the funnel, follow-up compliance,
    objections, problems, lessons, and next week's focus.

    Example: salesdesk export week 2026-W48 -o week48.md
    """
    from salesdesk import render, validate
    from salesdesk.db import read_session
    from salesdesk.services import exports, reports

    state = state_of(ctx)
    chosen = validate.choice(fmt, "format", exports.FORMATS)
    monday = reports.parse_week(week, state.now)
    with read_session(state.engine) as session:
        report = reports.week_report(session, state.config, monday, state.now)
    text = exports.as_json(report.as_dict()) if chosen == "json" else exports.week_markdown(report) + "\n"
    if output is None:
        render.say(text.rstrip("\n"))
    else:
        exports.write_private(output, text)
        render.say(f"Wrote {report.label} to {output}.")
