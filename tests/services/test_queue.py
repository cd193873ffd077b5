"""services.queue: who to contact next and why, over small hand-made datasets with a fixed now.

The suite's now is Monday 23 Nov 2026, 15:00 in Shanghai; the 20th is a Friday.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from salesdesk.config import Config
from salesdesk.db import read_session, write_session
from salesdesk.models import Lead
from salesdesk.rules import BusinessHours, Rules
from salesdesk.services.leads import add_lead
from salesdesk.services.queue import GROUPS, DueItem, due, explain
from salesdesk.services.touches import log_call, log_touch

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=SH)
RULES = Rules()
OFFICE = BusinessHours(time(9), time(18), frozenset(range(5)))
# Logs failed calls without opening fallbacks, for datasets that are about something else.
QUIET = Config(rules=Rules(fallback_channels=()))
DEFAULT = Config()
H = timedelta(hours=1)
D = timedelta(days=1)


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


def lead(
    s: Session, name: str, arrived: datetime, *, source: str = "outbound", grade: str | None = None, coach: bool = False
) -> Lead:
    return add_lead(s, NOW, name=name, source=source, grade=grade, is_coach=coach, created_at=arrived)


def calls(s: Session, who: Lead, outcome: str, *times: datetime, config: Config = QUIET) -> None:
    for at in times:
        log_call(s, config, who, NOW, outcome=outcome, at=at, benefit="deck")


def emails(s: Session, who: Lead, *times: datetime) -> None:
    for at in times:
        log_touch(s, QUIET, who, NOW, channel="email", at=at, benefit="case study")


def visits(s: Session, who: Lead, *times: datetime) -> None:
    for at in times:
        log_touch(s, QUIET, who, NOW, channel="visit", at=at, benefit="site survey")


def names(items: list[DueItem]) -> list[str]:
    return [item.name for item in items]


def rules_of(item: DueItem) -> list[str]:
    return [reason.rule for reason in item.reasons]


def by_name(items: list[DueItem]) -> dict[str, DueItem]:
    return {item.name: item for item in items}


# --- first contact -------------------------------------------------------------------------------------


def test_breaches_before_at_risk_and_the_deadline_nearest_now_first(session: Session) -> None:
    # Added in scrambled order, so neither insertion order nor id can explain the result.
    lead(session, "Risk later", NOW - 1 * H, source="inbound")
    lead(session, "Breach old", NOW - 9 * H, source="inbound")
    lead(session, "Risk soon", NOW - 4 * H, source="inbound")
    lead(session, "Breach new", NOW - 6 * H, source="inbound")
    items = due(session, RULES, NOW)
    assert names(items) == ["Breach new", "Breach old", "Risk soon", "Risk later"]
    assert [item.due_at for item in items] == [NOW - 1 * H, NOW - 4 * H, NOW + 1 * H, NOW + 4 * H]
    assert all(item.action == "call" and rules_of(item) == ["first_contact"] for item in items)
    assert "was due within 5h, 1h over" in items[0].reasons[0].text
    assert "due within 5h, 1h left" in items[2].reasons[0].text


def test_the_at_risk_reason_in_words(session: Session) -> None:
    lead(session, "Li Na", NOW - timedelta(hours=4, minutes=12), source="inbound")
    (item,) = due(session, RULES, NOW)
    assert item.reasons[0].text == "inbound 4h12m ago — first contact due within 5h, 48m left"
    assert item.due_at == NOW + timedelta(minutes=48)


def test_exactly_five_hours_is_at_risk_and_a_minute_later_a_breach(session: Session) -> None:
    lead(session, "Li Na", NOW - 5 * H, source="inbound")
    (at_deadline,) = due(session, RULES, NOW)
    assert at_deadline.reasons[0].text == "inbound 5h ago — first contact due within 5h, 0m left"
    assert at_deadline.key[:2] == (0, 1)  # at risk
    (late,) = due(session, RULES, NOW + timedelta(minutes=1))
    assert late.reasons[0].text == "inbound 5h01m ago — first contact was due within 5h, 1m over"
    assert late.key[:2] == (0, 0)  # breach
    assert late.due_at == at_deadline.due_at == NOW


def test_outbound_leads_have_no_first_contact_clock_unless_every_source_counts(session: Session) -> None:
    lead(session, "Cold", NOW - 6 * H, source="outbound")
    lead(session, "Friend", NOW - 2 * H, source="referral")
    assert due(session, RULES, NOW) == []
    items = due(session, Rules(first_contact_sources=("all",)), NOW)
    assert names(items) == ["Cold", "Friend"]
    assert [rules_of(item) for item in items] == [["first_contact"], ["first_contact"]]
    assert items[0].reasons[0].text.startswith("outbound 6h ago — first contact was due")


def test_the_clock_stops_at_the_first_attempt_on_any_channel(session: Session) -> None:
    reached_by_mail = lead(session, "Mailed", NOW - 6 * H, source="inbound")
    tried = lead(session, "Tried", NOW - 6 * H, source="inbound")
    emails(session, reached_by_mail, NOW - 5 * H)
    calls(session, tried, "no_answer", NOW - 30 * timedelta(minutes=1))
    assert due(session, RULES, NOW) == []


def test_business_hours_move_a_friday_evening_deadline_to_monday(session: Session) -> None:
    lead(session, "Friday", sh(20, 17), source="inbound")
    office = Rules(business_hours=OFFICE)
    (item,) = due(session, office, sh(23, 12))
    assert item.due_at == sh(23, 13)
    assert item.reasons[0].text == "inbound 2d19h ago — first contact due within 5h, 1h left"
    # On the wall clock it was due on Friday at 22:00, and is long breached.
    (wall,) = due(session, RULES, sh(23, 12))
    assert (wall.due_at, wall.key[1]) == (sh(20, 22), 0)
    (later,) = due(session, office, NOW)
    assert "was due within 5h, 2h over" in later.reasons[0].text


# --- follow-ups: scheduled and fallback ------------------------------------------------------------------


def test_a_scheduled_call_appears_only_once_due(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 2 * D)
    log_call(session, QUIET, who, NOW, outcome="callback", at=NOW - 2 * H, next_at=NOW + H, note="after lunch",
             benefit="deck")  # fmt: skip
    assert due(session, RULES, NOW) == []
    assert due(session, RULES, NOW + H - timedelta(minutes=1)) == []
    (item,) = due(session, RULES, NOW + H)
    assert (item.action, item.due_at, rules_of(item)) == ("call", NOW + H, ["scheduled"])
    assert item.reasons[0].text == "call scheduled for Mon 23 Nov 16:00: after lunch"
    (late,) = due(session, RULES, NOW + 3 * H)
    assert late.reasons[0].text == "call scheduled for Mon 23 Nov 16:00 (2h overdue): after lunch"


def test_fallbacks_appear_with_their_channel_as_the_action(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 2 * D)
    calls(session, who, "no_answer", NOW - 30 * timedelta(minutes=1), config=DEFAULT)
    (item,) = due(session, RULES, NOW)
    assert (item.action, item.due_at, rules_of(item)) == ("wechat", NOW - timedelta(minutes=30), ["fallback"] * 2)
    assert [r.text for r in item.reasons] == [
        "call Mon 23 Nov 14:30 didn't get through (no answer) — follow up by wechat (30m overdue)",
        "call Mon 23 Nov 14:30 didn't get through (no answer) — follow up by email (30m overdue)",
    ]
    log_touch(session, DEFAULT, who, NOW, channel="wechat", benefit="deck")
    (item,) = due(session, RULES, NOW)
    assert (item.action, rules_of(item)) == ("email", ["fallback"])
    log_touch(session, DEFAULT, who, NOW, channel="email", benefit="deck")
    assert due(session, RULES, NOW) == []


def test_scheduled_before_fallback_regardless_of_due_time(session: Session) -> None:
    fallback = lead(session, "Fallback", NOW - 2 * D)
    scheduled = lead(session, "Scheduled", NOW - 2 * D)
    calls(session, fallback, "no_answer", NOW - 5 * H, config=DEFAULT)
    log_call(session, QUIET, scheduled, NOW, outcome="callback", at=NOW - 2 * H, next_at=NOW - H, benefit="deck")
    assert names(due(session, RULES, NOW)) == ["Scheduled", "Fallback"]


# --- cadence, focus, review ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "days", "is_due"),
    [("A", 7, True), ("A", 6, False), ("B", 14, True), ("B", 13, False), ("C", 30, True), ("C", 29, False),
     ("D", 90, True), ("D", 89, False), (None, 14, True), (None, 13, False)],
)  # fmt: skip
def test_cadence_by_grade(session: Session, grade: str | None, days: int, is_due: bool) -> None:
    who = lead(session, "Li Na", NOW - 120 * D, grade=grade)
    calls(session, who, "connected", NOW - days * D)
    items = due(session, RULES, NOW)
    assert len(items) == int(is_due)
    if is_due:
        (item,) = items
        assert (item.action, item.due_at, rules_of(item)) == ("call", NOW, ["cadence"])
        label = f"grade {grade}" if grade else "ungraded"
        every = {"A": 7, "B": 14, "C": 30, "D": 90, None: 14}[grade]
        assert item.reasons[0].text == f"{label}: last touch {days}d ago (every {every}d)"


def test_cadence_counts_from_arrival_for_a_lead_never_touched(session: Session) -> None:
    lead(session, "Never", NOW - 8 * D, grade="A")
    lead(session, "Recent", NOW - 6 * D, grade="A")
    (item,) = due(session, RULES, NOW)
    assert (item.name, item.due_at) == ("Never", NOW - D)
    assert item.reasons[0].text == "grade A: never touched, arrived 8d ago (every 7d)"


def test_cadence_a_minute_early_is_not_due(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 30 * D, grade="A")
    calls(session, who, "connected", NOW - 7 * D + timedelta(minutes=1))
    assert due(session, RULES, NOW) == []
    assert names(due(session, RULES, NOW + timedelta(minutes=1))) == ["Li Na"]


def test_configured_cadence(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 30 * D, grade="A")
    calls(session, who, "connected", NOW - 3 * D)
    assert due(session, RULES, NOW) == []
    assert names(due(session, Rules(cadence_days={**RULES.cadence_days, "A": 3}), NOW)) == ["Li Na"]


def test_hard_to_reach_after_three_calls_that_reached_nobody(session: Session) -> None:
    three = lead(session, "Three", NOW - 3 * D)
    two = lead(session, "Two", NOW - 3 * D)
    reached = lead(session, "Reached", NOW - 3 * D)
    calls(session, three, "no_answer", NOW - 3 * H, NOW - 2 * H, NOW - H)
    calls(session, two, "no_answer", NOW - 3 * H, NOW - 2 * H)
    calls(session, reached, "no_answer", NOW - 4 * H, NOW - 3 * H, NOW - 2 * H)
    calls(session, reached, "connected", NOW - H)
    (item,) = due(session, RULES, NOW)
    assert (item.name, item.action, rules_of(item)) == ("Three", "call", ["hard_to_reach"])
    assert item.reasons[0].text == "3 calls, nobody reached — hard to reach: try another channel or time"
    assert names(due(session, Rules(hard_to_reach_after_calls=2), NOW)) == ["Three", "Two"]


def _deal(s: Session, who: Lead, opened: datetime) -> None:
    from salesdesk.services.deals import add_deal

    add_deal(s, DEFAULT, opened, lead=who, title=f"{who.name} deal")


def test_focus_and_review_count_the_times_the_customer_was_reached(session: Session) -> None:
    # METHOD.md §4: reached about three times -> concentrate; five times, nothing won and no
    # stage move lately -> keep or drop? Failed dials are not visits, nor are messages sent.
    five = lead(session, "Five", NOW - 30 * D)
    calls(session, five, "connected", NOW - 5 * H, NOW - 4 * H)
    visits(session, five, NOW - 3 * H, NOW - 2 * H, NOW - H)
    four = lead(session, "Four", NOW - 30 * D)
    calls(session, four, "connected", NOW - 4 * H)
    visits(session, four, NOW - 3 * H, NOW - 2 * H, NOW - H)
    two = lead(session, "Two", NOW - 30 * D)
    calls(session, two, "connected", NOW - 2 * H, NOW - H)
    emails(session, two, *(NOW - n * H for n in range(3, 9)))  # six emails sent: still reached twice
    moving = lead(session, "Moving deal", NOW - 30 * D)
    visits(session, moving, *(NOW - n * H for n in range(1, 6)))
    _deal(session, moving, NOW - 3 * D)
    quiet = lead(session, "Quiet deal", NOW - 30 * D)
    visits(session, quiet, *(NOW - n * H for n in range(1, 6)))
    _deal(session, quiet, NOW - 22 * D)
    items = by_name(due(session, RULES, NOW))
    assert sorted(items) == ["Five", "Four", "Quiet deal"]
    assert rules_of(items["Five"]) == ["focus", "review"]
    assert items["Five"].reasons[0].text == "reached 5 times, no deal yet — engaged: concentrate here"
    assert rules_of(items["Four"]) == ["focus"]
    assert rules_of(items["Quiet deal"]) == ["review"]  # a deal: not "focus", but quiet for 22 days
    assert items["Quiet deal"].reasons[0].text == "reached 5 times, nothing won, no stage move in 21d — keep or drop?"


def test_focus_ranks_before_review_before_hard_to_reach(session: Session) -> None:
    engaged = lead(session, "Engaged", NOW - 30 * D, grade="D")
    visits(session, engaged, NOW - 3 * H, NOW - 2 * H, NOW - H)
    quiet = lead(session, "Quiet deal", NOW - 30 * D, grade="A")
    visits(session, quiet, *(NOW - n * H for n in range(1, 6)))
    _deal(session, quiet, NOW - 22 * D)
    unreached = lead(session, "Unreached", NOW - 30 * D, grade="A")
    calls(session, unreached, "no_answer", *(NOW - n * H for n in range(1, 6)))
    assert names(due(session, RULES, NOW)) == ["Engaged", "Quiet deal", "Unreached"]


# --- ties, closed leads, several reasons, limit ------------------------------------------------------------


def test_ties_go_to_grade_a_first_then_coaches(session: Session) -> None:
    for name, grade, coach in [
        ("B", "B", False), ("none coach", None, True), ("A", "A", False), ("B coach", "B", True),
        ("A coach", "A", True), ("none", None, False), ("D", "D", False),
    ]:  # fmt: skip
        who = lead(session, name, NOW - 3 * D, grade=grade, coach=coach)
        calls(session, who, "no_answer", NOW - 3 * H, NOW - 2 * H, NOW - H)
    assert names(due(session, RULES, NOW)) == ["A coach", "A", "B coach", "B", "D", "none coach", "none"]


def test_grade_breaks_a_tie_in_due_time(session: Session) -> None:
    for name, grade in [("D", "D"), ("A", "A")]:
        who = lead(session, name, NOW - 200 * D, grade=grade)
        calls(session, who, "connected", NOW - {"A": 7, "D": 90}[grade] * D)  # both due exactly now
    assert names(due(session, RULES, NOW)) == ["A", "D"]


def test_closed_leads_never_appear(session: Session) -> None:
    breach = lead(session, "Breach", NOW - 9 * H, source="inbound")
    fallback = lead(session, "Fallback", NOW - 2 * D)
    calls(session, fallback, "no_answer", NOW - H, config=DEFAULT)
    stale = lead(session, "Stale", NOW - 60 * D, grade="A")
    flagged = lead(session, "Flagged", NOW - 3 * D)
    calls(session, flagged, "no_answer", NOW - 3 * H, NOW - 2 * H, NOW - H)
    assert names(due(session, RULES, NOW)) == ["Breach", "Fallback", "Stale", "Flagged"]
    # Set directly, so the fallback follow-ups stay open: the queue itself must skip closed leads.
    for who, status in [(breach, "won"), (fallback, "lost"), (stale, "won"), (flagged, "lost")]:
        who.status = status
        session.add(who)
    session.flush()
    assert due(session, RULES, NOW) == []


def test_a_lead_with_several_reasons_appears_once_ranked_by_the_most_urgent(session: Session) -> None:
    cadence_only = lead(session, "Cadence only", NOW - 60 * D, grade="A")
    calls(session, cadence_only, "connected", NOW - 20 * D)
    everything = lead(session, "Everything", NOW - 60 * D, grade="A")
    calls(session, everything, "no_answer", NOW - 10 * D, NOW - 9 * D, NOW - 8 * D, config=DEFAULT)
    patient = Rules(fallback_expiry_days=30)  # fallbacks ten days old still count
    items = due(session, patient, NOW)
    assert names(items) == ["Everything", "Cadence only"]  # by its fallback, ahead of a plain cadence
    top = items[0]
    assert rules_of(top) == ["fallback", "fallback", "cadence", "hard_to_reach"]
    # Logged today, the calls 10 and 9 days ago had their fallbacks lapse as the next call came in.
    assert (top.action, top.due_at) == ("wechat", NOW - 8 * D)


def test_the_first_reason_is_the_one_that_ranks_the_lead(session: Session) -> None:
    # A fallback due since yesterday evening and a scheduled call due an hour ago:
    # the scheduled call ranks the lead, so it is the reason shown first (and the one `why` calls next).
    who = lead(session, "Li Na", NOW - 3 * D)
    log_call(session, QUIET, who, NOW, outcome="callback", at=NOW - 2 * D, next_at=NOW - H, benefit="deck")
    calls(session, who, "busy", NOW - 20 * H, config=DEFAULT)  # Sunday: it can't keep Monday's call
    (item,) = due(session, RULES, NOW)
    assert (item.action, item.due_at) == ("call", NOW - H)
    assert rules_of(item) == ["scheduled", "fallback", "fallback"]
    next_step = explain(session, DEFAULT, who, NOW).next_step(NOW)
    assert next_step.startswith("call now — call scheduled for Mon 23 Nov 14:00")


def test_a_call_that_reaches_the_customer_ends_the_fallbacks_of_the_failed_one(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 3 * D)
    calls(session, who, "no_answer", NOW - 5 * H, config=DEFAULT)
    assert rules_of(due(session, RULES, NOW)[0]) == ["fallback", "fallback"]
    calls(session, who, "connected", NOW - H, config=DEFAULT)
    assert due(session, RULES, NOW) == []


def test_fallbacks_lapse_after_the_expiry_instead_of_staying_overdue(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 10 * D, grade="D")
    calls(session, who, "no_answer", NOW - 3 * D + H, config=DEFAULT)
    assert rules_of(due(session, RULES, NOW)[0]) == ["fallback", "fallback"]
    assert due(session, RULES, NOW + H) == []  # three days after the failed call: lapsed
    assert names(due(session, Rules(fallback_expiry_days=4), NOW + H)) == ["Li Na"]


def test_a_booked_meeting_holds_back_calls_until_its_time(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 60 * D, grade="A")
    log_call(session, QUIET, who, NOW, outcome="meeting_booked", at=NOW - 8 * D, meeting_at=NOW + D, benefit="x")
    assert due(session, RULES, NOW) == []  # cadence (8 days) waits for the meeting
    assert names(due(session, RULES, NOW + D + H)) == ["Li Na"]


@pytest.mark.parametrize("state", ["won", "lost", "do_not_contact"])
def test_closed_and_do_not_contact_leads_leave_the_queue_for_good(session: Session, state: str) -> None:
    who = lead(session, "Li Na", NOW - 60 * D, grade="A", source="inbound")
    calls(session, who, "no_answer", NOW - H, config=DEFAULT)
    session.execute(select(Lead).where(Lead.id == who.id)).scalar_one().status = state
    session.flush()
    assert due(session, RULES, NOW) == []


def test_a_parked_lead_comes_back_on_its_revisit_date(session: Session) -> None:
    from salesdesk.services.closing import nurture_lead

    who = lead(session, "Li Na", NOW - 60 * D, grade="A")
    nurture_lead(session, who, NOW, NOW + 10 * D, "after the budget round")
    assert due(session, RULES, NOW + 9 * D) == []
    assert names(due(session, RULES, NOW + 10 * D)) == ["Li Na"]


def test_first_contact_and_cadence_together(session: Session) -> None:
    lead(session, "Forgotten", NOW - 15 * D, source="inbound")
    (item,) = due(session, RULES, NOW)
    assert rules_of(item) == ["first_contact", "cadence"]
    assert item.due_at == NOW - 15 * D + 5 * H


def test_limit_cuts_the_ordered_queue(session: Session) -> None:
    for hours in (1, 2, 3, 4):
        lead(session, f"{hours}h", NOW - hours * H, source="inbound")
    everyone = due(session, RULES, NOW)
    assert names(everyone) == ["4h", "3h", "2h", "1h"]
    assert names(due(session, RULES, NOW, limit=2)) == ["4h", "3h"]
    assert due(session, RULES, NOW, limit=0) == []
    assert names(due(session, RULES, NOW, limit=10)) == names(everyone)


def test_as_dict_is_the_json_contract(session: Session) -> None:
    lead(session, "Li Na", NOW - timedelta(hours=4, minutes=12), source="inbound", grade="B")
    stale = lead(session, "Wang Wei", NOW - 20 * D, grade="A")
    calls(session, stale, "no_answer", NOW - 8 * D, config=DEFAULT)
    rows = json.loads(json.dumps([item.as_dict() for item in due(session, RULES, NOW)]))
    assert [row["name"] for row in rows] == ["Li Na", "Wang Wei"]
    first, second = rows
    assert {"lead_id", "name", "action", "due_at", "reasons"} <= set(first)
    assert (first["action"], first["due_at"], first["grade"]) == ("call", "2026-11-23T15:48:00+08:00", "B")
    assert first["reasons"] == [
        {"rule": "first_contact", "text": "inbound 4h12m ago — first contact due within 5h, 48m left"}
    ]
    # Its fallbacks (8 days old) have lapsed: it is due by its grade's cadence alone.
    assert (second["lead_id"], second["action"], second["due_at"]) == (stale.id, "call", "2026-11-22T15:00:00+08:00")
    assert [r["rule"] for r in second["reasons"]] == ["cadence"]
    for row in rows:
        assert all(set(r) == {"rule", "text"} and r["rule"] in GROUPS for r in row["reasons"])
    assert set(GROUPS) == {"first_contact", "scheduled", "fallback", "cadence", "focus", "review", "hard_to_reach"}


# --- explain -----------------------------------------------------------------------------------------


@pytest.fixture
def book(engine: Engine) -> dict[str, int]:
    with write_session(engine) as s:
        met = lead(s, "Met", NOW - 10 * H, source="inbound")
        calls(s, met, "no_answer", NOW - 9 * H, config=DEFAULT)  # in time; opens wechat and email
        late = lead(s, "Late", NOW - 10 * H, source="inbound")
        emails(s, late, NOW - 4 * H)  # an hour past the deadline
        waiting = lead(s, "Waiting", NOW - H, source="inbound")
        planned = lead(s, "Planned", NOW - 3 * D)
        log_call(s, QUIET, planned, NOW, outcome="callback", at=NOW - 2 * H, next_at=sh(24, 10), benefit="deck")
        dead = lead(s, "Dead", NOW - 3 * D)
        calls(s, dead, "bad_number", NOW - 2 * H)
        focus = lead(s, "Focus", NOW - 3 * D, grade="A")
        calls(s, focus, "no_answer", NOW - 3 * H, NOW - 2 * H, NOW - H)
        return {w.name: w.id for w in (met, late, waiting, planned, dead, focus)}  # type: ignore[misc]


def _explain(engine: Engine, book: dict[str, int], name: str) -> tuple[dict, str]:
    with read_session(engine) as s:
        who = s.get(Lead, book[name])
        assert who is not None
        state = explain(s, DEFAULT, who, NOW)
        return state.as_dict(NOW), state.next_step(NOW)


def test_explain_a_lead_with_open_fallbacks(engine: Engine, book: dict[str, int]) -> None:
    report, next_step = _explain(engine, book, "Met")
    assert report["touches"] == {
        "count": 1, "minimum_before_lost": 6, "days": 1, "minimum_days_before_lost": 3, "short": 5, "days_short": 2,
        "terminal_outcome": False,
    }  # fmt: skip
    assert report["first_contact"] == {
        "state": "met", "deadline": "2026-11-23T10:00:00+08:00",
        "first_attempt_at": "2026-11-23T06:00:00+08:00", "minutes_left": None,
    }  # fmt: skip
    followups = [(f["channel"], f["rule"]) for f in report["open_followups"]]
    assert followups == [("wechat", "fallback"), ("email", "fallback")]
    assert report["flags"] == []
    assert (report["queue"]["position"], report["queue"]["of"]) == (2, 3)  # after Waiting's clock
    reason = "call Mon 23 Nov 06:00 didn't get through (no answer) — follow up by wechat (9h overdue)"
    assert next_step == f"wechat now — {reason}"


def test_explain_a_late_first_contact_with_nothing_due(engine: Engine, book: dict[str, int]) -> None:
    report, next_step = _explain(engine, book, "Late")
    clock = report["first_contact"]
    assert (clock["state"], clock["deadline"]) == ("late", "2026-11-23T10:00:00+08:00")
    assert (report["open_followups"], report["flags"], report["queue"]) == ([], [], None)
    assert report["cadence"] == {"grade": None, "due_at": "2026-12-07T11:00:00+08:00"}
    assert next_step == "call by Mon 07 Dec 11:00 (cadence)"


def test_explain_a_running_first_contact_clock(engine: Engine, book: dict[str, int]) -> None:
    report, next_step = _explain(engine, book, "Waiting")
    assert report["first_contact"]["state"] == "at_risk"
    assert report["first_contact"]["minutes_left"] == 240
    assert report["touches"]["short"] == 6
    assert report["queue"]["position"] == 1
    assert next_step == "call now — inbound 1h ago — first contact due within 5h, 4h left"


def test_explain_a_planned_call_not_yet_due(engine: Engine, book: dict[str, int]) -> None:
    report, next_step = _explain(engine, book, "Planned")
    assert report["first_contact"] is None  # outbound: no clock
    assert [(f["channel"], f["rule"], f["due_at"]) for f in report["open_followups"]] == [
        ("call", "scheduled", "2026-11-24T10:00:00+08:00")
    ]
    assert report["queue"] is None
    assert next_step == "call Tue 24 Nov 10:00 (scheduled)"


def test_explain_a_terminal_outcome_lifts_the_minimum(engine: Engine, book: dict[str, int]) -> None:
    report, _ = _explain(engine, book, "Dead")
    assert (report["touches"]["short"], report["touches"]["days_short"], report["touches"]["terminal_outcome"]) == (
        0, 0, True,
    )  # fmt: skip


def test_explain_flags(engine: Engine, book: dict[str, int]) -> None:
    report, next_step = _explain(engine, book, "Focus")
    assert report["flags"] == ["hard_to_reach"]
    assert (report["queue"]["position"], report["queue"]["of"]) == (3, 3)
    assert next_step == "call now — 3 calls, nobody reached — hard to reach: try another channel or time"


def test_explain_keeps_a_callers_pending_edit(session: Session) -> None:
    who = lead(session, "Li Na", NOW - 3 * D)
    calls(session, who, "no_answer", NOW - 2 * H)
    who.notes = "typed but not saved yet"
    state = explain(session, DEFAULT, who, NOW)
    assert state.lead.touch_count == 1
    assert who.notes == "typed but not saved yet"


# --- over the demo data --------------------------------------------------------------------------------


def test_demo_queue_is_one_row_per_open_lead_in_group_order(demo_engine: Engine) -> None:
    with read_session(demo_engine) as s:
        items = due(s, RULES, NOW)
        status = dict(s.execute(select(Lead.id, Lead.status)).all())
    assert items, "the demo data should leave something to do"
    ids = [item.lead_id for item in items]
    assert len(ids) == len(set(ids))
    assert {status[i] for i in ids} <= {"new", "working", "meeting", "deal", "nurture"}
    groups = [item.key[0] for item in items]
    assert groups == sorted(groups)
    for item in items:
        assert item.reasons and all(r.rule in GROUPS for r in item.reasons)
        assert item.reasons[0].rule == GROUPS[item.key[0]], item.as_dict()


def test_count_due_is_the_length_of_the_whole_queue(demo_engine, config, now) -> None:  # type: ignore[no-untyped-def]
    from salesdesk.db import read_session
    from salesdesk.services import queue

    with read_session(demo_engine) as session:
        assert queue.count_due(session, config.rules, now) == len(queue.due(session, config.rules, now)) > 0


@pytest.mark.parametrize("rules", [RULES, Rules(business_hours=OFFICE), Rules(first_contact_sources=("all",))])
@pytest.mark.parametrize("hours_later", [0, 5, 70])
def test_the_counts_in_sql_are_the_ranked_queues(demo_engine, now, rules, hours_later) -> None:  # type: ignore[no-untyped-def]
    """``ranking.counts`` (status, the TUI's total) counts what ``ranking.ranked`` ranks: the
    queue's length, its breaches and the deadline missed longest ago."""
    from salesdesk import ranking, store
    from salesdesk.db import read_session

    when = now + timedelta(hours=hours_later)
    with read_session(demo_engine) as session:
        conn = store.dbapi(session)
        keys = ranking.ranked(conn, rules, when, None)
        counted = ranking.counts(conn, rules, when)
    breaches = [-key[2] for key in keys.values() if key[:2] == (0, 0)]
    assert counted.due == len(keys) > 0
    assert counted.breaches == len(breaches)
    oldest = counted.oldest_deadline.timestamp() if counted.oldest_deadline else None
    assert oldest == (min(breaches) if breaches else None)


@pytest.mark.parametrize("rules", [RULES, Rules(business_hours=OFFICE)])
@pytest.mark.parametrize("hours_later", [0, 70])
def test_a_leads_place_is_its_position_in_the_ranked_queue(demo_engine, now, rules, hours_later) -> None:  # type: ignore[no-untyped-def]
    """``ranking.place`` (``why``) counts the leads ahead of one without ranking the book: for
    every lead, due or not, it gives the position and length of the whole ranked queue."""
    from salesdesk import ranking, store
    from salesdesk.db import read_session

    when = now + timedelta(hours=hours_later)
    with read_session(demo_engine) as session:
        conn = store.dbapi(session)
        keys = ranking.ranked(conn, rules, when, None)
        order = [lead_id for lead_id, _ in sorted(keys.items(), key=lambda entry: (entry[1], entry[0]))]
        places = {
            lead_id: ranking.place(conn, rules, when, lead_id) for (lead_id,) in conn.execute("SELECT id FROM lead")
        }
    assert len(places) > len(keys) > 0  # some leads are not due
    groups = set()
    for lead_id, found in places.items():
        assert found.of == len(keys)
        if lead_id in keys:
            assert (found.key, found.position) == (keys[lead_id], order.index(lead_id) + 1), lead_id
            groups.add(found.key[0])
        else:
            assert (found.key, found.position) == (None, None), lead_id
    assert {0, 1, 2, 3} <= groups  # first contact, scheduled, fallbacks and cadence were all placed


def test_a_first_contact_row_is_due_at_its_deadline(demo_engine, config, now) -> None:  # type: ignore[no-untyped-def]
    """The Today screen's countdowns read a first-contact row's due_at as the deadline."""
    from salesdesk import rules as r
    from salesdesk.db import read_session
    from salesdesk.models import Lead
    from salesdesk.services import queue

    with read_session(demo_engine) as session:
        rows = [item for item in queue.due(session, config.rules, now) if item.reasons[0].rule == "first_contact"]
        assert rows
        for item in rows:
            lead = session.get(Lead, item.lead_id)
            deadline = r.add_working_time(lead.created_at, config.rules.first_contact_window, None)
            assert item.due_at == deadline


def test_first_contact_due_is_the_head_of_the_queue(demo_engine, config, now) -> None:  # type: ignore[no-untyped-def]
    from salesdesk.db import read_session
    from salesdesk.services import queue

    with read_session(demo_engine) as session:
        head = queue.first_contact_due(session, config.rules, now)
        full = queue.due(session, config.rules, now)
    assert head and [i.lead_id for i in head] == [i.lead_id for i in full[: len(head)]]
    assert full[len(head)].reasons[0].rule != "first_contact"
    assert [i.reasons for i in head] == [i.reasons for i in full[: len(head)]]


def test_a_limited_queue_is_the_head_of_the_whole_queue(demo_engine, config, now) -> None:  # type: ignore[no-untyped-def]
    """However the limit falls (inside the first groups, or past them into cadence), the rows
    are the whole queue's first rows."""
    from salesdesk.db import read_session
    from salesdesk.services import queue

    with read_session(demo_engine) as session:
        whole = [item.lead_id for item in queue.due(session, config.rules, now)]
        head = sum(1 for item in queue.due(session, config.rules, now) if item.key[0] < 3)
        for limit in sorted({1, 2, max(head - 1, 1), head, head + 1, head + 5, len(whole)}):
            assert [item.lead_id for item in queue.due(session, config.rules, now, limit)] == whole[:limit], limit
