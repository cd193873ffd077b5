"""Opening the store with ``sqlite3`` alone: the pragmas, the read-only test and the schema
checks, written once. ``db.py`` applies them to every connection of its SQLAlchemy engine;
the hot commands (``status``, completion, ``log-call``) use them without importing SQLAlchemy.

Every connection gets WAL (readers never block the writer), foreign keys, and a busy
timeout, because the TUI and several scripts may write at once.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from salesdesk.errors import InvalidInput
from salesdesk.migrations import MIGRATIONS

MEMORY = ":memory:"
MIGRATION_TABLE = "salesdesk_migration"
# Long enough to outlast another process's atomic batch (100,000 calls hold the write lock
# for about 18 s on a 2-core machine), short enough that a stuck writer is reported rather
# than waited on forever. TUI writes wait in worker threads, so the screen never freezes.
BUSY_TIMEOUT_MS = 60_000
# Less room than this is a full disk to SQLite: its shared-memory index alone takes 32 KiB.
LOW_SPACE_BYTES = 64 * 1024


class SchemaTooNew(InvalidInput):
    """The file was migrated by a newer salesdesk; touching it could damage it."""


class NotCurrent(Exception):
    """The file is missing, or its schema is behind this version's: the full path must open
    it, since only that one migrates (and backs up first)."""


def foreign(conn: sqlite3.Connection) -> bool:
    """True when the file holds tables but no salesdesk migration record."""
    names = {
        name
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    }
    return bool(names) and MIGRATION_TABLE not in names


def configure(conn: sqlite3.Connection, *, wal: bool) -> None:
    """The pragmas every connection gets; ``wal`` False for memory and read-only stores."""
    # BEGIN is issued by the caller (BEGIN IMMEDIATE for writes): pysqlite's implicit BEGIN
    # is deferred and can't be made IMMEDIATE.
    conn.isolation_level = None
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Switching to WAL rewrites the file header: never do it to someone else's SQLite file.
    if wal and not foreign(conn):
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable in WAL mode except for the last commit on power loss.
        conn.execute("PRAGMA synchronous = NORMAL")


def is_read_only(path: Path) -> bool:
    """Whether ``path`` exists but this process may not write it (a read-only file, directory
    or mount, an immutable file): such a store is opened read-only, so it can still be read,
    exported, backed up and checked."""
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK))


def read_only_uri(path: Path) -> str:
    """An SQLite URI that reads ``path`` without writing anything, not even the -shm index
    WAL readers share: where that can't be made (a read-only directory) and no WAL holds
    unmerged pages, the file is read as immutable, which needs no index."""
    wal = Path(f"{path}-wal")
    shm_possible = os.access(path.parent, os.W_OK | os.X_OK) or Path(f"{path}-shm").exists()
    unmerged = wal.exists() and wal.stat().st_size > 0
    return f"{path.absolute().as_uri()}?mode=ro" + ("" if shm_possible or unmerged else "&immutable=1")


def applied(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations the file has had, oldest first; refuses a file that is
    someone else's SQLite database."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATION_TABLE,))
    if exists.fetchone() is None:
        if foreign(conn):
            raise InvalidInput("this SQLite file is not a salesdesk database; point SALESDESK_DB elsewhere")
        return []
    return [name for (name,) in conn.execute(f"SELECT name FROM {MIGRATION_TABLE} ORDER BY id")]


def check_history(names: list[str]) -> None:
    """Refuse a file migrated by a newer salesdesk, or along another history."""
    known = [m.name for m in MIGRATIONS]
    if len(names) > len(known) or any(name not in known for name in names):
        newer = [name for name in names if name not in known]
        raise SchemaTooNew(
            f"this database was made by a newer salesdesk (it has migration "
            f"{newer[-1] if newer else names[-1]!r}, this version knows up to "
            f"{known[-1]!r}); upgrade salesdesk to open it"
        )
    if names != known[: len(names)]:
        raise InvalidInput(f"this database's migration history {names} does not match salesdesk's")


def open_current(path: Path) -> sqlite3.Connection:
    """A writable connection to ``path``, configured like the engine's, whose schema is this
    version's exactly. NotCurrent when the full path must open it instead: no file yet, a
    read-only one (the full path says why nothing can be written), or a schema to migrate."""
    if str(path) == MEMORY or not path.is_file() or is_read_only(path):
        raise NotCurrent(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise InvalidInput(f"cannot open the database {path}: {exc}{disk_full_note(path)}") from None
    try:
        configure(conn, wal=True)
        names = applied(conn)
        check_history(names)
        if len(names) != len(MIGRATIONS):
            raise NotCurrent(path)
    except BaseException as exc:
        # Close the file at once: a refused database must not stay open (or locked).
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise InvalidInput(f"cannot open the database {path}: {exc}{disk_full_note(path)}") from None
        raise
    return conn


def disk_full_note(path: Path | str) -> str:
    """A note for the message when the database's disk has no room left: SQLite then reports
    only "disk I/O error", because the first file it cannot grow is its shared-memory index."""
    if str(path) == MEMORY:
        return ""
    try:
        free = shutil.disk_usage(Path(path).parent).free
    except OSError:
        return ""
    return " (the disk is full)" if free < LOW_SPACE_BYTES else ""


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One unit of work: the write lock taken up front (a deferred transaction that later
    writes can fail at once with "database is locked"), all of it committed or none."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
