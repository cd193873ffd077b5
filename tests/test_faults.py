"""Faults and concurrency: several writers at once with the TUI open, a read-only database,
a full disk, unusable database paths. Each ends in stored data or one clean message, never
a traceback, a lock error or a half-written database.

The concurrency test runs ``STRESS_N`` calls per writer (50 here). The issue's full size is a
manual run: ``SALESDESK_STRESS_N=1000 .venv/bin/pytest tests/test_faults.py -k writers``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select
from textual.pilot import Pilot

from salesdesk import connect, db
from salesdesk.config import Config
from salesdesk.db import open_store, read_session, write_session
from salesdesk.models import Touch
from salesdesk.services import leads
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.today import TodayScreen
from salesdesk.tui.widgets import FitTable, Stat
from tests.cli_helpers import SALESDESK, db_fingerprint, run, run_process
from tests.conftest import NOW, TZ_NAME
from tests.fault_helpers import fill_disk, immutable, read_only_perms, run_as, tiny_disk

STRESS_N = int(os.environ.get("SALESDESK_STRESS_N", "50"))
WRITERS = 4
# Generous: a loaded CI machine runs four Python processes on two cores.
STRESS_TIMEOUT_S = 120 + STRESS_N * 0.5

# One writer: a real process that runs the CLI's entry point once per call, as a script
# calling `salesdesk log-call` in a loop does, minus the interpreter start-up per call (which
# would make the test minutes long and the writers' transactions rarely overlap). It prints
# the exit codes; stderr is left as the user would see it.
WRITER = """
import contextlib, io, json, sys
from salesdesk.cli import main

lead, count = sys.argv[1], int(sys.argv[2])
codes = []
for i in range(count):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["log-call", lead, "--outcome", "no_answer", "--note", f"call {i} of {count}"])
        except SystemExit as exc:
            codes.append(exc.code)
print(json.dumps(codes))
"""


def _env(path: Path, home: Path) -> dict[str, str]:
    return {"SALESDESK_DB": str(path), "SALESDESK_HOME": str(home), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


def _book(path: Path, names: list[str]) -> None:
    """A database at ``path`` holding one lead per name, closed again."""
    engine = open_store(path, NOW)
    try:
        with write_session(engine) as session:
            for name in names:
                leads.add_lead(session, NOW, name=name, created_at=NOW)
    finally:
        engine.dispose()


def _calls(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM touch WHERE channel = 'call'").fetchone()[0]
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# Big enough to need new pages whatever room the last ones have (each field near its limit).
CALL_TOO_BIG = (
    "log-call", "Li Na", "-o", "callback", "--next", "tue 10:00", "--benefit", "b" * 3_900, "--note", "n" * 3_900,
)  # fmt: skip


def _clean_failure(result_err: str, result_out: str) -> None:
    lines = result_err.strip().splitlines()
    # A write prints its result before it commits (issue 10): if the commit then fails, it says so.
    assert result_out == "" or "nothing was logged, whatever it says above" in result_err, result_err
    assert "Traceback" not in result_err
    assert 1 <= len(lines) <= 2 and lines[0].startswith("salesdesk: "), result_err


# --- several writers at once, with the TUI open -----------------------------------------------


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the app's workers (its queries) are done and their results shown."""
    for _ in range(50):
        await pilot.pause()
        running = [worker for worker in pilot.app.workers if not worker.is_finished]
        if not running:
            await pilot.pause()
            return
        await pilot.app.workers.wait_for_complete(running)
    raise AssertionError("the app's workers never settled")


async def _shown_dials(pilot: Pilot[None]) -> str:
    screen = pilot.app.screen
    assert isinstance(screen, TodayScreen)
    screen.action_refresh()
    await settle(pilot)
    return screen.query_one("#stat-dials", Stat).value


async def test_four_writers_store_every_call_while_the_tui_is_open(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "book.db"
    names = [f"Writer {n}" for n in range(1, WRITERS + 1)]
    _book(path, names)
    engine = open_store(path, NOW)
    app = SalesdeskApp(engine, Config(), lambda: NOW)
    env = {**os.environ, **_env(path, isolated_home)}
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            assert await _shown_dials(pilot) == "0"
            outs = [tmp_path / f"writer{n}.out" for n in range(WRITERS)]
            errs = [tmp_path / f"writer{n}.err" for n in range(WRITERS)]
            procs = []
            for name, out, err in zip(names, outs, errs, strict=True):
                with out.open("w") as stdout, err.open("w") as stderr:
                    procs.append(
                        subprocess.Popen(
                            [sys.executable, "-c", WRITER, name, str(STRESS_N)], stdout=stdout, stderr=stderr, env=env
                        )
                    )
            # The TUI keeps reading while they write, as it does every minute on its own.
            deadline = time.monotonic() + STRESS_TIMEOUT_S
            seen = [0]
            while any(proc.poll() is None for proc in procs):
                if time.monotonic() > deadline:
                    for proc in procs:
                        proc.kill()
                    pytest.fail(f"the writers did not finish in {STRESS_TIMEOUT_S:.0f}s")
                seen.append(int(await _shown_dials(pilot)))
                await pilot.pause(0.5)
            # Every refresh read a committed state: the count only ever grows.
            assert seen == sorted(seen)

            for proc, out, err in zip(procs, outs, errs, strict=True):
                stderr = err.read_text()
                assert "locked" not in stderr and "Traceback" not in stderr, stderr[-2000:]
                assert stderr == "", stderr[-2000:]
                assert proc.returncode == 0
                assert json.loads(out.read_text()) == [0] * STRESS_N

            total = WRITERS * STRESS_N
            with read_session(engine) as session:
                stored = session.execute(select(func.count()).select_from(Touch)).scalar_one()
                per_lead = dict(session.execute(select(Touch.lead_id, func.count()).group_by(Touch.lead_id)).all())
            assert stored == total
            assert sorted(per_lead.values()) == [STRESS_N] * WRITERS
            assert await _shown_dials(pilot) == str(total)
            # The touch list shows the day's latest 200 (touches_between's default limit).
            assert app.screen.query_one("#today-touches", FitTable).row_count == min(total, 200)
    finally:
        engine.dispose()
    assert _integrity(path) == "ok"


def test_installed_log_call_processes_started_together_all_succeed(tmp_path: Path, isolated_home: Path) -> None:
    """The console script itself, four at a time, each a whole process start to finish."""
    path = tmp_path / "book.db"
    names = [f"Writer {n}" for n in range(1, WRITERS + 1)]
    _book(path, names)
    env = {**os.environ, **_env(path, isolated_home)}
    rounds = 3
    for _ in range(rounds):
        procs = [
            subprocess.Popen(
                [str(SALESDESK), "log-call", name, "--outcome", "busy"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for name in names
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0 and err == "", err
            assert "Logged call (busy)" in out
    assert _calls(path) == rounds * WRITERS
    assert _integrity(path) == "ok"


def test_opening_the_store_again_in_one_process_does_not_drop_its_locks(tmp_path: Path) -> None:
    """Closing any descriptor on a database file drops all of the process's SQLite locks on it
    (POSIX record locks), so opening the store must never open() the existing file itself.
    Two engines in one process (a script calling main() twice, the TUI's own) and a writer
    elsewhere then corrupted the file ("database disk image is malformed")."""
    path = tmp_path / "book.db"
    _book(path, ["Li Na"])
    first = open_store(path, NOW)
    try:
        with first.connect() as held:
            held.exec_driver_sql("SELECT count(*) FROM lead").all()
            before = os.stat(path)
            second = open_store(path, NOW)
            second.dispose()
            assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    finally:
        first.dispose()


# --- a read-only database -----------------------------------------------------------------------


@pytest.mark.parametrize("make_read_only", [immutable, read_only_perms], ids=["immutable-file", "read-only-modes"])
def test_a_read_only_database_is_a_clear_error_and_stays_as_it_was(
    tmp_path: Path, isolated_home: Path, make_read_only
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ro" / "book.db"
    path.parent.mkdir()
    _book(path, ["Li Na"])
    before = db_fingerprint(path)
    env = _env(path, isolated_home)
    with make_read_only(path) as prefix:
        for args in (
            ("log-call", "Li Na", "--outcome", "no_answer"),
            ("lead", "add", "Wang Fang", "--phone", "13800138000"),
            ("goal", "set", "--month", "2026-12", "--dials", "1000"),
        ):
            result = run_as(prefix, *args, env=env)
            assert result.code == 2, result
            _clean_failure(result.err, result.out)
            assert "readonly database" in result.err
    assert db_fingerprint(path) == before
    assert _integrity(path) == "ok"
    assert sorted(p.name for p in path.parent.iterdir() if ".bak" in p.name) == []


# --- a full disk --------------------------------------------------------------------------------


def test_a_full_disk_under_a_closed_database_is_a_clear_error(tmp_path: Path, isolated_home: Path) -> None:
    """No salesdesk has the file open: SQLite cannot even make its shared-memory index, and
    says only "disk I/O error"; salesdesk says the disk is full."""
    with tiny_disk(tmp_path) as disk:
        path = disk / "book.db"
        _book(path, ["Li Na"])
        before = db_fingerprint(path)
        files = sorted(p.name for p in disk.iterdir())
        filler = fill_disk(disk)
        env = _env(path, isolated_home)
        for args in (("log-call", "Li Na", "--outcome", "no_answer"), ("lead", "list")):
            result = run_process(*args, env=env)
            assert result.code == 2, result
            _clean_failure(result.err, result.out)
            assert "disk is full" in result.err
        # Nothing left behind that looks like data: no half-made backup, no new database.
        left = sorted(p.name for p in disk.iterdir() if p != filler and not p.name.endswith(("-wal", "-shm")))
        assert left == files
        filler.unlink()
        assert db_fingerprint(path) == before
        assert run_process("log-call", "Li Na", "--outcome", "no_answer", env=env).code == 0
        assert _calls(path) == 1 and _integrity(path) == "ok"


def test_a_disk_filling_up_under_the_open_tui_refuses_writes_and_keeps_reads(
    tmp_path: Path, isolated_home: Path
) -> None:
    """The TUI holds the database open (its -wal and -shm exist), then the disk fills: a call
    logged from a script is refused whole with "database or disk is full", reads still work."""
    with tiny_disk(tmp_path) as disk:
        path = disk / "book.db"
        _book(path, ["Li Na"])
        tui_engine = open_store(path, NOW)
        try:
            with tui_engine.connect() as held:
                held.exec_driver_sql("SELECT count(*) FROM lead").all()
                before = db_fingerprint(path)
                filler = fill_disk(disk)
                env = _env(path, isolated_home)
                for args in (
                    CALL_TOO_BIG,
                    ("lead", "add", "Wang Fang", "--note", "x" * 15_000),
                ):
                    result = run_process(*args, env=env)
                    assert result.code == 2, result
                    _clean_failure(result.err, result.out)
                    assert "database or disk is full" in result.err
                listed = run_process("lead", "list", "--json", env=env)
                assert listed.code == 0 and [lead["name"] for lead in json.loads(listed.out)] == ["Li Na"]
                assert db_fingerprint(path) == before
                filler.unlink()
        finally:
            tui_engine.dispose()
        assert _integrity(path) == "ok"


def _cap_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, every store opened in this process may not grow by a page (SQLITE_FULL):
    a full disk that needs neither root nor a mount."""
    make_engine = db.make_engine

    def capped(path: Path | str) -> Engine:
        engine = make_engine(path)

        @event.listens_for(engine, "connect")
        def _cap(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        return engine

    monkeypatch.setattr(db, "make_engine", capped)
    # The hot commands open the store with sqlite3 alone (connect.open_current): cap those too.
    configure = connect.configure

    def capped_configure(dbapi_conn: sqlite3.Connection, *, wal: bool) -> None:
        configure(dbapi_conn, wal=wal)
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(connect, "configure", capped_configure)


def test_a_database_that_cannot_grow_refuses_the_write_whole(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW.isoformat())
    path = isolated_home / "salesdesk.db"
    _book(path, ["Li Na"])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0, "free pages would absorb the write"
    conn.close()
    before = db_fingerprint(path)
    _cap_stores(monkeypatch)
    for args in (
        CALL_TOO_BIG,
        ("lead", "add", "Wang Fang", "--note", "x" * 15_000),
    ):
        result = run(*args)
        assert result.code == 2, result
        _clean_failure(result.err, result.out)
        assert "database or disk is full" in result.err
    assert db_fingerprint(path) == before


# --- unusable database paths --------------------------------------------------------------------


def test_unusable_database_paths_are_one_clear_line(tmp_path: Path, isolated_home: Path) -> None:
    a_dir = tmp_path / "a-directory"
    a_dir.mkdir()
    a_file = tmp_path / "plain.txt"
    a_file.write_text("not a directory")
    cases = [
        (a_dir, "Is a directory"),
        (a_file / "salesdesk.db", "Not a directory"),
        # A directory that cannot be made: /proc takes no new entries, root or not.
        (Path("/proc/salesdesk/salesdesk.db"), "No such file or directory"),
    ]
    for path, reason in cases:
        for args in (("lead", "list"), ("log-call", "Li Na", "--outcome", "busy")):
            result = run_process(*args, env=_env(path, isolated_home))
            assert result.code == 2, result
            _clean_failure(result.err, result.out)
            assert f"cannot open the database {path}: {reason}" in result.err
    assert list(a_dir.iterdir()) == [] and a_file.read_text() == "not a directory"


def test_a_database_directory_that_cannot_be_created_is_a_clear_error(tmp_path: Path, isolated_home: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "placeholder").write_text("")
    path = locked / "sub" / "salesdesk.db"
    with read_only_perms(locked / "placeholder") as prefix:
        result = run_as(prefix, "lead", "list", env=_env(path, isolated_home))
    assert result.code == 2, result
    _clean_failure(result.err, result.out)
    assert f"cannot open the database {path}: Permission denied" in result.err
    assert not (locked / "sub").exists()
