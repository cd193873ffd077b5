"""``salesdesk status``: the day in one line, for a shell prompt or a tmux status bar.

It reads with ``sqlite3`` through the store layer only (``ranking`` for the queue, the
block reads in ``store``), so it answers in the time a prompt can wait. The counts are the
due queue's own (``ranking.counts`` counts ``ranking``'s queries in SQL): the status line and
``salesdesk due`` can't disagree.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from salesdesk import protected_time, ranking
from salesdesk.dates import fmt_span, iso, to_local
from salesdesk.errors import InvalidInput
from salesdesk.recurrence import Occurrence
from salesdesk.rules import Rules

# How far ahead the next block is looked for: a week covers every weekday rule.
BLOCK_HORIZON_DAYS = 7


@dataclass(frozen=True)
class Status:
    due: int
    breaches: int  # first-contact deadlines already missed
    worst_breach: timedelta | None  # how long past its deadline the oldest breach is
    block: Occurrence | None  # under way now, or the next one
    now: datetime

    def line(self) -> str:
        """``3 due · 1 breach (2h over) · block 09:30``."""
        parts = [f"{self.due} due"]
        if self.breaches:
            over = f" ({fmt_span(self.worst_breach)} over)" if self.worst_breach else ""
            parts.append(f"{self.breaches} breach{'es' if self.breaches > 1 else ''}{over}")
        if self.block is not None:
            parts.append(_block_words(self.block, self.now))
        return " · ".join(parts)

    def fields(self) -> dict[str, str]:
        """What ``--format`` can name: each as the line says it, "" when there is none."""
        block = self.block
        return {
            "due": str(self.due),
            "breaches": str(self.breaches),
            "worst": fmt_span(self.worst_breach) if self.worst_breach else "",
            "block": _block_words(block, self.now) if block is not None else "",
            "block_start": f"{to_local(block.start):%H:%M}" if block is not None else "",
            "block_end": f"{to_local(block.end):%H:%M}" if block is not None else "",
            "line": self.line(),
        }

    def formatted(self, template: str) -> str:
        """``template`` with ``{due}``, ``{breaches}``... filled in (``--format``)."""
        import string

        found = self.fields()
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        except ValueError as exc:
            raise InvalidInput(
                f"can't read --format {template!r}: {exc}; write {{due}} for a field, {{{{ for a brace"
            ) from None
        for name in names:
            if name not in found:
                raise InvalidInput(f"--format has no field {{{name}}}; known: {', '.join(f'{{{n}}}' for n in found)}")
        try:
            return template.format_map(found)
        except (ValueError, IndexError) as exc:
            raise InvalidInput(f"can't fill --format {template!r}: {exc}") from None

    def as_dict(self) -> dict[str, Any]:
        block = self.block
        return {
            "due": self.due,
            "breaches": self.breaches,
            "worst_breach_s": int(self.worst_breach.total_seconds()) if self.worst_breach else None,
            "block": None
            if block is None
            else {
                "id": block.block.id,
                "title": block.block.title,
                "start": iso(block.start),
                "end": iso(block.end),
                "under_way": block.start <= self.now,
            },
        }


def _block_words(block: Occurrence, now: datetime) -> str:
    if block.start <= now:
        return f"block until {to_local(block.end):%H:%M}"
    start = to_local(block.start)
    day = "" if start.date() == to_local(now).date() else f"{start:%a} "
    return f"block {day}{start:%H:%M}"


def next_block(conn: sqlite3.Connection, now: datetime) -> Occurrence | None:
    """The block under way at ``now``, or the next to start within a week."""
    today = to_local(now).date()
    # From yesterday: a block begun before midnight may still be under way.
    first, last = today - timedelta(days=1), today + timedelta(days=BLOCK_HORIZON_DAYS)
    return next((o for o in protected_time.expand(conn, first, last) if o.end > now), None)


def status(conn: sqlite3.Connection, rules: Rules, now: datetime) -> Status:
    counted = ranking.counts(conn, rules, now)
    worst = now - counted.oldest_deadline if counted.oldest_deadline is not None else None
    return Status(counted.due, counted.breaches, worst, next_block(conn, now), now)
