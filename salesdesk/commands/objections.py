"""``salesdesk objection ...``: the objection library, and which replies win meetings."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from salesdesk.bounds import COUNT_MAX
from salesdesk.commands import completion
from salesdesk.commands.common import JsonOpt, state_of

if TYPE_CHECKING:
    from salesdesk.services.objections import ObjectionView

app = typer.Typer(help="Objections, your replies, and which replies win meetings.", no_args_is_help=True)

KeyArg = Annotated[
    str, typer.Argument(metavar="KEY", help="The objection's key, e.g. no_time.", autocompletion=completion.objection)
]


def _print(view: ObjectionView, as_json: bool, verb: str | None = None) -> None:
    from salesdesk import render

    if as_json:
        render.emit_json(view.as_dict())
    else:
        if verb:
            render.say(f"{verb} objection {view.objection.key}.")
        render.objection_card(view)


@app.command("list")
def objection_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The objection library, each objection with its numbered replies.

    Example: salesdesk objection list --json
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import objections

    state = state_of(ctx)
    with read_session(state.engine) as session:
        views = objections.list_objections(session, state.config.me.language)
    if as_json:
        render.emit_json([view.as_dict() for view in views])
    else:
        render.objection_table(views)


@app.command("show")
def objection_show(ctx: typer.Context, key: KeyArg, as_json: JsonOpt = False) -> None:
    """One objection and its numbered replies (log-call --reply N).

    Example: salesdesk objection show no_time
    """
    from salesdesk.db import read_session
    from salesdesk.services import objections

    state = state_of(ctx)
    with read_session(state.engine) as session:
        view = objections.get(session, key, state.config.me.language)
    _print(view, as_json)


@app.command("add")
def objection_add(
    ctx: typer.Context,
    key: KeyArg,
    text: Annotated[str, typer.Option("--text", help="What the customer says.")],
    reply: Annotated[list[str] | None, typer.Option("--reply", help="A reply to it; repeat for variants.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an objection to the library, with its replies.

    Example: salesdesk objection add has_supplier --text "We have a supplier." --reply "Good: compare us. Tue or Wed?"
    """
    from salesdesk.services import objections

    state = state_of(ctx)
    with state.write() as session:
        view = replace(objections.add(session, key, text, reply), language=state.config.me.language)
        _print(view, as_json, "Added")


@app.command("edit")
def objection_edit(
    ctx: typer.Context,
    key: KeyArg,
    text: Annotated[str | None, typer.Option("--text", help="Reword the objection.")] = None,
    add_reply: Annotated[str | None, typer.Option("--add-reply", help="Add a reply variant (numbered next).")] = None,
    reply: Annotated[
        int | None, typer.Option("--reply", min=1, max=COUNT_MAX, help="The number of the reply to reword.")
    ] = None,
    reply_text: Annotated[str | None, typer.Option("--reply-text", help="Its new wording.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Reword an objection or a reply, or add a reply to compare.

    Example: salesdesk objection edit no_time --add-reply "Two minutes now, or Tuesday at ten?"
    """
    from salesdesk.services import objections

    state = state_of(ctx)
    with state.write() as session:
        view = objections.edit(
            session, key, text=text, add_reply=add_reply, reply=reply, reply_text=reply_text,
            language=state.config.me.language,
        )  # fmt: skip
        _print(view, as_json, "Updated")


@app.command("stats")
def objection_stats(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """How often each objection came up, and per reply: uses, meetings booked, meeting rate.

    Example: salesdesk objection stats --json
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import objections

    state = state_of(ctx)
    with read_session(state.engine) as session:
        rows = objections.stats(session, state.config.me.language)
    if as_json:
        render.emit_json([row.as_dict() for row in rows])
    else:
        render.objection_stats(rows)
