"""``salesdesk goal``, ``plan``, ``summary``, ``review`` and ``problem``: the daily PDCA loop."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from typer.core import TyperGroup

from salesdesk.bounds import COUNT_MAX
from salesdesk.commands.common import JsonOpt, State, state_of

app = typer.Typer()

DayArg = Annotated[
    str | None, typer.Argument(metavar="DATE", help="The day: 2026-11-16, today, yesterday, mon (default today).")
]
Texts = list[str] | None


def _day(state: State, text: str | None) -> date:
    from salesdesk.dates import parse_day, to_local

    return to_local(state.now).date() if text is None else parse_day(text, state.now)


# --- goal ---------------------------------------------------------------------------------------

goal_app = typer.Typer(help="Monthly goals, spread over the working days into daily targets.", no_args_is_help=True)
app.add_typer(goal_app, name="goal")


@goal_app.command("set")
def goal_set(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM.")],
    meetings: Annotated[int | None, typer.Option("--meetings", min=0, max=COUNT_MAX, help="Meetings to book.")] = None,
    dials: Annotated[int | None, typer.Option("--dials", min=0, max=COUNT_MAX, help="Calls to make.")] = None,
    deals_won: Annotated[int | None, typer.Option("--deals-won", min=0, max=COUNT_MAX, help="Deals to win.")] = None,
    new_leads: Annotated[
        int | None, typer.Option("--new-leads", min=0, max=COUNT_MAX, help="New leads to add.")
    ] = None,
) -> None:
    """Set a month's goals; each working day's share becomes that day's default target.

    Example: salesdesk goal set --month 2026-12 --meetings 20 --dials 1000
    """
    from salesdesk import render
    from salesdesk.services import goals

    state = state_of(ctx)
    values = {"meetings": meetings, "dials": dials, "deals_won": deals_won, "new_leads": new_leads}
    with state.write() as session:
        view = goals.set_goal(session, state.config, month, values, state.now)
        render.goal_view(view.as_dict())


# --- plan ---------------------------------------------------------------------------------------


class _PlanGroup(TyperGroup):
    """``plan [DATE] [OPTIONS]`` is ``plan day``; ``plan done|undo ITEM`` tick items off. Anything
    that is not one of those words goes to ``day``, so the date reads naturally."""

    # TyperGroup takes Typer's vendored click Context, which Typer doesn't export; typer.Context is its subclass.
    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["day", *args]
        return super().parse_args(ctx, args)


plan_app = typer.Typer(
    cls=_PlanGroup,
    help="Plan a day: at most 7 items (key, routine, ad-hoc work) and activity targets. "
    "`salesdesk plan [DATE] [--item TEXT --kind KIND]... [--dials N]...` is `plan day`: see `salesdesk plan day -h`.",
)
app.add_typer(plan_app, name="plan")


@plan_app.command("day")
def plan_day(
    ctx: typer.Context,
    day: DayArg = None,
    item: Annotated[Texts, typer.Option("--item", help="A plan item (repeat for several).")] = None,
    kind: Annotated[Texts, typer.Option("--kind", help="key|routine|adhoc: one per --item, or one for all.")] = None,
    dials: Annotated[int | None, typer.Option("--dials", min=0, max=COUNT_MAX, help="Dials target.")] = None,
    connects: Annotated[int | None, typer.Option("--connects", min=0, max=COUNT_MAX, help="Connects target.")] = None,
    meetings: Annotated[int | None, typer.Option("--meetings", min=0, max=COUNT_MAX, help="Meetings target.")] = None,
    new_leads: Annotated[
        int | None, typer.Option("--new-leads", min=0, max=COUNT_MAX, help="New leads target.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or add to a day's plan (`salesdesk plan` is this command). The previous day's
    unfinished items and act items are offered: add one with the same --item text to carry it.

    Example: salesdesk plan --item "Send Wang the quote" --kind key --dials 60 --meetings 3
    """
    from salesdesk import render
    from salesdesk.services import pdca

    state = state_of(ctx)
    when = _day(state, day)
    pairs = pdca.pair_kinds(item or [], kind or [])
    targets = {"dials": dials, "connects": connects, "meetings": meetings, "new_leads": new_leads}
    with state.write() as session:
        view = pdca.plan_day(session, state.config, when, state.now, items=pairs, targets=targets)
        if as_json:
            render.emit_json(view.as_dict())
        else:
            render.plan_view(view.as_dict())


ItemArg = Annotated[str, typer.Argument(metavar="ITEM", help="The item's id (#12), or a piece of today's item's text.")]


def _tick(ctx: typer.Context, ref: str, done: bool) -> None:
    from salesdesk import render
    from salesdesk.services import pdca

    state = state_of(ctx)
    with state.write() as session:
        found = pdca.set_done(session, pdca.resolve_item(session, ref, _day(state, None)), state.now, done)
        render.say(f"{'Done' if done else 'Not done'}: #{found.id} {found.text} ({found.day}).")


@plan_app.command("done")
def plan_done(ctx: typer.Context, item: ItemArg) -> None:
    """Tick a plan item off.

    Example: salesdesk plan done quote
    """
    _tick(ctx, item, True)


@plan_app.command("undo")
def plan_undo(ctx: typer.Context, item: ItemArg) -> None:
    """Mark a ticked plan item as not done again.

    Example: salesdesk plan undo 12
    """
    _tick(ctx, item, False)


# --- summary and review -------------------------------------------------------------------------


@app.command("summary")
def summary(
    ctx: typer.Context,
    day: DayArg = None,
    as_json: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print markdown (for notes or a chat).")] = False,
) -> None:
    """The day checked against its plan: results first, then activity, follow-ups, funnel moves,
    objections, the plan and the review. A missed target asks for a deviation reason.

    Example: salesdesk summary yesterday --markdown
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.errors import InvalidInput
    from salesdesk.services import exports, pdca

    if as_json and markdown:
        raise InvalidInput("choose one: --json or --markdown")
    state = state_of(ctx)
    when = _day(state, day)
    with read_session(state.engine) as session:
        found = pdca.day_summary(session, state.config, when, state.now)
    if as_json:
        render.emit_json(found.as_dict())
    elif markdown:
        render.say(exports.day_markdown(found))
    else:
        render.markdown(exports.day_markdown(found))


@app.command("review")
def review(
    ctx: typer.Context,
    day: DayArg = None,
    finished: Annotated[Texts, typer.Option("--finished", help="What I finished.")] = None,
    unfinished: Annotated[Texts, typer.Option("--unfinished", help="What I did not finish.")] = None,
    well: Annotated[Texts, typer.Option("--well", help="What I did well.")] = None,
    not_well: Annotated[Texts, typer.Option("--not-well", help="What I did not do well.")] = None,
    did: Annotated[Texts, typer.Option("--did", help="What I did.")] = None,
    didnt: Annotated[Texts, typer.Option("--didnt", help="What I did not do at all.")] = None,
    problem: Annotated[
        str | None, typer.Option("--problem", help="The day's one problem; #ID links an open one.")
    ] = None,
    act: Annotated[Texts, typer.Option("--act", help="An improvement for tomorrow (offered to its plan).")] = None,
    deviation: Annotated[
        Texts, typer.Option("--deviation", metavar="TARGET=REASON", help="Why a target was missed.")
    ] = None,
    call: Annotated[
        Texts, typer.Option("--call", metavar="TOUCH=TEXT", help="One line on a connected call: how it landed.")
    ] = None,
) -> None:
    """Record the day's review: the three reflection pairs, one problem, act items for tomorrow,
    deviation reasons, and a line on each connected call. With no options, show it.

    Example: salesdesk review --well "opened with the case study" --deviation dials="two meetings ran long"
    """
    from salesdesk import render
    from salesdesk.services import exports, pdca

    state = state_of(ctx)
    when = _day(state, day)
    reflections = {
        "finished": finished or [], "unfinished": unfinished or [], "well": well or [],
        "not_well": not_well or [], "did": did or [], "didnt": didnt or [],
    }  # fmt: skip
    deviations = pdca.parse_pairs(deviation or [], "--deviation", "dials='two meetings ran long'")
    calls = pdca.parse_pairs(call or [], "--call", "42='opened with the benefit; ask for the meeting sooner'")
    with state.write() as session:
        pdca.record_review(
            session, when, state.now, reflections=reflections, act=act or [], problem=problem,
            deviations=deviations, calls=calls,
        )  # fmt: skip
        found = pdca.day_summary(session, state.config, when, state.now)
        render.markdown(exports.review_markdown(found))


# --- problems -----------------------------------------------------------------------------------

problem_app = typer.Typer(help="Problems named in reviews; they live on until solved.", no_args_is_help=True)
app.add_typer(problem_app, name="problem")


@problem_app.command("list")
def problem_list(ctx: typer.Context) -> None:
    """Open problems, oldest first, then solved ones.

    Each shows the days it was worked on.

    Example: salesdesk problem list
    """
    from salesdesk import render
    from salesdesk.db import read_session
    from salesdesk.services import pdca

    with read_session(state_of(ctx).engine) as session:
        rows = [view.as_dict() for view in pdca.list_problems(session)]
    render.problem_table(rows)


@problem_app.command("solve")
def problem_solve(
    ctx: typer.Context,
    problem: Annotated[str, typer.Argument(metavar="ID", help="The problem's id, as problem list shows it.")],
    solution: Annotated[str | None, typer.Option("--solution", help="What solved it.")] = None,
) -> None:
    """Mark a problem solved.

    Example: salesdesk problem solve 3 --solution "ask for the meeting in the first minute"
    """
    from salesdesk import render
    from salesdesk.services import pdca

    state = state_of(ctx)
    with state.write() as session:
        view = pdca.solve_problem(session, pdca.get_problem(session, problem), state.now, solution)
        render.say(f"Solved problem #{view.problem.id}: {view.problem.text}")
