"""When stdout fails, run as the installed command (issue 10, items 2 and 12).

- Stdout can't be written (``> /dev/full``): exit 2, one line, no traceback; a write command
  prints its result before it commits, so it rolls back and says nothing was logged (a retry
  once logged the call twice).
- The reader left (``| head -1``, a closed pipe): exit 0 and silence, in every output path;
  a write command's work still counts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME

WRITES = [
    ("log-call", "Li Na", "-o", "busy"),
    ("log-call", "Li Na", "-o", "busy", "--json"),
    ("log-touch", "Li Na", "-c", "email", "--benefit", "a case study"),
    ("lead", "add", "Wang Fang", "--company", "Huawei"),
    ("lead", "edit", "Li Na", "--grade", "A"),
    ("lead", "close", "Li Na", "--won"),
    ("deal", "add", "Li Na", "--title", "50 seats", "--value", "1000"),
    ("deal", "move", "1", "proposal"),
    ("block", "add", "tomorrow 9:00", "--for", "90m"),
    ("goal", "set", "--month", "2026-12", "--dials", "1000"),
    ("plan", "--item", "Send Wang the quote", "--kind", "key"),
    ("review", "--problem", "calls ran long"),
    ("objection", "add", "too_far", "--text", "You are too far away."),
    ("import", "leads", "-"),
]
READS = [
    ("lead", "list"),
    ("lead", "list", "--json"),
    ("lead", "show", "Li Na"),
    ("due",),
    ("export", "leads"),
    ("export", "touches", "--format", "jsonl"),
    ("export", "week"),
    ("export", "leads", "-o", "-"),
    ("--help",),
    ("lead", "--help"),
    ("--version",),
]


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "SALESDESK_DB": str(db), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "book.db"
    for args in (
        ("lead", "add", "Li Na", "--company", "Acme", "--at", "-1d"),
        ("log-call", "Li Na", "-o", "busy", "--at", "1h ago"),
        ("deal", "add", "Li Na", "--title", "pilot", "--value", "500"),
    ):
        made = run_process(*args, env=_env(db))
        assert made.code == 0, made
    return db


@pytest.fixture
def book(template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "book.db"
    shutil.copy2(template, db)
    return db


def _run(db: Path, args: tuple[str, ...], stdout: int, stdin: str | None = None) -> tuple[int, str]:
    proc = subprocess.run(
        [str(SALESDESK), *args], stdout=stdout, stderr=subprocess.PIPE, text=True, env=_env(db), input=stdin, timeout=60
    )
    return proc.returncode, proc.stderr


def _full(db: Path, args: tuple[str, ...], stdin: str | None = None) -> tuple[int, str]:
    with open("/dev/full", "w") as full:
        return _run(db, args, full.fileno(), stdin)


def _closed_pipe(db: Path, args: tuple[str, ...], stdin: str | None = None) -> tuple[int, str]:
    """Stdout is a pipe nobody reads any more: every write gets EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return _run(db, args, write_end, stdin)
    finally:
        os.close(write_end)


needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")


@needs_dev_full
@pytest.mark.parametrize("args", WRITES, ids=" ".join)
def test_a_write_whose_result_cannot_be_printed_is_rolled_back(book: Path, args: tuple[str, ...]) -> None:
    before = db_fingerprint(book)
    code, err = _full(book, args, stdin="name,phone\nWang Fang,+86 138 0013 8002\n")
    assert code == 2, err
    assert err == "salesdesk: cannot write the output: No space left on device; nothing was logged\n"
    assert db_fingerprint(book) == before


@needs_dev_full
def test_a_batch_whose_result_cannot_be_printed_is_rolled_back(book: Path) -> None:
    before = db_fingerprint(book)
    code, err = _full(book, ("log-call", "--from", "-"), stdin='{"lead": 1, "outcome": "busy"}\n')
    assert (code, err) == (2, "salesdesk: cannot write the output: No space left on device; nothing was logged\n")
    assert db_fingerprint(book) == before


@needs_dev_full
@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_whose_output_cannot_be_written_fails_cleanly(book: Path, args: tuple[str, ...]) -> None:
    before = db_fingerprint(book)
    code, err = _full(book, args)
    assert (code, err) == (2, "salesdesk: cannot write the output: No space left on device\n")
    assert db_fingerprint(book) == before


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_reader_that_left_is_not_an_error(book: Path, args: tuple[str, ...]) -> None:
    assert _closed_pipe(book, args) == (0, "")


@pytest.mark.parametrize("args", WRITES[:4], ids=" ".join)
def test_a_write_still_counts_when_its_reader_left(book: Path, args: tuple[str, ...]) -> None:
    before = db_fingerprint(book)
    assert _closed_pipe(book, args) == (0, "")
    assert db_fingerprint(book) != before  # exit 0 means done


def test_head_takes_the_first_line_and_the_pipeline_succeeds(book: Path) -> None:
    for n in range(30):
        assert run_process("lead", "add", f"Lead {n}", env=_env(book)).code == 0
    script = f'set -o pipefail; "{SALESDESK}" export touches | head -c 10 >/dev/null; "{SALESDESK}" lead list | head -1'
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=_env(book), timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc
    assert proc.stdout.count("\n") == 1
