"""Everything the CLI prints: JSON for scripts, rich text for people.

JSON goes to stdout alone (nothing else is printed with ``--json``), with non-ASCII kept
as is so Chinese names stay readable. ``rich`` is imported only when a table is drawn, so
scripted commands don't pay for it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from salesdesk.config import Outcome
from salesdesk.dates import fmt_duration, fmt_local, fmt_span
from salesdesk.models import FollowUp, GradeChange, Touch
from salesdesk.services.compliance import Violations
from salesdesk.services.leads import LeadView
from salesdesk.services.maintenance import Checkup
from salesdesk.services.queue import DueItem, LeadRules


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def emit_json_array(items: Iterable[Any]) -> None:
    """A JSON array written item by item, so a long list is never held whole in memory."""
    sys.stdout.write("[")
    for index, item in enumerate(items):
        sys.stdout.write(("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False, indent=2))
    sys.stdout.write("\n]\n")


def say(message: str) -> None:
    sys.stdout.write(message + "\n")


def warn(message: str) -> None:
    sys.stderr.write(f"salesdesk: {message}\n")


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _table(title: str | None, columns: Sequence[str]):  # type: ignore[no-untyped-def]
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold", box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _esc(value: object) -> str:
    from rich.markup import escape

    return escape("" if value is None else str(value))


def lead_line(view: LeadView) -> str:
    company = f" ({view.company})" if view.company else ""
    return f"#{view.lead.id} {view.lead.name}{company}"


def lead_table(views: Iterable[LeadView], now: datetime, footer: str | None = None) -> None:
    table = _table(None, ["id", "name", "company", "grade", "status", "source", "touches", "last touch"])
    for view in views:
        lead = view.lead
        coach = " ★" if lead.is_coach else ""
        table.add_row(
            str(lead.id), _esc(lead.name) + coach, _esc(view.company), lead.grade or "-", lead.status,
            lead.source, str(view.touch_count), fmt_local(view.last_touch_at, now),
        )  # fmt: skip
    console = _console()
    console.print(table)
    if footer:
        console.print(footer, style="dim")


def _touch_row(touch: Touch, now: datetime) -> list[str]:
    what = touch.channel if touch.outcome is None else f"call: {touch.outcome}"
    detail = "; ".join(
        part
        for part in (
            touch.note,
            f"benefit: {touch.benefit}" if touch.benefit else None,
            f"objection: {touch.objection}" if touch.objection else None,
        )
        if part
    )
    duration = fmt_duration(touch.duration_s) if touch.duration_s is not None else ""
    return [fmt_local(touch.at, now), _esc(what), duration, _esc(detail)]


def lead_card(
    view: LeadView,
    touches: Sequence[Touch],
    followups: Sequence[FollowUp],
    grades: Sequence[GradeChange],
    now: datetime,
) -> None:
    lead = view.lead
    console = _console()
    coach = "  [bold yellow]★ coach[/]" if lead.is_coach else ""
    console.print(f"[bold]{_esc(lead_line(view))}[/]{coach}")
    fields = [
        ("title", lead.title), ("role", lead.role), ("phone", lead.phone), ("email", lead.email),
        ("wechat", lead.wechat), ("source", lead.source), ("grade", lead.grade), ("status", lead.status),
        ("arrived", fmt_local(lead.created_at, now)), ("closed", lead.closed_at and fmt_local(lead.closed_at, now)),
        ("close reason", lead.close_reason), ("notes", lead.notes),
    ]  # fmt: skip
    for label, value in fields:
        if value:
            console.print(f"  [dim]{label:>12}[/]  {_esc(value)}")
    if len(grades) > 1:
        history = " <- ".join(f"{g.new_grade or '-'} ({fmt_local(g.at, now)})" for g in grades)
        console.print(f"  [dim]{'grades':>12}[/]  {_esc(history)}")
    for followup in followups:
        overdue = " [red](overdue)[/]" if followup.due_at < now else ""
        console.print(
            f"  [dim]{'next':>12}[/]  {followup.channel} {fmt_local(followup.due_at, now)}{overdue}"
            f" [dim]({followup.rule})[/]"
        )
    table = _table(
        f"{view.touch_count} touch{'' if view.touch_count == 1 else 'es'}, newest first",
        ["when", "what", "time", "note"],
    )
    for touch in touches:
        table.add_row(*_touch_row(touch, now))
    console.print()
    console.print(table if touches else "  no touches yet")


def touch_logged(view: LeadView, touch: Touch, followups: Sequence[FollowUp], now: datetime) -> None:
    what = f"call ({touch.outcome})" if touch.channel == "call" else touch.channel
    duration = f", {fmt_duration(touch.duration_s)}" if touch.duration_s else ""
    say(f"Logged {what}{duration} for {lead_line(view)} at {fmt_local(touch.at, now)}.")
    for followup in followups:
        if followup.rule == "scheduled":
            say(f"Next: {followup.channel} {fmt_local(followup.due_at, now)}.")
    fallbacks = [f.channel for f in followups if f.rule == "fallback"]
    if fallbacks:
        say(f"Didn't get through: follow up now by {' and '.join(fallbacks)}.")


def outcome_table(outcomes: Iterable[Outcome]) -> None:
    table = _table(None, ["outcome", "key", "label", "connected", "meeting", "terminal", "needs --next"])
    tick = {True: "yes", False: ""}
    for o in outcomes:
        table.add_row(
            o.name, o.key, _esc(o.label), tick[o.connected], tick[o.meeting], tick[o.terminal], tick[o.requires_next]
        )
    _console().print(table)


def due_table(items: Sequence[DueItem], now: datetime) -> None:
    console = _console()
    if not items:
        console.print("Nothing is due. Good time to prospect.")
        return
    table = _table(None, ["#", "lead", "do", "why"])
    for position, item in enumerate(items, 1):
        grade = f" [dim]{item.grade}[/]" if item.grade else ""
        coach = " ★" if item.is_coach else ""
        reasons = "\n".join(_esc(reason.text) for reason in item.reasons)
        table.add_row(str(position), f"#{item.lead_id} {_esc(item.name)}{grade}{coach}", item.action, reasons)
    console.print(table)


def why_card(report: LeadRules, now: datetime) -> None:
    lead = report.lead
    console = _console()
    console.print(f"[bold]#{lead.id} {_esc(lead.name)}[/]  {lead.status}, grade {lead.grade or '-'}")
    short = report.touches_short
    guard = "may be closed as lost" if not short else f"{short} more before it may be closed as lost"
    terminal = " (terminal outcome: guard lifted)" if report.terminal else ""
    console.print(f"  touches        {lead.touch_count} of {report.min_touches}: {guard}{terminal}")
    fc = report.first_contact
    if fc is None:
        console.print("  first contact  rule does not apply to this source")
    elif fc.first_attempt_at is not None:
        late = "in time" if fc.state == "met" else f"{fmt_span(fc.first_attempt_at - fc.deadline)} late"
        console.print(f"  first contact  {fmt_local(fc.first_attempt_at, now)}, {late}")
    else:
        when = "left" if fc.state == "at_risk" else "over"
        console.print(f"  first contact  due by {fmt_local(fc.deadline, now)}: {fmt_span(fc.left(now))} {when}")
    for followup in report.open_followups:
        console.print(f"  follow-up      {followup.channel} {fmt_local(followup.due_at, now)} ({followup.rule})")
    console.print(f"  cadence        next touch by {fmt_local(report.cadence_due_at, now)}")
    for flag in report.flags:
        console.print(f"  {flag.rule:<14} {_esc(flag.text)}")
    if report.item is not None:
        console.print(f"  queue          #{report.position} of {report.queue_length}: {report.item.action} now")
        for reason in report.item.reasons:
            console.print(f"                 - {_esc(reason.text)}")
    else:
        console.print("  queue          not due now")
    console.print(f"  next           {_esc(report.next_step(now))}")


def rules_table(settings: Sequence[dict[str, Any]], config_file: object) -> None:
    table = _table(f"Rules (set them in [rules] of {config_file})", ["rule", "value", "from"])
    for row in settings:
        value = row["value"]
        if isinstance(value, dict):
            value = " ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(value)
        shown = _esc("none" if value is None else value)
        table.add_row(f"{row['name']}\n[dim]  {_esc(row['meaning'])}[/]", shown, row["source"])
    _console().print(table)


def violations(found: Violations, now: datetime) -> None:
    console = _console()
    if not found.total:
        console.print("No rule is broken.")
        return
    sections = [
        ("first-contact breaches", found.first_contact_breaches, len(found.first_contact_breaches),
         lambda v: f"#{v['lead_id']} {v['name']}: was due {v['deadline']}"),
        ("closed as lost below the minimum, without override", found.closed_below_minimum,
         len(found.closed_below_minimum), lambda v: f"#{v['lead_id']} {v['name']}: {v['touches']} touches"),
        ("reached touches without a benefit", found.touches_without_benefit_recent, found.touches_without_benefit,
         lambda v: f"#{v['lead_id']} {v['name']}: {v['channel']} {v['at']}"),
        ("overdue follow-ups", found.overdue_followups_oldest, found.overdue_followups,
         lambda v: f"#{v['lead_id']} {v['name']}: {v['channel']} due {v['due_at']} ({v['rule']})"),
    ]  # fmt: skip
    for title, rows, count, line in sections:
        if not count:
            continue
        console.print(f"[bold]{count} {title}[/]")
        for row in rows:
            console.print(f"  {_esc(line(row))}")
        if count > len(rows):
            console.print(f"  [dim]and {count - len(rows)} more[/]")


def checkup(result: Checkup) -> None:
    console = _console()
    console.print(f"[bold]{_esc(result.path)}[/]")
    for check in result.checks:
        mark = "[green]ok[/]  " if check["ok"] else "[red]FAIL[/]"
        console.print(f"  {mark} {check['check']:<14} {_esc(check['detail'])}")
    console.print("  " + ", ".join(f"{count:,} {table}" for table, count in result.counts.items()))
