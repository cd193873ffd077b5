"""A call block's occurrences, pure: dateutil's RRULE expansion in local wall time.

Kept apart from ``services.blocks`` (the ORM side) so that ``salesdesk status`` can find the
next block from rows read with ``sqlite3``. A block here is anything with the columns of
``call_block`` as attributes (``id``, ``start``, ``minutes``, ``rrule``): the ORM's CallBlock
or the store layer's ``BlockRow``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from dateutil.rrule import rrule, rrulestr

from salesdesk.dates import to_local, utc
from salesdesk.errors import InvalidInput


@dataclass(frozen=True)
class Occurrence:
    """One sitting of a block: aware UTC start; ends ``block.minutes`` later."""

    block: Any  # CallBlock, or store.BlockRow
    start: datetime

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.block.minutes)

    @property
    def day(self) -> date:
        return to_local(self.start).date()


def naive_local(dt: datetime) -> datetime:
    return to_local(dt).replace(tzinfo=None)


def _local_rule_text(stored: str) -> str:
    """The stored rule with UNTIL in local wall time, as dateutil needs beside a local DTSTART."""

    def local(m: re.Match[str]) -> str:
        moment = datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return f"UNTIL={naive_local(moment):%Y%m%dT%H%M%S}"

    return re.sub(r"UNTIL=(\d{8}T\d{6}Z)", local, stored)


def rule(stored: str, start: datetime) -> rrule:
    try:
        # One RRULE line without forceset gives an rrule, not an rruleset.
        return cast(rrule, rrulestr(_local_rule_text(stored), dtstart=naive_local(start), cache=False))
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"RRULE {stored}: {exc}") from None


def occurrences(block: Any, removed: Collection[str], first: date, last: date) -> list[Occurrence]:
    """The block's occurrences that start on local days ``first`` to ``last`` (inclusive),
    less the removed ones (local days, ``YYYY-MM-DD``)."""
    start = naive_local(block.start)
    if block.rrule is None:
        starts = [start] if first <= start.date() <= last else []
    else:
        window = datetime.combine(first, time.min), datetime.combine(last, time.max)
        starts = rule(block.rrule, block.start).between(*window, inc=True)
    return [Occurrence(block, utc(s)) for s in starts if s.date().isoformat() not in removed]
