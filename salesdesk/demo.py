"""A realistic, deterministic book of business for trying salesdesk (and for benchmarks).

The same seed, size and ``now`` always give the same database. Data is laid out backwards
from ``now``: leads arrive over the period, are called in working hours, some get through,
some book meetings, some are won or closed out, and a few inbound leads have just arrived
so the first-contact clock is visibly running. Rows go in with bulk inserts so the same
generator can build a year of data for the benchmarks. Every touch, close, deal and meeting
goes through the services the CLI and the TUI use (one decision step for touches), so the
demo obeys the same lifecycle as real use and shows every state.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, insert, select, update
from sqlmodel import Session, col

from salesdesk import lifecycle, store
from salesdesk.config import DEFAULT_OUTCOMES, Config
from salesdesk.dates import local_tz, to_local
from salesdesk.lead_rules import close_guard
from salesdesk.models import (
    Account,
    CallBlock,
    DayPlan,
    Goal,
    GradeChange,
    Lead,
    Meeting,
    Meta,
    ObjectionReply,
    PlanItem,
    Problem,
    Review,
    ReviewEntry,
    Touch,
    TouchReflection,
)
from salesdesk.rules import Rules
from salesdesk.services import closing, deals, meetings, touches
from salesdesk.validate import name_key

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = [
    "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "杰", "婷", "涛", "明", "超",
    "秀英", "建华", "晓东", "丽娟", "志强", "海燕",
]  # fmt: skip
_FIRST = [
    "James", "Emma", "Oliver", "Sophia", "Liam", "Mia", "Noah", "Ava", "Lucas", "Chloe",
    "Ethan", "Grace", "Daniel", "Ella", "Henry", "Zoe", "Jack", "Lily", "Leo", "Ruby",
]  # fmt: skip
_LAST = [
    "Smith", "Chen", "Brown", "Wong", "Taylor", "Lee", "Martin", "Ng",
    "Walker", "Tan", "Hall", "Young", "King", "Lim", "Wright", "Scott",
]  # fmt: skip
_PINYIN_COMPANIES = [
    "华为", "腾讯", "美的集团", "海尔智家", "中兴通讯", "比亚迪",
    "顺丰速运", "格力电器", "万科", "京东物流", "上海汽车", "招商银行",
]  # fmt: skip
_EN_COMPANIES = [
    "Acme Corp", "Northwind Traders", "Globex", "Initech", "Umbrella Logistics", "Stark Industries",
    "Wayne Enterprises", "Hooli", "Vandelay Imports", "Soylent", "Contoso", "Fabrikam",
]  # fmt: skip
_TITLES = [
    "采购经理", "IT总监", "总经理", "Head of Operations", "Procurement Lead",
    "CTO", "Office Manager", "财务总监", "VP Sales", "Facilities Manager",
]  # fmt: skip
_ROLES = ["decision maker", "user", "influencer", "gatekeeper", "economic buyer"]
_BENEFITS = [
    "shared a case study from a similar company",
    "sent the 2026 industry price benchmark",
    "offered a free site assessment",
    "sent an article on cutting procurement time",
    "invited to our customer workshop",
    "shared a cost comparison sheet",
]
# A lead's own notes (the call notes are by outcome, below).
_LEAD_NOTES = ["Using a competitor, contract ends in spring", "Prefers WeChat", "Met at the trade fair", "", ""]
_OBJECTIONS = [
    "no_time", "busy_now", "send_materials", "not_interested", "no_money", "think_it_over",
    "no_need_yet", "consult_others", "will_call_you", "gatekeeper", "brush_off",
]  # fmt: skip
# Rough shares of call outcomes for a cold-calling rep: most calls don't get through.
_OUTCOME_WEIGHTS = {
    "no_answer": 34, "busy": 8, "voicemail": 12, "gatekeeper": 7, "bad_number": 2, "connected": 13,
    "meeting_booked": 7, "callback": 6, "not_interested": 6, "not_qualified": 2, "referred": 2, "do_not_call": 1,
}  # fmt: skip
_CONNECTED = {o.name for o in DEFAULT_OUTCOMES if o.connected}
_MEETING = {o.name for o in DEFAULT_OUTCOMES if o.meeting}
_SOURCES = ["inbound"] * 30 + ["outbound"] * 45 + ["referral"] * 10 + ["event"] * 10 + ["other"] * 5
_GRADES = ["A"] * 10 + ["B"] * 25 + ["C"] * 35 + ["D"] * 15 + [None] * 15


def _work_time(rng: random.Random, day: date) -> datetime:
    """A moment in working hours on ``day`` (local time), avoiding lunch as the method says."""
    hour = rng.choice([9, 10, 10, 11, 11, 14, 14, 15, 15, 16, 16, 17])
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=local_tz())
    return local.astimezone(UTC)


def _in_working_hours(rng: random.Random, at: datetime) -> datetime:
    """``at`` if it falls in working hours (Mon-Fri 9-12, 13-18 local), else a working moment
    on the next working day."""
    local = to_local(at)
    if local.weekday() < 5 and (9 <= local.hour < 12 or 13 <= local.hour < 18):
        return at
    day = local.date() if local.hour < 9 else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return _work_time(rng, day)


def _working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _person(rng: random.Random) -> tuple[str, bool]:
    if rng.random() < 0.55:
        return rng.choice(_SURNAMES) + rng.choice(_GIVEN), True
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", False


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


# What the rep writes after each kind of call: a do-not-call answer never says "call back".
_NOTES_BY_OUTCOME = {
    "connected": ("Asked about pricing", "Using a competitor, contract ends in spring", "Prefers WeChat", ""),
    "meeting_booked": ("Wants to see a demo", "The boss joins the meeting", ""),
    "callback": ("Call back after the holiday", "In a meeting, call back", "Asked to call back next week"),
    "not_interested": ("Happy with the current vendor", "No budget this year", ""),
    "not_qualified": ("Too small for us", "Private buyer, not a company"),
    "referred": ("Referred to the purchasing manager", ""),
    "do_not_call": ("Asked to be taken off the list",),
}
_PLACES = ("their office", "our office", "video call", "their Shanghai site", "客户公司会议室")
# The demo rep forgets the benefit now and then; warn (not refuse) so the data shows it.
_CONFIG = Config(rules=Rules(benefit="warn"))


class _Book:
    """The demo rep working the book: the rep's choices are random, and every touch, close,
    deal and meeting goes through the same services the CLI and the TUI use."""

    def __init__(self, session: Session, rng: random.Random, replies: dict[str, list[int]], now: datetime) -> None:
        self.session, self.rng, self.replies, self.now = session, rng, replies, now
        self.conn = store.dbapi(session)
        self.reply_rng = random.Random(rng.random())

    def lead(self, lead_id: int) -> Lead:
        lead = self.session.get_one(Lead, lead_id)
        self.session.refresh(lead)  # written behind the ORM's back by the store
        return lead

    def call(self, lead_id: int, at: datetime, outcome: str, **extra: Any) -> tuple[lifecycle.Decision, store.Written]:
        rng = self.rng
        connected = outcome in _CONNECTED
        objection = rng.choice(_OBJECTIONS) if connected and rng.random() < 0.5 else None
        reply_id = None
        options = self.replies.get(objection or "", [])
        if options and self.reply_rng.random() < 0.85:  # now and then the rep doesn't mark the reply used
            # The variant wins more meetings in the demo, so the stats have a winner to show.
            weights = [1, 3] if outcome in _MEETING else [3, 2]
            reply_id = self.reply_rng.choices(options, weights=weights[: len(options)])[0]
        facts = touches.call_facts(
            _CONFIG, outcome, at, rng.choice(_NOTES_BY_OUTCOME.get(outcome, ("",))) or None,
            rng.choice(_BENEFITS) if connected and rng.random() < 0.9 else None,
            rng.randrange(60, 900) if connected else rng.randrange(5, 40),
            extra.get("next_at"), extra.get("meeting_at"), extra.get("place"),
        )  # fmt: skip
        _, decision, written = touches.record(
            self.conn, _CONFIG, lead_id, facts, at, objection=objection, reply_id=reply_id
        )
        return decision, written

    def message(self, lead_id: int, at: datetime, channel: str) -> None:
        facts = lifecycle.TouchFacts(channel=channel, at=at, benefit=self.rng.choice(_BENEFITS))
        touches.record(self.conn, _CONFIG, lead_id, facts, at)

    def work(self, lead_id: int, created: datetime, source: str, fresh: bool) -> None:
        """One lead's history: calls in working hours, fallbacks sent, meetings held or missed,
        deals walked, closes and parking as a rep would do them."""
        rng, now = self.rng, self.now
        attempts = 0 if fresh else rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 8])
        if source == "inbound" and not fresh and attempts == 0 and rng.random() < 0.8:
            attempts = 1  # inbound leads get called: only a few are left waiting (breaches)
        at, planned = created, None
        for attempt in range(attempts):
            if planned is not None:
                at, planned = planned, None  # the rep calls back when they said they would
            else:
                # Inbound leads are called within hours of arriving (speed to lead), others later.
                gaps = [1, 2, 3] if attempt == 0 and source == "inbound" else [3, 20, 26, 48, 72]
                at = _in_working_hours(rng, at + timedelta(hours=rng.choice(gaps), minutes=rng.randrange(60)))
            if at >= now:
                return
            outcome = rng.choices(list(_OUTCOME_WEIGHTS), weights=list(_OUTCOME_WEIGHTS.values()))[0]
            extra: dict[str, Any] = {}
            if outcome == "callback":
                extra["next_at"] = _in_working_hours(rng, at + timedelta(days=rng.choice([1, 2, 3, 5])))
            if outcome == "meeting_booked":
                day = to_local(at).date() + timedelta(days=rng.choice([1, 2, 3, 4]))
                extra["meeting_at"] = _in_working_hours(rng, _work_time(rng, day))
                extra["place"] = rng.choice(_PLACES)
            decision, written = self.call(lead_id, at, outcome, **extra)
            if decision.state == "do_not_contact":
                return
            for followup in decision.open:
                if followup.rule == "scheduled":
                    planned = followup.due_at
                elif rng.random() < 0.95:  # the fallback rule: the rep mostly sends them at once
                    sent_at = at + timedelta(minutes=rng.randrange(5, 40))
                    if sent_at < now:
                        self.message(lead_id, sent_at, followup.channel)
            at = max(at, self._last_touch(lead_id))
            if written.meeting_id is not None:
                if not self._meeting(lead_id, written.meeting_id, extra["meeting_at"]):
                    return  # a deal took over, or the meeting is still ahead
                at = extra["meeting_at"] + timedelta(hours=2)
                planned = at if self._open_no_show(lead_id) else None
            elif self._close_or_park(lead_id, at, outcome):
                return

    def _last_touch(self, lead_id: int) -> datetime:
        row = self.conn.execute("SELECT last_touch_at FROM lead WHERE id = ?", (lead_id,)).fetchone()
        return store.from_db(row[0])

    def _open_no_show(self, lead_id: int) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM followup WHERE lead_id = ? AND rule = 'no_show' AND done_at IS NULL", (lead_id,)
            ).fetchone()
            is not None
        )

    def _meeting(self, lead_id: int, meeting_id: int, at: datetime) -> bool:
        """The meeting, once its time has come: held (most) or a no-show. A held meeting often
        opens a deal, walked through the stages. False when calling this lead stops here."""
        rng, now = self.rng, self.now
        after = at + timedelta(hours=1)
        if after >= now:
            return False  # still ahead: the lead waits in the meeting state
        meeting = self.session.get_one(Meeting, meeting_id)
        if rng.random() < 0.2:
            meetings.mark_no_show(self.session, meeting, after)
            return True
        meetings.mark_held(
            self.session, meeting, after, rng.choice(("wants a proposal", "good fit, slow buyer", "")) or None
        )
        if rng.random() < 0.6:
            self._walk_deal(lead_id, after + timedelta(minutes=15))
            return False
        return True

    def _walk_deal(self, lead_id: int, at: datetime) -> None:
        """A deal opened after a held meeting, moved on a working day or two apart until it
        closes or ``now`` comes; winning it makes the lead a customer."""
        rng, now, session = self.rng, self.now, self.session
        stages = _CONFIG.stages
        deal = deals.add_deal(
            session, _CONFIG, at, lead=self.lead(lead_id), title=rng.choice(_DEAL_TITLES),
            value=rng.choice(_DEAL_VALUES), expected_close=now + timedelta(days=rng.randrange(14, 60)),
        )  # fmt: skip
        will_win = rng.random() < 0.45
        while deal.closed_at is None:
            step = _in_working_hours(rng, at + timedelta(days=rng.choice([1, 1, 2, 3]), hours=rng.randrange(1, 4)))
            roll = rng.random()
            if step >= now or (not will_win and roll >= 0.75):
                return  # it stays where it is
            at = step
            index = stages.index(deal.stage)
            if will_win or roll < 0.6:
                if index + 1 < len(stages):
                    deals.move_deal(session, _CONFIG, deal, at, stages[index + 1])
                else:
                    deals.close_deal(session, _CONFIG, deal, at, won=True, reason="signed after the proposal")
            else:
                deals.close_deal(session, _CONFIG, deal, at, won=False, reason="budget moved to next year")

    def _close_or_park(self, lead_id: int, at: datetime, outcome: str) -> bool:
        """After a call: close out, park or keep going, as the rep (and the guard) would. True
        when calling this lead stops here. The lead is loaded only when something happens."""
        rng, session = self.rng, self.session
        later = at + timedelta(minutes=10)
        if later >= self.now:
            return False
        if outcome == "bad_number":  # a terminal outcome lifts the minimum-touches guard
            closing.close_lead(session, _CONFIG, self.lead(lead_id), later, won=False, reason="wrong number")
        elif outcome == "not_qualified":  # the guard doesn't fit a lead that can't buy: an override, on the record
            closing.close_lead(
                session, _CONFIG, self.lead(lead_id), later, won=False, reason="not qualified", force=True
            )
        elif outcome == "not_interested" and rng.random() < 0.3:
            until = later + timedelta(days=rng.choice([30, 60, 90]))
            closing.nurture_lead(session, self.lead(lead_id), later, until, "no budget until next quarter")
        elif outcome == "not_interested" and rng.random() < 0.5:
            lead = self.lead(lead_id)
            if not close_guard(store.dbapi(session), _CONFIG, lead_id).may_close:
                return False
            closing.close_lead(session, _CONFIG, lead, later, won=False, reason="no budget this year")
        elif rng.random() < 0.02 and self._touches(lead_id) >= 3:
            reason = "company acquired, project cancelled"  # a forced close, on purpose
            closing.close_lead(session, _CONFIG, self.lead(lead_id), later, won=False, reason=reason, force=True)
        else:
            return False
        return True

    def _touches(self, lead_id: int) -> int:
        return self.conn.execute("SELECT touch_count FROM lead WHERE id = ?", (lead_id,)).fetchone()[0]


def generate(engine: Engine, now: datetime, *, leads: int = 200, days: int = 14, seed: int = 7) -> None:
    """Fill an empty, migrated database with ``leads`` leads and ``days`` days of activity."""
    from salesdesk.db import write_session

    rng = random.Random(seed)
    now = now.astimezone(UTC)
    today = to_local(now).date()
    first_day = today - timedelta(days=days)
    work_days = _working_days(first_day, today)
    companies = _PINYIN_COMPANIES + _EN_COMPANIES
    accounts = [
        {"id": i + 1, "name": n, "name_key": name_key(n), "created_at": now - timedelta(days=days + 30)}
        for i, n in enumerate(companies)
    ]
    lead_rows, grade_rows = _leads(rng, leads, now, work_days, len(companies))

    with write_session(engine) as session:
        conn = session.connection()
        replies = _blocks_and_replies(conn, first_day)
        conn.execute(insert(Account), accounts)
        for table, rows in ((Lead, lead_rows), (GradeChange, grade_rows)):
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)
        book = _Book(session, rng, replies, now)
        for lead in lead_rows:
            book.work(lead["id"], lead["created_at"], lead["source"], lead["id"] > leads - 3)
            if lead["grade"] and rng.random() < 0.1:
                _regrade(session, lead["id"], rng)
        store.lapse_fallbacks(store.dbapi(session), now, _CONFIG.rules.fallback_expiry_days)
        conn.execute(insert(Meta), [
            {"key": "demo_day", "value": today.isoformat()},
            {"key": "demo_seed", "value": str(seed)},
        ])  # fmt: skip
        _pdca_history(conn, now, seed)


def _leads(
    rng: random.Random, count: int, now: datetime, work_days: list[date], accounts: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The leads as they arrived (all ``new``), with their first grade."""
    lead_rows: list[dict[str, Any]] = []
    grade_rows: list[dict[str, Any]] = []
    seen_phones: set[str | None] = set()
    seen_emails: set[str | None] = set()
    for lead_id in range(1, count + 1):
        name, chinese = _person(rng)
        # The last few leads are fresh inbound arrivals: one breached, two inside the 5h window.
        fresh = lead_id > count - 3
        if fresh:
            created = now - timedelta(hours=[7, 3, 1][lead_id - count + 2])
        else:
            created = _work_time(rng, rng.choice(work_days[:-1] or work_days))
        created = min(created, now)
        # Chinese mobiles are 1 followed by ten digits; UK numbers ten digits after +44.
        phone: str | None = (
            f"+861{rng.choice('35789')}{rng.randrange(10**9):09d}" if chinese else f"+44{rng.randrange(10**9, 10**10)}"
        )
        if phone in seen_phones:
            phone = None
        else:
            seen_phones.add(phone)
        ascii_name = name.lower().replace(" ", ".") if not chinese else f"user{lead_id}"
        email: str | None = f"{ascii_name}@example.com" if rng.random() < 0.8 else None
        if email in seen_emails:
            email = f"{ascii_name}.{lead_id}@example.com"
        seen_emails.add(email)
        grade = None if fresh else rng.choice(_GRADES)
        source = "inbound" if fresh else rng.choice(_SOURCES)
        lead_rows.append({
            "id": lead_id, "name": name, "name_key": name_key(name), "account_id": rng.randrange(accounts) + 1,
            "title": rng.choice(_TITLES), "phone": phone, "email": email,
            "wechat": f"wx_{lead_id:05d}" if chinese and rng.random() < 0.7 else None,
            "source": source, "grade": grade, "status": "new",
            "is_coach": rng.random() < 0.08, "role": rng.choice(_ROLES), "notes": rng.choice(_LEAD_NOTES) or None,
            "created_at": created, "updated_at": created, "closed_at": None, "close_reason": None,
            **_timing(lead_id, chinese),
        })  # fmt: skip
        if grade:
            grade_rows.append({"lead_id": lead_id, "at": created, "old_grade": None, "new_grade": grade})
    return lead_rows, grade_rows


def _timing(lead_id: int, chinese: bool) -> dict[str, Any]:
    """Some leads say when to call them (issue 14): their hours, a zone abroad, a private
    number. Picked by id, not by the generator's random stream, so the rest of the book is
    the same with or without them."""
    return {
        "best_time": "tue-thu 14:00-17:00"
        if lead_id % 11 == 0
        else "mon-fri 09:30-11:30"
        if lead_id % 13 == 0
        else None,
        "timezone": "Europe/London" if not chinese and lead_id % 4 == 0 else None,
        "private_phone": lead_id % 7 == 0,
    }


def _regrade(session: Session, lead_id: int, rng: random.Random) -> None:
    """A grade change after the lead was worked a while, kept with its time as edits keep it."""
    lead = session.get_one(Lead, lead_id)
    session.refresh(lead)
    if lead.last_touch_at is None:
        return
    new_grade = rng.choice([g for g in "ABCD" if g != lead.grade])
    session.add(GradeChange(lead_id=lead_id, at=lead.last_touch_at, old_grade=lead.grade, new_grade=new_grade))
    lead.grade = new_grade
    session.add(lead)
    session.flush()


def demo_day(engine: Engine) -> date | None:
    """The local day the demo data was laid out for, or None if this is not a demo database."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'demo_day'").first()
    return date.fromisoformat(row[0]) if row else None


def open_demo(path: Path, now: datetime) -> Engine:
    """The demo database at ``path``, laid out afresh when missing or from another day.

    Re-laying it each day keeps "today" meaningful: fresh inbound leads, calls this week.
    """
    from salesdesk.db import open_store

    if path.exists():
        engine = open_store(path, now)
        if demo_day(engine) == to_local(now).date():
            return engine
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    engine = open_store(path, now)
    generate(engine, now)
    return engine


# --- call blocks and objection replies (issue 4) ---

# Protected prospecting time on weekday mornings (METHOD.md §1): title, local start, minutes,
# weekdays (0 = Monday), goal dials, goal meetings.
_DEMO_BLOCKS = (
    ("Morning prospecting", time(9, 30), 90, (0, 1, 2, 3, 4), 20, 2),
    ("Callbacks", time(11, 0), 45, (1, 3), 8, 1),
)
_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Second replies to compare with the seeded ones, so the stats have variants to rank.
_REPLY_VARIANTS = {
    "no_time": "Then I won't take your time now: ten minutes on Tuesday at 10:00, or Wednesday at 15:00?",
    "send_materials": "Gladly; it reads better with two minutes of explanation. Tuesday morning or Thursday afternoon?",
    "not_interested": "Fair enough: most clients said so before they saw the numbers. Monday or Tuesday?",
}


def _blocks_and_replies(conn: Connection, first_day: date) -> dict[str, list[int]]:
    """Recurring call blocks over the demo period, and a second reply to some objections (so
    the stats have variants to rank); returns each objection's reply ids, in order."""
    for title, clock, minutes, weekdays, dials, meetings_goal in _DEMO_BLOCKS:
        # DTSTART on the rule's first day, as RFC 5545 expects of a recurring event.
        day = first_day
        while day.weekday() not in weekdays:
            day += timedelta(days=1)
        conn.execute(insert(CallBlock), {
            "title": title, "start": datetime.combine(day, clock, tzinfo=local_tz()).astimezone(UTC),
            "minutes": minutes, "rrule": "FREQ=WEEKLY;BYDAY=" + ",".join(_RRULE_DAYS[d] for d in weekdays),
            "goal_dials": dials, "goal_meetings": meetings_goal, "protect": True,
            "created_at": datetime.combine(first_day, time(8), tzinfo=local_tz()).astimezone(UTC),
        })  # fmt: skip
    conn.execute(insert(ObjectionReply), [
        {"objection_key": key, "position": 2, "text": text} for key, text in _REPLY_VARIANTS.items()
    ])  # fmt: skip
    replies: dict[str, list[int]] = {}
    for key, reply_id in conn.execute(
        select(col(ObjectionReply.objection_key), col(ObjectionReply.id)).order_by(col(ObjectionReply.position))
    ):
        replies.setdefault(key, []).append(cast(int, reply_id))  # a stored row's id is never None
    return replies


# --- deals, goals, plans, reviews, problems (issue 5) ---

_DEAL_TITLES = ("年度服务合同", "50 seats, 1 year", "Pilot for the Shanghai office", "设备升级项目", "Renewal + upsell")
_DEAL_VALUES = (30_000, 45_000, 60_000, 80_000, 120_000, 200_000)
_PLAN_ITEMS = (
    ("key", "Send the proposal to the A-grade leads met this week"),
    ("key", "给王总发报价单"),
    ("key", "Book two demos for Thursday"),
    ("key", "Follow up the pilot decision | ask who signs"),
    ("routine", "Call block 9:30-11:00"),
    ("routine", "Clear overdue follow-ups"),
    ("routine", "Update deal stages"),
    ("adhoc", "Answer the tender questions"),
    ("adhoc", "整理客户反馈"),
)
_REFLECTIONS = {
    "finished": ("the call block, all of it", "proposals out before noon"),
    "unfinished": ("two callbacks slipped to tomorrow", "CRM notes for the afternoon calls"),
    "well": ("opened with the case study: people listened", "asked for the meeting in the first minute"),
    "not_well": ("talked too long before asking a question", "gave the price before the value"),
    "did": ("practised the no_time reply", "called the A leads first"),
    "didnt": ("no referral asked for", "no LinkedIn prospecting"),
}
_ACTS = (
    "Ask for the meeting in the first minute",
    "Open with the benefit, then one question",
    "Call A-grade leads before 10:00",
    "先问决策人是谁",
)
_PROBLEMS = (
    ("Gatekeepers stop me at reception", "ask for the person by name and role; call before 9:00"),
    ("Prospects say 'send materials' and go quiet", None),
    ("Proposals stall after the demo", None),
)
_CALL_NOTES = ("landed well; ask for the date sooner", "too much talking; ask before telling", "objection handled")


def _pdca_history(conn: Connection, now: datetime, seed: int) -> None:
    """This month's goal, and a plan and a review for each working day, so the summary and
    the weekly export look real. A random stream of its own (seed + 2)."""
    rng = random.Random(seed + 2)
    today = to_local(now).date()
    connected_on: dict[date, list[int]] = {}
    for touch_id, at in conn.execute(
        select(col(Touch.id), col(Touch.at)).where(col(Touch.channel) == "call", col(Touch.connected))
    ):
        connected_on.setdefault(to_local(at).date(), []).append(cast(int, touch_id))

    # This month's goal, about what the demo rep does on a calling day (some 40 dials, 12
    # connects, 3 meetings; a deal or two won a month): a target the demo's own numbers reach
    # most days, not one it beats sixfold (issue 12: "Deals won 6 of 1 (600%)").
    month = f"{today.year:04d}-{today.month:02d}"
    goals = (("dials", 840), ("meetings", 60), ("deals_won", 2), ("new_leads", 240))
    conn.execute(
        insert(Goal),
        [
            {"month": month, "metric": metric, "value": value, "set_at": now - timedelta(days=20)}
            for metric, value in goals
        ],
    )

    days = sorted(day for day in {*connected_on, today} if day.weekday() < 5)
    # The day (by index) each problem was named: the first is worked on four days and solved.
    problem_days = {0: 0, 1: 0, 2: 0, 3: 0, len(days) // 2: 1, len(days) // 2 + 2: 1, len(days) - 2: 2}
    unfinished: list[tuple[int, str, str]] = []  # (item id, kind, text) left over from the day before
    item_id = entry_id = 0
    for index, day in enumerate(days):
        key = day.isoformat()
        planned_at = datetime.combine(day, time(8, 45), tzinfo=local_tz()).astimezone(UTC)
        if index % 3 == 0:
            # A day's plan a little above the goal's share (40 dials), as a rep plans a push.
            targets = {"dials": 45, "connects": 12, "meetings": 3, "new_leads": None}
            conn.execute(insert(DayPlan), {"day": key, **targets, "updated_at": planned_at})
        carried = [(kind, text, source) for source, kind, text in unfinished]
        fresh = [
            (k, t, None) for k, t in rng.sample(_PLAN_ITEMS, rng.randrange(3, 6)) if t not in {c[1] for c in carried}
        ]
        unfinished = []
        for position, (kind, text, source) in enumerate((carried + fresh)[:7], 1):
            item_id += 1
            ticked = planned_at + timedelta(hours=rng.randrange(1, 9), minutes=rng.randrange(60))
            done_at = None if ticked >= now or rng.random() < 0.25 else ticked
            if done_at is None:
                unfinished.append((item_id, kind, text))
            conn.execute(
                insert(PlanItem),
                {"id": item_id, "day": key, "position": position, "text": text, "kind": kind,
                 "created_at": planned_at, "done_at": done_at, "carried_from": source, "act_entry_id": None},
            )  # fmt: skip
        if day == today:
            break  # today is reviewed in the evening, by the rep
        reviewed_at = datetime.combine(day, time(18, 10), tzinfo=local_tz()).astimezone(UTC)
        problem = problem_days.get(index)
        if problem is not None and min(d for d, p in problem_days.items() if p == problem) == index:
            text, _ = _PROBLEMS[problem]
            conn.execute(
                insert(Problem),
                {"id": problem + 1, "text": text, "opened_day": key, "opened_at": reviewed_at, "solved_at": None},
            )
        conn.execute(
            insert(Review),
            {"day": key, "problem_id": None if problem is None else problem + 1, "created_at": reviewed_at,
             "updated_at": reviewed_at},
        )  # fmt: skip
        solution = _PROBLEMS[problem][1] if problem is not None else None
        if problem is not None and solution and max(d for d, p in problem_days.items() if p == problem) == index:
            conn.execute(
                update(Problem).where(col(Problem.id) == problem + 1).values(solved_at=reviewed_at, solution=solution)
            )
        lines = [(kind, rng.choice(texts)) for kind, texts in _REFLECTIONS.items() if rng.random() < 0.8]
        lines.append(("act", rng.choice(_ACTS)))
        if rng.random() < 0.5:
            lines.append(("deviation", "two meetings ran long, the afternoon block was short"))
        for position, (kind, text) in enumerate(lines, 1):
            entry_id += 1
            conn.execute(
                insert(ReviewEntry),
                {"id": entry_id, "day": key, "kind": kind, "target": "dials" if kind == "deviation" else None,
                 "text": text, "position": position},
            )  # fmt: skip
        reflections = [
            {"touch_id": touch_id, "text": rng.choice(_CALL_NOTES), "recorded_at": reviewed_at}
            for touch_id in connected_on.get(day, [])
            if rng.random() < 0.6
        ]
        if reflections:
            conn.execute(insert(TouchReflection), reflections)
