"""``salesdesk status``: the one-line summary, through the installed command at a fixed time."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_helpers import run_process

# Monday 23 Nov 2026, 15:00 in Shanghai (the suite's TZ).
ENV = {"SALESDESK_NOW": "2026-11-23T15:00:00+08:00"}


def _ok(*args: str) -> str:
    result = run_process(*args, env=ENV)
    assert result.code == 0, result.err
    return result.out


def test_an_empty_store_has_nothing_due(isolated_home: Path) -> None:
    assert _ok("status") == "0 due\n"
    assert json.loads(_ok("status", "--json")) == {"due": 0, "breaches": 0, "worst_breach_s": None, "block": None}


def test_the_line_counts_the_queue_breaches_and_the_next_block(isolated_home: Path) -> None:
    _ok("lead", "add", "Oliver Chen", "--source", "inbound", "--at", "3 days ago")
    _ok("lead", "add", "王芳", "--source", "inbound", "--at", "1h ago")
    _ok("block", "add", "tomorrow 9:30", "--for", "60m", "--repeat", "weekdays")
    assert _ok("status") == "2 due · 1 breach (2d19h over) · block Tue 09:30\n"
    # The same queue as `salesdesk due`: the two can't disagree.
    assert len(json.loads(_ok("due", "--json"))) == 2

    _ok("block", "add", "14:30", "--for", "60m")
    assert _ok("status") == "2 due · 1 breach (2d19h over) · block until 15:30\n"
    found = json.loads(_ok("status", "--json"))
    assert found["due"] == 2 and found["breaches"] == 1 and found["worst_breach_s"] == 241_200
    assert found["block"]["start"] == "2026-11-23T14:30:00+08:00" and found["block"]["under_way"] is True


def test_a_called_lead_is_no_longer_a_breach(isolated_home: Path) -> None:
    _ok("lead", "add", "Oliver Chen", "--source", "inbound", "--at", "3 days ago")
    _ok("log-call", "Oliver", "--outcome", "no_answer")
    assert "breach" not in _ok("status")


def test_a_store_made_by_a_newer_salesdesk_is_refused_untouched(isolated_home: Path) -> None:
    import sqlite3

    _ok("status")  # makes the store
    db = isolated_home / "salesdesk.db"
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO salesdesk_migration (name, applied_at) VALUES ('9999_future', '2030-01-01')")
    conn.close()
    result = run_process("status", env=ENV)
    assert result.code == 2 and result.err.startswith("salesdesk: this database was made by a newer salesdesk")
    assert "Traceback" not in result.err and result.out == ""


def test_through_the_engine_it_says_the_same(isolated_home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The demo, a read-only or an unmigrated store are read through the engine's connection."""
    from salesdesk.commands.common import State
    from tests.cli_helpers import run

    _ok("lead", "add", "Oliver Chen", "--source", "inbound", "--at", "3 days ago")
    _ok("block", "add", "tomorrow 9:30", "--for", "60m")
    monkeypatch.setenv("SALESDESK_NOW", ENV["SALESDESK_NOW"])
    fast = run("status", "--json")
    monkeypatch.setattr(State, "current_conn", lambda self: None)
    slow = run("status", "--json")
    assert fast.code == slow.code == 0 and fast.out == slow.out and json.loads(slow.out)["breaches"] == 1


def test_format_writes_the_fields_into_your_own_line(isolated_home: Path) -> None:
    _ok("lead", "add", "Oliver Chen", "--source", "inbound", "--at", "3 days ago")
    _ok("lead", "add", "王芳", "--source", "inbound", "--at", "1h ago")
    _ok("block", "add", "tomorrow 9:30", "--for", "60m", "--repeat", "weekdays")
    assert _ok("status", "--format", "{due}⚑{breaches} {worst}|{block_start}-{block_end}") == "2⚑1 2d19h|09:30-10:30\n"
    assert _ok("status", "--format", "[{block}] {{literal}} {line}") == (
        "[block Tue 09:30] {literal} 2 due · 1 breach (2d19h over) · block Tue 09:30\n"
    )
    assert _ok("status", "--format", "{due:>4}") == "   2\n"


def test_format_with_nothing_to_say_leaves_a_field_empty(isolated_home: Path) -> None:
    assert _ok("status", "--format", "{due}|{breaches}|{worst}|{block}") == "0|0||\n"


def test_a_bad_format_is_refused_with_the_fields_known(isolated_home: Path) -> None:
    for template, words in (("{dues}", "no field {dues}; known: {due}, {breaches}"), ("{due", "can't read --format")):
        result = run_process("status", "--format", template, env=ENV)
        assert result.code == 2 and words in result.err and result.out == "", result.err
