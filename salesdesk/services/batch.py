"""Logging many calls at once (``log-call --from``): each line exactly as ``log-call`` logs it.

Each line is parsed as the CLI parses its options, then goes through the same
``touches.record`` (one decision step, one write step) on the caller's one write
transaction, over the raw sqlite3 connection: no ORM objects per line, so 100,000 calls
take seconds. Only what can be reused across lines is cached: the lead a reference names,
and the objection library's answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from salesdesk import lifecycle, store, touch_log
from salesdesk.bounds import COUNT_MAX
from salesdesk.config import Config
from salesdesk.dates import Prefer, iso, parse_duration, parse_when
from salesdesk.errors import InvalidInput, Refused, SalesdeskError
from salesdesk.services import leads, objections, touches
from salesdesk.store import pk

# The keys a line may carry: ``lead`` and the options of ``log-call``.
FIELDS = ("lead", "outcome", "note", "benefit", "duration", "objection", "reply", "next", "at", "meeting", "place")
_TEXT_FIELDS = ("note", "benefit", "objection", "next", "at", "meeting", "place")
_ID = re.compile(r"^#?(\d{1,9})$")


@dataclass
class BatchResult:
    """What a batch logged; ``items`` holds each call as ``log-call --json`` prints it."""

    calls: int = 0
    leads: int = 0
    fallbacks: int = 0
    scheduled: int = 0
    meetings: int = 0
    skipped: int = 0  # records of `export touches` on other channels than the phone
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, warning)
    items: list[dict[str, Any]] | None = None


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


# A record of `salesdesk export touches --format jsonl`, and how its keys map to log-call's;
# the other keys are derived (connected, the lead's name...) and are worked out again.
_EXPORT_KEYS = {
    "lead_id": "lead", "outcome": "outcome", "at": "at", "note": "note", "benefit": "benefit",
    "duration_s": "duration", "objection": "objection", "meeting_at": "meeting", "place": "place",
}  # fmt: skip
_EXPORT_DERIVED = {"id", "lead", "channel", "connected", "meeting", "reply_id", "recorded_at"}


def _from_export(data: dict[str, Any]) -> dict[str, Any] | None:
    """An exported touch as a log-call line (None for a touch on another channel: log-touch
    logs those). The reply used is not carried over: its id belongs to the other database."""
    unknown = sorted(set(data) - set(_EXPORT_KEYS) - _EXPORT_DERIVED)
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r} in an exported touch")
    if data.get("channel") != "call":
        return None
    return {line_key: data[key] for key, line_key in _EXPORT_KEYS.items() if data.get(key) is not None}


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
    """What can be reused across lines: resolved leads and objection answers."""

    def __init__(self, session: Session, config: Config, now: datetime, as_json: bool) -> None:
        self.session, self.config, self.now = session, config, now
        self.conn = store.dbapi(session)
        self.result = BatchResult(items=[] if as_json else None)
        self.targets: dict[str, int] = {}
        self.objections: dict[tuple[str | None, int | None], tuple[str | None, int | None]] = {}
        # Protected-time warnings by (next, meeting) time: they read only the call blocks,
        # which a batch doesn't change, and finding free slots takes about 13 ms.
        self.protected: dict[tuple[datetime | None, datetime | None], list[str]] = {}
        self.touched: set[int] = set()

    def target(self, ref: str) -> int:
        found = self.targets.get(ref)
        if found is None:
            m = _ID.match(ref.strip())
            row = self.conn.execute("SELECT id FROM lead WHERE id = ?", (int(m.group(1)),)).fetchone() if m else None
            found = row[0] if row else pk(leads.resolve_lead(self.session, ref))
            self.targets[ref] = found
        return found

    def objection(self, key: str | None, reply: int | None) -> tuple[str | None, int | None]:
        cached = self.objections.get((key, reply))
        if cached is None:
            cached = self.objections[(key, reply)] = objections.resolve(self.session, key, reply)
        return cached

    def log(self, number: int, line: dict[str, Any]) -> None:
        """One line, parsed as ``log-call`` parses its options, then logged as it logs a call."""
        now, config = self.now, self.config
        duration = line.get("duration")
        duration_s = parse_duration(duration) if isinstance(duration, str) else duration

        def when(name: str, prefer: Prefer) -> datetime | None:
            text = line.get(name)
            return parse_when(text, now, prefer=prefer) if text is not None else None

        at, next_at, meeting_at = when("at", "past"), when("next", "future"), when("meeting", "future")
        lead_id = self.target(line["lead"])
        touch = touches.call_facts(
            config, line["outcome"], at or now, line.get("note"), line.get("benefit"), duration_s, next_at,
            meeting_at, line.get("place"),
        )  # fmt: skip
        objection_key, reply_id = self.objection(line.get("objection"), line.get("reply"))
        facts, decision, written = touches.record(
            self.conn, config, lead_id, touch, now, objection=objection_key, reply_id=reply_id
        )
        times = (touch.next_at, touch.meeting_at)
        if times not in self.protected:
            self.protected[times] = touch_log.protected_time_warnings(self.conn, config, touch, now)
        # Protected time reads only the blocks (a batch doesn't change them): once per time.
        # The timing advice reads the lead's own hours and zone: once per line.
        timing = touch_log.timing_warning(self.conn, config, lead_id, touch, now)
        warnings = [*decision.warnings, *self.protected[times], *([timing] if timing else [])]
        self.touched.add(lead_id)
        self.result.calls += 1
        self.result.fallbacks += sum(1 for f in decision.open if f.rule == "fallback")
        self.result.scheduled += sum(1 for f in decision.open if f.rule == "scheduled")
        self.result.meetings += written.meeting_id is not None
        self.result.warnings.extend((number, w) for w in warnings)
        if self.result.items is not None:
            self.result.items.append(
                _as_json(number, facts, touch, decision, written, now, objection_key, reply_id, warnings)
            )

    def finish(self) -> BatchResult:
        self.result.leads = len(self.touched)
        return self.result


def _as_json(
    number: int,
    lead: lifecycle.LeadFacts,
    touch: lifecycle.TouchFacts,
    decision: lifecycle.Decision,
    written: store.Written,
    now: datetime,
    objection: str | None,
    reply_id: int | None,
    warnings: list[str],
) -> dict[str, Any]:
    """The call as ``log-call --json`` prints it, with its line number."""
    followups = [
        {"id": fid, "lead_id": lead.id, "channel": f.channel, "due_at": iso(f.due_at), "rule": f.rule,
         "note": f.note, "done_at": None, "resolution": None}
        for fid, f in zip(written.followup_ids, decision.open, strict=True)
    ]  # fmt: skip
    scheduled = [f for f in followups if f["rule"] == "scheduled"]
    return {
        "line": number, "id": written.touch_id, "lead_id": lead.id, "at": iso(touch.at), "channel": touch.channel,
        "outcome": touch.outcome.name if touch.outcome else None, "connected": touch.connected,
        "duration_s": touch.duration_s, "note": touch.note, "benefit": touch.benefit, "objection": objection,
        "reply_id": reply_id, "next": scheduled[0] if scheduled else None, "followups": followups,
        "meeting": None if written.meeting_id is None else {
            "id": written.meeting_id, "lead_id": lead.id, "at": iso(decision.meeting_at), "place": decision.place,
            "status": "booked", "touch_id": written.touch_id, "moved_from": None, "note": None,
        },
        "resolved": [{"followup_id": fid, "resolution": res} for fid, res in decision.resolve],
        "state": decision.state, "warnings": warnings,
    }  # fmt: skip


@dataclass(frozen=True)
class Line:
    """A checked line: its number and fields, or None for an exported touch on another channel."""

    number: int
    fields: dict[str, Any] | None


def check_lines(stream: Iterable[str]) -> list[Line]:
    """Every line parsed and its fields type-checked, before anything touches the database:
    a batch takes the write lock only once its whole input is known to be well formed."""
    checked = []
    for number, data in read_lines(stream):
        try:
            line = _from_export(data) if "channel" in data else data  # a record of `export touches`
            checked.append(Line(number, None if line is None else _fields(line)))
        except SalesdeskError as exc:
            raise InvalidInput(f"line {number}: {exc}") from None
    if not any(line.fields is not None for line in checked):
        raise InvalidInput("no calls to log: the input has no JSON lines of calls")
    return checked


def log_checked(
    session: Session, config: Config, now: datetime, lines: Iterable[Line], *, as_json: bool = False
) -> BatchResult:
    """Log the calls of checked ``lines`` into ``session``'s transaction. A line refused by a rule
    or naming an unknown lead raises an error naming its line, and the caller's transaction
    then writes nothing."""
    batch = _Batch(session, config, now, as_json)
    for line in lines:
        if line.fields is None:
            batch.result.skipped += 1
            continue
        try:
            batch.log(line.number, line.fields)
        except Refused as exc:
            raise Refused(f"line {line.number}: {exc}") from None
        except SalesdeskError as exc:
            # Without the field: the single command's hints (--next WHEN...) name options, not keys.
            raise InvalidInput(f"line {line.number}: {exc}") from None
    return batch.finish()


def log_calls(
    session: Session, config: Config, now: datetime, stream: Iterable[str], *, as_json: bool = False
) -> BatchResult:
    """Log one call per JSONL line into ``session``'s transaction: all of them, or none."""
    return log_checked(session, config, now, check_lines(stream), as_json=as_json)
