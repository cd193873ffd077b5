"""The PDCA loop and deals through the CLI: deal, funnel, goal, plan, summary, review, problem,
export week; exit codes, JSON shapes, and files written owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli_helpers import db_fingerprint, run, run_process

NOW = "2026-11-23T15:00:00+08:00"  # Monday afternoon in Shanghai (TZ set by conftest)
SUMMARY_KEYS = {
    "date", "dials", "connects", "connect_rate", "meetings_booked", "meeting_rate", "new_leads",
    "first_contact_breaches", "speed_to_lead_median_min", "touches_without_benefit", "forced_closes",
    "followups", "best_hours", "targets", "plan", "review",
}  # fmt: skip


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.code == 0, result.err
    return result.out


@pytest.fixture
def db(isolated_home: Path) -> Path:
    """Today: Li Na (inbound 09:00) called at 09:30 and booked a meeting; Wang (outbound) got
    two calls that didn't get through."""
    ok("lead", "add", "Li Na", "--source", "inbound", "--at", "today 09:00", "--grade", "A")
    ok("lead", "add", "Wang", "--at", "today 08:00")
    ok(
        "log-call",
        "Li Na",
        "--outcome",
        "meeting_booked",
        "--at",
        "today 09:30",
        "--benefit",
        "case study",
        "--meeting",
        "tomorrow 10:00",
    )
    ok("log-call", "Wang", "--outcome", "no_answer", "--at", "today 10:00")
    ok("log-call", "Wang", "--outcome", "busy", "--at", "today 11:00")
    return isolated_home / "salesdesk.db"


# --- deals and the funnel -----------------------------------------------------------------------


def test_deal_add_move_close_list(db: Path) -> None:
    added = run("deal", "add", "Li Na", "--title", "50 seats", "--value", "120000", "--expected-close",
                "2026-12-15", "--json").json()  # fmt: skip
    assert (added["id"], added["stage"], added["value"], added["lead"]) == (1, "interested", 120000, "Li Na")
    assert added["expected_close"] == "2026-12-15T00:00:00+08:00"
    assert "Moved deal #1 50 seats (Li Na): proposal" in ok("deal", "move", "1", "proposal")
    result = run("deal", "close", "1", "--won", "--reason", "signed")
    assert result.code == 0 and result.err == "" and "won" in result.out
    listed = run("deal", "list", "--json").json()
    assert [(d["id"], d["stage"]) for d in listed] == [(1, "won")]
    assert [h["to"] for h in listed[0]["history"]] == ["interested", "proposal", "won"]
    assert "50 seats" in ok("deal", "list") and run("deal", "list", "--stage", "proposal", "--json").json() == []


def test_winning_from_the_first_stage_warns_on_stderr(db: Path) -> None:
    ok("deal", "add", "Wang", "--title", "pilot")
    result = run("deal", "close", "1", "--won")
    assert result.code == 0 and "top of the funnel" in result.err


def test_deal_errors_follow_the_contract(db: Path) -> None:
    ok("deal", "add", "Wang", "--title", "pilot")
    before = db_fingerprint(db)
    for args, code in (
        (("deal", "move", "1", "negotiation"), 2),
        (("deal", "move", "1", "won"), 2),
        (("deal", "move", "7", "inquiry"), 2),
        (("deal", "move", "1", "interested"), 1),
        (("deal", "close", "1"), 2),
        (("deal", "add", "Nobody", "--title", "x"), 2),
        (("deal", "add", "Wang", "--title", "x", "--expected-close", "someday"), 2),
        (("deal", "add", "Wang", "--title", "x", "--value", "-5"), 2),
    ):
        result = run(*args)
        assert result.code == code, (args, result.err)
        assert result.err.startswith("salesdesk: ") and "Traceback" not in result.err
    assert db_fingerprint(db) == before
    ok("deal", "close", "1", "--lost")
    assert run("deal", "close", "1", "--won").code == 1


def test_funnel_json_and_text(db: Path) -> None:
    ok("deal", "add", "Li Na", "--title", "a", "--value", "100")
    ok("deal", "add", "Wang", "--title", "b", "--value", "50")
    ok("deal", "move", "1", "inquiry")
    ok("deal", "close", "2", "--lost")
    found = run("funnel", "--json").json()
    assert [(s["stage"], s["entered"], s["moved_on"], s["lost"]) for s in found["stages"]] == [
        ("interested", 2, 1, 1),
        ("inquiry", 1, 0, 0),
        ("proposal", 0, 0, 0),
    ]
    assert found["low_confidence"] is True and found["closed_total"] == 1 and found["forecast"] == 0
    # Deal 1 sits in inquiry: not a failure of inquiry, so that stage has no conversion yet.
    assert [(s["still_open"], s["conversion"]) for s in found["stages"]] == [(0, 0.5), (1, None), (0, None)]
    assert "conversion = moved on / (moved on + lost)" in ok("funnel")
    assert run("funnel", "--from", "2026-11-24", "--json").json()["stages"][0]["entered"] == 0
    assert run("funnel", "--from", "today", "--to", "today", "--json").json()["stages"][0]["entered"] == 2
    assert "low confidence" in ok("funnel")
    assert run("funnel", "--from", "nope").code == 2
    assert run("funnel", "--from", "2026-11-23", "--to", "2026-11-01").code == 2


# --- goals and plans ----------------------------------------------------------------------------


def test_goal_set_spreads_over_working_days(db: Path) -> None:
    out = ok("goal", "set", "--month", "2026-11", "--dials", "840", "--meetings", "21")
    assert "21 working days" in out and "40 a working day" in out
    plan = run("plan", "--json").json()
    assert plan["targets"] == {"dials": {"value": 40, "source": "goal"}, "meetings": {"value": 1, "source": "goal"}}
    for args in (("--month", "2026-13", "--dials", "1"), ("--month", "Dec", "--dials", "1"), ("--month", "2026-12")):
        assert run("goal", "set", *args).code == 2


def test_plan_items_targets_done_and_undo(db: Path) -> None:
    plan = run("plan", "--item", "Send Wang the quote", "--item", "Call block", "--kind", "key", "--kind",
               "routine", "--dials", "60", "--json").json()  # fmt: skip
    assert [(i["text"], i["kind"], i["done"]) for i in plan["items"]] == [
        ("Send Wang the quote", "key", False),
        ("Call block", "routine", False),
    ]
    assert plan["targets"]["dials"] == {"value": 60, "source": "plan"}
    assert "Done: #1 Send Wang the quote" in ok("plan", "done", "quote")
    assert run("plan", "done", "quote").code == 1
    ok("plan", "undo", "#1")
    assert run("plan", "undo", "1").code == 1
    assert run("plan", "done", "nothing like it").code == 2
    assert "Call block" in ok("plan") and "Call block" in ok("plan", "day", "today")
    assert run("plan", "2026-11-24", "--json").json()["carry_over"][0]["text"] == "Send Wang the quote"


def test_an_eighth_plan_item_is_refused_and_nothing_is_written(db: Path) -> None:
    items = [arg for i in range(6) for arg in ("--item", f"item {i}")]
    ok("plan", *items)
    before = db_fingerprint(db)
    result = run("plan", "--item", "seven", "--item", "eight", "--dials", "50")
    assert result.code == 1 and "at most 7 items" in result.err
    assert db_fingerprint(db) == before  # not even the dials target
    ok("plan", "--item", "seven")
    before = db_fingerprint(db)
    assert run("plan", "--item", "eight").code == 1
    assert db_fingerprint(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ("summary", "2026-13-45"),
        ("summary", "someday"),
        ("plan", "notaday"),
        ("review", "2026-02-30", "--well", "x"),
        ("export", "week", "2026-W60"),
        ("export", "week", "whenever"),
        ("plan", "--item", "x", "--kind", "urgent"),
        ("summary", "--json", "--markdown"),
        ("export", "week", "--format", "pdf"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(db: Path, args: tuple[str, ...]) -> None:
    before = db_fingerprint(db)
    result = run(*args)
    assert result.code == 2, result.err
    assert result.err.startswith("salesdesk: ") and len(result.err.strip().splitlines()) <= 2
    assert db_fingerprint(db) == before


# --- summary and review -------------------------------------------------------------------------


def test_summary_json_has_exactly_the_documented_keys(db: Path) -> None:
    ok("plan", "--dials", "10", "--meetings", "1")
    data = run("summary", "--json").json()
    assert set(data) == SUMMARY_KEYS
    assert (data["date"], data["dials"], data["connects"], data["connect_rate"]) == ("2026-11-23", 3, 1, 1 / 3)
    assert (data["meetings_booked"], data["meeting_rate"], data["new_leads"]) == (1, 1.0, 2)
    # Speed to lead covers inbound leads only (the first-contact rule's): Li Na's 30 minutes,
    # not outbound Wang's 120.
    assert (data["first_contact_breaches"], data["speed_to_lead_median_min"]) == (0, 30.0)
    assert data["followups"] == {"due": 2, "kept": 0, "missed": 2, "superseded": 0, "rate": 0.0}  # Wang's fallbacks
    assert data["targets"]["dials"] == {
        "target": 10, "source": "plan", "actual": 3, "attainment_pct": 30.0, "missed": True, "deviation": None,
    }  # fmt: skip
    assert data["review"] is None
    assert run("summary", "yesterday", "--json").json()["dials"] == 0


def test_summary_text_and_markdown_lead_with_results_and_ask_why(db: Path) -> None:
    ok("plan", "--dials", "10")
    markdown = ok("summary", "--markdown")
    assert markdown.startswith("# Daily summary · Mon 23 Nov 2026")
    assert markdown.index("## Results") < markdown.index("## Activity") < markdown.index("## Review")
    assert "--deviation dials=REASON" in markdown
    # Piped (as here), the page is its markdown: Rich's drawing is for a terminal.
    assert ok("summary").strip() == markdown.strip()
    assert "Dials missed" in markdown


def test_looking_at_a_review_or_a_plan_writes_nothing(db: Path) -> None:
    before = db_fingerprint(db)
    assert "No review yet" in ok("review") and "Connected calls" in ok("review")
    assert "Plan for Mon 23 Nov 2026" in ok("plan")
    assert db_fingerprint(db) == before


def test_review_records_everything_and_problems_live_on(db: Path) -> None:
    ok("plan", "--dials", "10")
    out = ok(
        "review", "--finished", "calls", "--unfinished", "notes", "--well", "asked early", "--not-well", "rushed",
        "--did", "A leads first", "--didnt", "referrals", "--problem", "Gatekeepers stop me", "--act",
        "Call before 9", "--deviation", "dials=two meetings ran long", "--call", "1=landed; ask sooner",
    )  # fmt: skip
    assert "Gatekeepers stop me" in out and "landed; ask sooner" in out
    review = run("summary", "--json").json()["review"]
    assert review["finished"] == ["calls"] and review["didnt"] == ["referrals"] and review["act"] == ["Call before 9"]
    assert review["deviations"] == {"dials": "two meetings ran long"}
    assert review["calls"][0]["reflection"] == "landed; ask sooner"
    assert run("summary", "--json").json()["targets"]["dials"]["deviation"] == "two meetings ran long"
    assert "Call before 9" in run("plan", "tomorrow", "--json").json()["carry_over"][0]["text"]

    ok("review", "2026-11-24", "--problem", "#1")
    listed = ok("problem", "list")
    assert "Gatekeepers stop me" in listed and "2026-11-23, 2026-11-24" in listed
    assert "Solved problem #1" in ok("problem", "solve", "1", "--solution", "call before 9:00")
    assert run("problem", "solve", "1").code == 1
    assert run("problem", "solve", "9").code == 2
    assert run("review", "--deviation", "dials").code == 2
    assert run("review", "--deviation", "calls=x").code == 2
    assert run("review", "--call", "2=Wang did not pick up").code == 2


# --- the weekly export --------------------------------------------------------------------------


def test_export_week_writes_an_owner_only_file(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "week.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    result = run("export", "week", "-o", str(target))
    assert result.code == 0 and result.out == f"Wrote 2026-W48 to {target}.\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Week 2026-W48 · Mon 23 Nov – Sun 29 Nov 2026\n")
    assert "| Mon 23 Nov | 3 | 1 | 33% | 1 | 2 | 0 |" in text
    assert not list(tmp_path.glob(".week.md.*"))  # no temporary file left behind
    data = run("export", "week", "2026-11-25", "--format", "json").json()
    assert data["week"] == "2026-W48" and data["totals"]["dials"] == 3
    assert run("export", "week", "-o", str(tmp_path / "missing" / "week.md")).code == 2


def test_export_week_prints_markdown_without_a_file(db: Path) -> None:
    assert ok("export", "week", "2026-W47").startswith("# Week 2026-W47 · Mon 16 Nov – Sun 22 Nov 2026")


def test_the_installed_command_runs_the_loop(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "w.md"
    result = run_process("summary", "--json")
    assert result.code == 0, result.err
    assert set(result.json()) == SUMMARY_KEYS
    exported = run_process("export", "week", "-o", str(target))
    assert exported.code == 0 and stat.S_IMODE(target.stat().st_mode) == 0o600
    refused = run_process("plan", *[arg for i in range(8) for arg in ("--item", f"item {i}")])
    assert refused.code == 1 and "at most 7 items" in refused.err and "Traceback" not in refused.err


# --- a past day's figures are final -------------------------------------------------------------


def test_a_days_summary_is_the_same_two_days_later_and_nine_days_later(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monday 16 November: what happened that day, then more touches on the days after it
    (a late first call on the breached lead, follow-ups met days late, a lead closed). The
    day's summary, JSON and text, is the same on Wednesday (D+2) and a week later (D+9)."""

    def at(when: str, *args: str) -> None:
        monkeypatch.setenv("SALESDESK_NOW", when)
        ok(*args)

    day = "2026-11-16"
    at(f"{day}T09:00+08:00", "lead", "add", "In Time", "--source", "inbound")
    at(f"{day}T09:30+08:00", "log-call", "In Time", "--outcome", "callback", "--benefit", "deck",
       "--next", "today 16:00")  # fmt: skip
    at(f"{day}T10:00+08:00", "lead", "add", "Outbound Ou")
    at(f"{day}T11:00+08:00", "log-call", "Outbound Ou", "--outcome", "no_answer")  # WeChat, email due now
    at(f"{day}T12:00+08:00", "lead", "add", "Breached", "--source", "inbound")
    at(f"{day}T12:10+08:00", "log-touch", "Breached", "--channel", "other", "--note", "read their site")
    at(f"{day}T22:00+08:00", "lead", "add", "Night Owl", "--source", "inbound")
    at("2026-11-17T02:00+08:00", "log-call", "Night Owl", "--outcome", "no_answer")  # 4h: in time

    def summary() -> tuple[dict[str, object], str]:
        result = run("summary", day, "--json")
        assert result.code == 0, result.err
        return result.json(), ok("summary", day, "--markdown")

    monkeypatch.setenv("SALESDESK_NOW", "2026-11-18T10:00+08:00")
    two_days_later = summary()

    at("2026-11-18T11:00+08:00", "log-call", "Breached", "--outcome", "connected", "--benefit", "deck")
    at("2026-11-18T11:30+08:00", "log-touch", "Outbound Ou", "--channel", "wechat", "--benefit", "case")
    at("2026-11-19T09:00+08:00", "log-call", "In Time", "--outcome", "connected", "--benefit", "quote")
    at("2026-11-20T09:00+08:00", "log-touch", "Outbound Ou", "--channel", "email", "--benefit", "case")
    at("2026-11-20T10:00+08:00", "lead", "close", "Outbound Ou", "--lost", "--reason", "no budget", "--force")
    monkeypatch.setenv("SALESDESK_NOW", "2026-11-25T10:00+08:00")
    nine_days_later = summary()

    assert nine_days_later == two_days_later
    data, text = nine_days_later
    assert (data["new_leads"], data["first_contact_breaches"]) == (4, 1)  # Breached: "other" is no attempt
    # Inbound only: In Time 30m, Night Owl 4h, Breached 12h (no attempt by midnight): median 4h.
    assert data["speed_to_lead_median_min"] == 240.0 and "speed to lead (median) 4h ·" in text
    # Due that day: Outbound Ou's WeChat and email, In Time's 16:00 call; none met that day.
    assert data["followups"] == {"due": 3, "kept": 0, "missed": 3, "superseded": 0, "rate": 0.0}
