"""The range of every number a user can give, checked where it comes in (options, JSONL,
config), so nothing too big reaches SQLite (64-bit integers) or a sum of it overflows.

The CLI's integer options show their range in ``--help`` and name it when refused (exit 2).
"""

from __future__ import annotations

from salesdesk.errors import InvalidInput

# A count or a target: dials, meetings, a list limit, a reply's number, days between touches.
# A million is far beyond any one rep's day, month or list, and far inside every integer type.
COUNT_MAX = 1_000_000
# A deal's value in whole currency units (a trillion): 9 million deals at the limit still sum
# below 2^63, so the funnel's and the week's totals can't overflow.
MONEY_MAX = 10**12
# One JSONL line (log-call --from): a note and a benefit of 4,000 characters each and every
# other field fit many times over; a longer line is refused before it is read whole.
JSONL_LINE_MAX = 64 * 1024
# A whole batch, read before the write lock is taken: 100,000 calls take about 15 MB.
JSONL_TOTAL_MAX = 64 * 1024 * 1024
# A CSV read from a pipe or a device (import leads <(…), -): copied to a private temp file
# first, as the import reads its file more than once; a regular file has no such cap.
SPOOL_MAX = 256 * 1024 * 1024
# SQLite's largest rowid: an id beyond it can't exist, and can't even be looked up.
ID_MAX = 2**63 - 1


def check_int(value: int, name: str, low: int, high: int) -> int:
    """``value`` if it is in ``low..high``; else InvalidInput naming the range."""
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be from {low:,} to {high:,}, not {value:,}")
    return value
