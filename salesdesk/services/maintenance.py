"""Looking after the store: backups and a health check (``salesdesk backup``, ``doctor``)."""

from __future__ import annotations

import glob
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from salesdesk.db import schema_version
from salesdesk.migrations import MIGRATIONS

# Tables whose row counts the doctor reports.
COUNTED = ("account", "lead", "touch", "followup", "grade_change", "lead_close", "meeting", "lead_state_change")

# Leads whose trigger-kept counters disagree with their touches (should always be none).
_COUNTER_DRIFT = """
SELECT count(*) FROM lead WHERE
    touch_count != (SELECT count(*) FROM touch WHERE lead_id = lead.id)
    OR call_count != (SELECT count(*) FROM touch WHERE lead_id = lead.id AND channel = 'call')
    OR coalesce(last_touch_at, '') != coalesce((SELECT max(at) FROM touch WHERE lead_id = lead.id), '')
    OR reach_count != (SELECT count(*) FROM touch WHERE lead_id = lead.id
                       AND ((channel = 'call' AND connected) OR channel = 'visit' OR meeting))
    OR coalesce(first_attempt_at, '') != coalesce(
        (SELECT min(at) FROM touch WHERE lead_id = lead.id AND channel != 'other'), '')
"""


@dataclass
class Checkup:
    path: str
    checks: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append({"check": name, "ok": ok, "detail": detail})

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "checks": self.checks, "counts": self.counts}


def _wal_header(db_file: Path) -> bool:
    """Whether the file's header marks it as a WAL database (format version 2 at byte 18)."""
    try:
        with open(db_file, "rb") as handle:
            return handle.read(20)[18:20] == b"\x02\x02"
    except OSError:
        return False


def _private(path: Path) -> bool:
    return not stat.S_IMODE(path.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO)


def doctor(engine: Engine, db_file: Path | None) -> Checkup:
    """Integrity, schema version, journal mode, permissions, counter consistency and counts."""
    checkup = Checkup(str(db_file) if db_file else ":memory:")
    # Read before connecting: closing a descriptor on the file would drop the connection's locks.
    wal_on_disk = db_file is not None and _wal_header(db_file)
    with engine.connect() as conn:
        integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").all()]
        checkup.check("integrity", integrity == ["ok"], "; ".join(integrity[:5]))
        broken_refs = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        checkup.check("foreign keys", not broken_refs, f"{len(broken_refs)} rows point at missing rows")
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
        if mode != "wal" and wal_on_disk:
            mode = "wal"  # read as immutable (a read-only directory), SQLite reports "delete"
        checkup.check("journal mode", db_file is None or mode == "wal", mode)
        drift = conn.exec_driver_sql(_COUNTER_DRIFT).scalar_one()
        checkup.check("lead counters", drift == 0, f"{drift} leads whose touch counters disagree with their touches")
        for table in COUNTED:
            checkup.counts[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
    version = schema_version(engine)
    checkup.check(
        "schema", version == len(MIGRATIONS), f"version {version} of {len(MIGRATIONS)} ({MIGRATIONS[version - 1].name})"
    )
    if db_file is not None:
        files = [p for p in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")) if p.exists()]
        # Backups hold every customer too (the ones beside the database: others are the user's).
        files += backups_of(db_file)
        loose = [p.name for p in files if not _private(p)]
        checkup.check(
            "permissions",
            not loose,
            f"readable by others: {', '.join(loose)} (chmod 600)" if loose else "owner only",
        )
    return checkup


def backups_of(db_file: Path) -> list[Path]:
    """The backups salesdesk made beside ``db_file`` (before migrations, or ``backup``), oldest first."""
    return sorted(db_file.parent.glob(f"{glob.escape(db_file.name)}.*.bak"), key=lambda p: p.stat().st_mtime)


def unreadable(db_file: Path, problem: str) -> Checkup:
    """The checkup of a file SQLite can't open or read (damaged, or not a database): the
    finding, and how to get the data back from the newest backup."""
    checkup = Checkup(str(db_file))
    checkup.check("integrity", False, f"cannot be read: {problem}")
    found = backups_of(db_file)
    if found:
        newest = found[-1]
        checkup.check(
            "backups",
            True,
            f"{len(found)} beside it; to restore the newest, move {db_file} and any -wal and -shm beside it "
            f"elsewhere, then: cp {newest} {db_file}",
        )
    else:
        checkup.check("backups", False, "none beside it; restore from your own copy, or keep this file for repair")
    return checkup
