"""``salesdesk script ...``: the call script and the voicemail templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesdesk.commands.common import JsonOpt, state_of

app = typer.Typer(help="The call script's three steps and the voicemail templates.", no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="The script's key, e.g. intro (see salesdesk script list).")]


@app.command("list")
def script_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The call script's steps in order, then the voicemail templates.

    Example: salesdesk script list
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import scripts

    state = state_of(ctx)
    with read_session(state.engine) as session:
        found = scripts.worded_scripts(session, state.config.me.language)
    if as_json:
        render.emit_json([scripts.script_dict(s) for s in found])
    else:
        render.script_table(found)


@app.command("show")
def script_show(ctx: typer.Context, key: KeyArg, as_json: JsonOpt = False) -> None:
    """One script or template, with the placeholders it uses.

    Example: salesdesk script show ask
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.paths import config_path
    from salesdesk.services import scripts

    state = state_of(ctx)
    with read_session(state.engine) as session:
        script = scripts.worded(scripts.get(session, key), state.config.me.language)
    if as_json:
        render.emit_json(scripts.script_dict(script))
    else:
        render.script_card(script, state.config.me, config_path())


@app.command("edit")
def script_edit(
    ctx: typer.Context,
    key: KeyArg,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    body: Annotated[
        str | None, typer.Option(help="The new text; placeholders: {my_name} {my_company} {lead} {lead_company}.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Read the new text from this file (- for stdin), up to 4,000 characters."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rewrite a script or template in your own words.

    Example: salesdesk script edit intro --file intro.txt
    """
    from salesdesk import render
    from salesdesk.errors import InvalidInput
    from salesdesk.paths import config_path
    from salesdesk.services import scripts

    if body is not None and file is not None:
        raise InvalidInput("give the new text with --body or --file, not both")
    if file is not None:
        from salesdesk import reading, validate

        body = reading.read_text(file, validate.TEXT_MAX)
    state = state_of(ctx)
    language = state.config.me.language
    with state.write() as session:
        script = scripts.worded(scripts.edit(session, key, title=title, body=body, language=language), language)
        if as_json:
            render.emit_json(scripts.script_dict(script))
        else:
            render.say(f"Updated script {script.key}.")
            render.script_card(script, state.config.me, config_path())
