"""``salesdesk meeting ...``: the meetings booked with leads, and what became of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from salesdesk.commands.common import JsonOpt, NoteOpt, state_of

app = typer.Typer(help="Meetings booked with leads: list, held, no-show, move, export.", no_args_is_help=True)

MeetingArg = Annotated[str, typer.Argument(metavar="ID", help="The meeting's id (see salesdesk meeting list).")]


@app.command("list")
def meeting_list(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Option(help="A week: this, next, last, 2026-W48, or a day in it (default: from today on).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List meetings with their time (with the weekday), place and status.

    Example: salesdesk meeting list --week next --json
    """
    from datetime import timedelta

    from salesdesk import render
    from salesdesk.dates import local_day_bounds, to_local
    from salesdesk.db import read_session
    from salesdesk.services import meetings
    from salesdesk.services.reports import parse_week

    state = state_of(ctx)
    if week is None:
        start, end = local_day_bounds(to_local(state.now).date())[0], None
    else:
        monday = parse_week({"this": None, "next": "next mon", "last": "last mon"}.get(week, week), state.now)
        start, end = local_day_bounds(monday)[0], local_day_bounds(monday + timedelta(days=7))[0]
    with read_session(state.engine) as session:
        views = meetings.meetings_between(session, start, end)
    if as_json:
        render.emit_json([view.as_dict() for view in views])
    else:
        render.meeting_table(views, state.now)


@app.command("held")
def meeting_held(ctx: typer.Context, meeting: MeetingArg, note: NoteOpt = None, as_json: JsonOpt = False) -> None:
    """Record that a meeting took place; its lead is worked again (or back in its deal).

    Example: salesdesk meeting held 3 --note "wants a proposal by Friday"
    """
    _change(ctx, meeting, as_json, "held", note=note)


@app.command("no-show")
def meeting_no_show(ctx: typer.Context, meeting: MeetingArg, note: NoteOpt = None, as_json: JsonOpt = False) -> None:
    """Record that the customer didn't come: a call to set a new time is due at once.

    Example: salesdesk meeting no-show 3
    """
    _change(ctx, meeting, as_json, "no_show", note=note)


@app.command("move")
def meeting_move(
    ctx: typer.Context,
    meeting: MeetingArg,
    when: Annotated[str, typer.Argument(metavar="WHEN", help="The new time, e.g. 'thu 14:00'.")],
    place: Annotated[str | None, typer.Option("--place", help="A new place (default: the same).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a meeting to another time: the old one is kept as moved, a new one is booked.

    Example: salesdesk meeting move 3 "thu 14:00"
    """
    _change(ctx, meeting, as_json, "move", when=when, place=place)


def _change(ctx: typer.Context, ref: str, as_json: bool, what: str, **kw: str | None) -> None:
    from salesdesk import render
    from salesdesk.db import write_session
    from salesdesk.services import meetings
    from salesdesk.services.blocks import protect_warning

    state = state_of(ctx)
    warnings: list[str] = []
    with write_session(state.engine) as session:
        found = meetings.get_meeting(session, ref)
        if what == "held":
            result = meetings.mark_held(session, found, state.now, kw["note"])
        elif what == "no_show":
            result = meetings.mark_no_show(session, found, state.now, kw["note"])
        else:
            when = state.when(cast(str, kw["when"]), prefer="future")  # move always passes its WHEN
            result = meetings.move(session, found, state.now, when, kw["place"])
            config = state.config
            protected = protect_warning(session, when, state.now, config.rules.business_hours, config.timing)
            warnings = [protected] if protected else []
        view = meetings.MeetingView(result, meetings.lead_name(session, found.lead_id))
    for warning in warnings:
        render.warn(f"warning: {warning}")
    if as_json:
        render.emit_json(view.as_dict())
    else:
        render.meeting_changed(view, found, state.now)


@app.command("export")
def meeting_export(
    ctx: typer.Context,
    ics_file: Annotated[Path, typer.Option("--ics", help="The iCalendar file to write, e.g. meetings.ics.")],
) -> None:
    """Write booked meetings, from today on, to an iCalendar file.

    Example: salesdesk meeting export --ics ~/meetings.ics
    """
    from salesdesk import ics, render
    from salesdesk.dates import local_day_bounds, to_local
    from salesdesk.db import read_session
    from salesdesk.errors import InvalidInput
    from salesdesk.services import meetings

    state = state_of(ctx)
    with read_session(state.engine) as session:
        views = meetings.meetings_between(session, local_day_bounds(to_local(state.now).date())[0], None)
    data, count = ics.export_meetings(views, state.now)
    try:
        ics_file.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write {ics_file}: {exc.strerror or exc}") from None
    render.say(f"Wrote {count} meeting{'' if count == 1 else 's'} to {ics_file}.")
