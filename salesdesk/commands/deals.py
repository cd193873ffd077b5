"""``salesdesk deal ...`` and ``funnel``: opportunities and the funnel they make."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from salesdesk.bounds import MONEY_MAX
from salesdesk.commands.common import JsonOpt, LeadArg, state_of
from salesdesk.store import pk

if TYPE_CHECKING:
    from salesdesk.services.deals import DealView

app = typer.Typer()
deal_app = typer.Typer(help="Deals (opportunities): add, move through the stages, close, list.", no_args_is_help=True)
app.add_typer(deal_app, name="deal")

DealArg = Annotated[str, typer.Argument(metavar="ID", help="The deal's id, as deal list shows it.")]


def _print_deal(view: DealView, as_json: bool, verb: str) -> None:
    from salesdesk import render

    data = view.as_dict()
    if as_json:
        render.emit_json(data)
    else:
        render.say(f"{verb} deal {render.deal_line(data)}.")


@deal_app.command("add")
def deal_add(
    ctx: typer.Context,
    lead: LeadArg,
    title: Annotated[str, typer.Option("--title", help="What is being sold, e.g. '50 seats, 1 year'.")],
    value: Annotated[
        int | None, typer.Option("--value", min=0, max=MONEY_MAX, help="Value in whole currency units.")
    ] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="Stage to start in (default: the first).")] = None,
    expected_close: Annotated[
        str | None, typer.Option("--expected-close", help="When it should close, e.g. 2026-12-15, 'in 3 weeks'.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a deal with a lead; a lead may have several.

    Example: salesdesk deal add "Li Na" --title "50 seats" --value 120000 --expected-close 2026-12-15
    """
    from salesdesk.services import deals, leads

    state = state_of(ctx)
    close_at = state.when(expected_close, prefer="future")
    with state.write() as session:
        found = leads.resolve_lead(session, lead)
        deal = deals.add_deal(
            session, state.config, state.now, lead=found, title=title, value=value, stage=stage,
            expected_close=close_at,
        )  # fmt: skip
        view = deals.deal_view(session, pk(deal))
        _print_deal(view, as_json, "Added")


@deal_app.command("move")
def deal_move(
    ctx: typer.Context,
    deal: DealArg,
    stage: Annotated[str, typer.Argument(metavar="STAGE", help="The open stage it is in now.")],
) -> None:
    """Move a deal to another stage; the change is recorded with its time.

    Example: salesdesk deal move 3 proposal
    """
    from salesdesk.services import deals

    state = state_of(ctx)
    with state.write() as session:
        found = deals.get_deal(session, deal)
        deals.move_deal(session, state.config, found, state.now, stage)
        view = deals.deal_view(session, pk(found))
        _print_deal(view, False, "Moved")


@deal_app.command("close")
def deal_close(
    ctx: typer.Context,
    deal: DealArg,
    won: Annotated[bool, typer.Option("--won", help="It was won.")] = False,
    lost: Annotated[bool, typer.Option("--lost", help="It was lost.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it was won or lost.")] = None,
) -> None:
    """Close a deal as won or lost. Winning straight from the first stage warns.

    Example: salesdesk deal close 3 --lost --reason "budget moved to next year"
    """
    from salesdesk import render
    from salesdesk.errors import InvalidInput
    from salesdesk.services import deals

    if won == lost:
        raise InvalidInput("say how it ended: --won or --lost")
    state = state_of(ctx)
    with state.write() as session:
        found = deals.get_deal(session, deal)
        closed = deals.close_deal(session, state.config, found, state.now, won=won, reason=reason)
        view = deals.deal_view(session, pk(found))
        for warning in closed.warnings:
            render.warn(f"warning: {warning}")
        _print_deal(view, False, "Closed")
        if closed.lead_state is not None:
            render.say(f"Lead #{found.lead_id} is now {closed.lead_state}.")


@deal_app.command("list")
def deal_list(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option("--stage", help="Only deals in this stage (won and lost too).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List deals in funnel order: open stages first, then won, then lost.

    Example: salesdesk deal list --stage proposal
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import deals

    state = state_of(ctx)
    with read_session(state.engine) as session:
        rows = [view.as_dict() for view in deals.list_deals(session, state.config, stage)]
    if as_json:
        render.emit_json(rows)
    else:
        render.deal_table(rows, state.now)


@app.command("funnel")
def funnel(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help="First day of deals entering stages.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (inclusive).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Per stage: entered, moved on, lost, conversion; and the forecast from your own win rates.

    Example: salesdesk funnel --from 2026-11-01 --to 2026-11-30
    """
    from salesdesk import render
    from salesdesk.dates import local_day_bounds, parse_day
    from salesdesk.db import read_session
    from salesdesk.errors import InvalidInput
    from salesdesk.services import funnel as service

    state = state_of(ctx)
    first = parse_day(start, state.now) if start is not None else None
    last = parse_day(end, state.now) if end is not None else None
    if first is not None and last is not None and last < first:
        raise InvalidInput(f"--to {last} is before --from {first}")
    with read_session(state.engine) as session:
        found = service.funnel(
            session,
            state.config,
            local_day_bounds(first)[0] if first else None,
            local_day_bounds(last)[1] if last else None,
        )
    if as_json:
        render.emit_json(found.as_dict())
    else:
        render.funnel_table(found.as_dict())
