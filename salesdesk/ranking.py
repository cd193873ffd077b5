"""The due queue's ranking, written once against the DB-API connection (``sqlite3``).

``services.queue`` ranks through this module over its session's connection, and ``salesdesk
status`` over a bare ``sqlite3`` one, so the queue and the status line count the same leads.
The SQL conditions the queue's ORM queries also need (a worked lead, a meeting ahead, a live
follow-up) are the fragments below; queue.py wraps them in ``sqlalchemy.text`` rather than
restating them. Parameters are named (``:now``...) and times are ``store.to_db`` strings.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from salesdesk import lifecycle
from salesdesk import rules as r
from salesdesk.store import from_db, to_db

# The lead is being worked now: an active state, or parked and due back (:now). The unary
# + keeps SQLite off the status indexes here: the active states are most of the book, and a
# lookup per row through them made the queue's scans three times slower than reading the table.
WORKED = (
    f"(+lead.status IN ({', '.join(repr(s) for s in lifecycle.ACTIVE)}) "
    "OR (+lead.status = 'nurture' AND lead.nurture_until <= :now))"
)
# The lead has a booked meeting still to come (:now); until then, no calls are due. A set
# built once per query (few meetings are booked ahead), not a probe per lead.
MEETING_AHEAD = "lead.id IN (SELECT meeting.lead_id FROM meeting WHERE meeting.status = 'booked' AND meeting.at > :now)"
# An open follow-up that still asks for something: a fallback lapses at :lapse_cutoff.
LIVE_FOLLOWUP = "(followup.done_at IS NULL AND (followup.rule != 'fallback' OR followup.due_at > :lapse_cutoff))"
# One of the lead's deals was opened or moved since :quiet_since.
PROGRESSED_SINCE = (
    "EXISTS (SELECT 1 FROM deal_stage_change JOIN deal ON deal.id = deal_stage_change.deal_id "
    "WHERE deal.lead_id = lead.id AND deal_stage_change.at > :quiet_since)"
)
GRADE_RANK = (
    "(CASE lead.grade WHEN 'A' THEN 0 WHEN 'B' THEN 1 WHEN 'C' THEN 2 WHEN 'D' THEN 3 ELSE 4 END)"
)  # fmt: skip
COACH_RANK = "(CASE WHEN lead.is_coach THEN 0 ELSE 1 END)"

# A lead's place in the queue: (group, sub-order, order within group, grade rank, coach rank).
Key = tuple[int, int, float, int, int]


def params(rules: r.Rules, now: datetime) -> dict[str, str]:
    """The values the fragments above are bound with."""
    return {
        "now": to_db(now),
        "lapse_cutoff": to_db(lifecycle.lapse_cutoff(now, rules.fallback_expiry_days)),
        "quiet_since": to_db(now - timedelta(days=rules.review_quiet_days)),
    }


def tiebreak(grade: str | None, is_coach: bool) -> tuple[int, int]:
    return ("ABCD".index(grade) if grade else 4, 0 if is_coach else 1)


def _cadence_days(rules: r.Rules) -> str:
    """SQL: the cadence interval in days for the lead's grade (numbers from the config)."""
    whens = " ".join(
        f"WHEN {grade!r} THEN {float(days)!r}" for grade, days in rules.cadence_days.items() if grade != r.UNGRADED
    )
    return f"(CASE lead.grade {whens} ELSE {float(rules.cadence_days[r.UNGRADED])!r} END)"


def _cadence_cutoff(rules: r.Rules) -> str:
    """SQL: the latest last touch (or arrival) that leaves the lead due by its grade's cadence
    at :now, as bound by ``_bind``: a text comparison, exact to the microsecond like
    ``rules.cadence_due_at`` and far cheaper than julianday() on every lead."""
    whens = " ".join(f"WHEN {grade!r} THEN :cadence_{grade}" for grade in rules.cadence_days if grade != r.UNGRADED)
    return f"(CASE lead.grade {whens} ELSE :cadence_ END)"


@dataclass(frozen=True)
class Groups:
    """The queue's three candidate queries, each as its ``FROM ... WHERE ...`` with the values
    bound: ``ranked`` selects the rank from them and ``counts`` counts them, so the queue and
    the status line can't disagree about who is due."""

    bound: dict[str, str]
    # 1. First contact: worked leads never attempted (a note on "other" is no attempt).
    first_contact: str
    # 2-3. Open follow-ups that are due (index on done_at, due_at); calls wait for a booked meeting.
    followups: str
    # 4-7. Cadence, focus, review and hard to reach, from the per-lead counters kept by triggers:
    # the condition on ``lead`` alone (a scan of the book; see ``cadence_flags``).
    cadence_flags_where: str
    # The cadence and flag group of a lead (3 to 6) and the order within the cadence group.
    group: str
    within: str

    @property
    def cadence_flags(self) -> str:
        return f"FROM lead WHERE {self.cadence_flags_where}"

    @property
    def tail(self) -> str:
        """The cadence and flag leads that are in no first group (whose keys all rank first)."""
        return (
            f"{self.cadence_flags} AND lead.id NOT IN (SELECT lead.id {self.first_contact}) "
            f"AND lead.id NOT IN (SELECT followup.lead_id {self.followups})"
        )


def groups(rules: r.Rules, now: datetime) -> Groups:
    bound = params(rules, now)
    bound.update({f"cadence_{g if g != r.UNGRADED else ''}": to_db(now - rules.cadence(g)) for g in rules.cadence_days})
    first_contact = f"FROM lead WHERE {WORKED} AND lead.first_attempt_at IS NULL"
    sources = rules.first_contact_source_filter
    if sources is not None:
        first_contact += f" AND lead.source IN ({', '.join(f':source{i}' for i in range(len(sources)))})"
        bound.update({f"source{i}": source for i, source in enumerate(sources)})
    followups = (
        "FROM followup JOIN lead ON lead.id = followup.lead_id "
        f"WHERE {LIVE_FOLLOWUP} AND followup.due_at <= :now AND {WORKED} "
        f"AND (followup.channel != 'call' OR NOT {MEETING_AHEAD})"
    )
    cadence = f"(coalesce(lead.last_touch_at, lead.created_at) <= {_cadence_cutoff(rules)})"
    focus = f"(lead.status != 'deal' AND lead.reach_count >= {int(rules.focus_after_reached)})"
    review = f"(lead.reach_count >= {int(rules.review_after_reached)} AND NOT {PROGRESSED_SINCE})"
    hard = f"(lead.reach_count = 0 AND lead.call_count >= {int(rules.hard_to_reach_after_calls)})"
    due_day = f"(julianday(coalesce(lead.last_touch_at, lead.created_at)) + {_cadence_days(rules)})"
    return Groups(
        bound=bound,
        first_contact=first_contact,
        followups=followups,
        cadence_flags_where=f"{WORKED} AND NOT {MEETING_AHEAD} AND ({cadence} OR {focus} OR {review} OR {hard})",
        group=f"(CASE WHEN {cadence} THEN 3 WHEN {focus} THEN 4 WHEN {review} THEN 5 ELSE 6 END)",
        within=f"(CASE WHEN {cadence} THEN {due_day} ELSE 0.0 END)",
    )


def _head(
    conn: sqlite3.Connection, rules: r.Rules, now: datetime, g: Groups, *, first_contact_only: bool
) -> dict[int, Key]:
    """The ranks of the first groups (first contact, scheduled, fallbacks): a few thousand leads
    at most, ranked in Python (a first-contact deadline counts working hours only). Every one
    of these keys sorts before every cadence or flag key."""
    keys: dict[int, Key] = {}

    def offer(lead_id: int, key: Key) -> None:
        if lead_id not in keys or key < keys[lead_id]:
            keys[lead_id] = key

    for lead_id, created_at, grade, is_coach in conn.execute(
        f"SELECT lead.id, lead.created_at, lead.grade, lead.is_coach {g.first_contact}", g.bound
    ):
        deadline = r.add_working_time(from_db(created_at), rules.first_contact_window, rules.business_hours)
        # Nearest deadline to now first: the freshest breach, the most urgent at-risk lead.
        if now > deadline:
            offer(lead_id, (0, 0, -deadline.timestamp(), *tiebreak(grade, bool(is_coach))))
        else:
            offer(lead_id, (0, 1, deadline.timestamp(), *tiebreak(grade, bool(is_coach))))
    if first_contact_only:
        return keys

    for lead_id, rule, due_at, grade, is_coach in conn.execute(
        f"SELECT followup.lead_id, followup.rule, followup.due_at, lead.grade, lead.is_coach {g.followups}", g.bound
    ):
        group = 1 if rule != "fallback" else 2
        offer(lead_id, (group, 0, from_db(due_at).timestamp(), *tiebreak(grade, bool(is_coach))))
    return keys


# The cadence and flag groups' rank, as SQL over ``lead`` (see ``Groups.group``/``within``).
def _tail_key(g: Groups) -> str:
    return f"{g.group}, {g.within}, {GRADE_RANK}, {COACH_RANK}"


def ranked(
    conn: sqlite3.Connection, rules: r.Rules, now: datetime, limit: int | None, *, first_contact_only: bool = False
) -> dict[int, Key]:
    """Every due lead's rank, as light tuples (no row objects: at 50,000 leads most are due).

    With ``limit``, the cadence and flag groups, by far the largest, are ordered and cut in SQL,
    or not read at all when the first groups already fill the limit.
    ``first_contact_only`` stops after the first group, which always ranks first.
    """
    g = groups(rules, now)
    keys = _head(conn, rules, now, g, first_contact_only=first_contact_only)
    if first_contact_only or (limit is not None and len(keys) >= limit):
        # Groups 0-2 rank before every cadence or flag key: the head is among those already.
        return keys
    query = f"SELECT lead.id, {_tail_key(g)} {g.cadence_flags} ORDER BY 2, 3, 4, 5, lead.id"
    if limit is not None:
        query += f" LIMIT {int(limit) + len(keys)}"
    for lead_id, grp, within, grade_rank, coach in conn.execute(query, g.bound):
        if lead_id not in keys:  # a lead in the first groups ranks by its key there
            keys[lead_id] = (grp, 0, within, grade_rank, coach)
    return keys


@dataclass(frozen=True)
class Counts:
    """The queue counted in SQL, with no rank computed: ``salesdesk status`` and the TUI's total."""

    due: int  # leads in the queue
    breaches: int  # of them, first-contact deadlines already missed
    oldest_deadline: datetime | None  # the deadline missed longest ago, if any


def counts(conn: sqlite3.Connection, rules: r.Rules, now: datetime) -> Counts:
    """How many leads ``ranked`` would rank, and how many of them are first-contact breaches."""
    g = groups(rules, now)
    # One scan of the book for the largest group; the two small ones are sets built once.
    (due,) = conn.execute(
        f"SELECT count(*) FROM lead WHERE ({g.cadence_flags_where}) OR lead.id IN (SELECT lead.id {g.first_contact}) "
        f"OR lead.id IN (SELECT followup.lead_id {g.followups})",
        g.bound,
    ).fetchone()
    window, hours = rules.first_contact_window, rules.business_hours
    (earliest,) = conn.execute(f"SELECT min(lead.created_at) {g.first_contact}", g.bound).fetchone()
    cutoff = None if earliest is None else r.latest_breached_arrival(from_db(earliest), now, window, hours)
    if cutoff is None:
        return Counts(due, 0, None)
    (breaches,) = conn.execute(
        f"SELECT count(*) {g.first_contact} AND lead.created_at <= :breach_cutoff",
        {**g.bound, "breach_cutoff": to_db(cutoff)},
    ).fetchone()
    return Counts(due, breaches, r.add_working_time(from_db(earliest), window, hours))


@dataclass(frozen=True)
class Place:
    """A lead's place in the queue: its rank (None when it is not due), and the queue's length."""

    key: Key | None
    position: int | None
    of: int


def place(conn: sqlite3.Connection, rules: r.Rules, now: datetime, lead_id: int) -> Place:
    """Where ``lead_id`` stands in the queue ``ranked`` ranks (ties by lead id), without ranking
    the whole book: the first groups are ranked, and the cadence and flag leads ahead of this
    one are counted in SQL, in the scan that counts the queue."""
    g = groups(rules, now)
    head = _head(conn, rules, now, g, first_contact_only=False)
    key: Key | None = head.get(lead_id)
    if key is None:
        found = conn.execute(f"SELECT {_tail_key(g)} {g.tail} AND lead.id = :me", {**g.bound, "me": lead_id}).fetchone()
        if found is not None:
            key = (found[0], 0, found[1], found[2], found[3])
    # The tail's leads ahead of this one (meaningful when it is in the tail), and the tail's size,
    # in one scan; row values compare left to right, as tuples do.
    mine = (key[0], key[2], key[3], key[4]) if key is not None else (0, 0.0, 0, 0)
    (tail_count, tail_ahead) = conn.execute(
        f"SELECT count(*), coalesce(sum(({_tail_key(g)}, lead.id) < (:grp, :within, :grade, :coach, :me)), 0) {g.tail}",
        {**g.bound, "grp": mine[0], "within": mine[1], "grade": mine[2], "coach": mine[3], "me": lead_id},
    ).fetchone()
    if key is None:
        return Place(None, None, len(head) + tail_count)
    if key[0] < 3:  # in the first groups: only they can be ahead of it
        ahead = sum(1 for other, other_key in head.items() if (other_key, other) < (key, lead_id))
    else:
        ahead = len(head) + tail_ahead
    return Place(key, 1 + ahead, len(head) + tail_count)
