"""Call blocks, the planner, calendar export, objections and scripts through the CLI:
JSON shapes, refusals (exit 1) and bad input (exit 2) that leave the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar

from tests.cli_helpers import db_fingerprint, run, run_process

NOW = "2026-11-23T15:00:00+08:00"  # Monday afternoon in Shanghai (TZ set by conftest)
OCCURRENCE_KEYS = {"block_id", "start", "end", "title", "goal_dials", "goal_meetings", "dials", "connects", "meetings"}


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def db(isolated_home: Path) -> Path:
    """A weekday block from last Monday 09:00-10:30, and two leads due for a first call."""
    added = run("block", "add", "2026-11-16 09:00", "--for", "90m", "--repeat", "weekdays",
                "--goal-dials", "20", "--goal-meetings", "2", "--title", "Prospecting")  # fmt: skip
    assert added.code == 0, added.err
    assert run("lead", "add", "Late Lily", "--source", "inbound", "--at", "today 08:00").code == 0
    assert run("lead", "add", "Fresh Fred", "--source", "inbound", "--at", "today 14:00").code == 0
    return isolated_home / "salesdesk.db"


def ok(*args: str) -> str:
    result = run(*args)
    assert result.code == 0, result.err
    return result.out


def test_block_add_json_prints_the_block_with_its_id(db: Path) -> None:
    block = run("block", "add", "tomorrow 14:00", "--for", "1h", "--title", "午后电话", "--no-protect", "--json").json()
    assert block == {
        "id": 2, "title": "午后电话", "start": "2026-11-24T14:00:00+08:00", "end": "2026-11-24T15:00:00+08:00",
        "minutes": 60, "repeat": None, "goal_dials": None, "goal_meetings": None, "protect": False,
        "created_at": "2026-11-23T15:00:00+08:00", "warnings": [],
    }  # fmt: skip
    text = ok("block", "add", "wed 16:00", "--for", "30", "--repeat", "FREQ=WEEKLY;BYDAY=WE;COUNT=4")
    assert text == (
        "Added block #3 'Call block': Wed 25 Nov 16:00-16:30, RRULE FREQ=WEEKLY;BYDAY=WE;COUNT=4; no goal; protected.\n"
    )


def test_block_list_shows_occurrences_with_what_was_done_in_past_ones(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line, so the text can be checked
    ok("log-call", "Late Lily", "-o", "no_answer", "--at", "today 09:10")
    ok(
        "log-call",
        "Late Lily",
        "-o",
        "meeting_booked",
        "--at",
        "today 09:50",
        "--benefit",
        "case study",
        "--meeting",
        "fri 10:00",
    )
    ok("log-call", "Fresh Fred", "-o", "no_answer", "--at", "today 14:30")  # outside the block
    week = run("block", "list", "--json").json()
    assert [o["start"][:10] for o in week] == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]
    assert all(set(o) >= OCCURRENCE_KEYS for o in week)
    today, tomorrow = week[0], week[1]
    assert (today["dials"], today["connects"], today["meetings"]) == (2, 1, 1)
    assert (today["goal_dials"], today["goal_meetings"], today["title"]) == (20, 2, "Prospecting")
    assert (tomorrow["dials"], tomorrow["connects"], tomorrow["meetings"]) == (None, None, None)
    assert [o["start"] for o in run("block", "list", "--date", "2026-11-17", "--json").json()] == [
        "2026-11-17T09:00:00+08:00"
    ]
    ranged = run("block", "list", "--from", "2026-11-20", "--to", "2026-11-23", "--json").json()
    assert [o["start"][:10] for o in ranged] == ["2026-11-20", "2026-11-23"]  # --to is inclusive
    assert len(run("block", "list", "--week", "next", "--json").json()) == 5
    table = ok("block", "list")
    assert "1 of 2 meetings, 2 of 20 dials, 1 connect" in table and "Prospecting" in table


def test_overlapping_block_is_refused_naming_the_other_and_changes_nothing(db: Path) -> None:
    before = db_fingerprint(db)
    result = run("block", "add", "tue 10:00", "--for", "1h")
    assert result.code == 1
    assert "overlaps block #1 'Prospecting' (Tue 24 Nov 09:00-10:30)" in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert db_fingerprint(db) == before


BAD_INPUT = [
    (("block", "add", "tue 14:00", "--for", "forever"), "block length"),
    (("block", "add", "tue 14:00", "--for", "4m"), "5 minutes to 12 hours"),
    (("block", "add", "tue 14:00", "--for", "1h", "--repeat", "FREQ=DAILY;BYHOUR=9"), "BYHOUR"),
    (("block", "add", "yesterday 14:00", "--for", "1h"), "is past"),
    (("block", "add", "someday", "--for", "1h"), "can't read 'someday'"),
    (("block", "add", "tue 14:00", "--for", "1h", "--goal-dials", "-1"), "--goal-dials"),
    (("block", "list", "--date", "today", "--week", "this"), "one of --date, --week"),
    (("block", "list", "--from", "2026-11-25", "--to", "2026-11-24"), "before --from"),
    (("block", "remove", "9"), "no block #9"),
    (("block", "remove", "1", "--occurrence", "sat"), "no occurrence on Sat 28 Nov"),
    (("block", "remove", "x"), "Invalid value for 'ID'"),
    (("block", "plan", "--meetings", "0"), "--meetings"),
    (("block", "plan", "--meetings", "5", "--rate", "2"), "--rate is meetings per dial"),
    (("block", "fill", "1", "--occurrence", "2026-11-23"), "no occurrence on Mon 23 Nov 2026 to fill"),
    (("log-call", "Late Lily", "-o", "busy", "--objection", "no_tim"), "did you mean no_time"),
    (("log-call", "Late Lily", "-o", "busy", "--objection", "no_time", "--reply", "2"), "only reply 1"),
    (("log-call", "Late Lily", "-o", "busy", "--reply", "1"), "needs the objection"),
    (("objection", "show", "nope"), "unknown objection 'nope'"),
    (("objection", "edit", "no_time", "--reply", "1"), "--reply-text"),
    (("script", "edit", "intro", "--body", "Hi {my_nmae}"), "unknown placeholder {my_nmae}"),
    (("script", "show", "outro"), "no script 'outro'"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_exits_2_and_changes_nothing(db: Path, args: tuple[str, ...], message: str) -> None:
    before = db_fingerprint(db)
    result = run(*args)
    assert result.code == 2, (result.code, result.err)
    assert message in result.err and "Traceback" not in result.err
    assert db_fingerprint(db) == before


def test_refusals_exit_1_and_change_nothing(db: Path) -> None:
    before = db_fingerprint(db)
    assert "exists" in run("objection", "add", "no_time", "--text", "again").err
    assert run("objection", "add", "no_time", "--text", "again").code == 1
    ok("lead", "close", "Late Lily", "--won")
    ok("lead", "close", "Fresh Fred", "--won")
    closed = db_fingerprint(db)
    assert closed != before
    result = run("block", "fill", "1")
    assert result.code == 1 and "no lead is due" in result.err
    assert db_fingerprint(db) == closed


def test_remove_an_occurrence_then_the_block(db: Path) -> None:
    assert ok("block", "remove", "1", "--occurrence", "wed") == (
        "Removed the Wed 25 Nov 09:00-10:30 occurrence of block #1 'Prospecting'.\n"
    )
    assert [o["start"][:10] for o in run("block", "list", "--json").json()][1:] == [
        "2026-11-24", "2026-11-26", "2026-11-27",
    ]  # fmt: skip
    assert ok("block", "remove", "1") == "Removed block #1 'Prospecting'.\n"
    assert run("block", "list", "--json").json() == []
    assert "No call blocks" in ok("block", "list")


def test_plan_json_says_which_rate_and_proposes_due_leads(db: Path) -> None:
    plan = run("block", "plan", "--meetings", "5", "--json").json()
    assert {"target_meetings", "rate", "rate_source", "list_size", "leads"} <= set(plan)
    assert (plan["target_meetings"], plan["rate"], plan["rate_source"], plan["list_size"]) == (5, 0.2, "default", 25)
    assert [lead["name"] for lead in plan["leads"]] == ["Late Lily", "Fresh Fred"]
    given = run("block", "plan", "--meetings", "1", "--rate", "0.5", "--json").json()
    assert (given["rate_source"], given["list_size"], len(given["leads"])) == ("given", 2, 2)
    result = run("block", "plan", "--meetings", "5")
    assert "call 25 leads" in result.out and "default rate 0.2" in result.out
    assert "only 2 to call (2 due, 0 prospects), 23 short" in result.err


def test_fill_attaches_the_list_and_block_list_shows_it(db: Path) -> None:
    filled = run("block", "fill", "1", "--json").json()
    assert (filled["block_id"], filled["start"], filled["list_size"]) == (1, "2026-11-24T09:00:00+08:00", 10)
    assert [lead["lead_id"] for lead in filled["leads"]] == [1, 2]
    tomorrow = run("block", "list", "--date", "tomorrow", "--json").json()[0]
    assert tomorrow["planned"] == {
        "target_meetings": 2, "rate": 0.2, "rate_source": "default", "list_size": 10, "lead_ids": [1, 2],
    }  # fmt: skip
    text = ok("block", "fill", "1", "--occurrence", "fri", "--meetings", "1", "--rate", "0.5")
    assert text.startswith("Filled block #1 'Prospecting' on Fri 27 Nov 09:00-10:30 with 2 leads for 1 meeting")


def test_next_inside_a_protected_block_warns_and_offers_two_slots(db: Path) -> None:
    result = run("log-call", "Late Lily", "-o", "callback", "--next", "tue 10:00", "--benefit", "deck", "--json")
    assert result.code == 0
    warning = "Tue 24 Nov 10:00 is inside call block #1 'Prospecting' (Tue 24 Nov 09:00-10:30)"
    assert warning in result.err and 'offer "Tuesday 10:30 or Wednesday 10:30?" instead' in result.err
    assert any(warning in w for w in result.json()["warnings"])
    assert result.json()["next"]["due_at"] == "2026-11-24T10:00:00+08:00"  # a warning, not a refusal
    free = run("log-call", "Fresh Fred", "-o", "callback", "--next", "tue 14:00", "--benefit", "deck")
    assert free.code == 0 and "inside call block" not in free.err


def test_objection_library_commands_and_json_shapes(db: Path) -> None:
    library = run("objection", "list", "--json").json()
    assert library[0]["key"] == "no_time" and len(library) == 12  # METHOD.md §3 and the price objection
    assert all(
        {"key", "text", "replies"} <= set(o) and all({"id", "text"} <= set(r) for r in o["replies"]) for o in library
    )
    added = run("objection", "add", "has_supplier", "--text", "We have a supplier.", "--reply", "Compare: Tue or Wed?",
                "--reply", "Who?", "--json").json()  # fmt: skip
    assert [r["number"] for r in added["replies"]] == [1, 2]
    edited = run("objection", "edit", "no_time", "--add-reply", "Two minutes now, or Tuesday?", "--json").json()
    assert [r["number"] for r in edited["replies"]] == [1, 2]
    shown = ok("objection", "show", "no_time")
    assert "1. I understand" in shown and "2. Two minutes now, or Tuesday?" in shown
    assert "gatekeeper" in ok("objection", "list")


def test_log_call_reply_and_objection_stats(db: Path) -> None:
    ok("objection", "edit", "no_time", "--add-reply", "Two minutes now, or Tuesday?")
    logged = run("log-call", "Late Lily", "-o", "meeting_booked", "--meeting", "fri 10:00", "--objection", "no_time",
                 "--reply", "2",
                 "--benefit", "deck", "--json").json()  # fmt: skip
    ok("log-call", "Fresh Fred", "-o", "busy", "--objection", "no_time", "--reply", "1")
    ok("log-call", "Fresh Fred", "-o", "busy", "--objection", "no_time")
    stats = run("objection", "stats", "--json").json()
    no_time = stats[0]
    assert no_time == {
        "key": "no_time", "text": "I don't have time.", "met": 3,
        "replies": [
            {"id": 1, "number": 1, "uses": 1, "meetings": 0, "meeting_rate": 0.0},
            {"id": logged["reply_id"], "number": 2, "uses": 1, "meetings": 1, "meeting_rate": 1.0},
        ],
    }  # fmt: skip
    assert all({"key", "met", "replies"} <= set(row) for row in stats) and stats[1]["met"] == 0
    table = ok("objection", "stats")
    assert "no_time" in table and "100% (few)" in table and "no reply marked" in table


def test_scripts_list_show_edit(db: Path, tmp_path: Path) -> None:
    keys = [s["key"] for s in run("script", "list", "--json").json()]
    assert keys == ["intro", "ask", "brush_off", "no_message", "question", "thought_of_you"]
    shown = run("script", "show", "question", "--json").json()
    assert shown["kind"] == "voicemail" and "I'm in until 17:00" in shown["body"]
    body = tmp_path / "intro.txt"
    body.write_text("您好 {lead}, 我是 {my_company} 的 {my_name}。\n", encoding="utf-8")
    edited = run("script", "edit", "intro", "--file", str(body), "--title", "开场", "--json").json()
    assert edited["body"] == "您好 {lead}, 我是 {my_company} 的 {my_name}。" and edited["title"] == "开场"
    assert "placeholders: {lead}, {my_company}, {my_name}" in ok("script", "show", "intro")
    assert run("script", "edit", "intro", "--file", str(tmp_path / "missing.txt")).code == 2


def test_export_writes_a_calendar_that_parses_back(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "blocks.ics"
    assert ok("block", "export", "--ics", str(out)) == f"Wrote 1 event to {out}.\n"
    (event,) = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Prospecting" and dict(event["RRULE"])["FREQ"] == ["WEEKLY"]
    ok("block", "export", "--ics", str(out), "--from", "2026-11-23", "--to", "2026-11-24")
    assert len(Calendar.from_ical(out.read_bytes()).walk("VEVENT")) == 2
    result = run("block", "export", "--ics", str(tmp_path / "no" / "such" / "dir.ics"))
    assert result.code == 2 and "cannot write" in result.err


def test_blocks_through_the_installed_command(isolated_home: Path) -> None:
    env = {"SALESDESK_HOME": str(isolated_home), "SALESDESK_NOW": NOW}
    added = run_process("block", "add", "tomorrow 9:00", "--for", "90m", "--repeat", "weekdays", "--json", env=env)
    assert added.code == 0, added.err
    clash = run_process("block", "add", "tomorrow 10:00", "--for", "1h", env=env)
    assert clash.code == 1 and "overlaps block #1" in clash.err
    listed = run_process("block", "list", "--json", env=env)
    assert listed.code == 0 and [o["start"][:10] for o in listed.json()] == [
        "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27",
    ]  # fmt: skip
