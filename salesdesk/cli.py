"""The ``salesdesk`` command: thin wrappers that parse, call a service, and print.

Exit codes are a contract: 0 done, 1 refused by a rule or conflict, 2 invalid input.
Errors are one or two lines on stderr, never a traceback, and a failed command writes
nothing (each command is one transaction). The TUI is imported only when it is opened,
so scripted commands never pay for Textual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import typer

from salesdesk import __version__
from salesdesk.errors import SalesdeskError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from salesdesk.config import Config

app = typer.Typer(
    help="A sales desk for one rep: leads, calls, follow-ups. Run with no command to open the TUI.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
lead_app = typer.Typer(help="Add, list, show and edit leads.", no_args_is_help=True)
app.add_typer(lead_app, name="lead")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout (and nothing else).")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="What was said or done.")]
BenefitOpt = Annotated[str | None, typer.Option("--benefit", help="The value offered: information or a resource.")]


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
                from salesdesk.db import open_store

                self._engine = open_store(paths.db_path(), self.now)
        return self._engine

    def when(self, text: str | None, prefer: str = "past") -> datetime | None:
        from salesdesk.dates import parse_when

        return None if text is None else parse_when(text, self.now, prefer=prefer)  # type: ignore[arg-type]

    def clock(self) -> Callable[[], datetime]:
        """The TUI's clock: fixed when SALESDESK_NOW replays a day, else the real one."""
        if os.environ.get("SALESDESK_NOW"):
            fixed = self.now
            return lambda: fixed
        from salesdesk.dates import clock_now

        return clock_now


def _state(ctx: typer.Context) -> State:
    return ctx.ensure_object(State)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Use the demo database (made on first use), not yours.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Open the TUI, or run a command. `salesdesk --demo` opens the TUI on demo data."""
    if version:
        typer.echo(f"salesdesk {__version__}")
        raise typer.Exit()
    state = ctx.ensure_object(State)
    state.demo = demo
    if ctx.invoked_subcommand is None:
        from salesdesk.tui.app import SalesdeskApp

        SalesdeskApp(state.engine, state.config, state.clock(), title_suffix=" (demo)" if demo else "").run()


@lead_app.command("add")
def lead_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name.")],
    company: Annotated[str | None, typer.Option(help="Company (account); shared by leads at it.")] = None,
    title: Annotated[str | None, typer.Option(help="Job title.")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number, any common format.")] = None,
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    wechat: Annotated[str | None, typer.Option(help="WeChat id.")] = None,
    source: Annotated[str, typer.Option(help="inbound|outbound|referral|event|other")] = "outbound",
    grade: Annotated[str | None, typer.Option(help="A (close within 1 month) .. D (not within 6).")] = None,
    coach: Annotated[bool, typer.Option("--coach", help="This person is an internal champion.")] = False,
    role: Annotated[str | None, typer.Option(help="Role at the account, e.g. decision maker.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free notes.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="When the lead arrived (default now).")] = None,
    allow_duplicate: Annotated[bool, typer.Option(help="Add even if the phone or email is known.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a lead.

    Example: salesdesk lead add "王芳" --company 华为 --phone "+86 138 0013 8000" --source inbound --grade B
    """
    from salesdesk.db import write_session
    from salesdesk.services import leads

    state = _state(ctx)
    with write_session(state.engine) as session:
        lead = leads.add_lead(
            session, state.now, name=name, company=company, title=title, phone=phone, email=email,
            wechat=wechat, source=source, grade=grade, is_coach=coach, role=role, notes=note,
            created_at=state.when(at), allow_duplicate=allow_duplicate,
        )  # fmt: skip
        view = leads.lead_view(session, lead.id)  # type: ignore[arg-type]
    _print_lead(view, as_json, "Added")


def _print_lead(view: object, as_json: bool, verb: str) -> None:
    from salesdesk import render

    if as_json:
        render.emit_json(view.as_dict())  # type: ignore[attr-defined]
    else:
        render.say(f"{verb} lead {render.lead_line(view)}.")  # type: ignore[arg-type]


@lead_app.command("list")
def lead_list(
    ctx: typer.Context,
    grade: Annotated[str | None, typer.Option(help="Only this grade (A-D).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status: new|working|won|lost.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    search: Annotated[str | None, typer.Option(help="Text in the name, company, phone, email or WeChat id.")] = None,
    limit: Annotated[
        int | None, typer.Option(min=0, help="At most N leads (0 = all). Default: 50 in a table, all with --json.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List leads, newest arrivals first.

    Example: salesdesk lead list --grade A --status working --search acme
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import leads

    state = _state(ctx)
    limit = (None if as_json else 50) if limit is None else (limit or None)
    filters = {"grade": grade, "status": status, "source": source, "search": search}
    with read_session(state.engine) as session:
        views = leads.list_leads(session, limit=limit, **filters)
        total = leads.count_leads(session, **filters) if limit and len(views) == limit else len(views)
    if as_json:
        render.emit_json([view.as_dict() for view in views])
        return
    footer = f"{len(views)} of {total} leads" + (" (--limit 0 shows all)" if total > len(views) else "")
    render.lead_table(views, state.now, footer)


@lead_app.command("show")
def lead_show(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a lead with its touch history, newest first.

    Example: salesdesk lead show "Li Na" --json
    """
    from salesdesk import render
    from salesdesk.dates import iso
    from salesdesk.db import read_session
    from salesdesk.services import leads, touches

    state = _state(ctx)
    with read_session(state.engine) as session:
        found = leads.resolve_lead(session, lead)
        view = leads.lead_view(session, found.id)  # type: ignore[arg-type]
        history = touches.timeline(session, found.id)  # type: ignore[arg-type]
        followups = touches.open_followups(session, found.id)  # type: ignore[arg-type]
        grades = leads.grade_history(session, found.id)  # type: ignore[arg-type]
    if as_json:
        data = view.as_dict()
        data["touches"] = [touches.touch_dict(t) for t in history]
        data["followups"] = [touches.followup_dict(f) for f in followups]
        data["grade_history"] = [{"at": iso(g.at), "old_grade": g.old_grade, "new_grade": g.new_grade} for g in grades]
        render.emit_json(data)
    else:
        render.lead_card(view, history, followups, grades, state.now)


@lead_app.command("edit")
def lead_edit(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.")],
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    company: Annotated[str | None, typer.Option(help='New company ("" clears).')] = None,
    title: Annotated[str | None, typer.Option(help='New title ("" clears).')] = None,
    phone: Annotated[str | None, typer.Option(help='New phone ("" clears).')] = None,
    email: Annotated[str | None, typer.Option(help='New email ("" clears).')] = None,
    wechat: Annotated[str | None, typer.Option(help='New WeChat id ("" clears).')] = None,
    source: Annotated[str | None, typer.Option(help="New source.")] = None,
    grade: Annotated[str | None, typer.Option(help='New grade A-D ("" clears); the change is recorded.')] = None,
    coach: Annotated[bool | None, typer.Option("--coach/--no-coach", help="Mark or unmark as coach.")] = None,
    role: Annotated[str | None, typer.Option(help="New role at the account.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Replace the notes.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Correct when the lead arrived.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a lead's fields; grade changes are kept in its history.

    Example: salesdesk lead edit 12 --grade A --coach
    """
    from salesdesk.db import write_session
    from salesdesk.services import leads

    state = _state(ctx)
    with write_session(state.engine) as session:
        found = leads.resolve_lead(session, lead)
        leads.edit_lead(
            session, found, state.now, name=name, company=company, title=title, phone=phone, email=email,
            wechat=wechat, source=source, grade=grade, is_coach=coach, role=role, notes=note,
            created_at=state.when(at),
        )  # fmt: skip
        view = leads.lead_view(session, found.id)  # type: ignore[arg-type]
    _print_lead(view, as_json, "Updated")


@app.command("log-call")
def log_call(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.")],
    outcome: Annotated[str, typer.Option("--outcome", "-o", help="How it ended; see `salesdesk outcomes`.")],
    note: NoteOpt = None,
    benefit: BenefitOpt = None,
    duration: Annotated[str | None, typer.Option(help="Talk time: 4m30s, 90s, 4:30.")] = None,
    objection: Annotated[str | None, typer.Option(help="Objection key that came up, e.g. no_time.")] = None,
    next_: Annotated[str | None, typer.Option("--next", help="When to call next, e.g. 'tue 10:00'.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="When the call was made (default now).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a call and its outcome.

    Example: salesdesk log-call "Li Na" --outcome callback --next "tomorrow 10:00" --benefit "sent case study"
    """
    from salesdesk.dates import parse_duration
    from salesdesk.db import write_session
    from salesdesk.services import leads, touches

    state = _state(ctx)
    duration_s = parse_duration(duration) if duration is not None else None
    at_time, next_at = state.when(at), state.when(next_, prefer="future")
    with write_session(state.engine) as session:
        found = leads.resolve_lead(session, lead)
        logged = touches.log_call(
            session, state.config, found, state.now, outcome=outcome, at=at_time, note=note, benefit=benefit,
            duration_s=duration_s, objection=objection, next_at=next_at,
        )  # fmt: skip
        view = leads.lead_view(session, found.id)  # type: ignore[arg-type]
    _print_logged(view, logged, as_json, state.now)


@app.command("log-touch")
def log_touch(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.")],
    channel: Annotated[str, typer.Option("--channel", "-c", help="email|wechat|sms|visit|social|other")],
    note: NoteOpt = None,
    benefit: BenefitOpt = None,
    at: Annotated[str | None, typer.Option("--at", help="When it happened (default now).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a contact on another channel than the phone.

    Example: salesdesk log-touch 王芳 --channel wechat --benefit "sent the price benchmark"
    """
    from salesdesk.db import write_session
    from salesdesk.services import leads, touches

    state = _state(ctx)
    at_time = state.when(at)
    with write_session(state.engine) as session:
        found = leads.resolve_lead(session, lead)
        logged = touches.log_touch(
            session, state.config, found, state.now, channel=channel, at=at_time, note=note, benefit=benefit
        )
        view = leads.lead_view(session, found.id)  # type: ignore[arg-type]
    _print_logged(view, logged, as_json, state.now)


def _print_logged(view, logged, as_json: bool, now: datetime) -> None:  # type: ignore[no-untyped-def]
    from salesdesk import render
    from salesdesk.services.touches import followup_dict, touch_dict

    for warning in logged.warnings:
        render.warn(f"warning: {warning}")
    if as_json:
        data = touch_dict(logged.touch)
        scheduled = [f for f in logged.followups if f.rule == "scheduled"]
        data["next"] = followup_dict(scheduled[0]) if scheduled else None
        data["followups"] = [followup_dict(f) for f in logged.followups]
        data["warnings"] = logged.warnings
        render.emit_json(data)
    else:
        render.touch_logged(view, logged.touch, logged.followups, now)


@app.command("outcomes")
def outcomes(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the call outcomes and their flags (set them in config.toml).

    Example: salesdesk outcomes --json
    """
    from dataclasses import asdict

    from salesdesk import render

    items = list(_state(ctx).config.outcomes.values())
    if as_json:
        render.emit_json([asdict(o) for o in items])
    else:
        render.outcome_table(items)


@lead_app.command("close")
def lead_close(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.")],
    lost: Annotated[bool, typer.Option("--lost", help="Close it out as lost (needs the minimum touches).")] = False,
    won: Annotated[bool, typer.Option("--won", help="Close it as won.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why: required for --lost.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Close as lost below the minimum (recorded).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Close a lead as won or lost. Closing as lost before the minimum touches is refused (exit 1).

    Example: salesdesk lead close "Li Na" --lost --reason "chose a competitor"
    """
    from salesdesk import render
    from salesdesk.db import write_session
    from salesdesk.errors import InvalidInput
    from salesdesk.services import closing, leads

    if lost == won:
        raise InvalidInput("say how it ended: --won or --lost (with --reason)")
    state = _state(ctx)
    with write_session(state.engine) as session:
        found = leads.resolve_lead(session, lead)
        record = closing.close_lead(session, state.config, found, state.now, won=won, reason=reason, force=force)
        view = leads.lead_view(session, found.id)  # type: ignore[arg-type]
    if record.forced:
        render.warn(
            f"warning: closed below the minimum of {record.min_touches} touches ({record.touch_count}); "
            "recorded as an override"
        )
    _print_lead(view, as_json, f"Closed ({record.result})")


@lead_app.command("reopen")
def lead_reopen(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.")],
    as_json: JsonOpt = False,
) -> None:
    """Reopen a closed lead; its close stays in the history.

    Example: salesdesk lead reopen 12
    """
    from salesdesk.db import write_session
    from salesdesk.services import closing, leads

    state = _state(ctx)
    with write_session(state.engine) as session:
        found = leads.resolve_lead(session, lead)
        closing.reopen_lead(session, found, state.now)
        view = leads.lead_view(session, found.id)  # type: ignore[arg-type]
    _print_lead(view, as_json, "Reopened")


@app.command("due")
def due(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most N leads (default 20 in a table, all in JSON).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Who to contact now, in order, and why: first-contact deadlines, follow-ups, cadence, flags.

    Example: salesdesk due --limit 10
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import queue

    state = _state(ctx)
    with read_session(state.engine) as session:
        items = queue.due(session, state.config.rules, state.now, limit=limit or (None if as_json else 20))
    if as_json:
        render.emit_json([item.as_dict() for item in items])
    else:
        render.due_table(items, state.now)


@app.command("why")
def why(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Id, or part of a name, phone or email.")],
    as_json: JsonOpt = False,
) -> None:
    """Every follow-up rule's state for one lead, and its place in the queue.

    Example: salesdesk why "Li Na"
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import leads, queue

    state = _state(ctx)
    with read_session(state.engine) as session:
        found = leads.resolve_lead(session, lead)
        report = queue.explain(session, state.config.rules, state.config.terminal_outcomes, found, state.now)
    if as_json:
        render.emit_json(report.as_dict(state.now))
    else:
        render.why_card(report, state.now)


rules_app = typer.Typer(help="Your follow-up rules, and where they are broken.", invoke_without_command=True)
app.add_typer(rules_app, name="rules")


@rules_app.callback()
def rules_show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The effective follow-up rules and where each value comes from (default or config file).

    Example: salesdesk rules --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from salesdesk import render
    from salesdesk.config import rule_settings
    from salesdesk.paths import config_path

    settings = rule_settings(_state(ctx).config)
    if as_json:
        render.emit_json(settings)
    else:
        render.rules_table(settings, config_path())


@rules_app.command("check")
def rules_check(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List every current violation; exit 1 if there is any (for cron).

    Example: salesdesk rules check || notify-send "salesdesk: rules broken"
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import compliance

    state = _state(ctx)
    with read_session(state.engine) as session:
        found = compliance.check(session, state.config, state.now)
    if as_json:
        render.emit_json(found.as_dict())
    else:
        render.violations(found, state.now)
    if found.total:
        raise typer.Exit(1)


# How the CLI names the input a service error points at.
_OPTION_HINTS = {
    "next": "--next WHEN, e.g. --next 'tomorrow 10:00'",
    "benefit": "--benefit TEXT",
    "at": "--at WHEN",
    "arrival": "salesdesk lead edit LEAD --at WHEN",
}


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"salesdesk: {message}\n")
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command and turn every expected failure into the exit-code contract."""
    from sqlalchemy.exc import OperationalError

    # Customer data is personal data: whatever salesdesk writes is readable by the owner only.
    os.umask(0o077)
    try:
        code = app(args=argv, prog_name="salesdesk", standalone_mode=False)
    except SalesdeskError as exc:
        hint = _OPTION_HINTS.get(exc.field or "")
        _fail(f"{exc} ({hint})" if hint else str(exc), exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument...
        ctx = getattr(exc, "ctx", None)
        hint = f"\nTry '{ctx.command_path} --help'." if ctx is not None else ""
        _fail(f"{exc.format_message()}{hint}", exc.exit_code)
    except typer.Abort:
        _fail("aborted", 1)
    except OperationalError as exc:  # locked past the busy timeout, read-only file, full disk
        _fail(f"database error: {exc.orig}", 2)
    except BrokenPipeError:  # `salesdesk lead list | head`: the reader left, that's fine
        sys.stderr.close()
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
