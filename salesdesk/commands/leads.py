"""``salesdesk lead ...``: add, list, show, edit, close and reopen leads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from salesdesk.bounds import COUNT_MAX
from salesdesk.commands.common import JsonOpt, LeadArg, state_of
from salesdesk.store import pk

if TYPE_CHECKING:
    from salesdesk.services.leads import LeadView

app = typer.Typer(help="Add, list, show, edit and close leads.", no_args_is_help=True)

BestTimeOpt = Annotated[
    str | None,
    typer.Option(
        "--best-time",
        metavar="HOURS",
        help='When they like to be called, their time: "tue-thu 14:00-17:00", "mon,wed 09:00-11:00; fri 14-16", '
        '"14:00-17:00" (every day), "周二-周四 14:00-17:00"; "learned" (edit) takes what their answered calls '
        'suggest; "" clears.',
    ),
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option("--timezone", metavar="ZONE", help='Their time zone, e.g. Europe/Berlin (default: yours; "" clears).'),
]


@app.command("add")
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
    best_time: BestTimeOpt = None,
    timezone: TimezoneOpt = None,
    private_phone: Annotated[
        bool, typer.Option("--private-phone", help="A private number: no calls at dinner time.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a lead.

    Example: salesdesk lead add "王芳" --company 华为 --phone "+86 138 0013 8000" --source inbound --grade B

    Example: salesdesk lead add "Emma Müller" --timezone Europe/Berlin --best-time "tue-thu 14:00-17:00"
    """
    from salesdesk import lead_store

    state = state_of(ctx)
    fields: dict[str, Any] = {
        "name": name, "company": company, "title": title, "phone": phone, "email": email, "wechat": wechat,
        "source": source, "grade": grade, "is_coach": coach, "role": role, "notes": note,
        "created_at": state.when(at), "allow_duplicate": allow_duplicate, "timezone": timezone,
        "best_time": best_time, "private_phone": private_phone,
    }  # fmt: skip
    # The hot path (no SQLAlchemy) on a current store; the engine's connection otherwise
    # (the demo, a store to migrate or to create): the same store-layer write either way.
    conn = state.current_conn()
    if conn is not None:
        with state.write_conn(conn):
            _print_lead(lead_store.view(conn, lead_store.add(conn, state.now, **fields)), as_json, "Added")
        return
    from salesdesk.services import leads

    with state.write() as session:
        lead = leads.add_lead(session, state.now, **fields)
        _print_lead(leads.lead_view(session, pk(lead)), as_json, "Added")


def _print_lead(view: LeadView, as_json: bool, verb: str) -> None:
    from salesdesk import render

    if as_json:
        render.emit_json(view.as_dict())
    else:
        render.say(f"{verb} lead {render.lead_line(view)}.")


@app.command("list")
def lead_list(
    ctx: typer.Context,
    grade: Annotated[str | None, typer.Option(help="Only this grade (A-D).")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="Only this state: new|working|meeting|deal|won|lost|nurture|do_not_contact."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    search: Annotated[str | None, typer.Option(help="Text in the name, company, phone, email or WeChat id.")] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=0, max=COUNT_MAX, help="At most N leads (0 = all). Default: 50 in a table, all with --json."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List leads, newest arrivals first.

    Example: salesdesk lead list --grade A --status working --search acme
    """
    from salesdesk import lead_store, render

    state = state_of(ctx)
    limit = (None if as_json else 50) if limit is None else (limit or None)
    filters = {"grade": grade, "status": status, "source": source, "search": search}
    with state.read_conn() as conn:
        views = lead_store.leads(conn, limit=limit, **filters)
        total = lead_store.count(conn, **filters) if limit and len(views) == limit else len(views)
    if as_json:
        render.emit_json([view.as_dict() for view in views])
        return
    footer = f"{len(views)} of {total} {'lead' if total == 1 else 'leads'}" + (
        " (--limit 0 shows all)" if total > len(views) else ""
    )
    render.lead_table(views, state.now, footer)


@app.command("show")
def lead_show(
    ctx: typer.Context,
    lead: LeadArg,
    as_json: JsonOpt = False,
) -> None:
    """Show a lead with its touch history, newest first.

    Example: salesdesk lead show "Li Na" --json
    """
    from salesdesk import lead_lookup, lead_store, render, store
    from salesdesk.dates import iso
    from salesdesk.touch_log import followup_dict, meeting_dict, touch_dict

    state = state_of(ctx)
    # Store-layer reads: over sqlite3 alone on a current store, else the engine's connection.
    with state.read_conn() as conn:
        lead_id = lead_lookup.resolve_id(conn, lead)
        view = lead_store.view(conn, lead_id)
        history = store.lead_touches(conn, lead_id)
        followups = store.lead_open_followups(conn, lead_id)
        grades = store.lead_grades(conn, lead_id)
        lead_deals = lead_store.deals(conn, lead_id)
        lead_meetings = store.lead_meetings(conn, lead_id)
        learned = lead_store.learned_best_time(conn, view.lead)
    if as_json:
        data = view.as_dict()
        data["touches"] = [touch_dict(t) for t in history]
        data["followups"] = [followup_dict(f) for f in followups]
        data["grade_history"] = [{"at": iso(g.at), "old_grade": g.old_grade, "new_grade": g.new_grade} for g in grades]
        data["deals"] = [d.as_dict() for d in lead_deals]
        data["meetings"] = [meeting_dict(m) for m in lead_meetings]
        data["learned_best_time"] = None if learned is None else {
            "best_time": str(learned.best), "connects_inside": learned.covered, "connects": learned.connects,
        }  # fmt: skip
        render.emit_json(data)
    else:
        timing = lead_store.when_to_call(view.lead, learned, state.config.timing, state.now)
        render.lead_card(view, history, followups, grades, state.now, lead_deals, lead_meetings, timing)


@app.command("edit")
def lead_edit(
    ctx: typer.Context,
    lead: LeadArg,
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
    do_not_contact: Annotated[
        bool,
        typer.Option(
            "--do-not-contact", help="They asked not to be contacted: out of every queue; `lead reopen` lifts it."
        ),
    ] = False,
    best_time: BestTimeOpt = None,
    timezone: TimezoneOpt = None,
    private_phone: Annotated[
        bool | None,
        typer.Option("--private-phone/--no-private-phone", help="A private number: no calls at dinner time."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Edit a lead's fields; grade changes are kept in its history.

    Example: salesdesk lead edit 12 --grade A --coach

    Example: salesdesk lead edit 12 --best-time "tue-thu 14:00-17:00" --private-phone

    Example: salesdesk lead edit 12 --best-time learned

    Example: salesdesk lead edit 12 --do-not-contact
    """
    from salesdesk.services import closing, leads

    state = state_of(ctx)
    with state.write() as session:
        found = leads.resolve_lead(session, lead)
        leads.edit_lead(
            session, found, state.now, name=name, company=company, title=title, phone=phone, email=email,
            wechat=wechat, source=source, grade=grade, is_coach=coach, role=role, notes=note,
            created_at=state.when(at), timezone=timezone, best_time=best_time, private_phone=private_phone,
        )  # fmt: skip
        if do_not_contact:
            closing.do_not_contact(session, found, state.now)
        view = leads.lead_view(session, pk(found))
        _print_lead(view, as_json, "Updated")


@app.command("nurture")
def lead_nurture(
    ctx: typer.Context,
    lead: LeadArg,
    until: Annotated[
        str, typer.Option("--until", help="When it comes back to the queue, e.g. 'in 3 months', 2027-03-01.")
    ],
    reason: Annotated[str | None, typer.Option(help="Why it is parked (e.g. waiting for next year's budget).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Park a lead on purpose: out of the queue and call lists until the revisit date.

    Example: salesdesk lead nurture 12 --until "2027-03-01" --reason "budget round in March"
    """
    from salesdesk.services import closing, leads

    state = state_of(ctx)
    with state.write() as session:
        found = leads.resolve_lead(session, lead)
        closing.nurture_lead(session, found, state.now, state.when(until, prefer="future"), reason)
        view = leads.lead_view(session, pk(found))
        _print_lead(view, as_json, "Parked")


@app.command("close")
def lead_close(
    ctx: typer.Context,
    lead: LeadArg,
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
    from salesdesk.errors import InvalidInput
    from salesdesk.services import closing, leads

    if lost == won:
        raise InvalidInput("say how it ended: --won or --lost (with --reason)")
    state = state_of(ctx)
    with state.write() as session:
        found = leads.resolve_lead(session, lead)
        closed = closing.close_lead(session, state.config, found, state.now, won=won, reason=reason, force=force)
        view = leads.lead_view(session, pk(found))
        record = closed.record
        for deal in closed.deals:
            render.warn(f"deal #{deal.id} {deal.title} closed as lost too ({deal.reason})")
        if record.forced:
            render.warn(
                f"warning: closed below the minimum of {record.min_touches} touches ({record.touch_count}); "
                "recorded as an override"
            )
        _print_lead(view, as_json, f"Closed ({record.result})")


@app.command("reopen")
def lead_reopen(
    ctx: typer.Context,
    lead: LeadArg,
    as_json: JsonOpt = False,
) -> None:
    """Reopen a closed, parked or do-not-contact lead; its close stays in the history.

    Example: salesdesk lead reopen 12
    """
    from salesdesk.services import closing, leads

    state = state_of(ctx)
    with state.write() as session:
        found = leads.resolve_lead(session, lead)
        closing.reopen_lead(session, found, state.now)
        view = leads.lead_view(session, pk(found))
        _print_lead(view, as_json, "Reopened")
