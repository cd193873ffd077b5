"""``salesdesk stats ...``: the rep's own numbers, read back (the connect-rate map)."""

from __future__ import annotations

from typing import Annotated

import typer

from salesdesk.commands.common import JsonOpt, state_of
from salesdesk.connect_rates import DEFAULT_WEEKS, WEEKS_MAX

app = typer.Typer(help="Your own numbers read back: when you reach people.", no_args_is_help=True)


@app.command("hours")
def stats_hours(
    ctx: typer.Context,
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, max=WEEKS_MAX, help="How many weeks back to count (1-104).")
    ] = DEFAULT_WEEKS,
    by: Annotated[str | None, typer.Option("--by", help="Split the map: source or grade.")] = None,
    lead_time: Annotated[
        bool,
        typer.Option("--lead-time", help="Place each call at the lead's local time where the lead has a time zone."),
    ] = False,
    meetings: Annotated[
        bool, typer.Option("--meetings", help="Map meetings per connect instead of connects per dial.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Connect rate by weekday and hour of your own calls, with a 95% interval per hour;
    hours with fewer dials than timing.min_dials (10) are marked, not ranked.

    JSON: one object per weekday x hour with any dials (weekday 0 = Monday): dials, connects,
    meetings, connect_rate, low, high (Wilson 95%), meeting_rate, enough_data.

    Example: salesdesk stats hours --weeks 12 --by source --json
    """
    from salesdesk import render, render_hours
    from salesdesk.db import read_session
    from salesdesk.services import hours

    state = state_of(ctx)
    split = hours.check_by(by)
    with read_session(state.engine) as session:
        found = hours.hour_map(
            session, state.config, state.now, weeks=weeks, by=split, clock="lead" if lead_time else "rep"
        )
    if as_json:
        render.emit_json(found.as_list())
    else:
        render_hours.print_map(found, state.now, "meeting" if meetings else "connect")
