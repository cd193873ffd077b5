"""What the call session shows, as text: the timer, progress toward the goals, the lead's
card and the call script. Pure functions of their data, so the screen only places them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from salesdesk.config import Config
from salesdesk.dates import fmt_local, fmt_span
from salesdesk.services.blocks import Occurrence, span_text
from salesdesk.services.scripts import Worded
from salesdesk.services.touches import Logged
from salesdesk.tui.session_data import LeadCard, fill_script
from salesdesk.tui.widgets import outcome_label

BAR_WIDTH = 8
LABEL_WIDTH = 6


def clock_text(seconds: float) -> str:
    """``12:05``: minutes and seconds, minutes unbounded (a 90-minute block reads ``90:00``)."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def countdown_text(seconds: float) -> str:
    """Time to a block's start: ``12:05`` under an hour, ``12h28m`` beyond (``748:53`` for
    half a day read as a stopwatch gone wrong)."""
    return clock_text(seconds) if seconds < 3600 else fmt_span(timedelta(seconds=seconds))


def timer_text(occurrence: Occurrence, now: datetime) -> Text:
    """Elapsed against the block's length: ``12:05 / 90:00``; before the start, how long until
    it; past the end, that time is up."""
    length = clock_text(occurrence.block.minutes * 60)
    if now < occurrence.start:
        return Text(f"starts in {countdown_text((occurrence.start - now).total_seconds())} · {length} block")
    elapsed = clock_text((now - occurrence.start).total_seconds())
    if now < occurrence.end:
        return Text(f"{elapsed} / {length}", style="bold")
    return Text.assemble(("time up ", "bold red"), f"{elapsed} / {length}")


def heading_text(occurrence: Occurrence, now: datetime) -> Text:
    """``Morning prospecting · Tue 24 Nov 09:30-11:00``."""
    return Text.assemble((occurrence.block.title, "bold"), f" · {span_text(occurrence, now)}")


def bar(done: int, goal: int) -> Text:
    """A small bar filling toward ``goal``; full, and green, once it is met."""
    filled = BAR_WIDTH if done >= goal else round(BAR_WIDTH * done / goal)
    style = "green" if done >= goal else "cyan"
    return Text.assemble(("━" * filled, style), ("─" * (BAR_WIDTH - filled), "dim"))


def count_text(done: int, goal: int | None, what: str) -> str:
    """``3 of 5 meetings booked``, or ``3 meetings booked`` for a block with no such goal."""
    return f"{done} of {goal} {what}" if goal else f"{done} {what}"


def progress_text(meetings: int, dials: int, goal_meetings: int | None, goal_dials: int | None, place: str) -> Text:
    """Progress toward the goals, never a count of what didn't work:
    ``━━━━──── 1 of 2 meetings booked · ━━────── 5 of 20 dials · lead 6 of 30``."""
    parts: list[Text] = []
    for done, goal, what in ((meetings, goal_meetings, "meetings booked"), (dials, goal_dials, "dials")):
        part = Text()
        if goal:
            part.append_text(bar(done, goal))
            part.append(" ")
        part.append(count_text(done, goal, what))
        parts.append(part)
    if place:
        parts.append(Text(place, style="dim"))
    return Text(" · ").join(parts)


def card(config: Config, found: LeadCard, now: datetime) -> RenderableType:
    """Who the lead is, what is due and why, the last touches and the notes."""
    view = found.view
    lead = view.lead
    heading = Text.assemble((lead.name, "bold"))
    for part in (view.company, lead.title):
        if part:
            heading.append(f" · {part}")
    heading.append(f"  grade {lead.grade}" if lead.grade else "  no grade", style="bold")
    if lead.is_coach:
        heading.append("  ★ coach", style="bold yellow")
    reach = " · ".join(part for part in (lead.phone, f"WeChat {lead.wechat}" if lead.wechat else None) if part)
    facts = Text(" · ".join(part for part in (reach or "no phone", lead.source, lead.status) if part), style="dim")
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="dim", width=LABEL_WIDTH, no_wrap=True)
    grid.add_column(ratio=1)
    rules = found.rules
    grid.add_row("Due", Text(rules.next_step(now)))
    if rules.flags:
        grid.add_row("", Text(" · ".join(flag.text for flag in rules.flags), style="yellow"))
    if not found.last:
        grid.add_row("Last", Text("no touches yet: this is the first", style="dim"))
    for index, touch in enumerate(found.last):
        line = Text(f"{fmt_local(touch.at, now)} {touch.channel}", no_wrap=True, overflow="ellipsis")
        if touch.outcome:
            line.append(f" {outcome_label(config, touch.outcome)}", style="green" if touch.connected else "")
        for extra in (touch.note, touch.benefit):
            if extra:
                line.append(f" · {extra}".replace("\n", " "))
        grid.add_row("" if index else "Last", line)
    grid.add_row("Notes", Text(lead.notes or "-", overflow="ellipsis"))
    return Group(heading, facts, grid)


def script_text(script: Sequence[Worded], values: dict[str, str], hint: str | None = None) -> Text:
    """The call script's steps (or the voicemail templates) with the placeholders filled in;
    one whose value is unknown (no ``[me]`` in config.toml, a lead without a company) stays
    visible as ``{my_name}``, and ``hint`` (how to set ``[me]``) follows while it does."""
    text = Text()
    for index, step in enumerate(script):
        if index:
            text.append("\n")
        text.append(step.title, style="bold")
        text.append("\n")
        for part, filled in fill_script(step.body, values):
            style = {True: "bold cyan", False: "bold yellow", None: ""}[filled]
            text.append(part, style=style)
    unfilled = any(
        f"{{my_{key}}}" in step.body for step in script for key in ("name", "company") if f"my_{key}" not in values
    )
    if hint and unfilled:
        text.append(f"\n\n{hint}", style="dim italic")
    return text


def logged_line(config: Config, logged: Logged, name: str, now: datetime) -> str:
    """``✓ Busy · Li Na · follow up: wechat, email``: the call just written, and what it opened."""
    parts = [f"✓ {outcome_label(config, logged.touch.outcome or '')}", name]
    parts += [f"next {f.channel} {fmt_local(f.due_at, now)}" for f in logged.followups if f.rule == "scheduled"]
    fallbacks = [f.channel for f in logged.followups if f.rule == "fallback"]
    if fallbacks:
        parts.append(f"follow up: {', '.join(fallbacks)}")
    return " · ".join(parts)
