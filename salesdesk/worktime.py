"""Working time between two instants: the inverse of ``rules.add_working_time``.

Speed to lead is measured on the same clock as the first-contact deadline, so a lead that
arrives on Friday evening and is called on Monday morning waited the business hours in
between, not a weekend. Kept apart from ``rules`` so the figures can use it without the
rules module depending on them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from salesdesk.dates import local_tz

if TYPE_CHECKING:
    from salesdesk.rules import BusinessHours


def working_time_between(start: datetime, end: datetime, hours: BusinessHours | None) -> timedelta:
    """The working time from ``start`` to ``end`` (zero if ``end`` is not later): wall-clock
    time when ``hours`` is None, otherwise only the time inside business hours.

    ``working_time_between(s, add_working_time(s, span, hours), hours) == span``.
    """
    if end <= start:
        return timedelta(0)
    if hours is None:
        return end - start
    zone = local_tz()
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    total = timedelta(0)
    day = first
    # One pass per local calendar day in the span: a lead waits days, not years.
    while day <= last:
        if day.weekday() in hours.weekdays:
            # Subtract in UTC: aware datetimes sharing a tzinfo subtract as wall-clock times.
            open_at = datetime.combine(day, hours.start, tzinfo=zone).astimezone(UTC)
            close_at = datetime.combine(day, hours.end, tzinfo=zone).astimezone(UTC)
            overlap = min(close_at, end) - max(open_at, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total
