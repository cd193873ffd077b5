"""SIGKILL in the middle of a batch: the batch is all there or not at all, and the file is sound."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, run

NOW = "2026-11-23T15:00:00+08:00"
LEADS = 200
# Rows written into the open transaction before the kill: long enough for a few bulk chunks.
WRITE_FOR_S = 0.8


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def db(isolated_home: Path, tmp_path: Path) -> Path:
    rows = "".join(f"Lead {i},+86 139{i:08d},2026-01-01\n" for i in range(LEADS))
    source = tmp_path / "seed.csv"
    source.write_text("name,phone,created_at\n" + rows, encoding="utf-8")
    assert run("import", "leads", str(source)).code == 0
    return isolated_home / "salesdesk.db"


def _counts(db: Path, tables: tuple[str, ...]) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
    finally:
        conn.close()


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _writer_holds_the_lock(db: Path) -> bool:
    """True while another connection has a write transaction open (BEGIN IMMEDIATE fails at once)."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    finally:
        conn.close()


def _kill_mid_transaction(db: Path, args: list[str]) -> None:
    proc = subprocess.Popen([str(SALESDESK), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not _writer_holds_the_lock(db):
            assert proc.poll() is None, f"finished before its transaction was seen: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "the batch never started writing"
            time.sleep(0.01)
        time.sleep(WRITE_FOR_S)
        assert proc.poll() is None, "the batch finished before it could be killed; make the input larger"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def test_killed_batch_log_call_leaves_all_or_nothing(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "calls.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(20_000):
            call = {"lead": 1 + i % LEADS, "outcome": "no_answer" if i % 2 else "busy", "at": f"{1 + i % 500} min ago"}
            handle.write(json.dumps(call) + "\n")
    tables = ("touch", "followup")
    before = _counts(db, tables)
    _kill_mid_transaction(db, ["log-call", "--from", str(source)])
    after = _counts(db, tables)
    # Killed inside its transaction it left nothing; killed just after its commit, all of it.
    assert after == before or after["touch"] == before["touch"] + 20_000, after
    assert _integrity(db) == "ok"
    # The database is usable at once: the dead writer's lock and half-transaction are gone.
    assert run("log-call", "1", "--outcome", "busy").code == 0
    assert _counts(db, ("touch",))["touch"] == after["touch"] + 1


def test_killed_csv_import_leaves_all_or_nothing(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8") as handle:
        handle.write("name,company,phone,email,grade\n")
        for i in range(60_000):
            handle.write(f"Big {i},Co {i % 700},+86 137{i:08d},big{i}@example.com,{'ABCD'[i % 4]}\n")
    tables = ("lead", "account", "grade_change")
    before = _counts(db, tables)
    _kill_mid_transaction(db, ["import", "leads", str(source)])
    after = _counts(db, tables)
    full = {"lead": before["lead"] + 60_000, "account": before["account"] + 700, "grade_change": 60_000}
    assert after in (before, full), after
    assert _integrity(db) == "ok"
    assert run("lead", "add", "After the kill").code == 0
