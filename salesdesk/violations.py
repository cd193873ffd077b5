"""Where the rules are broken right now (``salesdesk rules check``), counted in SQL and written
once against the DB-API connection (``sqlite3``).

``services.compliance.check`` (the TUI, the ORM fallback) answers through ``check`` over its
session's connection, and the hot ``rules check`` over a bare one. The SQL for "a touch that
reached the customer" is ``reached_sql``, which ``services.metrics`` binds too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salesdesk import ranking
from salesdesk import rules as r
from salesdesk.config import Config
from salesdesk.dates import iso, local_day_bounds, to_local
from salesdesk.lifecycle import ACTIVE
from salesdesk.store import from_db, to_db

# How many examples of each kind of violation are listed; the counts are always complete.
SHOWN = 20
# "other" is work on a lead (looking the company up, a note to self), not an attempt to reach
# the customer: it never stops the first-contact clock. Every other channel is an attempt,
# including channels added in config.toml (whatsapp).
NOT_ATTEMPTS = frozenset({"other"})
# A touch with no benefit written down (METHOD.md §4 rule 3). Written exactly as the partial
# index ix_touch_no_benefit's condition (migration 0010), so SQLite can use it.
NO_BENEFIT = "(touch.benefit IS NULL OR touch.benefit = '')"


def _quoted(values: Iterable[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def reached_sql(terminal_outcomes: Iterable[str]) -> str:
    """SQL over ``touch``: it reached the customer and the benefit rule applies to it
    (``lifecycle.reached`` and ``touches.check_benefit``: connected calls and every channel
    but "other"; terminal outcomes such as do-not-call are exempt)."""
    attempt = f"touch.channel NOT IN ({_quoted(sorted(NOT_ATTEMPTS))})"
    reached = f"((touch.channel = 'call' AND touch.connected) OR (touch.channel != 'call' AND {attempt}))"
    terminal = _quoted(terminal_outcomes)
    not_terminal = f"(touch.outcome IS NULL OR touch.outcome NOT IN ({terminal}))" if terminal else "1"
    return f"({reached} AND {not_terminal})"


@dataclass(frozen=True)
class Violations:
    first_contact_breaches: list[dict[str, Any]]
    closed_below_minimum: list[dict[str, Any]]
    touches_without_benefit: int
    touches_without_benefit_recent: list[dict[str, Any]]
    overdue_followups: int
    overdue_followups_oldest: list[dict[str, Any]]

    @property
    def total(self) -> int:
        return (
            len(self.first_contact_breaches)
            + len(self.closed_below_minimum)
            + self.touches_without_benefit
            + self.overdue_followups
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "first_contact_breaches": self.first_contact_breaches,
            "closed_below_minimum": self.closed_below_minimum,
            "touches_without_benefit": {
                "count": self.touches_without_benefit,
                "recent": self.touches_without_benefit_recent,
            },
            "overdue_followups": {"count": self.overdue_followups, "oldest": self.overdue_followups_oldest},
        }


# The active states, kept off the status indexes (see ranking.WORKED).
_ACTIVE = f"+lead.status IN ({_quoted(ACTIVE)})"


def check(conn: sqlite3.Connection, config: Config, now: datetime) -> Violations:
    rules = config.rules

    breaches = []
    # Never attempted (the counter skips "other"): the leads of the partial index on arrival.
    untouched = f"SELECT id, name, created_at, source FROM lead WHERE {_ACTIVE} AND first_attempt_at IS NULL"
    sources = rules.first_contact_source_filter
    if sources is not None:
        untouched += f" AND source IN ({_quoted(sources)})"
    for lead_id, name, created_at, source in conn.execute(untouched):
        if not rules.first_contact_applies(source):
            continue
        verdict = r.first_contact(from_db(created_at), None, now, rules.first_contact_window, rules.business_hours)
        if verdict.state == "breach":
            breaches.append({"lead_id": lead_id, "name": name, "deadline": iso(verdict.deadline)})
    breaches.sort(key=lambda b: (b["deadline"], b["lead_id"]), reverse=True)

    # Lost with too few touches, no terminal outcome, and no recorded override.
    terminal = _quoted(config.terminal_outcomes)
    below = conn.execute(
        "SELECT id, name, touch_count, closed_at FROM lead WHERE status = 'lost' AND touch_count < ? "
        f"AND NOT EXISTS (SELECT 1 FROM touch WHERE touch.lead_id = lead.id AND touch.outcome IN ({terminal})) "
        "AND NOT EXISTS (SELECT 1 FROM lead_close WHERE lead_close.lead_id = lead.id AND lead_close.forced "
        "AND lead_close.reopened_at IS NULL) ORDER BY closed_at DESC, id DESC",
        (rules.min_touches_before_lost,),
    )
    closed_below = [
        {"lead_id": lead_id, "name": name, "touches": touches, "closed_at": iso(from_db(closed_at))}
        for lead_id, name, touches, closed_at in below
    ]

    no_benefit = f"{reached_sql(config.terminal_outcomes)} AND {NO_BENEFIT}"
    benefit_missing = 0
    recent: list[dict[str, Any]] = []
    if rules.benefit != "off":
        (benefit_missing,) = conn.execute(f"SELECT count(*) FROM touch WHERE {no_benefit}").fetchone()
        rows = conn.execute(
            "SELECT touch.id, touch.lead_id, lead.name, touch.at, touch.channel FROM touch "
            f"JOIN lead ON lead.id = touch.lead_id WHERE {no_benefit} "
            f"ORDER BY touch.at DESC, touch.id DESC LIMIT {SHOWN}"
        )
        recent = [
            {"touch_id": touch_id, "lead_id": lead_id, "name": name, "at": iso(from_db(at)), "channel": channel}
            for touch_id, lead_id, name, at, channel in rows
        ]

    # A follow-up is overdue once the day it was due has ended: the rep had that whole day.
    today_start, _ = local_day_bounds(to_local(now).date())
    # A lapsed fallback is recorded as lapsed, not left overdue forever.
    overdue = f"{ranking.LIVE_FOLLOWUP} AND followup.due_at < :today AND {_ACTIVE}"
    bound = {**ranking.params(rules, now), "today": to_db(today_start)}
    (overdue_count,) = conn.execute(
        f"SELECT count(*) FROM followup JOIN lead ON lead.id = followup.lead_id WHERE {overdue}", bound
    ).fetchone()
    oldest = conn.execute(
        "SELECT followup.id, followup.lead_id, lead.name, followup.channel, followup.due_at, followup.rule "
        f"FROM followup JOIN lead ON lead.id = followup.lead_id WHERE {overdue} "
        f"ORDER BY followup.due_at, followup.id LIMIT {SHOWN}",
        bound,
    )
    return Violations(
        first_contact_breaches=breaches,
        closed_below_minimum=closed_below,
        touches_without_benefit=benefit_missing,
        touches_without_benefit_recent=recent,
        overdue_followups=overdue_count,
        overdue_followups_oldest=[
            {
                "followup_id": fid,
                "lead_id": lead_id,
                "name": name,
                "channel": channel,
                "due_at": iso(from_db(due_at)),
                "rule": rule,
            }
            for fid, lead_id, name, channel, due_at, rule in oldest
        ],
    )
