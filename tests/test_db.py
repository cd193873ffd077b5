"""The store: migrations against the models, refusals that leave files alone, pragmas, sessions."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from salesdesk import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from salesdesk.db import (
    MIGRATION_TABLE,
    SchemaTooNew,
    make_engine,
    migrate,
    open_store,
    read_session,
    schema_version,
    write_session,
)
from salesdesk.errors import InvalidInput, Refused
from salesdesk.migrations import MIGRATIONS
from salesdesk.models import Lead
from salesdesk.services.leads import add_lead

_TYPES = {"VARCHAR": "text", "TEXT": "text", "INTEGER": "int", "DATETIME": "datetime", "BOOLEAN": "bool"}


def _norm_type(name: str) -> str:
    base = name.upper().split("(")[0].strip()
    assert base in _TYPES, f"unexpected column type {name}"
    return _TYPES[base]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backups(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.bak"))


def _model_schema() -> dict[str, dict[str, object]]:
    dialect = sqlite_dialect.dialect()
    schema: dict[str, dict[str, object]] = {}
    for table in SQLModel.metadata.sorted_tables:
        uniques = {
            tuple(c.name for c in con.columns)
            for con in table.constraints
            if con.__class__.__name__ == "UniqueConstraint"
        }
        uniques |= {(c.name,) for c in table.columns if c.unique}
        schema[table.name] = {
            "columns": {c.name: (_norm_type(c.type.compile(dialect=dialect)), c.nullable) for c in table.columns},
            "pk": [c.name for c in table.primary_key.columns],
            "fks": sorted((fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys),
            "indexes": {i.name: ([c.name for c in i.columns], bool(i.unique)) for i in table.indexes},
            "uniques": sorted(uniques),
        }
    return schema


def _db_schema(engine: Engine) -> dict[str, dict[str, object]]:
    insp = inspect(engine)
    schema: dict[str, dict[str, object]] = {}
    for name in insp.get_table_names():
        fks = []
        for fk in insp.get_foreign_keys(name):
            fks += [
                (col, fk["referred_table"], ref)
                for col, ref in zip(fk["constrained_columns"], fk["referred_columns"], strict=True)
            ]
        schema[name] = {
            "columns": {c["name"]: (_norm_type(str(c["type"])), c["nullable"]) for c in insp.get_columns(name)},
            "pk": insp.get_pk_constraint(name)["constrained_columns"],
            "fks": sorted(fks),
            "indexes": {i["name"]: (i["column_names"], bool(i["unique"])) for i in insp.get_indexes(name)},
            "uniques": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(name)),
        }
    return schema


# --- (1) the migrated schema is the models' schema -----------------------------------------


def test_migrated_blank_database_matches_the_models(engine: Engine) -> None:
    expected = _model_schema()
    actual = _db_schema(engine)
    assert set(actual) == set(expected) | {MIGRATION_TABLE}, "tables beyond the models and the migration record"
    for table, model in expected.items():
        for aspect in ("columns", "pk", "fks", "indexes", "uniques"):
            assert actual[table][aspect] == model[aspect], f"{table}.{aspect}"


def test_schema_comparison_sees_every_model_table(engine: Engine) -> None:
    # Guards the comparison above against an empty metadata (which would compare nothing).
    assert {"lead", "account", "touch", "grade_change", "followup", "meta"} <= set(_model_schema())


def test_blank_database_records_every_migration_in_order(engine: Engine, now: datetime) -> None:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT id, name, applied_at FROM {MIGRATION_TABLE} ORDER BY id").all()
        user_version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
    assert [(i, n) for i, n, _ in rows] == [(k + 1, m.name) for k, m in enumerate(MIGRATIONS)]
    assert {datetime.fromisoformat(at) for _, _, at in rows} == {now.astimezone(UTC)}
    assert user_version == len(MIGRATIONS) == schema_version(engine)


def test_memory_store_is_migrated(now: datetime) -> None:
    engine = open_store(":memory:", now)
    assert schema_version(engine) == len(MIGRATIONS)
    with write_session(engine) as session:
        add_lead(session, now, name="Li Na")
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Lead)).scalar_one() == 1


# --- (2) a newer salesdesk's file is refused untouched --------------------------------------


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "future.db"
    engine = open_store(path, now)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO {MIGRATION_TABLE} (id, name, applied_at) VALUES (?, ?, ?)",
            (len(MIGRATIONS) + 1, "9999_future", "2030-01-01T00:00:00+00:00"),
        )
    engine.dispose()
    before = _sha(path)
    files_before = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(SchemaTooNew) as info:
        open_store(path, now + timedelta(days=1))

    assert isinstance(info.value, InvalidInput)
    assert info.value.exit_code == 2
    assert "9999_future" in str(info.value) and "upgrade salesdesk" in str(info.value)
    assert _sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files_before
    assert not _backups(tmp_path)


def test_foreign_migration_history_is_refused(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "odd.db"
    engine = make_engine(path)
    migrate(engine, now, upto=1)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {MIGRATION_TABLE} SET name = '0001_something_else'")
    engine.dispose()
    before = _sha(path)
    with pytest.raises(InvalidInput):
        open_store(path, now)
    assert _sha(path) == before


# --- (3) upgrading a file made by an older version -------------------------------------------


def test_upgrading_an_older_file_backs_it_up_first(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "salesdesk.db"
    old = make_engine(path)
    assert migrate(old, now, upto=1) == ["0001_initial"]
    with old.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO lead (id, name, name_key, source, status, is_coach, created_at, updated_at) "
            "VALUES (1, 'Li Na', 'li na', 'inbound', 'new', 0, '2026-11-20 01:00:00.000000', "
            "'2026-11-20 01:00:00.000000')"
        )
    old.dispose()

    later = now + timedelta(days=3, hours=1, minutes=2, seconds=3)
    engine = open_store(path, later)

    stamp = later.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    backup = tmp_path / f"salesdesk.db.{stamp}.bak"
    assert _backups(tmp_path) == [backup]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("SELECT name FROM lead").fetchall() == [("Li Na",)]
        assert conn.execute(f"SELECT name FROM {MIGRATION_TABLE}").fetchall() == [("0001_initial",)]
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "followup" not in tables
    finally:
        conn.close()

    assert schema_version(engine) == len(MIGRATIONS)
    with engine.connect() as conn2:
        names = [n for (n,) in conn2.exec_driver_sql(f"SELECT name FROM {MIGRATION_TABLE} ORDER BY id")]
        assert names == [m.name for m in MIGRATIONS]
    with read_session(engine) as session:
        lead = session.get(Lead, 1)
        assert lead is not None and lead.name == "Li Na"
        assert lead.created_at == datetime(2026, 11, 20, 1, tzinfo=UTC)
    assert "followup" in inspect(engine).get_table_names()
    engine.dispose()


def test_migrate_upto_applies_only_the_first(tmp_path: Path, now: datetime) -> None:
    engine = make_engine(tmp_path / "old.db")
    migrate(engine, now, upto=1)
    assert schema_version(engine) == 1
    assert "followup" not in inspect(engine).get_table_names()
    assert migrate(engine, now) == [m.name for m in MIGRATIONS[1:]]
    engine.dispose()


# --- (4) a fresh open makes no backup; (8) migrating twice is a no-op ------------------------


def test_fresh_open_of_a_blank_file_makes_no_backup(tmp_path: Path, now: datetime) -> None:
    engine = open_store(tmp_path / "fresh.db", now)
    engine.dispose()
    assert not _backups(tmp_path)


def test_migrating_twice_is_a_no_op(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "twice.db"
    engine = open_store(path, now)
    with engine.connect() as conn:
        before = conn.exec_driver_sql(f"SELECT * FROM {MIGRATION_TABLE} ORDER BY id").all()
    assert migrate(engine, now + timedelta(days=1)) == []
    engine.dispose()
    engine = open_store(path, now + timedelta(days=2))
    with engine.connect() as conn:
        after = conn.exec_driver_sql(f"SELECT * FROM {MIGRATION_TABLE} ORDER BY id").all()
    engine.dispose()
    assert after == before
    assert not _backups(tmp_path)


# --- (5) files that are not salesdesk databases -----------------------------------------------


def test_other_sqlite_file_is_refused_untouched(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "photos.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, file TEXT)")
    conn.execute("INSERT INTO photo (file) VALUES ('cat.jpg')")
    conn.commit()
    conn.close()
    before = _sha(path)

    with pytest.raises(InvalidInput, match="not a salesdesk database"):
        open_store(path, now)

    assert _sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos.db"]  # no backup, no -wal
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()


def test_file_that_is_not_sqlite_is_refused(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"These are my meeting notes, not a database.\n" * 50)
    before = _sha(path)
    with pytest.raises(InvalidInput) as info:
        open_store(path, now)
    assert str(path) in str(info.value)
    assert "Traceback" not in str(info.value)
    assert _sha(path) == before


def test_unusable_paths_are_invalid_input(tmp_path: Path, now: datetime) -> None:
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    a_dir = tmp_path / "a-directory"
    a_dir.mkdir()
    for path in (a_dir, a_file / "salesdesk.db"):
        with pytest.raises(InvalidInput, match="cannot open the database"):
            open_store(path, now)
    assert a_file.read_text() == "x"


# --- (6) pragmas and file modes -----------------------------------------------------------------


def test_fresh_connection_pragmas(tmp_path: Path, now: datetime) -> None:
    engine = open_store(tmp_path / "p.db", now)
    engine.dispose()  # the next connection is a fresh one
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000
    engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine, now: datetime) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO touch (lead_id, at, channel, connected, recorded_at) VALUES (999, ?, 'call', 0, ?)",
            (now.isoformat(), now.isoformat()),
        )


def test_database_file_and_directory_are_private(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "nested" / "data" / "salesdesk.db"
    engine = open_store(path, now)
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


# --- (7) sessions ---------------------------------------------------------------------------------


def _lead_count(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(Lead)).scalar_one()


def test_write_session_commits(engine: Engine, now: datetime) -> None:
    with write_session(engine) as session:
        add_lead(session, now, name="Li Na", company="Acme")
    assert _lead_count(engine) == 1


def test_write_session_rolls_back_everything_on_error(engine: Engine, now: datetime) -> None:
    with pytest.raises(RuntimeError), write_session(engine) as session:
        add_lead(session, now, name="Li Na", company="Acme", grade="A")
        add_lead(session, now, name="Wang Wei")
        session.flush()
        raise RuntimeError("boom")
    assert _lead_count(engine) == 0
    with engine.connect() as conn:
        for table in ("account", "grade_change"):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() == 0


def test_refused_service_call_leaves_nothing_half_written(engine: Engine, now: datetime) -> None:
    with write_session(engine) as session:
        add_lead(session, now, name="Li Na", phone="13800138000")
    with pytest.raises(Refused), write_session(engine) as session:
        add_lead(session, now, name="Zhang Wei", company="New Co")
        add_lead(session, now, name="Li Na again", phone="138 0013 8000")
    assert _lead_count(engine) == 1
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM account").scalar_one() == 0


def test_write_session_takes_the_write_lock_up_front(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "lock.db"
    engine = open_store(path, now)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with write_session(engine) as session:
            session.execute(select(1))  # a read, but the transaction is already a writer's
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released on commit
        other.execute("ROLLBACK")
        with read_session(engine) as session:
            session.execute(select(1))
            other.execute("BEGIN IMMEDIATE")  # readers never block the writer
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def test_the_lifecycle_migration_keeps_every_row_and_gives_each_lead_its_state(tmp_path: Path, now: datetime) -> None:
    """A file at version 6 with history: leads keep their ids and counters, and take the state
    their history says (an open deal, a do-not-call answer, a note on "other" only)."""
    path = tmp_path / "v6.db"
    old = make_engine(path)
    migrate(old, now, upto=6)
    t = "'2026-11-20 01:00:00.000000'"
    with old.begin() as conn:
        for lead_id, name, status in [(1, "Plain", "working"), (2, "Dealer", "working"), (3, "Refuser", "working"),
                                      (4, "Noted", "working"), (5, "Fresh", "new"), (6, "Gone", "lost")]:  # fmt: skip
            conn.exec_driver_sql(
                "INSERT INTO lead (id, name, name_key, source, status, is_coach, created_at, updated_at) "
                f"VALUES ({lead_id}, '{name}', '{name.lower()}', 'outbound', '{status}', 0, {t}, {t})"
            )
        history = [(1, 1, "call", "no_answer", 0), (2, 2, "call", "connected", 1), (3, 3, "call", "do_not_call", 1),
                   (4, 4, "other", None, 0), (5, 6, "call", "busy", 0)]  # fmt: skip
        for touch_id, lead_id, channel, outcome, connected in history:
            outcome_sql = "NULL" if outcome is None else f"'{outcome}'"
            conn.exec_driver_sql(
                "INSERT INTO touch (id, lead_id, at, channel, outcome, connected, recorded_at) "
                f"VALUES ({touch_id}, {lead_id}, {t}, '{channel}', {outcome_sql}, {connected}, {t})"
            )
        conn.exec_driver_sql(
            "INSERT INTO deal (id, lead_id, title, stage, created_at, updated_at) "
            f"VALUES (1, 2, 'Pilot', 'proposal', {t}, {t})"
        )
        conn.exec_driver_sql(
            "INSERT INTO followup (id, lead_id, channel, due_at, rule, created_at, source_touch_id, done_at, "
            f"done_touch_id) VALUES (1, 1, 'wechat', {t}, 'fallback', {t}, 1, NULL, NULL), "
            f"(2, 6, 'email', {t}, 'fallback', {t}, 5, {t}, NULL), (3, 2, 'call', {t}, 'scheduled', {t}, 2, {t}, 2)"
        )
    old.dispose()
    engine = open_store(path, now)
    with engine.connect() as conn:
        states = dict(conn.exec_driver_sql("SELECT name, status FROM lead").all())
        assert states == {"Plain": "working", "Dealer": "deal", "Refuser": "do_not_contact", "Noted": "new",
                          "Fresh": "new", "Gone": "lost"}  # fmt: skip
        counters = conn.exec_driver_sql(
            "SELECT id, touch_count, reach_count, first_attempt_at IS NOT NULL FROM lead ORDER BY id"
        ).all()
        assert counters == [(1, 1, 0, 1), (2, 1, 1, 1), (3, 1, 1, 1), (4, 1, 0, 0), (5, 0, 0, 0), (6, 1, 0, 1)]
        resolutions = conn.exec_driver_sql("SELECT id, resolution FROM followup ORDER BY id").all()
        assert resolutions == [(1, None), (2, "cancelled"), (3, "kept")]
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        # The counters' triggers came back with the rebuilt table.
        conn.exec_driver_sql(
            f"INSERT INTO touch (lead_id, at, channel, connected, recorded_at) VALUES (5, {t}, 'email', 0, {t})"
        )
        assert conn.exec_driver_sql("SELECT touch_count, reach_count FROM lead WHERE id = 5").one() == (1, 0)
        conn.exec_driver_sql(
            f"INSERT INTO touch (lead_id, at, channel, connected, recorded_at) VALUES (5, {t}, 'visit', 0, {t})"
        )
        assert conn.exec_driver_sql("SELECT touch_count, reach_count FROM lead WHERE id = 5").one() == (2, 1)
        conn.rollback()
    engine.dispose()


def test_the_lead_state_check_accepts_exactly_the_lifecycle_states(engine: Engine, now: datetime) -> None:
    from salesdesk.lifecycle import STATES

    with engine.connect() as conn:
        ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'lead'").scalar_one()
    checked = ddl.split("status IN (")[1].split(")")[0]
    assert tuple(state.strip(" '") for state in checked.split(",")) == STATES
