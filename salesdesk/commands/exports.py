"""``salesdesk export week|leads|touches``: the weekly roll-up as a markdown page (or JSON),
and the leads and touches as CSV or JSON Lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from salesdesk.commands.common import databases, state_of

if TYPE_CHECKING:
    from sqlmodel import Session

    Rows = Callable[[Session], Iterable[dict[str, Any]]]

app = typer.Typer(help="Export summaries to files.", no_args_is_help=True)
OUTPUT_HELP = "Write to this file (owner-only; - is stdout; a pipe is written in place), never over the database."


@app.command("week")
def export_week(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Argument(metavar="WEEK", help="ISO week like 2026-W48, or a day in it (default this week).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)] = None,
    fmt: Annotated[str, typer.Option("--format", help="markdown|json")] = "markdown",
) -> None:
    """The week rolled up: results vs targets, a row per day, the funnel, follow-up compliance,
    objections, problems, lessons, and next week's focus.

    Example: salesdesk export week 2026-W48 -o week48.md
    """
    from salesdesk import outfile, render, validate
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
        return
    with outfile.open_output(output, databases(state)) as handle:
        handle.write(text)
    if not outfile.is_stream(output):
        render.say(f"Wrote {report.label} to {output}.")


FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="csv (UTF-8 with a BOM so Excel shows Chinese right; cells a spreadsheet would run as a formula "
        "get a leading ') or jsonl (one JSON object a line, UTF-8).",
    ),
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help=OUTPUT_HELP)]


@app.command("leads")
def export_leads(ctx: typer.Context, fmt: FormatOpt = "csv", output: OutputOpt = None) -> None:
    """Every lead, with its company and touch counts; times are ISO 8601 with their offset.

    Example: salesdesk export leads --format csv -o leads.csv
    """
    from salesdesk.services import exports

    _export_table(ctx, "leads", exports.LEAD_COLUMNS, exports.lead_rows, fmt, output)


@app.command("touches")
def export_touches(ctx: typer.Context, fmt: FormatOpt = "csv", output: OutputOpt = None) -> None:
    """Every call and other touch, with its lead; times are ISO 8601 with their offset.

    Example: salesdesk export touches --format jsonl -o touches.jsonl
    """
    from salesdesk.services import exports

    _export_table(ctx, "touches", exports.TOUCH_COLUMNS, exports.touch_rows, fmt, output)


def _export_table(
    ctx: typer.Context, what: str, columns: Sequence[str], rows: Rows, fmt: str, output: Path | None
) -> None:
    """Stream the rows to ``output`` or stdout: never all of them in memory at once."""
    import sys

    from salesdesk import outfile, render, validate
    from salesdesk.db import read_session
    from salesdesk.services import exports

    state = state_of(ctx)
    chosen = validate.choice(fmt, "format", exports.TABLE_FORMATS)

    def write(handle: IO[str]) -> int:
        with read_session(state.engine) as session:
            if chosen == "csv":
                return exports.write_csv(handle, columns, rows(session))
            return exports.write_jsonl(handle, rows(session))

    if output is None:
        write(sys.stdout)
        return
    with outfile.open_output(output, databases(state)) as handle:
        count = write(handle)
    if not outfile.is_stream(output):
        render.say(f"Wrote {count:,} {what} to {output}.")
