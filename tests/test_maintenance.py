"""``salesdesk backup`` and ``salesdesk doctor`` on real files."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from salesdesk.db import backup_file
from tests.cli_helpers import run

NOW = "2026-11-23T15:00:00+08:00"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def db(isolated_home: Path) -> Path:
    assert run("lead", "add", "Emma Smith", "--at", "1h ago").code == 0
    assert run("log-call", "Emma", "--outcome", "no_answer").code == 0
    return isolated_home / "salesdesk.db"


def _leads(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [name for (name,) in conn.execute("SELECT name FROM lead ORDER BY id")]
    finally:
        conn.close()


def test_backup_is_a_consistent_private_copy_even_during_a_write(db: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(db)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO account (name, name_key, created_at) VALUES ('Open Tx', 'open tx', '2026-11-23')")
    target = tmp_path / "copy.db"
    result = run("backup", str(target), "--json")
    writer.rollback()
    writer.close()
    assert result.code == 0, result.err
    assert result.json()["backup"] == str(target)
    assert _leads(target) == ["Emma Smith"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT count(*) FROM account WHERE name = 'Open Tx'").fetchone() == (0,)
    conn.close()


def test_backup_by_default_goes_beside_the_database(db: Path) -> None:
    result = run("backup")
    assert result.code == 0 and "Backed up" in result.out
    backups = sorted(db.parent.glob("salesdesk.db.*.bak"))
    assert len(backups) == 1 and _leads(backups[0]) == ["Emma Smith"]


def test_two_backups_at_the_same_replayed_time_never_overwrite(db: Path) -> None:
    from datetime import datetime

    now = datetime.fromisoformat(NOW)
    first, second = backup_file(db, now), backup_file(db, now)
    assert first != second and first.exists() and second.exists()


@pytest.mark.parametrize("where", ["self", "directory"])
def test_backup_refuses_to_overwrite_the_database_or_a_directory(db: Path, where: str) -> None:
    target = db if where == "self" else db.parent
    result = run("backup", str(target))
    assert result.code == 2 and "Traceback" not in result.err
    assert _leads(db) == ["Emma Smith"]


def test_doctor_says_all_is_well(db: Path) -> None:
    result = run("doctor", "--json")
    assert result.code == 0, result.out
    report = result.json()
    assert report["ok"] and {c["check"] for c in report["checks"]} >= {"integrity", "schema", "permissions"}
    assert report["counts"]["lead"] == 1 and report["counts"]["touch"] == 1


def test_doctor_flags_loose_permissions(db: Path) -> None:
    db.chmod(0o644)
    result = run("doctor")
    assert result.code == 1 and "FAIL" in result.out and "chmod 600" in result.out


def test_doctor_flags_counters_that_disagree_with_touches(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE lead SET touch_count = 7")
    conn.commit()
    conn.close()
    report = run("doctor", "--json").json()
    assert not report["ok"]
    assert [c["ok"] for c in report["checks"] if c["check"] == "lead counters"] == [False]
