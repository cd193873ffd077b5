"""``salesdesk due``, ``why`` and ``rules``: the follow-up rules and the queue they make."""

from __future__ import annotations

from typing import Annotated

import typer

from salesdesk.bounds import COUNT_MAX
from salesdesk.commands.common import JsonOpt, LeadArg, state_of

app = typer.Typer()


@app.command("due")
def due(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option(min=1, max=COUNT_MAX, help="At most N leads (default 20 in a table, all in JSON).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Who to contact now, in order, and why: first-contact deadlines, follow-ups, cadence, flags.

    Example: salesdesk due --limit 10
    """
    from salesdesk import queue_rows, render

    state = state_of(ctx)
    # Store-layer reads: over sqlite3 alone on a current store, else the engine's connection.
    with state.read_conn() as conn:
        if as_json:
            render.emit_json_array(
                item.as_dict() for item in queue_rows.iter_due(conn, state.config.rules, state.now, limit)
            )
        else:
            render.due_table(queue_rows.due(conn, state.config.rules, state.now, limit or 20), state.now)


@app.command("why")
def why(
    ctx: typer.Context,
    lead: LeadArg,
    as_json: JsonOpt = False,
) -> None:
    """One lead's follow-up rules, and its place in the queue.

    Example: salesdesk why "Li Na"
    """
    from salesdesk import lead_lookup, lead_rules, render

    state = state_of(ctx)
    # Store-layer reads: over sqlite3 alone on a current store, else the engine's connection.
    with state.read_conn() as conn:
        report = lead_rules.explain(conn, state.config, lead_lookup.resolve_id(conn, lead), state.now)
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
    from salesdesk.config import rule_settings, timing_settings
    from salesdesk.paths import config_path

    config = state_of(ctx).config
    settings = rule_settings(config)
    timing = timing_settings(config)
    if as_json:
        render.emit_json([*settings, *timing])
    else:
        render.rules_table(settings, config_path(), config.me, timing)


@rules_app.command("check")
def rules_check(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List every current violation; exit 1 if there is any (for cron).

    Example: salesdesk rules check || notify-send "salesdesk: rules broken"
    """
    from salesdesk import render, violations

    state = state_of(ctx)
    # Store-layer reads: over sqlite3 alone on a current store, else the engine's connection.
    with state.read_conn() as conn:
        found = violations.check(conn, state.config, state.now)
    if as_json:
        render.emit_json(found.as_dict())
    else:
        render.violations(found, state.now)
    if found.total:
        raise typer.Exit(1)
