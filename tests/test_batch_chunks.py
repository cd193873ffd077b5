"""``log-call --from FILE --chunk N`` (issue 10): a batch committed N lines at a time, run as the
installed command. The default stays all or nothing; either way the whole input is read and
checked before the write lock is taken."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, run_process
from tests.conftest import NOW, TZ_NAME

LEADS = 20


def _env(home: Path) -> dict[str, str]:
    return {"SALESDESK_HOME": str(home), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


@pytest.fixture
def db(isolated_home: Path, tmp_path: Path) -> Path:
    rows = "".join(f"Lead {i},+86 139{i:08d},2026-01-01\n" for i in range(LEADS))
    source = tmp_path / "seed.csv"
    source.write_text("name,phone,created_at\n" + rows, encoding="utf-8")
    assert run_process("import", "leads", str(source), env=_env(isolated_home)).code == 0
    return isolated_home / "salesdesk.db"


def _calls(tmp_path: Path, count: int, bad_line: str | None = None) -> Path:
    source = tmp_path / "calls.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(count):
            call = {"lead": 1 + i % LEADS, "outcome": "no_answer" if i % 2 else "busy", "at": f"{1 + i % 500} min ago"}
            handle.write(json.dumps(call) + "\n")
        if bad_line is not None:
            handle.write(bad_line + "\n")
    return source


def _touches(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM touch").fetchone()[0]
    finally:
        conn.close()


def test_each_chunk_is_said_and_committed(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    result = run_process("log-call", "--from", str(_calls(tmp_path, 7)), "--chunk", "3", env=_env(isolated_home))
    assert result.code == 0, result
    assert result.out.splitlines() == [
        "Chunk 1 of 3 (lines 1-3): logged 3 calls for 3 leads, 6 fallback follow-ups opened, 0 next calls scheduled.",
        "Chunk 2 of 3 (lines 4-6): logged 3 calls for 3 leads, 6 fallback follow-ups opened, 0 next calls scheduled.",
        "Chunk 3 of 3 (line 7): logged 1 call for 1 lead, 2 fallback follow-ups opened, 0 next calls scheduled.",
        "Logged 7 calls in 3 chunks.",
    ]
    assert _touches(db) == 7


def test_a_refused_line_keeps_the_chunks_before_it_and_says_so(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    source = _calls(tmp_path, 6, bad_line='{"lead": "nobody", "outcome": "busy"}')
    result = run_process("log-call", "--from", str(source), "--chunk", "3", env=_env(isolated_home))
    assert result.code == 2 and "Traceback" not in result.err, result
    assert result.err.splitlines() == [
        "salesdesk: line 7: no lead matches 'nobody'; find it with: salesdesk lead list --search TEXT",
        "chunks 1-2 of 3 (lines 1-6) stay logged; nothing after line 6 was",
    ]
    assert _touches(db) == 6


def test_without_chunk_a_batch_stays_all_or_nothing(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    source = _calls(tmp_path, 6, bad_line='{"lead": "nobody", "outcome": "busy"}')
    result = run_process("log-call", "--from", str(source), env=_env(isolated_home))
    assert result.code == 2 and "line 7: no lead matches 'nobody'" in result.err, result
    assert _touches(db) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--chunk", "0"), "Invalid value for '--chunk'"),
        (("--chunk", str(2**63)), "Invalid value for '--chunk'"),
        (("--chunk", "3", "--json"), "it takes --from, and not --json"),
    ],
    ids=["zero", "past 2^63", "with --json"],
)
def test_chunk_has_a_range_and_needs_a_batch(
    db: Path, isolated_home: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = run_process("log-call", "--from", str(_calls(tmp_path, 3)), *args, env=_env(isolated_home))
    assert result.code == 2 and message in result.err, result
    alone = run_process("log-call", "1", "-o", "busy", "--chunk", "3", env=_env(isolated_home))
    assert alone.code == 2 and "it takes --from" in alone.err, alone
    assert _touches(db) == 0


def test_a_bad_line_is_found_before_the_write_lock_is_taken(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    source = _calls(tmp_path, 5_000, bad_line='{"lead": 1, "outcome": "busy"')
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer (the TUI saving) holds the lock throughout
    try:
        for extra in ((), ("--chunk", "100")):
            started = time.monotonic()
            result = run_process("log-call", "--from", str(source), *extra, env=_env(isolated_home))
            assert result.code == 2 and "line 5001: not JSON" in result.err, result
            assert time.monotonic() - started < 5  # not a wait on the lock first
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert _touches(db) == 0


def test_a_killed_chunked_batch_keeps_whole_chunks_only(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    size, count = 250, 20_000
    source = _calls(tmp_path, count)
    proc = subprocess.Popen(
        [str(SALESDESK), "log-call", "--from", str(source), "--chunk", str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **_env(isolated_home)},
    )
    assert proc.stdout is not None
    try:
        # Chunk 2 is said before it commits, so once it is read chunk 1 is in and chunk 2 is not yet.
        for line in proc.stdout:
            if line.startswith(b"Chunk 2 of"):
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.stdout.close()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the batch finished before it could be killed; make it larger"
    kept = _touches(db)
    assert size <= kept < count and kept % size == 0, kept
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
