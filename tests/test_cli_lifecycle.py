"""The lead lifecycle through the CLI, as a user runs it: states that guard themselves, follow-ups
that end, meetings as records, prospects on call lists, leads and deals in step."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar

from tests.cli_helpers import db_fingerprint, run

NOW = "2026-11-23T15:00:00+08:00"  # Monday afternoon in Shanghai (TZ set by conftest)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.code == 0, (args, result.err)
    return result.out


@pytest.fixture
def db(isolated_home: Path) -> Path:
    ok("lead", "add", "Li Na", "--email", "li.na@acme.com", "--at", "5 days ago", "--grade", "A")
    ok("lead", "add", "王芳", "--phone", "+86 138 0013 8000", "--at", "5 days ago", "--grade", "B")
    return isolated_home / "salesdesk.db"


def due_ids() -> list[int]:
    return [item["lead_id"] for item in run("due", "--json").json()]


def test_a_connected_call_ends_the_fallbacks_of_a_failed_one(db: Path) -> None:
    ok("log-call", "Li Na", "-o", "no_answer", "--at", "3h ago")
    reasons = [r["rule"] for item in run("due", "--json").json() for r in item["reasons"]]
    assert reasons.count("fallback") == 2
    ok("log-call", "Li Na", "-o", "connected", "--benefit", "case study", "--at", "1h ago")
    assert all(r["rule"] != "fallback" for item in run("due", "--json").json() for r in item["reasons"])
    shown = run("lead", "show", "Li Na", "--json").json()
    assert shown["followups"] == []


def test_do_not_call_shuts_the_lead_out_until_reopened(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok("log-call", "Li Na", "-o", "do_not_call", "--at", "1h ago")
    assert run("lead", "show", "Li Na", "--json").json()["status"] == "do_not_contact"
    monkeypatch.setenv("SALESDESK_NOW", "2026-12-10T15:00:00+08:00")  # its grade A cadence long run out
    assert 1 not in due_ids()
    monkeypatch.setenv("SALESDESK_NOW", NOW)
    assert 1 not in due_ids()
    before = db_fingerprint(db)
    refused = run("log-call", "Li Na", "-o", "no_answer")
    assert refused.code == 1 and "asked not to be contacted" in refused.err and "lead reopen 1" in refused.err
    assert "Traceback" not in refused.err and db_fingerprint(db) == before
    assert run("log-touch", "Li Na", "--channel", "email", "--benefit", "x").code == 1
    ok("lead", "reopen", "Li Na")
    assert run("lead", "show", "Li Na", "--json").json()["status"] == "working"
    ok("log-call", "Li Na", "-o", "no_answer")


def test_do_not_contact_can_be_set_by_hand_and_leaves_every_list(db: Path) -> None:
    ok("lead", "edit", "王芳", "--do-not-contact")
    assert run("lead", "show", "王芳", "--json").json()["status"] == "do_not_contact"
    assert 2 not in due_ids()
    plan = run("block", "plan", "--meetings", "1", "--json").json()
    assert 2 not in [item["lead_id"] for item in plan["leads"]]


@pytest.mark.parametrize("state", ["won", "lost"])
def test_closed_leads_log_with_a_notice_and_open_no_fallback(db: Path, state: str) -> None:
    flag = "--won" if state == "won" else "--lost"
    ok("lead", "close", "Li Na", flag, "--reason", "moved abroad", *(["--force"] if state == "lost" else []))
    result = run("log-call", "Li Na", "-o", "no_answer", "--json")
    assert result.code == 0 and f"#1 Li Na is {'won' if state == 'won' else 'closed as lost'}" in result.err
    assert result.json()["followups"] == [] and 1 not in due_ids()


def test_a_meeting_is_a_record_that_holds_calls_back_until_its_time(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logged = run("log-call", "Li Na", "-o", "meeting_booked", "--meeting", "fri 10:00", "--place", "Acme HQ",
                 "--benefit", "agenda", "--json")  # fmt: skip
    assert logged.code == 0, logged.err
    listed = run("meeting", "list", "--json").json()
    assert [{k: m[k] for k in ("id", "lead_id", "at", "place", "status")} for m in listed] == [
        {"id": 1, "lead_id": 1, "at": "2026-11-27T10:00:00+08:00", "place": "Acme HQ", "status": "booked"}
    ]
    assert logged.json()["meeting"]["id"] == 1
    text = run("meeting", "list").out
    assert "Fri 27 Nov 10:00" in text  # read back with the weekday
    assert 1 not in due_ids()
    shown = run("lead", "show", "Li Na", "--json").json()
    assert shown["status"] == "meeting" and shown["meetings"][0]["status"] == "booked"
    # After the meeting's time, the customer didn't come: a call to set a new time is due at once.
    monkeypatch.setenv("SALESDESK_NOW", "2026-11-27T11:00:00+08:00")
    assert run("meeting", "no-show", "1").code == 0
    item = next(i for i in run("due", "--json").json() if i["lead_id"] == 1)
    assert item["action"] == "call" and "missed the meeting" in item["reasons"][0]["text"]
    assert run("lead", "show", "Li Na", "--json").json()["status"] == "working"
    again = run("meeting", "no-show", "1")
    assert again.code == 1 and "already no-show" in again.err


def test_meeting_booked_by_wechat_held_moved_and_exported(db: Path, tmp_path: Path) -> None:
    ok("log-touch", "王芳", "--channel", "wechat", "--benefit", "行业报告", "--meeting", "tue 14:00", "--place", "华为")
    moved = run("meeting", "move", "1", "wed 16:00", "--json").json()
    assert (moved["id"], moved["moved_from"], moved["at"], moved["place"]) == (
        2,
        1,
        "2026-11-25T16:00:00+08:00",
        "华为",
    )
    statuses = {m["id"]: m["status"] for m in run("meeting", "list", "--json").json()}
    assert statuses == {1: "moved", 2: "booked"}
    early = run("meeting", "held", "2")
    assert early.code == 1 and "can't be held before it starts" in early.err
    ics = tmp_path / "meetings.ics"
    ok("meeting", "export", "--ics", str(ics))
    calendar = Calendar.from_ical(ics.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Meeting: 王芳"] and str(events[0]["location"]) == "华为"


def test_bad_meeting_input_is_refused_and_changes_nothing(db: Path) -> None:
    before = db_fingerprint(db)
    for args, code, message in [
        (("log-call", "Li Na", "-o", "meeting_booked", "--benefit", "x"), 2, "--meeting WHEN"),
        (("log-call", "Li Na", "-o", "busy", "--meeting", "fri 10:00"), 2, "goes with a booked meeting"),
        (("log-call", "Li Na", "-o", "meeting_booked", "--meeting", "yesterday 9:00", "--benefit", "x"), 2,
         "later than the touch"),
        (("meeting", "held", "99"), 2, "no meeting has id 99"),
        (("meeting", "move", "nope", "fri 10:00"), 2, "is not a meeting id"),
    ]:  # fmt: skip
        result = run(*args)
        assert (result.code, message in result.err, "Traceback" in result.err) == (code, True, False), result.err
    assert db_fingerprint(db) == before


def test_fresh_outbound_leads_are_prospects_for_a_call_block(isolated_home: Path) -> None:
    for n in range(8):
        ok("lead", "add", f"Prospect {n}", "--source", "outbound", "--at", "1 day ago")
    plan = run("block", "plan", "--meetings", "5", "--json").json()
    assert plan["list_size"] == 25 and (plan["due"], plan["prospects"]) == (0, 8)
    ok("block", "add", "tomorrow 9:30", "--for", "90m", "--goal-meetings", "5")
    filled = run("block", "fill", "1")
    assert filled.code == 0, filled.err
    assert "0 due for a call, then 8 prospects never called" in filled.out
    assert "add or import leads" in filled.err  # 17 short of the 25


def test_deal_won_makes_the_lead_won_and_closing_lost_closes_deals(db: Path) -> None:
    ok("deal", "add", "Li Na", "--title", "Pilot")
    assert run("lead", "show", "Li Na", "--json").json()["status"] == "deal"
    closed = run("deal", "close", "1", "--won")
    assert closed.code == 0 and "Lead #1 is now won." in closed.out
    assert run("lead", "show", "Li Na", "--json").json()["status"] == "won"
    ok("deal", "add", "王芳", "--title", "Upgrade")
    lost = run("lead", "close", "王芳", "--lost", "--reason", "budget cut", "--force")
    assert lost.code == 0 and "deal #2 Upgrade closed as lost too (budget cut)" in lost.err
    deal = run("lead", "show", "王芳", "--json").json()["deals"][0]
    assert (deal["stage"], deal["reason"]) == ("lost", "budget cut")


def test_nurture_parks_a_lead_until_its_revisit_date(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok("lead", "nurture", "Li Na", "--until", "2026-12-15", "--reason", "budget in January")
    shown = run("lead", "show", "Li Na", "--json").json()
    assert shown["status"] == "nurture" and 1 not in due_ids()
    assert "back in the queue Tue 15 Dec 00:00 (nurture)" in " ".join(run("why", "Li Na").out.split())
    monkeypatch.setenv("SALESDESK_NOW", "2026-12-15T09:00:00+08:00")
    assert 1 in due_ids()
    past = run("lead", "nurture", "王芳", "--until", "yesterday")
    assert past.code == 2 and "revisit date must be in the future" in past.err
