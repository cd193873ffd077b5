"""What the call session reads and writes, apart from its widgets (no Textual here, so
``salesdesk block start`` can refuse a missing block without loading the TUI).

The session works on one block occurrence. Its calls are counted from the database over
the occurrence's time, widened to take in a session started early or run past the end:
a call logged from the CLI in another terminal counts too, and a session reopened in the
middle of a block carries on where it stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from salesdesk.config import Config
from salesdesk.dates import to_local
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput
from salesdesk.lead_rules import LeadRules
from salesdesk.models import Account, Lead, Touch
from salesdesk.paths import config_path
from salesdesk.services import blocks, leads, objections, queue, scripts, touches
from salesdesk.services.blocks import Occurrence, span_text
from salesdesk.services.leads import LeadView
from salesdesk.services.objections import ObjectionView
from salesdesk.services.scripts import Worded
from salesdesk.words import plural

# How far ahead a block named by its id is looked for: a year covers every repeat rule.
AHEAD_DAYS = 366
# The lead card shows this many of the latest touches.
LAST_TOUCHES = 3


@dataclass(frozen=True)
class SessionStart:
    """The occurrence a session is for: its block and its start (aware UTC)."""

    block_id: int
    start: datetime

    @classmethod
    def of(cls, occurrence: Occurrence) -> SessionStart:
        assert occurrence.block.id is not None
        return cls(occurrence.block.id, occurrence.start)


def _ahead(session: Session, block_id: int | None, now: datetime, days: int) -> list[Occurrence]:
    """Occurrences from yesterday (one may run past midnight) to ``days`` ahead that have not ended."""
    today = to_local(now).date()
    first, last = today - timedelta(days=1), today + timedelta(days=days)
    if block_id is None:
        found = blocks.expand(session, first, last)
    else:
        block = blocks.get_block(session, block_id)
        removed = blocks.removed_days(session, [block_id], first, last)[block_id]
        found = blocks.occurrences(block, removed, first, last)
    return [o for o in found if o.end > now]


def block_today(session: Session, now: datetime) -> Occurrence | None:
    """The block occurrence under way now, else the next one today, else None."""
    return next(iter(_ahead(session, None, now, 0)), None)


# How far past today Today looks for the next block to name when none is left today.
NEXT_BLOCK_DAYS = 14


def next_block_after_today(session: Session, now: datetime) -> Occurrence | None:
    """The first occurrence after today's, to name when no block is left today."""
    today = to_local(now).date()
    return next((o for o in _ahead(session, None, now, NEXT_BLOCK_DAYS) if o.day > today), None)


def occurrence_to_start(session: Session, now: datetime, block_id: int | None = None) -> Occurrence:
    """The occurrence ``block start`` opens: block ``block_id``'s current or next one, or with
    no id the one under way now or next today; an InvalidInput says what to do when there is none."""
    if block_id is None:
        found = block_today(session, now)
        if found is None:
            raise InvalidInput(
                "no call block is under way or ahead today; add one with: salesdesk block add 'today 15:00' "
                "--for 60m --goal-meetings 2, or start one by id: salesdesk block start ID"
            )
        return found
    ahead = _ahead(session, block_id, now, AHEAD_DAYS)
    if not ahead:
        raise InvalidInput(f"block #{block_id} has no occurrence under way or ahead; see salesdesk block list")
    if to_local(ahead[0].start).date() > to_local(now).date():
        # Calls made tonight would count for tomorrow's sitting, and its clock would run for hours.
        raise InvalidInput(
            f"block #{block_id}'s next sitting is {span_text(ahead[0], now)}, not today: start it then, or "
            "add a block for now: salesdesk block add now --for 60m --goal-meetings 2"
        )
    return ahead[0]


@dataclass(frozen=True)
class CallList:
    """The occurrence, the leads to call in order, and what the planner assumed."""

    occurrence: Occurrence
    lead_ids: list[int]
    rate: Fraction  # meetings booked per dial
    rate_source: str  # history | given | default
    target_meetings: int
    filled_now: str | None  # how the rate was chosen, when the list was planned on opening


@dataclass(frozen=True)
class LeadName:
    name: str
    company: str | None

    @property
    def label(self) -> str:
        return f"{self.name} · {self.company}" if self.company else self.name


def open_list(engine: Engine, config: Config, now: datetime, start: SessionStart) -> CallList:
    """The call list attached to the occurrence; when it has none, one is planned and attached
    now (``block fill``), at the block's meeting goal."""
    day = to_local(start.start).date()
    with read_session(engine) as session:
        views = blocks.listing(session, day, day, now)
    view = next(
        (v for v in views if v.occurrence.block.id == start.block_id and v.occurrence.start == start.start), None
    )
    if view is None:
        raise InvalidInput(f"block #{start.block_id} has no occurrence at that time any more; see salesdesk block list")
    if view.planned is not None:
        fill = view.planned.fill
        return CallList(
            view.occurrence, view.planned.lead_ids, view.planned.rate, fill.rate_source, fill.target_meetings, None
        )
    with write_session(engine) as session:
        filled = blocks.fill(session, config.rules, now, start.block_id, day=day)
    plan = filled.plan
    found = len(plan.leads)
    size = plural(found, "lead")
    if found != plan.list_size:
        size += f" (all that are due; {plan.list_size} wanted)"
    return CallList(
        view.occurrence,
        [item.lead_id for item in plan.leads],
        plan.rate.value,
        plan.rate.source,
        plan.target_meetings,
        f"Planned {size} for {plural(plan.target_meetings, 'meeting')} at {plan.rate.explain()}",
    )


def lead_names(session: Session, lead_ids: list[int]) -> dict[int, LeadName]:
    query = (
        select(Lead.id, Lead.name, Account.name)
        .join(Account, col(Lead.account_id) == Account.id, isouter=True)
        .where(col(Lead.id).in_(lead_ids))
    )
    return {lead_id: LeadName(name, company) for lead_id, name, company in session.execute(query)}


_PLACEHOLDER = re.compile(r"\{(" + "|".join(scripts.PLACEHOLDERS) + r")\}")


def fill_script(body: str, values: dict[str, str]) -> list[tuple[str, bool | None]]:
    """``body`` cut into (text, filled) parts: plain text (None), a placeholder filled in
    (True), or a placeholder left as written because its value is unknown (False)."""
    parts: list[tuple[str, bool | None]] = []
    at = 0
    for match in _PLACEHOLDER.finditer(body):
        if match.start() > at:
            parts.append((body[at : match.start()], None))
        value = values.get(match.group(1))
        parts.append((value, True) if value else (match.group(0), False))
        at = match.end()
    if at < len(body):
        parts.append((body[at:], None))
    return parts


@dataclass(frozen=True)
class Library:
    """What the session shows whatever the lead: the call script and the voicemail templates
    (in ``[me] language``), the objections, the rep's name and company."""

    script: list[Worded]
    objections: list[ObjectionView]
    names: dict[int, LeadName]
    me: dict[str, str]
    me_hint: str | None  # how to set [me] while the script would show {my_name}
    voicemail: list[Worded] = field(default_factory=list)


def me_hint(config: Config) -> str | None:
    """One line on setting ``[me]``, while its name or company is missing."""
    missing = [key for key in ("name", "company") if not getattr(config.me, key)]
    if not missing:
        return None
    where = config.path or config_path()
    keys = " and ".join(f'{key} = "…"' for key in missing)
    return f"Set {keys} under [me] in {where} to fill in {{my_{missing[0]}}}"


def script_values(me: dict[str, str], lead: LeadName | None) -> dict[str, str]:
    """What a script's placeholders are filled with for ``lead``: ``[me]``, the lead's name
    and company (a lead without a company leaves ``{lead_company}`` showing)."""
    values = dict(me)
    if lead is not None:
        values["lead"] = lead.name
        if lead.company:
            values["lead_company"] = lead.company
    return values


@dataclass(frozen=True)
class Voicemail:
    """The messages to leave on a voicemail, for one lead, in ``[me] language``."""

    templates: list[Worded]
    values: dict[str, str]
    me_hint: str | None


def read_voicemail(engine: Engine, config: Config, lead_id: int) -> Voicemail:
    with read_session(engine) as session:
        templates = scripts.worded_scripts(session, config.me.language, "voicemail")
        lead = lead_names(session, [lead_id]).get(lead_id)
    return Voicemail(templates, script_values(config.me.values(), lead), me_hint(config))


def read_library(engine: Engine, config: Config, lead_ids: list[int]) -> Library:
    language = config.me.language
    with read_session(engine) as session:
        return Library(
            scripts.worded_scripts(session, language, "call"),
            objections.list_objections(session, language),
            lead_names(session, lead_ids),
            config.me.values(),
            me_hint(config),
            scripts.worded_scripts(session, language, "voicemail"),
        )


@dataclass(frozen=True)
class Progress:
    """What has been done in the session's time: counted in SQL over the touch time index."""

    dials: int
    connects: int
    meetings: int
    objections: list[tuple[str, int]]  # objection key, times met; most met first
    called: frozenset[int]  # leads of the list with a call in that time

    @property
    def objections_met(self) -> int:
        return sum(count for _, count in self.objections)


def span(occurrence: Occurrence, opened_at: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The time whose calls count for the session: the occurrence, from the session's opening
    if that was earlier, and to the latest moment a touch can be stamped if the block ran over."""
    return min(opened_at, occurrence.start), max(occurrence.end, now + touches.FUTURE_SLACK)


def read_progress(engine: Engine, lead_ids: list[int], start: datetime, end: datetime) -> Progress:
    with read_session(engine) as session:
        done = blocks.activity(session, [(start, end)])[0]
        in_span = (Touch.channel == "call", Touch.at >= start, Touch.at < end)
        met = session.execute(
            select(Touch.objection, func.count())
            .where(*in_span, col(Touch.objection).is_not(None))
            .group_by(Touch.objection)
            .order_by(func.count().desc(), col(Touch.objection))
        ).all()
        called = session.execute(
            select(Touch.lead_id).distinct().where(*in_span, col(Touch.lead_id).in_(lead_ids))
        ).scalars()
        return Progress(done.dials, done.connects, done.meetings, [(k, n) for k, n in met], frozenset(called))


@dataclass(frozen=True)
class LeadCard:
    view: LeadView
    rules: LeadRules
    last: list[Touch]


def read_card(engine: Engine, config: Config, lead_id: int, now: datetime) -> LeadCard:
    with read_session(engine) as session:
        view = leads.lead_view(session, lead_id)
        rules = queue.explain(session, config, view.lead, now)
        return LeadCard(view, rules, touches.timeline(session, lead_id, limit=LAST_TOUCHES))
