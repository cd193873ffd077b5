"""The installed ``salesdesk`` command, run as a real process the way a script runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, db_fingerprint, run_process

ENV = {"SALESDESK_NOW": "2026-11-23T15:00:00+08:00"}


@pytest.fixture(autouse=True)
def installed() -> None:
    assert SALESDESK.exists(), f"the console script is not installed at {SALESDESK}"


def test_a_shell_session_adds_a_lead_logs_calls_and_reads_them_back(isolated_home: Path) -> None:
    added = run_process(
        "lead", "add", "Oliver Chen", "--company", "Globex", "--source", "inbound", "--at", "3h ago", "--json", env=ENV
    )
    assert added.code == 0, added.err
    lead_id = json.loads(added.out)["id"]
    first = run_process("log-call", str(lead_id), "--outcome", "no_answer", "--at", "1h ago", env=ENV)
    assert first.code == 0 and "Logged call (no answer)" in first.out
    second = run_process(
        "log-call", "oliver", "--outcome", "meeting_booked", "--meeting", "fri 10:00", "--benefit", "case study",
        "--json",
        env=ENV,
    )  # fmt: skip
    assert json.loads(second.out)["outcome"] == "meeting_booked"
    shown = json.loads(run_process("lead", "show", "Oliver Chen", "--json", env=ENV).out)
    assert [t["outcome"] for t in shown["touches"]] == ["meeting_booked", "no_answer"]
    assert shown["status"] == "meeting"  # the meeting booked on the second call


def test_errors_from_a_real_process_are_one_clean_message(isolated_home: Path) -> None:
    assert run_process("lead", "add", "Li Na", env=ENV).code == 0
    db = isolated_home / "salesdesk.db"
    before = db_fingerprint(db)
    result = run_process("log-call", "Li Nax", "--outcome", "busy", env=ENV)
    assert result.code == 2
    assert result.err.startswith("salesdesk: no lead matches 'Li Nax'")
    assert "Traceback" not in result.err and result.out == ""
    bad_date = run_process("log-call", "Li Na", "--outcome", "busy", "--at", "someday", env=ENV)
    assert bad_date.code == 2 and "tomorrow 9am" in bad_date.err
    assert db_fingerprint(db) == before


def test_json_output_survives_non_utf8_locale_settings(isolated_home: Path) -> None:
    env = {**ENV, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C"}
    assert run_process("lead", "add", "王芳", env=env).code == 0
    listed = run_process("lead", "list", "--json", env=env)
    assert listed.code == 0 and json.loads(listed.out)[0]["name"] == "王芳"


def test_python_dash_m_runs_the_same_cli(isolated_home: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "salesdesk", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("salesdesk ")


def test_rules_guard_a_real_process(isolated_home: Path) -> None:
    """The queue, a refused close (exit 1, nothing written) and rules check's cron exit code."""
    assert run_process("lead", "add", "Lily Late", "--source", "inbound", "--at", "today 09:00", env=ENV).code == 0
    queue = json.loads(run_process("due", "--json", env=ENV).out)
    assert [(item["name"], item["reasons"][0]["rule"]) for item in queue] == [("Lily Late", "first_contact")]
    db = isolated_home / "salesdesk.db"
    before = db_fingerprint(db)
    refused = run_process("lead", "close", "Lily", "--lost", "--reason", "no budget", env=ENV)
    assert refused.code == 1 and "needs 6 touches on 3 different days" in refused.err and "Traceback" not in refused.err
    assert db_fingerprint(db) == before
    assert run_process("rules", "check", env=ENV).code == 1
    assert (
        run_process(
            "log-call", "Lily", "--outcome", "meeting_booked", "--meeting", "fri 10:00", "--benefit", "demo", env=ENV
        ).code
        == 0
    )
    assert run_process("rules", "check", env=ENV).code == 0
