"""A realistic, deterministic book of business for trying salesdesk (and for benchmarks).

The same seed, size and ``now`` always give the same database. Data is laid out backwards
from ``now``: leads arrive over the period, are called in working hours, some get through,
some book meetings, some are won or closed out, and a few inbound leads have just arrived
so the first-contact clock is visibly running. Rows go in with bulk inserts so the same
generator can build a year of data for the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from salesdesk.config import DEFAULT_OUTCOMES
from salesdesk.dates import local_tz, to_local
from salesdesk.models import (
    Account,
    CallBlock,
    DayPlan,
    Deal,
    DealStageChange,
    FollowUp,
    Goal,
    GradeChange,
    Lead,
    LeadClose,
    Meta,
    ObjectionReply,
    PlanItem,
    Problem,
    Review,
    ReviewEntry,
    Touch,
    TouchReflection,
)
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
_NOTES = [
    "Asked about pricing", "Wants to see a demo", "Using a competitor, contract ends in spring",
    "Call back after the holiday", "Prefers WeChat", "",
]  # fmt: skip
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
_TERMINAL = {o.name for o in DEFAULT_OUTCOMES if o.terminal}
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


def generate(engine: Engine, now: datetime, *, leads: int = 200, days: int = 14, seed: int = 7) -> None:
    """Fill an empty, migrated database with ``leads`` leads and ``days`` days of activity."""
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

    lead_rows: list[dict[str, Any]] = []
    touch_rows: list[dict[str, Any]] = []
    grade_rows: list[dict[str, Any]] = []
    followup_rows: list[dict[str, Any]] = []
    close_rows: list[dict[str, Any]] = []
    seen_phones: set[str] = set()
    seen_emails: set[str] = set()

    def add_touch(row: dict[str, Any]) -> int:
        row["id"] = len(touch_rows) + 1
        touch_rows.append(row)
        return row["id"]

    for lead_id in range(1, leads + 1):
        name, chinese = _person(rng)
        # The last few leads are fresh inbound arrivals: one breached, two inside the 5h window.
        fresh = lead_id > leads - 3
        if fresh:
            created = now - timedelta(hours=[7, 3, 1][lead_id - leads + 2])
        else:
            created = _work_time(rng, rng.choice(work_days[:-1] or work_days))
        created = min(created, now)
        # Chinese mobiles are 1 followed by ten digits; UK numbers ten digits after +44.
        phone = (
            f"+861{rng.choice('35789')}{rng.randrange(10**9):09d}" if chinese else f"+44{rng.randrange(10**9, 10**10)}"
        )
        if phone in seen_phones:
            phone = None
        else:
            seen_phones.add(phone)
        ascii_name = name.lower().replace(" ", ".") if not chinese else f"user{lead_id}"
        email = f"{ascii_name}@example.com" if rng.random() < 0.8 else None
        if email in seen_emails:
            email = f"{ascii_name}.{lead_id}@example.com"
        seen_emails.add(email)
        grade = None if fresh else rng.choice(_GRADES)
        source = "inbound" if fresh else rng.choice(_SOURCES)
        lead = {
            "id": lead_id, "name": name, "name_key": name_key(name), "account_id": rng.randrange(len(companies)) + 1,
            "title": rng.choice(_TITLES), "phone": phone, "email": email,
            "wechat": f"wx_{lead_id:05d}" if chinese and rng.random() < 0.7 else None,
            "source": source, "grade": grade, "status": "new",
            "is_coach": rng.random() < 0.08, "role": rng.choice(_ROLES), "notes": rng.choice(_NOTES) or None,
            "created_at": created, "updated_at": created, "closed_at": None, "close_reason": None,
        }  # fmt: skip
        if grade:
            grade_rows.append({"lead_id": lead_id, "at": created, "old_grade": None, "new_grade": grade})

        attempts = 0 if fresh else rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 8])
        if source == "inbound" and not fresh and attempts == 0 and rng.random() < 0.8:
            attempts = 1  # inbound leads get called: only a few are left waiting (breaches)
        at = created
        last_outcome = None
        had_meeting = False
        open_followups: dict[str, dict[str, Any]] = {}  # channel -> the open follow-up row
        lead_touches = 0
        for attempt in range(attempts):
            scheduled = open_followups.get("call")
            if scheduled is not None:
                at = scheduled["due_at"]  # the rep calls back when they said they would
            else:
                # Inbound leads are called within hours of arriving (speed to lead), others later.
                gaps = [1, 2, 3] if attempt == 0 and source == "inbound" else [3, 20, 26, 48, 72]
                at = _in_working_hours(rng, at + timedelta(hours=rng.choice(gaps), minutes=rng.randrange(60)))
            if at >= now:
                break
            outcome = rng.choices(list(_OUTCOME_WEIGHTS), weights=list(_OUTCOME_WEIGHTS.values()))[0]
            connected = outcome in _CONNECTED
            call_id = add_touch({
                "lead_id": lead_id, "at": at, "channel": "call", "outcome": outcome, "connected": connected,
                "meeting": outcome in _MEETING,
                "duration_s": rng.randrange(60, 900) if connected else rng.randrange(5, 40),
                "note": rng.choice(_NOTES) or None if connected else None,
                "benefit": rng.choice(_BENEFITS) if connected and rng.random() < 0.9 else None,
                "objection": rng.choice(_OBJECTIONS) if connected and rng.random() < 0.5 else None,
                "recorded_at": at,
            })  # fmt: skip
            lead_touches += 1
            if scheduled is not None:
                scheduled["done_at"], scheduled["done_touch_id"] = at, call_id
                del open_followups["call"]
            last_outcome = outcome
            had_meeting = had_meeting or outcome == "meeting_booked"
            if not connected:
                # The fallback rule: WeChat and email follow-ups, due at once; the rep mostly sends them.
                for channel in ("wechat", "email"):
                    # An open one on this channel is not duplicated; a message now meets it.
                    followup = open_followups.pop(channel, None)
                    if followup is None:
                        followup = {
                            "lead_id": lead_id, "channel": channel, "due_at": at, "rule": "fallback", "note": None,
                            "created_at": at, "source_touch_id": call_id, "done_at": None, "done_touch_id": None,
                        }  # fmt: skip
                        followup_rows.append(followup)
                    sent_at = at + timedelta(minutes=rng.randrange(5, 40))
                    if rng.random() < 0.95 and sent_at < now:
                        followup["done_at"] = sent_at
                        followup["done_touch_id"] = add_touch({
                            "lead_id": lead_id, "at": sent_at, "channel": channel, "outcome": None,
                            "connected": True, "meeting": False, "duration_s": None, "note": None,
                            "benefit": rng.choice(_BENEFITS), "objection": None, "recorded_at": sent_at,
                        })  # fmt: skip
                        lead_touches += 1
                    else:
                        open_followups[channel] = followup
            if outcome == "callback":
                due = _in_working_hours(rng, at + timedelta(days=rng.choice([1, 2, 3, 5])))
                open_followups["call"] = {
                    "lead_id": lead_id, "channel": "call", "due_at": due, "rule": "scheduled", "note": "call back",
                    "created_at": at, "source_touch_id": call_id, "done_at": None, "done_touch_id": None,
                }  # fmt: skip
                followup_rows.append(open_followups["call"])
            if outcome in _TERMINAL:
                break

        if lead_touches:
            lead["status"] = "working"
            lead["updated_at"] = max(row["at"] for row in touch_rows[-lead_touches:])
            closed_as = None
            if had_meeting and rng.random() < 0.35:
                closed_as, reason = "won", "signed after the demo"
            elif last_outcome in _TERMINAL:
                closed_as, reason = "lost", "wrong number" if last_outcome == "bad_number" else "asked not to be called"
            elif lead_touches >= 6 and rng.random() < 0.2:
                closed_as, reason = "lost", "no budget this year"
            elif lead_touches >= 3 and rng.random() < 0.03:
                closed_as, reason = "lost", "company acquired, project cancelled"  # a forced close, on purpose
            if closed_as:
                lead["status"], lead["closed_at"], lead["close_reason"] = closed_as, lead["updated_at"], reason
                close_rows.append({
                    "lead_id": lead_id, "at": lead["updated_at"], "result": closed_as, "reason": reason,
                    "touch_count": lead_touches, "min_touches": 6,
                    "forced": closed_as == "lost" and lead_touches < 6 and last_outcome not in _TERMINAL,
                    "reopened_at": None,
                })  # fmt: skip
                for followup in open_followups.values():
                    followup["done_at"] = lead["closed_at"]  # closing a lead closes what it still asked for
            elif grade and rng.random() < 0.15:
                new_grade = rng.choice([g for g in "ABCD" if g != grade])
                grade_rows.append(
                    {"lead_id": lead_id, "at": lead["updated_at"], "old_grade": grade, "new_grade": new_grade}
                )
                lead["grade"] = new_grade
        lead_rows.append(lead)

    with engine.begin() as conn:
        _blocks_and_replies(conn, touch_rows, first_day, seed)
        conn.execute(insert(Account), accounts)
        tables = (
            (Lead, lead_rows), (Touch, touch_rows), (GradeChange, grade_rows), (FollowUp, followup_rows),
            (LeadClose, close_rows),
        )  # fmt: skip
        for table, rows in tables:
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)
        conn.execute(insert(Meta), [
            {"key": "demo_day", "value": today.isoformat()},
            {"key": "demo_seed", "value": str(seed)},
        ])  # fmt: skip
        _pdca_history(conn, lead_rows, touch_rows, now, seed)


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


def _blocks_and_replies(conn: Connection, touch_rows: list[dict[str, Any]], first_day: date, seed: int) -> None:
    """Recurring call blocks over the demo period, and the objection reply used on most calls
    that met one. A random stream of its own (seed + 1) leaves every other demo row as it was."""
    rng = random.Random(seed + 1)
    for title, clock, minutes, weekdays, dials, meetings in _DEMO_BLOCKS:
        # DTSTART on the rule's first day, as RFC 5545 expects of a recurring event.
        day = first_day
        while day.weekday() not in weekdays:
            day += timedelta(days=1)
        conn.execute(insert(CallBlock), {
            "title": title, "start": datetime.combine(day, clock, tzinfo=local_tz()).astimezone(UTC),
            "minutes": minutes, "rrule": "FREQ=WEEKLY;BYDAY=" + ",".join(_RRULE_DAYS[d] for d in weekdays),
            "goal_dials": dials, "goal_meetings": meetings, "protect": True,
            "created_at": datetime.combine(first_day, time(8), tzinfo=local_tz()).astimezone(UTC),
        })  # fmt: skip
    conn.execute(insert(ObjectionReply), [
        {"objection_key": key, "position": 2, "text": text} for key, text in _REPLY_VARIANTS.items()
    ])  # fmt: skip
    replies: dict[str, list[int]] = {}
    for key, reply_id in conn.execute(
        select(ObjectionReply.objection_key, ObjectionReply.id).order_by(ObjectionReply.position)
    ):
        replies.setdefault(key, []).append(reply_id)
    for row in touch_rows:
        options = replies.get(row["objection"] or "", [])
        row["reply_id"] = None
        if options and rng.random() < 0.85:  # now and then the rep doesn't mark which reply was used
            # The variant wins more meetings in the demo, so the stats have a winner to show.
            weights = [1, 3] if row["meeting"] else [3, 2]
            row["reply_id"] = rng.choices(options, weights=weights[: len(options)])[0]


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


def _walk_deal(
    rng: random.Random, deal_id: int, lead_id: int, at: datetime, won: bool, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A deal opened when a meeting was booked, moved on a working day or two apart until it
    closes or ``now`` comes; a lead that was won has its deal won."""
    stages = ("interested", "inquiry", "proposal")
    deal = {
        "id": deal_id, "lead_id": lead_id, "title": rng.choice(_DEAL_TITLES), "value": rng.choice(_DEAL_VALUES),
        "stage": stages[0], "expected_close": now + timedelta(days=rng.randrange(14, 60)),
        "created_at": at, "updated_at": at, "closed_at": None, "reason": None,
    }  # fmt: skip
    changes = [{"deal_id": deal_id, "at": at, "from_stage": None, "to_stage": stages[0]}]
    while deal["closed_at"] is None:
        step = _in_working_hours(rng, at + timedelta(days=rng.choice([1, 1, 2, 3]), hours=rng.randrange(1, 4)))
        roll = rng.random()
        if step >= now or (not won and roll >= 0.75):
            break  # it stays where it is
        at = step
        index = stages.index(deal["stage"])
        forward = stages[index + 1] if index + 1 < len(stages) else "won"
        to_stage = forward if won or roll < 0.6 else "lost"
        changes.append({"deal_id": deal_id, "at": at, "from_stage": deal["stage"], "to_stage": to_stage})
        deal["stage"], deal["updated_at"] = to_stage, at
        if to_stage in ("won", "lost"):
            deal["closed_at"] = at
            deal["reason"] = "signed after the proposal" if to_stage == "won" else "budget moved to next year"
    return deal, changes


def _pdca_history(
    conn: Connection, lead_rows: list[dict[str, Any]], touch_rows: list[dict[str, Any]], now: datetime, seed: int
) -> None:
    """Deals walked through the stages from the meetings booked, this month's goal, and a plan
    and a review for each working day, so the summary and the weekly export look real. A
    random stream of its own (seed + 2) leaves every other demo row as it was."""
    rng = random.Random(seed + 2)
    today = to_local(now).date()
    won_leads = {lead["id"] for lead in lead_rows if lead["status"] == "won"}
    first_meeting: dict[int, datetime] = {}
    connected_on: dict[date, list[int]] = {}
    for touch in touch_rows:
        if touch["meeting"]:
            first_meeting.setdefault(touch["lead_id"], touch["at"])
        if touch["channel"] == "call" and touch["connected"]:
            connected_on.setdefault(to_local(touch["at"]).date(), []).append(touch["id"])
    deal_rows, change_rows = [], []
    for deal_id, (lead_id, met_at) in enumerate(sorted(first_meeting.items(), key=lambda item: item[1]), 1):
        deal, changes = _walk_deal(rng, deal_id, lead_id, met_at + timedelta(minutes=15), lead_id in won_leads, now)
        deal_rows.append(deal)
        change_rows += changes
    for table, rows in ((Deal, deal_rows), (DealStageChange, change_rows)):
        for chunk in _chunks(rows):
            conn.execute(insert(table), chunk)

    # This month's goal, about what the demo rep does: 45 dials and 3-4 meetings a working day.
    month = f"{today.year:04d}-{today.month:02d}"
    goals = (("dials", 945), ("meetings", 70), ("deals_won", 8), ("new_leads", 400))
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
            targets = {"dials": 50, "connects": 15, "meetings": 4, "new_leads": None}
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
        if solution and max(d for d, p in problem_days.items() if p == problem) == index:
            conn.execute(
                update(Problem).where(Problem.id == problem + 1).values(solved_at=reviewed_at, solution=solution)
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
