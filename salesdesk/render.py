"""Everything the CLI prints: JSON for scripts, rich text for people.

JSON goes to stdout alone (nothing else is printed with ``--json``), with non-ASCII kept
as is so Chinese names stay readable. ``rich`` is imported only when a table is drawn, so
scripted commands don't pay for it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any, cast

from salesdesk.dates import fmt_duration, fmt_local, fmt_span
from salesdesk.lifecycle import followup_phrase, followup_words, outcome_words
from salesdesk.plain import Cell, Doc
from salesdesk.terminal import visible
from salesdesk.words import plural

# Types only: every command imports this module, and most need none of these services.
if TYPE_CHECKING:
    from salesdesk.config import Me, Outcome
    from salesdesk.lead_rules import LeadRules
    from salesdesk.models import CallBlock, FollowUp, GradeChange, Meeting, Touch
    from salesdesk.services.batch import BatchResult
    from salesdesk.services.blocks import Filled, OccurrenceView, Plan
    from salesdesk.services.deals import DealView
    from salesdesk.services.imports import ImportReport
    from salesdesk.services.leads import LeadView
    from salesdesk.services.maintenance import Checkup
    from salesdesk.services.meetings import MeetingView
    from salesdesk.services.objections import ObjectionStats, ObjectionView
    from salesdesk.services.queue import DueItem
    from salesdesk.services.scripts import Worded
    from salesdesk.services.touches import Logged
    from salesdesk.store import FollowUpRow, GradeRow, MeetingRow, TouchRow
    from salesdesk.violations import Violations


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def emit_json_array(items: Iterable[Any]) -> None:
    """A JSON array written item by item, so a long list is never held whole in memory."""
    sys.stdout.write("[")
    for index, item in enumerate(items):
        sys.stdout.write(("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False, indent=2))
    sys.stdout.write("\n]\n")


def say(message: str) -> None:
    sys.stdout.write(visible(message) + "\n")


def warn(message: str) -> None:
    sys.stderr.write(f"salesdesk: {visible(message)}\n")


class _Trimmed:
    """Stdout for a pipe or a file: each line written without the spaces Rich pads it with."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.pending = ""

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        if lines:
            self.inner.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.inner.write(self.pending.rstrip(" "))
            self.pending = ""
        self.inner.flush()

    def isatty(self) -> bool:
        return False


# Wide enough that no line a command prints is ever wrapped when stdout is not a terminal.
_PIPE_WIDTH = 100_000


def _console() -> Any:
    """Rich for people: on a terminal, wrapped to its width (with hanging indents where a
    line is indented); on a pipe or in a file, never wrapped and never padded, so ``grep``,
    ``cut`` and diffs see each row whole."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(highlight=False, soft_wrap=False)
    trimmed = cast(IO[str], _Trimmed(sys.stdout))  # Rich only writes, flushes and asks isatty()
    return Console(file=trimmed, width=_PIPE_WIDTH, highlight=False, soft_wrap=False)


def _hang(console: Any, lead: str, text: str, style: str | None = None) -> None:
    """``lead`` then ``text`` (markup); wrapped lines of ``text`` start under its first
    character rather than at the margin. ``lead`` is markup too, measured as printed."""
    from rich.table import Table
    from rich.text import Text

    head = Text.from_markup(lead)
    grid = Table.grid(padding=0)
    grid.add_column(width=head.cell_len, no_wrap=True)
    grid.add_column(style=style)
    grid.add_row(head, Text.from_markup(text))
    console.print(grid)


def _table(title: str | None, columns: Sequence[str]):
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold", box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _esc(value: object) -> str:
    from rich.markup import escape

    return escape(visible("" if value is None else str(value)))


def lead_line(view: LeadView) -> str:
    company = f" ({view.company})" if view.company else ""
    return f"#{view.lead.id} {view.lead.name}{company}"


def lead_table(views: Iterable[LeadView], now: datetime, footer: str | None = None) -> None:
    doc = Doc()
    table = doc.table(None, ["id", "name", "company", "grade", "status", "source", "touches", "last touch"])
    for view in views:
        lead = view.lead
        coach = " ★" if lead.is_coach else ""
        table.rows.append([
            str(lead.id), lead.name + coach, view.company or "", lead.grade or "-", lead.status,
            lead.source, str(view.touch_count), fmt_local(view.last_touch_at, now),
        ])  # fmt: skip
    if footer:
        doc.line((footer, "dim"))
    doc.print()


def _touch_cells(touch: Touch | TouchRow, now: datetime) -> list[Cell]:
    what = touch.channel if touch.outcome is None else f"call: {outcome_words(touch.outcome)}"
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
    return [fmt_local(touch.at, now), what, duration, detail]


def lead_card(
    view: LeadView,
    touches: Sequence[Touch | TouchRow],
    followups: Sequence[FollowUp | FollowUpRow],
    grades: Sequence[GradeChange | GradeRow],
    now: datetime,
    deals: Sequence[DealView] = (),
    meetings: Sequence[Meeting | MeetingRow] = (),
    timing: Sequence[tuple[str, str]] = (),
) -> None:
    """The lead, its open business and its touches, newest first (``lead show``). ``view``
    and the rows are ORM objects or the store layer's rows: the same attributes. ``timing``: the when-to-call lines
    (``timing_advice.when_to_call``)."""
    lead = view.lead
    doc = Doc()
    doc.line((lead_line(view), "bold"), *([("  ", None), ("★ coach", "bold yellow")] if lead.is_coach else []))

    def field_line(label: str, value: str) -> None:
        doc.line("  ", (f"{label:>12}", "dim"), "  ", value)

    fields = [
        ("title", lead.title), ("role", lead.role), ("phone", lead.phone), ("email", lead.email),
        ("wechat", lead.wechat), ("source", lead.source), ("grade", lead.grade), ("status", lead.status),
        ("arrived", fmt_local(lead.created_at, now)), ("closed", lead.closed_at and fmt_local(lead.closed_at, now)),
        ("close reason", lead.close_reason), ("notes", lead.notes),
    ]  # fmt: skip
    for label, value in fields:
        if value:
            field_line(label, value)
    for label, value in timing:  # when to call: their hours, zone, private number, what is learned
        field_line(label, value)
    if len(grades) > 1:
        field_line("grades", " <- ".join(f"{g.new_grade or '-'} ({fmt_local(g.at, now)})" for g in grades))
    if lead.nurture_until is not None:
        field_line("back on", f"{fmt_local(lead.nurture_until, now)} (parked)")
    for deal in deals:
        d = deal.deal
        value = f", {d.value:,}" if d.value is not None else ""
        field_line("deal", f"#{d.id} {d.title} ({d.stage}{value})")
    for meeting in meetings:
        place = f" at {meeting.place}" if meeting.place else ""
        status = meeting.status.replace("_", "-")
        field_line("meeting", f"#{meeting.id} {fmt_local(meeting.at, now)}{place} ({status})")
    for followup in followups:
        overdue = [(" ", None), ("(overdue)", "red")] if followup.due_at < now else []
        doc.line(
            "  ", (f"{'next':>12}", "dim"), f"  {followup.channel} {fmt_local(followup.due_at, now)}", *overdue,
            " ", (f"({followup.rule})", "dim"),
        )  # fmt: skip
    doc.line()
    if touches:
        table = doc.table(
            f"{view.touch_count} touch{'' if view.touch_count == 1 else 'es'}, newest first",
            ["when", "what", "time", "note"],
        )
        table.rows.extend(_touch_cells(touch, now) for touch in touches)
    else:
        doc.line("  no touches yet")
    doc.print()


def touch_logged(view: LeadView, logged: Logged, now: datetime) -> None:
    touch, followups = logged.touch, logged.followups
    what = f"call ({outcome_words(touch.outcome)})" if touch.channel == "call" else touch.channel
    duration = f", {fmt_duration(touch.duration_s)}" if touch.duration_s else ""
    say(f"Logged {what}{duration} for {lead_line(view)} at {fmt_local(touch.at, now)}.")
    if logged.meeting is not None:
        place = f" at {logged.meeting.place}" if logged.meeting.place else ""
        say(f"Meeting #{logged.meeting.id}: {fmt_local(logged.meeting.at, now)}{place}.")
    for followup in followups:
        if followup.rule == "scheduled":
            say(f"Next: {followup.channel} {fmt_local(followup.due_at, now)}.")
    fallbacks = [f.channel for f in followups if f.rule == "fallback"]
    if fallbacks:
        say(f"Didn't get through: {followup_phrase(fallbacks, now=True)}.")
    ended = [resolution for _, resolution in logged.resolved]
    if ended:
        counts = ", ".join(f"{ended.count(r)} {r}" for r in dict.fromkeys(ended))
        say(f"Follow-ups ended: {counts}.")


def meeting_table(views: Sequence[MeetingView], now: datetime) -> None:
    console = _console()
    if not views:
        console.print("No meetings in that time.")
        return
    table = _table(None, ["id", "when", "lead", "place", "status"])
    for view in views:
        m = view.meeting
        status = m.status.replace("_", "-")
        table.add_row(
            f"#{m.id}", fmt_local(m.at, now), f"#{m.lead_id} {_esc(view.lead_name)}", _esc(m.place or ""), status
        )
    console.print(table)


def meeting_changed(view: MeetingView, before: Meeting, now: datetime) -> None:
    m = view.meeting
    who = f"#{m.lead_id} {view.lead_name}"
    if m.status == "held":
        say(f"Meeting #{m.id} with {who} ({fmt_local(m.at, now)}) held.")
    elif m.status == "no_show":
        say(f"Meeting #{m.id} with {who} ({fmt_local(m.at, now)}): no-show. Next: call now to set a new time.")
    else:
        say(f"Meeting #{before.id} moved: now #{m.id}, {fmt_local(m.at, now)} with {who}.")


def outcome_table(outcomes: Iterable[Outcome]) -> None:
    table = _table(None, ["outcome", "key", "label", "connected", "meeting", "terminal", "needs --next"])
    tick = {True: "yes", False: ""}
    for o in outcomes:
        table.add_row(
            o.name, o.key, _esc(o.label), tick[o.connected], tick[o.meeting], tick[o.terminal], tick[o.requires_next]
        )
    _console().print(table)


def due_table(items: Sequence[DueItem], now: datetime) -> None:
    doc = Doc()
    if not items:
        doc.line("Nothing is due. Good time to prospect.")
        doc.print()
        return
    table = doc.table(None, ["#", "lead", "do", "why"])
    for position, item in enumerate(items, 1):
        grade = [(" ", None), (item.grade, "dim")] if item.grade else []
        coach = [(" ★", None)] if item.is_coach else []
        lead = [(f"#{item.lead_id} {item.name}", None), *grade, *coach]
        table.rows.append([str(position), lead, item.do, "\n".join(reason.text for reason in item.reasons)])
    doc.print()


def why_card(report: LeadRules, now: datetime) -> None:
    lead = report.lead
    doc = Doc()

    def row(label: str, text: str) -> None:
        doc.hang(f"  {label:<14} ", text)

    doc.line((f"#{lead.id} {lead.name}", "bold"), f"  {lead.status}, grade {lead.grade or '-'}")
    row("touches", report.guard.text())
    fc = report.first_contact
    if fc is None:
        row("first contact", "rule does not apply to this source")
    elif fc.first_attempt_at is not None:
        late = "in time" if fc.state == "met" else f"{fmt_span(fc.first_attempt_at - fc.deadline)} late"
        row("first contact", f"{fmt_local(fc.first_attempt_at, now)}, {late}")
    else:
        when = "left" if fc.state == "at_risk" else "over"
        row("first contact", f"due by {fmt_local(fc.deadline, now)}: {fmt_span(fc.left(now))} {when}")
    for followup in report.open_followups:
        row("follow-up", f"{followup.channel} {fmt_local(followup.due_at, now)} ({followup_words(followup.rule)})")
    row("cadence", f"next touch by {fmt_local(report.cadence_due_at, now)}")
    for flag in report.flags:
        row(flag.rule, flag.text)
    for label, text in report.timing:
        row(label, text)
    if report.item is not None:
        row("queue", f"#{report.position} of {report.queue_length}: {report.item.action} {report.item.when}")
        for reason in report.item.reasons:
            row("", f"- {reason.text}")
    else:
        row("queue", "not due now")
    row("next", report.next_step(now))
    doc.print()


def _settings_list(console: Any, title: str, settings: Sequence[dict[str, Any]]) -> None:
    """Each setting on its line (``name = value (source)``), its meaning indented under it."""
    console.print(title)
    for row in settings:
        value = row["value"]
        if isinstance(value, dict):
            value = " ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(value) if value else "none"
        elif isinstance(value, bool):
            value = str(value).lower()
        shown = _esc("none" if value is None else value)
        console.print(f"  [bold]{row['name']}[/] = {shown}  [dim]({_esc(row['source'])})[/]")
        _hang(console, "      ", _esc(row["meaning"]), style="dim")


def rules_table(
    settings: Sequence[dict[str, Any]],
    config_file: object,
    me: Me | None = None,
    timing: Sequence[dict[str, Any]] = (),
) -> None:
    console = _console()
    if me is not None:
        unset = "[dim](not set)[/]"
        console.print(f"You (set them in \\[me] of {_esc(config_file)})")
        console.print(f"  [bold]name[/] = {_esc(me.name) if me.name else unset}")
        console.print(f"  [bold]company[/] = {_esc(me.company) if me.company else unset}")
        console.print(f"  [bold]language[/] = {me.language}  [dim]({me.language_from})[/]")
        _hang(
            console, "      ", "the call script's {my_name} and {my_company}; the wording (en | zh) of the seed "
            "objections, replies, script and voicemail templates (default: the locale's)", style="dim",
        )  # fmt: skip
    _settings_list(console, f"Rules (set them in \\[rules] of {_esc(config_file)})", settings)
    if timing:
        _settings_list(console, f"When to call (set them in \\[timing] of {_esc(config_file)})", timing)
    from salesdesk.lifecycle import STATE_WORDS

    console.print("Lead states (each change is kept with its time and cause):")
    for state, words in STATE_WORDS.items():
        _hang(console, f"  {state:<15} ", _esc(words))
    _hang(
        console,
        "Queue flags: ",
        "focus (reached, no deal) · review (reached, nothing won, no stage move lately) · "
        "hard_to_reach (calls that reached nobody). Reached = a connected call, a visit or a meeting booked.",
    )


def violations(found: Violations, now: datetime) -> None:
    doc = Doc()
    if not found.total:
        doc.line("No rule is broken.")
        doc.print()
        return

    def when(value: str) -> str:
        return fmt_local(datetime.fromisoformat(value), now)

    def ago(value: str) -> str:
        return fmt_span(now - datetime.fromisoformat(value))

    breaches = ("first-contact breach", "first-contact breaches")
    closed = (
        "lead closed as lost below the minimum, without override",
        "leads closed as lost below the minimum, without override",
    )
    bare = ("reached touch without a benefit", "reached touches without a benefit")
    sections = [
        (breaches, found.first_contact_breaches, len(found.first_contact_breaches),
         lambda v: f"#{v['lead_id']} {v['name']}: was due {when(v['deadline'])}, {ago(v['deadline'])} over"),
        (closed, found.closed_below_minimum, len(found.closed_below_minimum),
         lambda v: f"#{v['lead_id']} {v['name']}: {_plural(v['touches'], 'touch')}"),
        (bare, found.touches_without_benefit_recent, found.touches_without_benefit,
         lambda v: f"#{v['lead_id']} {v['name']}: {v['channel']} {when(v['at'])}"),
        (("overdue follow-up", "overdue follow-ups"), found.overdue_followups_oldest, found.overdue_followups,
         lambda v: f"#{v['lead_id']} {v['name']}: {v['channel']} due {when(v['due_at'])}, {ago(v['due_at'])} overdue "
                   f"({followup_words(v['rule'])})"),
    ]  # fmt: skip
    for title, rows, count, line in sections:
        if not count:
            continue
        doc.line((_plural(count, *title), "bold"))
        for row in rows:
            doc.line(f"  {line(row)}")
        if count > len(rows):
            doc.line("  ", (f"and {count - len(rows)} more", "dim"))
    doc.print()


def checkup(result: Checkup) -> None:
    console = _console()
    console.print(f"[bold]{_esc(result.path)}[/]")
    for check in result.checks:
        mark = "[green]ok[/]  " if check["ok"] else "[red]FAIL[/]"
        console.print(f"  {mark} {check['check']:<14} {_esc(check['detail'])}")
    console.print("  " + ", ".join(f"{count:,} {table}" for table, count in result.counts.items()))


# --- call blocks, the planner, objections, scripts ---


def _count(n: int, what: str) -> str:
    return plural(n, what)


def _goals(dials: int | None, meetings: int | None) -> str:
    parts = [_count(n, what) for n, what in ((dials, "dial"), (meetings, "meeting")) if n is not None]
    return ", ".join(parts) or "no goal"


def block_added(block: CallBlock, now: datetime) -> None:
    from salesdesk.services.blocks import Occurrence, describe_repeat, span_text

    protect = "protected" if block.protect else "not protected"
    goal = _goals(block.goal_dials, block.goal_meetings)
    say(
        f"Added block #{block.id} {block.title!r}: {span_text(Occurrence(block, block.start), now)}, "
        f"{describe_repeat(block.rrule)}; {'' if goal == 'no goal' else 'goal '}{goal}; {protect}."
    )


def _progress(done: int, goal: int | None, what: str) -> str:
    """Progress toward a goal ("3 of 5 meetings"), never a count of what failed."""
    return f"{done} of {_count(goal, what)}" if goal else _count(done, what)


def occurrence_table(views: Sequence[OccurrenceView], first: date, last: date, now: datetime) -> None:
    from salesdesk.services.blocks import span_text

    console = _console()
    period = f"{first:%a %d %b}" if first == last else f"{first:%a %d %b} - {last:%a %d %b %Y}"
    if not views:
        console.print(f"No call blocks {period}. Add one: salesdesk block add 'tomorrow 9:00' --for 90m")
        return
    table = _table(f"Call blocks {period}", ["when", "block", "goal", "done", "list"])
    for view in views:
        occurrence, block = view.occurrence, view.occurrence.block
        protect = "" if block.protect else " [dim](not protected)[/]"
        done = ""
        if view.activity is not None:
            act = view.activity
            done = ", ".join((
                _progress(act.meetings, block.goal_meetings, "meeting"),
                _progress(act.dials, block.goal_dials, "dial"),
                _count(act.connects, "connect"),
            ))  # fmt: skip
            if occurrence.end > now:
                done += " [dim](under way)[/]"
        planned = ""
        if view.planned is not None:
            leads, rate = _count(len(view.planned.lead_ids), "lead"), float(view.planned.rate)
            planned = f"{leads} (rate {rate:.3g}, {view.planned.fill.rate_source})"
        table.add_row(
            span_text(occurrence, now), f"#{block.id} {_esc(block.title)}{protect}",
            _goals(block.goal_dials, block.goal_meetings), done, planned,
        )  # fmt: skip
    console.print(table)


def _short(plan: Plan) -> None:
    found, wanted = len(plan.leads), plan.list_size
    if found < wanted:
        warn(
            f"only {found} to call ({plan.due} due, {_count(plan.prospects, 'prospect')}), "
            f"{wanted - found} short of the list: add or import leads, or plan fewer meetings"
        )


def _mix(plan: Plan) -> str:
    return f"{plan.due} due for a call, then {_count(plan.prospects, 'prospect')} never called"


def plan_report(plan: Plan, now: datetime) -> None:
    console = _console()
    rate = plan.rate
    console.print(
        f"To book {_count(plan.target_meetings, 'meeting')} at {float(rate.value):.3g} meetings per dial, "
        f"call [bold]{plan.list_size}[/] {'lead' if plan.list_size == 1 else 'leads'}."
    )
    _hang(console, "  [dim]rate:[/] ", _esc(rate.explain()), style="dim")
    _hang(console, "  [dim]list:[/] ", _mix(plan), style="dim")
    if plan.leads:
        due_table(plan.leads, now)
    _short(plan)


def block_filled(filled: Filled, now: datetime) -> None:
    from salesdesk.services.blocks import span_text

    block, plan = filled.occurrence.block, filled.plan
    say(
        f"Filled block #{block.id} {block.title!r} on {span_text(filled.occurrence, now)} with "
        f"{_count(len(plan.leads), 'lead')} for {_count(plan.target_meetings, 'meeting')} ({plan.rate.explain()}): "
        f"{_mix(plan)}."
    )
    _short(plan)


def _replies_text(view: ObjectionView) -> str:
    if not view.replies:
        return "[dim](no reply yet)[/]"
    return "\n".join(f"{reply.position}. {_esc(view.reply_text(reply))}" for reply in view.replies)


def objection_table(views: Sequence[ObjectionView]) -> None:
    table = _table(None, ["key", "objection", "replies"])
    for view in views:
        table.add_row(view.objection.key, _esc(view.text), _replies_text(view))
    _console().print(table)


def objection_card(view: ObjectionView) -> None:
    console = _console()
    console.print(f"[bold]{view.objection.key}[/]  {_esc(view.text)}")
    for reply in view.replies:
        _hang(console, f"  {reply.position}. ", _esc(view.reply_text(reply)))
    if not view.replies:
        console.print(f"  no reply yet: salesdesk objection edit {view.objection.key} --add-reply TEXT")


def objection_stats(rows: Sequence[ObjectionStats]) -> None:
    from salesdesk.services.objections import FEW_USES

    table = _table(None, ["objection", "met", "reply", "uses", "meetings", "rate"])
    for row in rows:
        table.add_row(f"[bold]{row.objection.key}[/]", str(row.met), "", "", "", "")
        for reply in row.replies:
            rate = reply.meeting_rate
            shown = "-" if rate is None else f"{rate:.0%}" + (" [dim](few)[/]" if reply.few else "")
            words = reply.text or reply.reply.text
            text = words if len(words) <= 28 else words[:27] + "…"
            table.add_row("", "", f"{reply.reply.position}. {_esc(text)}", str(reply.uses), str(reply.meetings), shown)
        unmarked = row.met - sum(reply.uses for reply in row.replies)
        if unmarked:
            table.add_row("", "", "[dim]no reply marked[/]", str(unmarked), "", "")
    console = _console()
    console.print(table)
    console.print(f"[dim](few): fewer than {FEW_USES} uses, too few to tell a good reply from luck.[/]")


def script_table(scripts: Sequence[Worded]) -> None:
    table = _table(None, ["key", "kind", "title"])
    for script in scripts:
        table.add_row(script.key, script.kind, _esc(script.title))
    _console().print(table)


def me_hint(me: Me, config_file: object) -> str | None:
    """How to fill in the script's {my_name} / {my_company}, while ``[me]`` lacks them."""
    missing = [key for key, value in (("name", me.name), ("company", me.company)) if not value]
    if not missing:
        return None
    example = {"name": 'name = "Li Na"', "company": 'company = "Acme"'}
    lines = ", ".join(example[key] for key in missing)
    return f"{{my_{missing[0]}}} is not set: add [me] to {config_file} with {lines}"


def script_card(script: Worded, me: Me | None = None, config_file: object = None) -> None:
    from salesdesk.services.scripts import placeholders

    console = _console()
    console.print(f"[bold]{_esc(script.title)}[/]  [dim]({script.key}, {script.kind})[/]")
    console.print(_esc(script.body))
    names = placeholders(script.body)
    if names:
        console.print(f"[dim]placeholders: {', '.join('{' + name + '}' for name in names)}[/]")
    hint = me_hint(me, config_file) if me is not None and {"my_name", "my_company"} & set(names) else None
    if hint:
        console.print(f"[dim]{_esc(hint)}[/]")


# --- deals, the funnel, goals, plans, reviews, problems ---
# These draw the services' ``as_dict()`` data, so text and --json always show the same facts.


def _shown_time(value: str | None, now: datetime | None = None) -> str:
    return fmt_local(datetime.fromisoformat(value) if value else None, now)


def _shown_day(value: str | None, now: datetime) -> str:
    """A date the rep named (an expected close): the day, without the time of day."""
    if not value:
        return "-"
    day = datetime.fromisoformat(value)
    return day.strftime("%a %d %b" if day.year == now.year else "%a %d %b %Y")


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def deal_line(deal: dict[str, Any]) -> str:
    value = f", {deal['value']:,}" if deal["value"] is not None else ""
    return f"#{deal['id']} {deal['title']} ({deal['lead']}): {deal['stage']}{value}"


def deal_table(deals: Sequence[dict[str, Any]], now: datetime) -> None:
    console = _console()
    if not deals:
        console.print('No deals yet. Open one with: salesdesk deal add LEAD --title "..."')
        return
    table = _table(None, ["id", "deal", "lead", "stage", "value", "expected close", "since"])
    for deal in deals:
        since = deal["history"][-1]["at"] if deal["history"] else deal["created_at"]
        value = f"{deal['value']:,}" if deal["value"] is not None else ""
        table.add_row(
            str(deal["id"]), _esc(deal["title"]), _esc(deal["lead"]), deal["stage"], value,
            _shown_day(deal["expected_close"], now), _shown_time(since, now),
        )  # fmt: skip
    console.print(table)


# Stated under every funnel table, so "conversion" is never read as moved on / entered.
CONVERSION_NOTE = "conversion = moved on / (moved on + lost); deals still open are left out of it"


def funnel_table(found: dict[str, Any]) -> None:
    console = _console()
    # Two-line headers keep the nine columns inside an 80-column terminal.
    table = _table(None, ["stage", "entered", "moved\non", "lost", "still\nopen", "conversion", "win\nrate", "open",
                          "open\nvalue"])  # fmt: skip
    for row in found["stages"]:
        table.add_row(
            row["stage"], str(row["entered"]), str(row["moved_on"]), str(row["lost"]), str(row["still_open"]),
            _rate(row["conversion"]), _rate(row["win_rate"]), str(row["open_deals"]), f"{row['open_value']:,}",
        )  # fmt: skip
    console.print(table)
    console.print(CONVERSION_NOTE)
    console.print(f"won {found['won']}, lost {found['lost']}; forecast {found['forecast']:,} (open value x win rate)")
    if found["low_confidence"]:
        console.print(
            f"[yellow]low confidence: {found['closed_total']} deals closed in all; rates settle after about "
            f"{found['min_closed_for_confidence']}[/]"
        )


def goal_view(view: dict[str, Any]) -> None:
    console = _console()
    console.print(f"[bold]{view['month']}[/]: {view['working_days']} working days")
    for metric, total in view["goals"].items():
        shares = [day[metric] for day in view["daily"].values()]
        each = f"{min(shares)}" if min(shares) == max(shares) else f"{min(shares)}-{max(shares)}"
        console.print(f"  {metric:<10} {total:>7,}  ({each} a working day)")


def plan_view(plan: dict[str, Any]) -> None:
    console = _console()
    day = date.fromisoformat(plan["date"])
    console.print(f"[bold]Plan for {day:%a %d %b %Y}[/]")
    targets = ", ".join(f"{name} {t['value']} ({t['source']})" for name, t in plan["targets"].items())
    console.print(f"  targets: {targets or 'none (set with --dials N ..., or salesdesk goal set)'}")
    for kind in ("key", "routine", "adhoc"):
        items = [item for item in plan["items"] if item["kind"] == kind]
        if items:
            console.print(f"  [dim]{kind}[/]")
        for item in items:
            tick = "[green]✓[/]" if item["done"] else " "
            console.print(f"   {tick} #{item['id']} {_esc(item['text'])}")
    if not plan["items"]:
        console.print('  no items yet: salesdesk plan --item "..." --kind key')
    if plan["carry_over"]:
        console.print(f"  [bold]Carry over?[/] (from {plan['carry_over'][0]['from']}; add with the same --item text)")
        for offer in plan["carry_over"]:
            console.print(f"    {offer['source']:<10} {_esc(offer['text'])} [dim]({offer['kind']})[/]")


def problem_table(problems: Sequence[dict[str, Any]]) -> None:
    console = _console()
    if not problems:
        console.print('No problems recorded. Name one a day: salesdesk review --problem "..."')
        return
    table = _table(None, ["id", "problem", "opened", "worked on", "solved"])
    for p in problems:
        solved = _shown_time(p["solved_at"]) if p["solved_at"] else ""
        if p["solution"]:
            solved += f"\n{_esc(p['solution'])}"
        table.add_row(str(p["id"]), _esc(p["text"]), p["opened"], ", ".join(p["days"]), solved)
    console.print(table)


def markdown(text: str) -> None:
    """A markdown page (summary, review) drawn for the terminal."""
    if not sys.stdout.isatty():
        # Piped or redirected, the markdown itself is the readable form (and pastes as is);
        # Rich's markdown renderer (about 60 ms to import) is loaded only to draw it.
        say(text.rstrip("\n"))
        return
    from rich.markdown import Markdown

    _console().print(Markdown(text))


# --- bulk in and out: import leads, log-call --from, export leads|touches ---


@contextmanager
def row_progress(description: str) -> Iterator[Callable[[int], None] | None]:
    """A running count of rows read, drawn on stderr only when stderr is a terminal, so
    piped output and logs stay clean. Yields the callback to report rows read, or None."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done: progress.update(task, completed=done, description=f"{description}: {done:,} rows")


_plural = plural


def import_report(report: ImportReport) -> None:
    verb = "Would import" if report.dry_run else "Imported"
    if report.dry_run:
        layout = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated", "jsonl": "JSON Lines",
                  "vcard": "vCard"}.get(report.delimiter, report.delimiter)  # fmt: skip
        say(f"Format: {report.format or 'generic headers'} ({report.encoding}, {layout}).")
        table = _table(None, ["Column", "Becomes"])
        for column, becomes in report.columns:
            table.add_row(_esc(column), _esc(becomes))
        _console().print(table)
    say(f"{verb} {_plural(report.imported, 'lead')} from {report.file} ({report.encoding}).")
    for notice in report.notices:
        say(notice + ".")
    if report.duplicates_existing or report.duplicates_in_file:
        say(
            f"Skipped {_plural(report.duplicates_existing + report.duplicates_in_file, 'duplicate')}: "
            f"{report.duplicates_existing:,} already known, {report.duplicates_in_file:,} repeated in the file "
            "(same phone or email)."
        )
    if report.new_accounts:
        say(f"New companies: {report.new_accounts:,}.")
    if report.ignored:
        say(f"Columns not imported: {', '.join(report.ignored)} (--map COLUMN=field imports one).")
    if report.bad_count:
        for bad in report.bad:
            warn(f"line {bad.line}: {bad.reason}")
        more = report.bad_count - len(report.bad)
        if not report.dry_run or report.skip_errors:
            skipped = "would be skipped" if report.dry_run else "skipped"
        elif report.imported:
            skipped = "would stop the import (--skip-errors imports only the good rows)"
        else:
            skipped = "and no good one: nothing would be imported"
        warn(f"{_plural(report.bad_count, 'bad row')} {skipped}" + (f" ({more:,} not shown)" if more else ""))


# A batch in "warn" mode can warn on every line: show enough to see the pattern.
BATCH_WARNINGS_SHOWN = 20


def batch_warnings(result: BatchResult) -> None:
    for line, warning in result.warnings[:BATCH_WARNINGS_SHOWN]:
        warn(f"line {line}: warning: {warning}")
    more = len(result.warnings) - BATCH_WARNINGS_SHOWN
    if more > 0:
        warn(f"... and {_plural(more, 'more warning')}")


def batch_chunk_logged(index: int, total: int, first: int, last: int, result: BatchResult) -> None:
    batch_warnings(result)
    lines = f"lines {first:,}-{last:,}" if last > first else f"line {first:,}"
    say(
        f"Chunk {index:,} of {total:,} ({lines}): logged {_plural(result.calls, 'call')} for "
        f"{_plural(result.leads, 'lead')}, {_plural(result.fallbacks, 'fallback follow-up')} opened, "
        f"{_plural(result.scheduled, 'next call')} scheduled."
    )


def batch_logged(result: BatchResult) -> None:
    batch_warnings(result)
    say(
        f"Logged {_plural(result.calls, 'call')} for {_plural(result.leads, 'lead')}: "
        f"{_plural(result.fallbacks, 'fallback follow-up')} opened, {_plural(result.scheduled, 'next call')} "
        "scheduled."
    )
    if result.skipped:
        skipped = _plural(result.skipped, "exported touch", "exported touches")
        say(f"Skipped {skipped} on other channels (log-touch logs those).")
