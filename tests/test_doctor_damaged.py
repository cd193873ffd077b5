"""``salesdesk doctor`` on a file SQLite can't read, run as the installed command (issue 10,
item 13): it once failed with "database error" (exit 2) instead of giving its report."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.cli_helpers import run_process
from tests.conftest import NOW, TZ_NAME


def _env(home: Path) -> dict[str, str]:
    return {"SALESDESK_HOME": str(home), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


def _damage(db: Path) -> str:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db.open("r+b") as handle:
        handle.seek(100)  # the header's tail and the schema page
        handle.write(b"\xff" * 200)
    return hashlib.sha256(db.read_bytes()).hexdigest()


@pytest.mark.parametrize("with_backup", [True, False], ids=["a backup beside it", "no backup"])
def test_doctor_reports_a_damaged_file_and_the_way_back(isolated_home: Path, with_backup: bool) -> None:
    env = _env(isolated_home)
    assert run_process("lead", "add", "Li Na", env=env).code == 0
    if with_backup:
        assert run_process("backup", env=env).code == 0
    db = isolated_home / "salesdesk.db"
    damaged = _damage(db)
    result = run_process("doctor", env=env)
    assert result.code == 1 and result.err == "", result
    shown = " ".join(result.out.split())
    assert "FAIL integrity cannot be read: database disk image is malformed" in shown, shown
    report = run_process("doctor", "--json", env=env)
    assert report.code == 1 and not report.json()["ok"]
    (backups,) = [c["detail"] for c in report.json()["checks"] if c["check"] == "backups"]
    if with_backup:
        (backup,) = isolated_home.glob("salesdesk.db.*.bak")
        assert f"cp {backup} {db}" in backups
    else:
        assert "none beside it" in backups
    assert hashlib.sha256(db.read_bytes()).hexdigest() == damaged  # looked at, never touched
