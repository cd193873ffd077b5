"""``salesdesk log-call``, ``log-touch`` and ``outcomes``: recording contacts."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from salesdesk.bounds import COUNT_MAX
from salesdesk.commands import completion
from salesdesk.commands.common import BenefitOpt, JsonOpt, LeadArg, NoteOpt, State, state_of
from salesdesk.store import pk

if TYPE_CHECKING:
    from salesdesk.config import Config
    from salesdesk.lifecycle import TouchFacts
    from salesdesk.services.batch import Line

MeetingOpt = Annotated[
    str | None,
    typer.Option(
        "--meeting", metavar="WHEN", help="The meeting booked, e.g. 'fri 10:00' (read back with the weekday)."
    ),
]
PlaceOpt = Annotated[str | None, typer.Option("--place", help="Where the meeting is.")]

app = typer.Typer()


# Optional only so that --from can stand in for it; without --from a LEAD is required.
BatchLeadArg = Annotated[
    str | None,
    typer.Argument(
        metavar="LEAD", help="Id, or part of a name, phone or email (not with --from).", autocompletion=completion.lead
    ),
]


@app.command("log-call")
def log_call(
    ctx: typer.Context,
    lead: BatchLeadArg = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome", "-o", help="How it ended; see `salesdesk outcomes`.", autocompletion=completion.outcome
        ),
    ] = None,
    note: NoteOpt = None,
    benefit: BenefitOpt = None,
    duration: Annotated[str | None, typer.Option(help="Talk time: 4m30s, 90s, 4:30.")] = None,
    objection: Annotated[
        str | None, typer.Option(help="Objection key that came up, e.g. no_time.", autocompletion=completion.objection)
    ] = None,
    reply: Annotated[
        int | None,
        typer.Option("--reply", min=1, max=COUNT_MAX, help="The reply used: its number in `salesdesk objection show`."),
    ] = None,
    next_: Annotated[str | None, typer.Option("--next", help="When to call next, e.g. 'tue 10:00'.")] = None,
    meeting: MeetingOpt = None,
    place: PlaceOpt = None,
    at: Annotated[str | None, typer.Option("--at", help="When the call was made (default now).")] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE.jsonl",
            help='Log many calls, one JSON object a line: {"lead": 12, "outcome": "busy", "note": ...} with '
            "the options above as keys (the records of export touches --format jsonl work too), up to 65,536 "
            "characters a line and 64 MiB in all; - reads stdin. "
            "The input is read and checked whole before anything is written; all lines or none are logged.",
        ),
    ] = None,
    chunk: Annotated[
        int | None,
        typer.Option(
            "--chunk",
            metavar="N",
            min=1,
            max=COUNT_MAX,
            help="With --from: commit every N lines, so an interrupted batch keeps its whole chunks "
            "(each said on stdout before its commit). Default: all or nothing.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a call and its outcome, or a batch of calls with --from.

    Example: salesdesk log-call "Li Na" --outcome callback --next "tomorrow 10:00" --benefit "sent case study"

    Example: salesdesk log-call "Li Na" -o meeting_booked --meeting "fri 10:00" --place "their office" --benefit agenda

    Example: salesdesk log-call --from calls.jsonl
    """
    if chunk is not None and (from_ is None or as_json):
        ctx.fail("--chunk N commits a --from batch N lines at a time; it takes --from, and not --json")
    if from_ is not None:
        given = (lead, outcome, note, benefit, duration, objection, reply, next_, meeting, place, at)
        if any(value is not None for value in given):
            ctx.fail("--from takes the lead and options from each line; give no LEAD or other option with it")
        _log_batch(ctx, from_, as_json, chunk)
        return
    if lead is None:
        ctx.fail("Missing argument 'LEAD' (or --from FILE.jsonl for a batch).")
    if outcome is None:
        ctx.fail("Missing option '--outcome' / '-o'.")
    from salesdesk.dates import parse_duration
    from salesdesk.touch_log import call_facts

    state = state_of(ctx)
    duration_s = parse_duration(duration) if duration is not None else None
    at_time, next_at = state.when(at), state.when(next_, prefer="future")
    meeting_at = state.when(meeting, prefer="future")
    # The hot path (no SQLAlchemy) on a current store; the engine's otherwise.
    conn = state.current_conn()
    if conn is not None:

        def facts(config: Config, now: datetime) -> TouchFacts:
            return call_facts(config, outcome, at_time or now, note, benefit, duration_s, next_at, meeting_at, place)

        _log_hot(state, conn, lead, facts, as_json, objection, reply)
        return
    from salesdesk.services import leads, touches

    with state.write() as session:
        found = leads.resolve_lead(session, lead)
        logged = touches.log_call(
            session, state.config, found, state.now, outcome=outcome, at=at_time, note=note, benefit=benefit,
            duration_s=duration_s, objection=objection, next_at=next_at, reply=reply, meeting_at=meeting_at,
            place=place,
        )  # fmt: skip
        view = leads.lead_view(session, pk(found))
        _print_logged(view, logged, as_json, state.now)


@app.command("log-touch")
def log_touch(
    ctx: typer.Context,
    lead: LeadArg,
    channel: Annotated[
        str,
        typer.Option("--channel", "-c", help="email|wechat|sms|visit|social|other", autocompletion=completion.channel),
    ],
    note: NoteOpt = None,
    benefit: BenefitOpt = None,
    meeting: MeetingOpt = None,
    place: PlaceOpt = None,
    at: Annotated[str | None, typer.Option("--at", help="When it happened (default now).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a contact on another channel than the phone; --meeting records a meeting booked on it.

    Example: salesdesk log-touch 王芳 --channel wechat --benefit "sent the price benchmark"

    Example: salesdesk log-touch 王芳 --channel wechat --benefit "行业报告" --meeting "周五 10:00"
    """
    from salesdesk.touch_log import contact_facts

    state = state_of(ctx)
    at_time = state.when(at)
    meeting_at = state.when(meeting, prefer="future")
    conn = state.current_conn()
    if conn is not None:

        def facts(config: Config, now: datetime) -> TouchFacts:
            return contact_facts(config, channel, at_time or now, note, benefit, meeting_at, place)

        _log_hot(state, conn, lead, facts, as_json)
        return
    from salesdesk.services import leads, touches

    with state.write() as session:
        found = leads.resolve_lead(session, lead)
        logged = touches.log_touch(
            session,
            state.config,
            found,
            state.now,
            channel=channel,
            at=at_time,
            note=note,
            benefit=benefit,
            meeting_at=meeting_at,
            place=place,
        )
        view = leads.lead_view(session, pk(found))
        _print_logged(view, logged, as_json, state.now)


def _log_hot(
    state: State,
    conn: sqlite3.Connection,
    lead: str,
    facts: Callable[[Config, datetime], TouchFacts],
    as_json: bool,
    objection: str | None = None,
    reply: int | None = None,
) -> None:
    """Log one touch over a bare sqlite3 connection: the same lookup, record step and output
    as the ORM path (``lead_lookup``, ``objection_lookup``, ``touch_log.record``,
    ``_print_logged``), none of SQLAlchemy, SQLModel, pydantic or Rich loaded. ``facts`` is
    called once the lead is found, so an unknown lead is reported before a bad outcome or
    channel, and those before an unknown objection, as the ORM path does."""
    from salesdesk import lead_lookup, objection_lookup, store, touch_log

    with state.write_conn(conn):
        lead_id = lead_lookup.resolve_id(conn, lead)
        touch = facts(state.config, state.now)
        objection_key, reply_id = objection_lookup.resolve(conn, objection, reply)
        _, decision, written = touch_log.record(
            conn, state.config, lead_id, touch, state.now, objection=objection_key, reply_id=reply_id
        )
        logged = touch_log.logged(conn, state.config, touch, decision, written, state.now)
        _print_logged(store.lead_head(conn, lead_id), logged, as_json, state.now)


def _log_batch(ctx: typer.Context, source: str, as_json: bool, chunk: int | None) -> None:
    import sys

    from salesdesk import render
    from salesdesk.bounds import JSONL_LINE_MAX, JSONL_TOTAL_MAX
    from salesdesk.errors import InvalidInput
    from salesdesk.reading import utf8_lines
    from salesdesk.services.batch import check_lines, log_checked

    state = state_of(ctx)
    # Read as bytes, file and pipe alike: JSON is UTF-8 whatever the locale says (a BOM from a
    # Windows editor is tolerated), and a byte that is not UTF-8 is named with its offset.
    if source == "-":
        stream, shown = sys.stdin.buffer, "standard input"
    else:
        shown = source
        try:
            stream = open(source, "rb")  # noqa: SIM115 - closed below, after the batch
        except OSError as exc:
            raise InvalidInput(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        # All of it read (and bounded) and checked before the write lock is taken: a slow or
        # idle pipe, or a bad last line, must not hold up the TUI and every other writer.
        lines = check_lines(utf8_lines(stream, shown, JSONL_LINE_MAX, JSONL_TOTAL_MAX))
        if chunk is not None:
            _log_chunks(state, lines, chunk)
            return
        with state.write() as session:
            result = log_checked(session, state.config, state.now, lines, as_json=as_json)
            if as_json:
                render.batch_warnings(result)
                render.emit_json_array(result.items or [])
            else:
                render.batch_logged(result)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _log_chunks(state: State, lines: list[Line], size: int) -> None:
    """Each ``size`` lines in a transaction of their own, said on stdout before it commits. A
    refused line stops the batch there: the chunks before it stay, the error says how many."""
    from salesdesk import render
    from salesdesk.errors import SalesdeskError
    from salesdesk.services.batch import log_checked

    chunks = [lines[i : i + size] for i in range(0, len(lines), size)]
    calls = 0
    for index, part in enumerate(chunks, 1):
        try:
            with state.write() as session:
                result = log_checked(session, state.config, state.now, part)
                render.batch_chunk_logged(index, len(chunks), part[0].number, part[-1].number, result)
                calls += result.calls
                if index == len(chunks):
                    render.say(f"Logged {calls:,} call{'s' if calls != 1 else ''} in {len(chunks):,} chunks.")
        except SalesdeskError as exc:
            if index == 1:
                raise
            kept = f"chunks 1-{index - 1} of {len(chunks)} (lines 1-{chunks[index - 2][-1].number}) stay logged"
            raise type(exc)(f"{exc}\n{kept}; nothing after line {chunks[index - 2][-1].number} was") from None


def _print_logged(view, logged, as_json: bool, now: datetime) -> None:
    from salesdesk import render
    from salesdesk.touch_log import followup_dict, meeting_dict, touch_dict

    for warning in logged.warnings:
        render.warn(f"warning: {warning}")
    if as_json:
        data = touch_dict(logged.touch)
        scheduled = [f for f in logged.followups if f.rule == "scheduled"]
        data["next"] = followup_dict(scheduled[0]) if scheduled else None
        data["followups"] = [followup_dict(f) for f in logged.followups]
        data["meeting"] = meeting_dict(logged.meeting) if logged.meeting is not None else None
        data["resolved"] = [{"followup_id": fid, "resolution": res} for fid, res in logged.resolved]
        data["state"] = logged.state
        data["warnings"] = logged.warnings
        render.emit_json(data)
    else:
        render.touch_logged(view, logged, now)


@app.command("outcomes")
def outcomes(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the call outcomes and their flags (set them in config.toml).

    Example: salesdesk outcomes --json
    """
    from dataclasses import asdict

    from salesdesk import render

    items = list(state_of(ctx).config.outcomes.values())
    if as_json:
        render.emit_json([asdict(o) for o in items])
    else:
        render.outcome_table(items)
