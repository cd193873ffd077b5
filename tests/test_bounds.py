"""Numbers and text at the edge, run as the installed command (issue 10, items 6, 7 and 8):
integers past 2^63, invalid UTF-8 in argv, lone surrogates in JSONL and unbounded config
numbers once crashed with OverflowError or UnicodeEncodeError (exit 1 and a traceback)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, Result, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME

TOO_BIG = str(2**63)


def _env(db: Path) -> dict[str, str]:
    return {"SALESDESK_DB": str(db), "SALESDESK_HOME": str(db.parent), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    for args in (
        ("lead", "add", "Li Na", "--company", "Acme", "--at", "-1d"),
        ("block", "add", "tomorrow 9:00", "--for", "90m"),
    ):
        made = run_process(*args, env=_env(path))
        assert made.code == 0, made
    return path


def assert_refused(result: Result, *pieces: str) -> None:
    assert result.code == 2 and result.out == "" and "Traceback" not in result.err, result
    assert result.err.startswith("salesdesk: ") and result.err.count("\n") <= 2, result.err
    for piece in pieces:
        assert piece in result.err, result.err


@pytest.mark.parametrize(
    ("args", "bound"),
    [
        (("log-call", "Li Na", "-o", "busy", "--reply", TOO_BIG), "1000000"),
        (("deal", "add", "Li Na", "--title", "x", "--value", TOO_BIG), "1000000000000"),
        (("lead", "list", "--limit", TOO_BIG), "1000000"),
        (("due", "--limit", TOO_BIG), "1000000"),
        (("goal", "set", "--month", "2026-12", "--dials", TOO_BIG), "1000000"),
        (("plan", "--dials", TOO_BIG), "1000000"),
        (("block", "add", "tomorrow 14:00", "--for", "30m", "--goal-dials", TOO_BIG), "1000000"),
        (("block", "fill", TOO_BIG), "9223372036854775807"),
        (("block", "remove", TOO_BIG), "9223372036854775807"),
    ],
    ids=lambda v: " ".join(v[:2]) if isinstance(v, tuple) else None,
)
def test_an_integer_past_its_range_is_refused_naming_the_range(db: Path, args: tuple[str, ...], bound: str) -> None:
    before = db_fingerprint(db)
    assert_refused(run_process(*args, env=_env(db)), "Invalid value for", bound)
    assert db_fingerprint(db) == before


def test_the_help_states_the_range() -> None:
    assert "0<=x<=1000000000000" in run_process("deal", "add", "--help").out


def test_deals_at_the_limit_or_beyond_it_from_an_older_version_keep_the_funnel_working(db: Path) -> None:
    for _ in range(2):
        made = run_process("deal", "add", "Li Na", "--title", "big", "--value", str(10**12), env=_env(db))
        assert made.code == 0, made
    conn = sqlite3.connect(db)  # what an older salesdesk let in: values SUM() can't add up
    conn.execute("UPDATE deal SET value = ?", (2**63 - 1,))
    conn.commit()
    conn.close()
    for args in (("funnel",), ("funnel", "--json"), ("export", "week")):
        result = run_process(*args, env=_env(db))
        assert result.code == 0 and "Traceback" not in result.err, (args, result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([b"lead", b"add", b"bad\xff"], "argument 3 is not UTF-8 text (byte 0xff at offset 3)"),
        ([b"lead", b"list", b"--search", b"\xff"], "argument 4 is not UTF-8 text (byte 0xff at offset 0)"),
        (
            [b"log-call", "王".encode() + b"\xe7\x8e", b"-o", b"busy"],
            "argument 2 is not UTF-8 text (byte 0xe7 at offset 3)",
        ),
    ],
    ids=["lead add", "lead list --search", "log-call"],
)
def test_an_argument_that_is_not_utf8_is_refused_with_its_byte_offset(
    db: Path, args: list[bytes], message: str
) -> None:
    before = db_fingerprint(db)
    proc = subprocess.run(
        [os.fsencode(SALESDESK), *args], capture_output=True, text=True, env={**os.environ, **_env(db)}, timeout=60
    )
    assert_refused(Result(proc.returncode, proc.stdout, proc.stderr), message)
    assert db_fingerprint(db) == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"lead": 1, "outcome": "busy", "note": "é\\ud800"}', "line 2: the \\u escape at byte 42 is half a character"),
        ('{"lead": "\\udcff", "outcome": "busy"}', "line 2: the \\u escape at byte 10 is half a character"),
        (f'{{"lead": 1, "outcome": "busy", "reply": {TOO_BIG}}}', '"reply" must be a reply number from 1 to 1,000,000'),
    ],
    ids=["surrogate in a note", "surrogate as the lead", "reply too big"],
)
def test_a_jsonl_line_out_of_range_or_not_text_is_refused(db: Path, line: str, message: str) -> None:
    before = db_fingerprint(db)
    stdin = '{"lead": 1, "outcome": "busy"}\n' + line + "\n"
    assert_refused(run_process("log-call", "--from", "-", env=_env(db), stdin=stdin), message)
    assert db_fingerprint(db) == before


def test_a_pair_of_escapes_is_one_character_and_is_logged(db: Path) -> None:
    result = run_process(
        "log-call", "--from", "-", env=_env(db), stdin='{"lead": 1, "outcome": "busy", "note": "\\ud83d\\ude00"}\n'
    )
    assert result.code == 0, result


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("[rules.cadence_days]\nA = 3000000", "from 1 to 3,650"),
        (
            "[rules]\nreview_after_reached = 9223372036854775807",
            "rules.review_after_reached must be a whole number from 0 to 1,000",
        ),
        ("[rules]\nmin_touches_before_lost = 9223372036854775807", "from 0 to 1,000"),
    ],
    ids=["cadence_days", "review_after_reached", "min_touches_before_lost"],
)
@pytest.mark.parametrize(
    "command",
    [
        ("due",),
        ("why", "Li Na"),
        ("export", "week"),
        ("rules", "check"),
        ("lead", "close", "Li Na", "--lost", "--reason", "x"),
    ],
    ids=" ".join,
)
def test_a_config_number_past_its_range_is_refused(
    db: Path, setting: str, message: str, command: tuple[str, ...]
) -> None:
    (db.parent / "config.toml").write_text(setting + "\n")
    before = db_fingerprint(db)
    assert_refused(run_process(*command, env=_env(db)), message)
    assert db_fingerprint(db) == before
