"""Inputs are read in bounded pieces, run as the installed command (issue 10, item 9):
``script edit --file /dev/zero`` and ``head -c 3G /dev/zero | log-call --from -`` once grew
to gigabytes, then died of MemoryError. Each runs here under a 1 GiB address-space limit."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME

ONE_GIB = 1 << 30


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "SALESDESK_DB": str(db), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ONE_GIB, ONE_GIB))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    assert run_process("lead", "add", "Li Na", "--at", "-1d", env=_env(path)).code == 0
    return path


def _run(db: Path, *args: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SALESDESK), *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        env=_env(db),
        preexec_fn=_limit_memory,
        timeout=120,
    )


def _assert_refused(proc: subprocess.CompletedProcess[str], message: str) -> None:
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr, proc
    assert proc.stderr.startswith("salesdesk: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr, proc.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_script_from_an_endless_file_is_refused_at_its_limit(db: Path) -> None:
    before = db_fingerprint(db)
    _assert_refused(_run(db, "script", "edit", "intro", "--file", "/dev/zero"), "longer than 4,000 characters")
    assert db_fingerprint(db) == before


def test_a_script_file_that_is_not_utf8_is_refused(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "intro.txt"
    bad.write_bytes(b"Hello \xff")
    _assert_refused(_run(db, "script", "edit", "intro", "--file", str(bad)), "is not UTF-8 text (byte 0xff)")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_batch_fed_gigabytes_without_a_newline_stops_at_the_first_line(db: Path) -> None:
    before = db_fingerprint(db)
    head = subprocess.Popen(["head", "-c", "3G", "/dev/zero"], stdout=subprocess.PIPE)
    assert head.stdout is not None
    try:
        proc = _run(db, "log-call", "--from", "-", stdin=head.stdout.fileno())
    finally:
        head.stdout.close()
        head.kill()
        head.wait()
    _assert_refused(proc, "line 1 is longer than 65,536 characters")
    assert db_fingerprint(db) == before


def test_a_batch_line_over_the_limit_is_refused_with_its_number(db: Path) -> None:
    before = db_fingerprint(db)
    lines = '{"lead": 1, "outcome": "busy"}\n' + '{"lead": 1, "outcome": "busy", "note": "' + "x" * 70_000 + '"}\n'
    result = run_process("log-call", "--from", "-", env=_env(db), stdin=lines)
    assert result.code == 2 and "line 2 is longer than 65,536 characters" in result.err, result
    assert db_fingerprint(db) == before


def test_the_help_states_the_limits() -> None:
    def shown(*args: str) -> str:
        return " ".join(run_process(*args, "--help").out.split())  # as read, not as wrapped

    assert "65,536 characters a line" in shown("log-call")
    assert "4,000 characters" in shown("script", "edit")


def test_an_idle_pipe_into_a_batch_holds_up_no_other_writer(db: Path) -> None:
    """``(sleep 75 | salesdesk log-call --from -) &`` once took the write lock before reading a
    line: the TUI and every script waited 60 s, then failed "database is locked"."""
    batch = subprocess.Popen(
        [str(SALESDESK), "log-call", "--from", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(db),
    )
    try:
        started = time.monotonic()
        other = run_process("lead", "add", "Wang Fang", env=_env(db))
        assert other.code == 0, other
        assert time.monotonic() - started < 20  # the busy timeout is 60 s
    finally:
        out, err = batch.communicate('{"lead": 1, "outcome": "busy"}\n', timeout=60)
    assert batch.returncode == 0, err
    assert "Logged 1 call" in out
