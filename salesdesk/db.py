"""The store: one SQLite file, opened the same way by the TUI, the CLI and the tests.

Every connection is configured by ``connect.configure`` (WAL, foreign keys, a busy timeout),
and the schema checks are ``connect``'s too, shared with the commands that never import
SQLAlchemy. Write transactions start with ``BEGIN IMMEDIATE``: a deferred transaction that
later tries to write can fail at once with "database is locked" instead of waiting, so
writers take the lock up front.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from salesdesk.connect import (
    BUSY_TIMEOUT_MS,
    MEMORY,
    MIGRATION_TABLE,
    check_history,
    configure,
    disk_full_note,
    is_read_only,
    read_only_uri,
)
from salesdesk.connect import (
    SchemaTooNew as SchemaTooNew,  # re-exported: callers and tests know it from here
)
from salesdesk.connect import applied as applied_names
from salesdesk.errors import InvalidInput
from salesdesk.migrations import MIGRATIONS, Migration
from salesdesk.paths import ensure_private_dir, touch_private
from salesdesk.signals import terminated


def make_engine(path: Path | str) -> Engine:
    """An engine over a database file (created owner-only) or ``":memory:"``; a file this
    process may not write is opened read-only (see ``is_read_only``)."""
    read_only = False
    if str(path) == MEMORY:
        engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    elif is_read_only(Path(path)):
        read_only = True
        uri = read_only_uri(Path(path))
        engine = create_engine(
            f"sqlite:///{path}",  # the URL names the file (backup, doctor); the creator opens it
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000),
        )
    else:
        path = Path(path)
        ensure_private_dir(path.parent)
        touch_private(path)
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # SQLAlchemy's "begin" event below issues BEGIN itself.
        configure(dbapi_conn, wal=str(path) != MEMORY and not read_only)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _writer(engine: Engine) -> Engine:
    return engine.execution_options(sqlite_begin="IMMEDIATE")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work: all of it is committed, or none of it."""
    with Session(_writer(engine), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _applied(conn: Connection) -> list[str]:
    # The raw connection, inside whatever transaction the SQLAlchemy connection has begun.
    return applied_names(cast(sqlite3.Connection, conn.connection.driver_connection))  # always pysqlite here


_check_history = check_history


def is_backup(path: Path) -> bool:
    """Whether ``path`` is a salesdesk database (a backup may be replaced by a newer one)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return False
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (MIGRATION_TABLE,)).fetchone()
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False
    return found is not None


def _check_backup_target(target: Path, overwrite: bool) -> None:
    """A backup replaces nothing but an older backup (or, with ``--overwrite``, a regular
    file), and never through a symlink: the link could point anywhere, say a shared folder."""
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InvalidInput(f"cannot write the backup to {target}: {exc.strerror}") from None
    if stat.S_ISLNK(found.st_mode):
        raise InvalidInput(f"{target} is a symbolic link; give the path of a file, not a link")
    if stat.S_ISDIR(found.st_mode):
        raise InvalidInput(f"{target} is a directory; give a file name")
    if not stat.S_ISREG(found.st_mode):
        raise InvalidInput(f"{target} is not a regular file; give a file name")
    if not overwrite and not is_backup(target):
        raise InvalidInput(f"{target} exists and is not a salesdesk backup; --overwrite replaces it")


def backup_to(db_file: Path, target: Path, *, overwrite: bool = False) -> Path:
    """Copy a live database to ``target`` with SQLite's online backup API, which reads a
    consistent snapshot even while the TUI or a script is writing.

    The copy is made owner-only (0600) under a temporary name and renamed into place when
    complete: whatever mode an old file had, the backup never inherits it, and a failed or
    interrupted backup (a full disk, SIGTERM) never leaves half a copy behind.
    """
    _check_backup_target(target, overwrite)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with terminated():
            os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600))
            src = (
                sqlite3.connect(read_only_uri(db_file), uri=True) if is_read_only(db_file) else sqlite3.connect(db_file)
            )
            try:
                dst = sqlite3.connect(temp)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
            finally:
                src.close()
            os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)
        raise
    return target


def backup_file(db_file: Path, now: datetime) -> Path:
    """Back up to ``<name>.<UTC time>.bak`` beside the database, never over an older backup
    (a replayed clock, SALESDESK_NOW, can give two backups the same time)."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = db_file.with_name(f"{db_file.name}.{stamp}.bak")
    counter = 1
    while target.exists():
        target = db_file.with_name(f"{db_file.name}.{stamp}-{counter}.bak")
        counter += 1
    return backup_to(db_file, target)


def migrate(engine: Engine, now: datetime, *, upto: int | None = None) -> list[str]:
    """Apply pending migrations (all, or the first ``upto``); return the names applied.

    A file that already holds data is backed up first. A file from a newer salesdesk is
    refused untouched.
    """
    target = MIGRATIONS[: len(MIGRATIONS) if upto is None else upto]
    with engine.connect() as conn:
        applied = _applied(conn)
        _check_history(applied)
        conn.rollback()
        if len(applied) >= len(target):
            return []
        db_file = engine.url.database
        if applied and db_file and db_file != MEMORY:
            backup_file(Path(db_file), now)
        done: list[str] = []
        for index, migration in enumerate(target):
            if index < len(applied):
                continue
            raw = cast(sqlite3.Connection, conn.connection.driver_connection)
            if migration.rebuilds:
                # Only outside a transaction does this pragma take effect (isolation_level None).
                raw.execute("PRAGMA foreign_keys = OFF")
            try:
                if _apply(conn, index, migration, now):
                    done.append(migration.name)
            finally:
                if migration.rebuilds:
                    raw.execute("PRAGMA foreign_keys = ON")
        return done


def _apply(conn: Connection, index: int, migration: Migration, now: datetime) -> bool:
    """Run one migration and record it, in one write transaction; False if another process
    applied it while we waited for the lock."""
    with conn.execution_options(sqlite_begin="IMMEDIATE").begin():
        if migration.name in _applied(conn):
            return False
        if index == 0:
            conn.exec_driver_sql(
                f"CREATE TABLE {MIGRATION_TABLE} (id INTEGER NOT NULL PRIMARY KEY, "
                "name VARCHAR NOT NULL UNIQUE, applied_at DATETIME NOT NULL)"
            )
        for statement in migration.statements:
            conn.exec_driver_sql(statement)
        if migration.rebuilds:
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
            if broken is not None:
                raise InvalidInput(f"migration {migration.name} would break a reference ({broken[0]}); nothing changed")
        conn.execute(
            text(f"INSERT INTO {MIGRATION_TABLE} (id, name, applied_at) VALUES (:i, :n, :t)"),
            {"i": index + 1, "n": migration.name, "t": now.astimezone(UTC).isoformat()},
        )
        conn.exec_driver_sql(f"PRAGMA user_version = {index + 1}")
    return True


def schema_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(_applied(conn))


def open_store(path: Path | str, now: datetime) -> Engine:
    """An engine over ``path``, migrated to this version's schema."""
    engine: Engine | None = None
    try:
        engine = make_engine(path)
        migrate(engine, now)
    except BaseException as exc:
        # Close the file at once: a refused database must not stay open (or locked).
        if engine is not None:
            engine.dispose()
        # Any OSError, not only PermissionError: SALESDESK_DB may name a directory, or a path
        # through a file (IsADirectoryError, NotADirectoryError, FileExistsError).
        if isinstance(exc, OSError):
            raise InvalidInput(f"cannot open the database {path}: {exc.strerror or exc}") from None
        if isinstance(exc, DatabaseError | sqlite3.Error):
            reason = exc.orig if isinstance(exc, DatabaseError) else exc
            raise InvalidInput(f"cannot open the database {path}: {reason}{disk_full_note(path)}") from None
        raise
    return engine
