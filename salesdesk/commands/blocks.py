"""``salesdesk block ...``: protected call blocks, the list to call in them, calendar export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from salesdesk.block_slots import DEFAULT_SUGGESTIONS, SUGGESTIONS_MAX
from salesdesk.bounds import COUNT_MAX, ID_MAX
from salesdesk.commands import completion
from salesdesk.commands.common import JsonOpt, databases, run_tui, state_of

app = typer.Typer(
    help="Protected call blocks: add, suggest, list, remove, plan, fill, start, export.", no_args_is_help=True
)

BlockArg = Annotated[
    int,
    typer.Argument(
        metavar="ID",
        min=1,
        max=ID_MAX,
        help="The block's id (see salesdesk block list).",
        autocompletion=completion.block,
    ),
]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day, e.g. mon, 2026-11-23 (inclusive).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (inclusive).")]
RateOpt = Annotated[
    float | None,
    typer.Option("--rate", help="Meetings booked per dial, e.g. 0.2; default: your last 8 weeks, else 0.2."),
]
OccurrenceOpt = Annotated[
    str | None, typer.Option("--occurrence", help="The occurrence on this day: 2026-11-24, tomorrow, or tue (coming).")
]


SUGGESTED_HELP = "Take the Nth slot of salesdesk block suggest (same --for) instead of giving WHEN."


@app.command("add")
def block_add(
    ctx: typer.Context,
    when: Annotated[
        str | None, typer.Argument(help="When it starts: 'tomorrow 9:00', 'mon 14:00', 2026-11-24T09:00.")
    ] = None,
    length: Annotated[
        str | None,
        typer.Option("--for", help="How long: 90m, 1h30m, 1:30 (a plain number is minutes); 90m with --suggested."),
    ] = None,
    repeat: Annotated[
        str | None, typer.Option(help="daily | weekdays | weekly | an RRULE such as 'FREQ=WEEKLY;BYDAY=TU,TH'.")
    ] = None,
    goal_dials: Annotated[int | None, typer.Option(min=0, max=COUNT_MAX, help="Dials to make in each sitting.")] = None,
    goal_meetings: Annotated[
        int | None, typer.Option(min=0, max=COUNT_MAX, help="Meetings to book in each sitting.")
    ] = None,
    title: Annotated[str | None, typer.Option(help='What to call it (default "Call block").')] = None,
    no_protect: Annotated[
        bool, typer.Option("--no-protect", help="Don't warn when a callback or meeting is put in it.")
    ] = False,
    suggested: Annotated[
        int | None, typer.Option("--suggested", min=1, max=SUGGESTIONS_MAX, metavar="N", help=SUGGESTED_HELP)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a call block; one that overlaps another block is refused (exit 1). One at lunch or
    on the first morning after a holiday is added with a warning and two better starts ([timing]).

    Example: salesdesk block add "tomorrow 9:00" --for 90m --repeat weekdays --goal-dials 25 --goal-meetings 5

    Example: salesdesk block add --suggested 1 --repeat weekly
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.errors import InvalidInput
    from salesdesk.services import blocks, hours

    state = state_of(ctx)
    if (when is None) == (suggested is None):
        raise InvalidInput("give WHEN, or --suggested N to take a slot of salesdesk block suggest (not both)")
    if suggested is None and length is None:
        raise InvalidInput("say how long the block lasts: --for 90m")
    minutes = blocks.parse_minutes(length) if length is not None else hours.DEFAULT_BLOCK_MINUTES
    reason = None
    if suggested is not None:
        with read_session(state.engine) as session:
            slot = hours.suggested(session, state.config, state.now, suggested, minutes)
        start, reason = slot.start, slot.reason
    else:
        start = state.when(cast(str, when), prefer="future")  # given: checked above
    with state.write() as session:
        block = blocks.add_block(
            session, state.now, start=start, minutes=minutes, repeat=repeat, goal_dials=goal_dials,
            goal_meetings=goal_meetings, title=title, protect=not no_protect,
        )  # fmt: skip
        warning = blocks.timing_warning(session, state.config, block, state.now)
        if warning:
            render.warn(f"warning: {warning}")
        if as_json:
            extra = {"warnings": [warning] if warning else []} | ({"reason": reason} if reason else {})
            render.emit_json(blocks.block_dict(block) | extra)
        else:
            render.block_added(block, state.now)
            if reason:
                render.say(f"Why: {reason}")


@app.command("suggest")
def block_suggest(
    ctx: typer.Context,
    length: Annotated[str, typer.Option("--for", help="How long each block lasts: 90m, 1h30m, 1:30.")] = "90m",
    count: Annotated[
        int, typer.Option("--count", min=1, max=SUGGESTIONS_MAX, help="How many slots to propose.")
    ] = DEFAULT_SUGGESTIONS,
    as_json: JsonOpt = False,
) -> None:
    """Propose next week's block slots, best first: by your own connect rate where you have
    enough dials (the 95% interval's lower bound, over the last 12 weeks), else the method's
    good hours (mid-morning, mid-afternoon); never at lunch or dinner, on holidays or the
    morning after one, or over blocks and meetings. Each says why.

    Example: salesdesk block suggest --for 90m --count 5 && salesdesk block add --suggested 1
    """
    from salesdesk import render, render_hours
    from salesdesk.db import read_session
    from salesdesk.services import blocks, hours

    state = state_of(ctx)
    minutes = blocks.parse_minutes(length)
    with read_session(state.engine) as session:
        found = hours.suggest_blocks(session, state.config, state.now, minutes=minutes, count=count)
    if as_json:
        render.emit_json([s.as_dict() for s in found])
    else:
        render_hours.print_suggestions(found)


@app.command("list")
def block_list(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", help="One day: today, tue, 2026-11-24.")] = None,
    week: Annotated[str | None, typer.Option(help="A week: this, next, last, 2026-W48, or a day in it.")] = None,
    first: FromOpt = None,
    last: ToOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List block occurrences (default: this week), with what was done in the past ones.

    Example: salesdesk block list --week next --json
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import blocks

    state = state_of(ctx)
    start, end = blocks.day_range(state.now, day=day, week=week, first=first, last=last)
    with read_session(state.engine) as session:
        views = blocks.listing(session, start, end, state.now)
    if as_json:
        render.emit_json([view.as_dict() for view in views])
    else:
        render.occurrence_table(views, start, end, state.now)


@app.command("remove")
def block_remove(ctx: typer.Context, block_id: BlockArg, occurrence: OccurrenceOpt = None) -> None:
    """Remove a block, or only one of its occurrences.

    Example: salesdesk block remove 3 --occurrence 2026-11-24
    """
    from salesdesk import render
    from salesdesk.services import blocks

    state = state_of(ctx)
    day = blocks.upcoming_day(occurrence, state.now) if occurrence is not None else None
    with state.write() as session:
        block, removed = blocks.remove(session, block_id, day)
        if removed is None:
            render.say(f"Removed block #{block.id} {block.title!r}.")
        else:
            render.say(
                f"Removed the {blocks.span_text(removed, state.now)} occurrence of block #{block.id} {block.title!r}."
            )


@app.command("plan")
def block_plan(
    ctx: typer.Context,
    meetings: Annotated[int, typer.Option("--meetings", min=1, max=COUNT_MAX, help="Meetings you want to book.")],
    rate: RateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which leads to call, and how many, to book N meetings.

    The list is sized at your own rate of meetings per dial.

    Example: salesdesk block plan --meetings 5 --json
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import blocks

    state = state_of(ctx)
    with read_session(state.engine) as session:
        proposed = blocks.plan(session, state.config.rules, state.now, meetings, rate)
    if as_json:
        render.emit_json(proposed.as_dict())
    else:
        render.plan_report(proposed, state.now)


@app.command("fill")
def block_fill(
    ctx: typer.Context,
    block_id: BlockArg,
    occurrence: OccurrenceOpt = None,
    meetings: Annotated[
        int | None,
        typer.Option("--meetings", min=1, max=COUNT_MAX, help="Meetings to plan for (default: the block's goal)."),
    ] = None,
    rate: RateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Attach the planned call list to a block's occurrence (default: the one under way or next).

    Example: salesdesk block fill 3 --occurrence tomorrow
    """
    from salesdesk import render
    from salesdesk.services import blocks

    state = state_of(ctx)
    day = blocks.upcoming_day(occurrence, state.now) if occurrence is not None else None
    with state.write() as session:
        filled = blocks.fill(session, state.config.rules, state.now, block_id, day=day, target=meetings, rate=rate)
        if as_json:
            render.emit_json(filled.as_dict())
        else:
            render.block_filled(filled, state.now)


@app.command("start")
def block_start(
    ctx: typer.Context,
    block_id: Annotated[
        int | None,
        typer.Argument(
            metavar="ID",
            min=1,
            max=ID_MAX,
            help="The block's id; default: the one under way or next today.",
            autocompletion=completion.block,
        ),
    ] = None,
) -> None:
    """Open the call session of a block: the one under way now or next today, or block ID's
    current or next occurrence. Exits 2 when there is none.

    Example: salesdesk block start 3
    """
    from salesdesk.db import read_session
    from salesdesk.tui.session_data import SessionStart, occurrence_to_start

    state = state_of(ctx)
    with read_session(state.engine) as session:
        occurrence = occurrence_to_start(session, state.now, block_id)
    # Textual is loaded only once there is a session to open.
    from salesdesk.tui.app import SalesdeskApp

    suffix = " (demo)" if state.demo else ""
    run_tui(
        SalesdeskApp(
            state.engine, state.config, state.clock(), title_suffix=suffix, session=SessionStart.of(occurrence)
        )
    )


@app.command("export")
def block_export(
    ctx: typer.Context,
    ics_file: Annotated[Path, typer.Option("--ics", help="The iCalendar file to write, e.g. blocks.ics.")],
    first: FromOpt = None,
    last: ToOpt = None,
) -> None:
    """Write the blocks to an iCalendar file for your calendar app: repeating blocks as
    repeating events, or, with --from/--to, each occurrence in the range.

    Example: salesdesk block export --ics ~/blocks.ics
    """
    from salesdesk import ics, outfile, render
    from salesdesk.db import read_session
    from salesdesk.services import blocks

    state = state_of(ctx)
    span = None
    if first is not None or last is not None:
        span = blocks.day_range(state.now, first=first, last=last)
    with read_session(state.engine) as session:
        data, count = ics.export(session, state.now, *(span or (None, None)))
    with outfile.open_output(ics_file, databases(state), binary=True) as handle:
        handle.write(data)
    if not outfile.is_stream(ics_file):
        render.say(f"Wrote {count} event{'' if count == 1 else 's'} to {ics_file}.")
