"""``salesdesk status``: one line for a prompt or a tmux status bar.

Fast by construction: the store is opened with ``sqlite3`` (``connect``), never through
SQLAlchemy, unless it first needs migrating, the demo store is asked for, or it is read-only.
"""

from __future__ import annotations

from typing import Annotated

import typer

from salesdesk.commands.common import JsonOpt, state_of

app = typer.Typer()


@app.command("status")
def status(
    ctx: typer.Context,
    template: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="TEMPLATE",
            help="Your own line: {due}, {breaches}, {worst} (the oldest breach's overtime), {block} "
            "(the block's words), {block_start}, {block_end}, {line}; a field with nothing to say is empty.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the day in one line: leads due, first-contact breaches, the next call block.

    Example: salesdesk status            (3 due · 1 breach (2h over) · block 09:30)

    Example: salesdesk status --format '{due}⚑{breaches}'

    Example (tmux.conf): set -g status-right '#(salesdesk status)'
    """
    from salesdesk import render
    from salesdesk.status import status as compute

    state = state_of(ctx)
    with state.read_conn() as conn:
        found = compute(conn, state.config.rules, state.now)
    if as_json:
        render.emit_json(found.as_dict())
    else:
        render.say(found.formatted(template) if template is not None else found.line())
