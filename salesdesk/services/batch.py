"""Logging many calls at once (``log-call --from``): each line under the rules of ``log_call``.

Logging calls one by one through the ORM costs milliseconds each, so 100,000 would take
minutes. Here each line is checked with the very functions ``log_call`` uses (outcome,
time and arrival checks, benefit rule, objection library, fallback choice), in its order,
while what ``log_call`` writes is simulated in memory: the touch, the lead's open call
follow-ups it meets, the fallbacks it opens, the next call. The rows then go in with bulk
inserts, chunk by chunk, inside the caller's one write transaction. Ids are given
explicitly, in the order ``log_call`` would have taken them, so the database ends up as a
series of single ``log-call`` commands would leave it (a test compares the two).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlmodel import Session

from salesdesk import rules, validate
from salesdesk.bounds import COUNT_MAX
from salesdesk.config import Config
from salesdesk.dates import MAX_DURATION_S, local_day_bounds, parse_duration, parse_when, to_local
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.models import FollowUp, Lead, Touch
from salesdesk.services import leads, objections, touches

# The keys a line may carry: ``lead`` and the options of ``log-call``.
FIELDS = ("lead", "outcome", "note", "benefit", "duration", "objection", "reply", "next", "at")
_TEXT_FIELDS = ("note", "benefit", "objection", "next", "at")
# Touches simulated between bulk inserts: enough for C-speed inserts, little memory.
CHUNK_CALLS = 5_000
_ID = re.compile(r"^#?(\d{1,9})$")


@dataclass
class BatchResult:
    """What a batch logged; ``items`` holds each call as ``log-call --json`` prints it."""

    calls: int = 0
    leads: int = 0
    fallbacks: int = 0
    scheduled: int = 0
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, warning)
    items: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class _Target:
    """The lead facts the call checks read (``touches._check_at`` reads these three)."""

    id: int
    name: str
    created_at: datetime


@dataclass
class _Open:
    """An open follow-up; ``row`` is its pending insert, None once it is in the database."""

    id: int
    channel: str
    due_at: datetime
    row: dict[str, Any] | None = None


def read_lines(stream: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL stream with their 1-based line numbers; blank lines skipped."""
    lines = iter(stream)
    number = 0
    while True:
        number += 1
        try:
            raw = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise InvalidInput(f"line {number}: not UTF-8 text; save the file as UTF-8") from None
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {number}: not JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise InvalidInput(f"line {number}: not JSON (nested too deep)") from None
        if not isinstance(data, dict):
            raise InvalidInput(f'line {number}: expected a JSON object like {{"lead": 12, "outcome": "busy"}}')
        offset = _lone_surrogate(raw, data)
        if offset is not None:
            raise InvalidInput(f"line {number}: the \\u escape at byte {offset} is half a character, not text")
        yield number, data


def _lone_surrogate(raw: str, data: dict[str, Any]) -> int | None:
    """Where ``raw`` escapes half a UTF-16 pair (``"\\ud800"``): JSON allows it, but it is no
    character, and SQLite can't store it. The byte offset of the escape, or None."""
    for value in data.values():
        if isinstance(value, str):
            half = next((ch for ch in value if "\ud800" <= ch <= "\udfff"), None)
            if half is not None:
                escape = re.search(rf"\\u{ord(half):04x}", raw, re.IGNORECASE)
                return len(raw[: escape.start()].encode("utf-8")) if escape else 0
    return None


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """A line's values, type-checked as the CLI's parser checks the options."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}; a line may have: {', '.join(FIELDS)}")
    lead = data.get("lead")
    if isinstance(lead, bool) or not isinstance(lead, str | int):
        raise InvalidInput('"lead" is missing: give the lead\'s id, or part of its name, phone or email')
    if not isinstance(data.get("outcome"), str):
        raise InvalidInput('"outcome" is missing or not text; see salesdesk outcomes')
    for name in _TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise InvalidInput(f'"{name}" must be text, not {json.dumps(data[name], ensure_ascii=False)[:40]}')
    duration, reply = data.get("duration"), data.get("reply")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, str | int)):
        raise InvalidInput('"duration" must be seconds or text like "4m30s"')
    if reply is not None and (isinstance(reply, bool) or not isinstance(reply, int) or not 1 <= reply <= COUNT_MAX):
        raise InvalidInput(
            f'"reply" must be a reply number from 1 to {COUNT_MAX:,} (as salesdesk objection show numbers them)'
        )
    return {**data, "lead": str(lead)}


class _Batch:
    """The state ``log_call`` would read from the database, kept in memory across lines."""

    def __init__(self, session: Session, config: Config, now: datetime, as_json: bool) -> None:
        self.session, self.config, self.now = session, config, now
        self.result = BatchResult(items=[] if as_json else None)
        self.targets: dict[str, _Target] = {}
        self.by_id: dict[int, _Target] | None = None
        self.objections: dict[tuple[str | None, int | None], tuple[str | None, int | None]] = {}
        self.day_ends: dict[date, datetime] = {}
        self.open: dict[int, list[_Open]] = {}
        for fid, lead_id, channel, due_at in session.execute(
            select(FollowUp.id, FollowUp.lead_id, FollowUp.channel, FollowUp.due_at).where(
                FollowUp.done_at.is_(None)  # type: ignore[union-attr]
            )
        ):
            self.open.setdefault(lead_id, []).append(_Open(fid, channel, due_at))
        # The write transaction keeps other writers out, so these ids are ours to hand out.
        self.touch_id = (session.execute(select(func.max(Touch.id))).scalar_one() or 0) + 1
        self.followup_id = (session.execute(select(func.max(FollowUp.id))).scalar_one() or 0) + 1
        self.touches: list[dict[str, Any]] = []
        self.followups: list[tuple[_Open, dict[str, Any]]] = []
        self.met: list[dict[str, Any]] = []  # follow-ups already in the database that a call meets
        self.touched: set[int] = set()

    def target(self, ref: str) -> _Target:
        found = self.targets.get(ref)
        if found is not None:
            return found
        if (m := _ID.match(ref.strip())) is not None:
            if self.by_id is None:
                # One read of every lead beats a query per distinct id in a large batch.
                rows = self.session.execute(select(Lead.id, Lead.name, Lead.created_at))
                self.by_id = {lead_id: _Target(lead_id, name, created) for lead_id, name, created in rows}
            found = self.by_id.get(int(m.group(1)))
        if found is None:
            lead = leads.resolve_lead(self.session, ref)
            found = _Target(lead.id, lead.name, lead.created_at)  # type: ignore[arg-type]
        self.targets[ref] = found
        return found

    def objection(self, key: str | None, reply: int | None) -> tuple[str | None, int | None]:
        cached = self.objections.get((key, reply))
        if cached is None:
            cached = self.objections[(key, reply)] = objections.resolve(self.session, key, reply)
        return cached

    def day_end(self, at: datetime) -> datetime:
        day = to_local(at).date()
        if day not in self.day_ends:
            self.day_ends[day] = local_day_bounds(day)[1]
        return self.day_ends[day]

    def log(self, number: int, line: dict[str, Any]) -> None:
        """One line, checked and applied as ``log-call`` checks and applies its arguments."""
        now, config = self.now, self.config
        duration = line.get("duration")
        duration_s = parse_duration(duration) if isinstance(duration, str) else duration
        at_text, next_text = line.get("at"), line.get("next")
        at = parse_when(at_text, now, prefer="past") if at_text is not None else None
        next_at = parse_when(next_text, now, prefer="future") if next_text is not None else None
        lead = self.target(line["lead"])
        # From here on, the order of touches.log_call.
        disposition = config.outcome(line["outcome"].strip().lower())
        at = at or now
        touches._check_at(at, now, lead)  # type: ignore[arg-type]
        if disposition.requires_next and next_at is None:
            raise InvalidInput(f"outcome {disposition.name} needs the time of the next call", field="next")
        if next_at is not None and next_at <= at:
            raise InvalidInput("the next call must be later than this one", field="next")
        if duration_s is not None and not 0 <= duration_s <= MAX_DURATION_S:
            raise InvalidInput(f"a call lasts 0 seconds to 24 hours, not {duration_s} seconds")
        benefit = validate.text(line.get("benefit"), "benefit", max_len=validate.TEXT_MAX, multiline=True)
        warning = touches.check_benefit(config, "call", disposition.connected, benefit, terminal=disposition.terminal)
        objection_key, reply_id = self.objection(line.get("objection"), line.get("reply"))
        note = validate.text(line.get("note"), "note", max_len=validate.TEXT_MAX, multiline=True)
        touch_id = self.touch_id
        self.touch_id += 1
        touch = {
            "id": touch_id, "lead_id": lead.id, "at": at, "channel": "call", "outcome": disposition.name,
            "connected": disposition.connected, "meeting": disposition.meeting, "duration_s": duration_s,
            "note": note, "benefit": benefit, "objection": objection_key, "reply_id": reply_id, "recorded_at": now,
        }  # fmt: skip
        self.touches.append(touch)
        self.touched.add(lead.id)
        # touches._complete_due_followups: the lead's open call follow-ups due by the end of the call's day.
        still_open = self.open.setdefault(lead.id, [])
        day_end = self.day_end(at)
        for item in [o for o in still_open if o.channel == "call" and o.due_at < day_end]:
            still_open.remove(item)
            if item.row is None:
                self.met.append({"fid": item.id, "done": at, "tid": touch_id})
            else:
                item.row.update(done_at=at, done_touch_id=touch_id)
        # touches._open_fallbacks, then the scheduled next call, in log_call's insert order.
        opened = [
            self._open(lead.id, channel, at, "fallback", None, touch_id)
            for channel in rules.fallbacks_to_open(
                disposition.connected, config.rules.fallback_channels, [o.channel for o in still_open]
            )
        ]
        self.result.fallbacks += len(opened)
        if next_at is not None:
            opened.insert(0, self._open(lead.id, "call", next_at, "scheduled", note, touch_id))
            self.result.scheduled += 1
        warnings = [warning] if warning else []
        if next_at is not None:
            from salesdesk.services.blocks import protect_warning

            protected = protect_warning(self.session, next_at, now, config.rules.business_hours)
            if protected:
                warnings.append(protected)
        self.result.calls += 1
        self.result.warnings.extend((number, w) for w in warnings)
        if self.result.items is not None:
            self.result.items.append(_as_json(number, touch, opened, warnings))
        if len(self.touches) >= CHUNK_CALLS:
            self.flush()

    def _open(self, lead_id: int, channel: str, due_at: datetime, rule: str, note: str | None, touch_id: int) -> _Open:
        row = {
            "id": self.followup_id, "lead_id": lead_id, "channel": channel, "due_at": due_at, "rule": rule,
            "note": note, "created_at": self.now, "source_touch_id": touch_id, "done_at": None,
            "done_touch_id": None,
        }  # fmt: skip
        self.followup_id += 1
        item = _Open(row["id"], channel, due_at, row)
        self.open[lead_id].append(item)
        self.followups.append((item, row))
        return item

    def flush(self) -> None:
        """Write what was simulated: touches first (the lead counters follow by trigger), then
        the follow-ups that point at them, then the older follow-ups they met."""
        # Core, not ORM, inserts: one executemany per table rather than one per key pattern.
        if self.touches:
            self.session.execute(insert(Touch.__table__), self.touches)  # type: ignore[attr-defined]
        if self.followups:
            self.session.execute(insert(FollowUp.__table__), [row for _, row in self.followups])  # type: ignore[attr-defined]
        for item, _ in self.followups:
            item.row = None
        if self.met:
            table = FollowUp.__table__  # type: ignore[attr-defined]
            meet = (
                update(table)
                .where(table.c.id == bindparam("fid"))
                .values(done_at=bindparam("done", type_=table.c.done_at.type), done_touch_id=bindparam("tid"))
            )
            self.session.connection().execute(meet, self.met)
        self.touches, self.followups, self.met = [], [], []

    def finish(self) -> BatchResult:
        self.flush()
        if self.touched:
            # _record: a new lead is now being worked, and every lead called was updated now.
            table = Lead.__table__  # type: ignore[attr-defined]
            worked = (
                update(table)
                .where(table.c.id == bindparam("lid"))
                .values(status=case((table.c.status == "new", "working"), else_=table.c.status), updated_at=self.now)
            )
            self.session.connection().execute(worked, [{"lid": lead_id} for lead_id in sorted(self.touched)])
        self.result.leads = len(self.touched)
        return self.result


def _as_json(number: int, touch: dict[str, Any], opened: list[_Open], warnings: list[str]) -> dict[str, Any]:
    """The call as ``log-call --json`` prints it, with its line number."""
    data = touches.touch_dict(Touch(**touch))
    followups = [touches.followup_dict(FollowUp(**dict(item.row or {}))) for item in opened]
    scheduled = [f for f in followups if f["rule"] == "scheduled"]
    data["next"] = scheduled[0] if scheduled else None
    data["followups"] = followups
    data["warnings"] = warnings
    return {"line": number, **data}


def log_calls(
    session: Session, config: Config, now: datetime, stream: Iterable[str], *, as_json: bool = False
) -> BatchResult:
    """Log one call per JSONL line into ``session``'s transaction. A bad line raises an error
    naming its line number, and the caller's transaction then writes nothing."""
    batch = _Batch(session, config, now, as_json)
    for number, data in read_lines(stream):
        try:
            batch.log(number, _fields(data))
        except SalesdeskError as exc:
            # Without the field: the single command's hints (--next WHEN...) name options, not keys.
            raise InvalidInput(f"line {number}: {exc}") from None
    if not batch.result.calls:
        raise InvalidInput("no calls to log: the input has no JSON lines")
    return batch.finish()
