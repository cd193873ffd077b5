"""A store this process may not write (a read-only file and directory, or an immutable file)
is still read, exported, backed up and checked, run as the installed command (issue 10,
item 13): all of these once failed with "unable to open database file"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli_helpers import db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME
from tests.fault_helpers import immutable, read_only_perms, run_as

NOTE = "is read-only: it can be read, exported and backed up, not changed"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "book.db"
    path.parent.mkdir()
    made = run_process("lead", "add", "Li Na", "--company", "Acme", "--at", "-1d", env=_env(path))
    assert made.code == 0, made
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as a clean exit leaves it
    conn.close()
    return path


def _env(db: Path) -> dict[str, str]:
    return {
        "SALESDESK_DB": str(db),
        "SALESDESK_HOME": str(db.parent.parent / "home"),
        "SALESDESK_NOW": NOW.isoformat(),
        "TZ": TZ_NAME,
    }


@pytest.mark.parametrize("make_read_only", [read_only_perms, immutable], ids=["0444 in a 0555 dir", "immutable"])
def test_a_read_only_store_is_read_and_rescued_but_not_changed(db: Path, tmp_path: Path, make_read_only) -> None:  # type: ignore[no-untyped-def]
    before = db_fingerprint(db)
    copy = tmp_path / "rescued.db"
    with make_read_only(db) as prefix:
        listed = run_as(prefix, "lead", "list", "--json", env=_env(db))
        exported = run_as(prefix, "export", "leads", env=_env(db))
        doctor = run_as(prefix, "doctor", "--json", env=_env(db))
        backup = run_as(prefix, "backup", str(copy), env=_env(db))
        write = run_as(prefix, "log-call", "Li Na", "-o", "busy", env=_env(db))
    for result in (listed, exported, doctor, backup):
        assert "Traceback" not in result.err and NOTE in result.err, result
    assert listed.code == 0 and [lead["name"] for lead in listed.json()] == ["Li Na"]
    assert exported.code == 0 and "Li Na" in exported.out
    checks = {c["check"]: c["ok"] for c in doctor.json()["checks"]}
    assert checks["integrity"] and checks["journal mode"] and checks["schema"], doctor
    assert backup.code == 0, backup
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT name FROM lead").fetchall() == [("Li Na",)]
    conn.close()
    assert write.code == 2 and "readonly database" in write.err and "Traceback" not in write.err, write
    assert db_fingerprint(db) == before
