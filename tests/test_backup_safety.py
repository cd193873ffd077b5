"""``salesdesk backup FILE`` run as the installed command (issue 10, item 4): it once wrote
over any file, followed symlinks and kept the old file's mode (a 0644 file became a
world-readable copy of every customer)."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli_helpers import Result, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "book.db"
    assert sh(path, "lead", "add", "Emma Smith", "--at", "-1d").code == 0
    return path


def sh(db: Path, *args: str) -> Result:
    return run_process(*args, env={"SALESDESK_DB": str(db), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME})


def assert_refused(result: Result, message: str) -> None:
    assert result.code == 2 and result.out == "" and "Traceback" not in result.err, result
    assert result.err.startswith("salesdesk: ") and result.err.count("\n") == 1, result.err
    assert message in result.err, result.err


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_refuses_a_file_that_is_not_a_backup(db: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    before = db_fingerprint(db)
    assert_refused(sh(db, "backup", str(notes)), f"{notes} exists and is not a salesdesk backup; --overwrite")
    assert notes.read_text() == "my notes" and db_fingerprint(db) == before


def test_overwrite_replaces_it_owner_only(db: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared.db"
    shared.write_text("old")
    shared.chmod(0o644)
    result = sh(db, "backup", str(shared), "--overwrite")
    assert result.code == 0, result
    assert _mode(shared) == 0o600 and shared.read_bytes().startswith(b"SQLite format 3\0")


def test_an_older_backup_is_replaced_and_made_owner_only(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "monday.db"
    assert sh(db, "backup", str(target)).code == 0
    target.chmod(0o644)
    assert sh(db, "lead", "add", "Li Na").code == 0
    result = sh(db, "backup", str(target))
    assert result.code == 0, result
    assert _mode(target) == 0o600
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM lead").fetchone() == (2,)
    conn.close()


@pytest.mark.parametrize("overwrite", [False, True])
def test_backup_never_follows_a_symlink(db: Path, tmp_path: Path, overwrite: bool) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours")
    victim.chmod(0o644)
    link = tmp_path / "link.db"
    link.symlink_to(victim)
    result = sh(db, "backup", str(link), *(["--overwrite"] if overwrite else []))
    assert_refused(result, f"{link} is a symbolic link")
    assert link.is_symlink() and victim.read_text() == "not yours" and _mode(victim) == 0o644


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_backup_refuses_the_database_files(db: Path, suffix: str) -> None:
    before = db_fingerprint(db)
    assert_refused(sh(db, "backup", f"{db}{suffix}", "--overwrite"), f"is the database's {suffix[1:]} file")
    assert db_fingerprint(db) == before


def test_doctor_flags_a_backup_others_can_read(db: Path) -> None:
    assert sh(db, "backup").code == 0
    (backup,) = db.parent.glob("book.db.*.bak")
    assert sh(db, "doctor").code == 0
    backup.chmod(0o644)
    result = sh(db, "doctor")
    assert result.code == 1 and backup.name in result.out and "chmod 600" in result.out, result
