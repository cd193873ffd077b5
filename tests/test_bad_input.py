"""A corpus of bad command lines fed to the installed ``salesdesk``, one real process each.

Every case must end with the documented exit code (1 refused, 2 invalid input), one or two
lines on stderr starting ``salesdesk:`` (usage errors add a ``Try '... --help'`` line),
nothing on stdout, no traceback, and the database exactly as it was.

(Batch files, CSV and JSONL, have their own bad-input tests with the import commands.)
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli_helpers import Result, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME
from tests.fault_helpers import read_only, run_as

HUGE = "x" * 100_000  # under Linux's 128 KiB limit on one argument
RED = "\x1b[31mred"
RLO = "\u202eevil"  # right-to-left override: shows "live" reversed after it
USAGE = "Try '"
# No message line is longer than this, however much was typed.
LINE_MAX = 320

# The small book every case runs against: two near-identical names, a Chinese name, a call,
# a deal, a repeating call block, a month goal and today's plan.
BOOK = [
    ("lead", "add", "Li Na", "--company", "Acme", "--email", "li.na@acme.com", "--grade", "B", "--at", "-1d"),
    ("lead", "add", "Li Nan", "--company", "ACME", "--phone", "+86 139 0000 0001", "--at", "yesterday 11:00"),
    ("lead", "add", "王芳", "--company", "华为", "--phone", "138-0013-8000", "--source", "inbound"),
    ("log-call", "Li Na", "--outcome", "no_answer", "--at", "2h ago"),
    ("deal", "add", "Li Na", "--title", "50 seats", "--value", "120000"),
    ("block", "add", "tomorrow 9:00", "--for", "90m", "--repeat", "weekdays", "--goal-dials", "25"),
    ("goal", "set", "--month", "2026-11", "--dials", "1000"),
    ("plan", "--item", "Send Wang the quote", "--kind", "key", "--dials", "60"),
]  # fmt: skip

# (command line, exit code, a piece of the message)
CORPUS: list[tuple[tuple[str, ...], int, str]] = [
    # lead add / list / show / edit / close
    (("lead", "add", ""), 2, "name is empty"),
    (("lead", "add", HUGE), 2, "name is 100,000 characters long"),
    (("lead", "add", "Emma", "--company", RED), 2, "company contains control characters"),
    (("lead", "add", RLO), 2, "name contains control characters"),
    (("lead", "add", "Emma", "--phone", "\x01138"), 2, "phone contains control characters"),
    (("lead", "add", "Emma", "--grade", HUGE), 2, "is not one of: A, B, C, D"),
    (("lead", "list", "--limit", "abc"), 2, "Invalid value for '--limit'"),
    (("lead", "list", "--search", "\x01"), 2, "search contains control characters"),
    (("lead", "show", ""), 2, "LEAD is empty"),
    (("lead", "show", "li"), 2, "'li' matches 2 leads; use an id or more of the name:\n#1 Li Na; #2 Li Nan"),
    (("lead", "show", HUGE), 2, "LEAD is 100,000 characters long"),
    (("lead", "show", "#999"), 2, "no lead has id 999"),
    (("lead", "edit", "Nobody", "--grade", "A"), 2, "no lead matches 'Nobody'"),
    (("lead", "edit", "Li Na", "--name", ""), 2, "name is empty"),
    (("lead", "close", "Li Nan", "--lost", "--reason", "no budget"), 1, "closing as lost needs 6 touches"),
    (("lead", "close", "Li Na"), 2, "--won or --lost"),
    # log-call / log-touch
    (("log-call", "Li Na", "--outcome", "busy", "--at", "32/13"), 2, "can't read '32/13' as a time"),
    (("log-call", "Li Na", "-o", "callback", "--benefit", "x", "--next", "next year"), 2, "can't read 'next year'"),
    (("log-call", "Li Na", "-o", HUGE), 2, "valid outcomes: no_answer"),
    (("log-call", "王五", "-o", "busy"), 2, "no lead matches '王五'"),
    (("log-call", "Li Na", "-o", "busy", "--reply", "abc"), 2, "Invalid value for '--reply'"),
    (("log-touch", "Li Na", "-c", "email", "--benefit", RLO), 2, "benefit contains control characters"),
    (("log-touch", "Li Na", "-c", "email", "--at", "yesterday 25pm"), 2, "can't read 'yesterday 25pm'"),
    # due / why / rules
    (("due", "--limit", "0"), 2, "Invalid value for '--limit'"),
    (("why", "li"), 2, "matches 2 leads"),
    (("rules", "--bogus"), 2, "No such option: --bogus"),
    # blocks
    (("block", "add", "32/13", "--for", "90m"), 2, "can't read '32/13' as a time"),
    (("block", "add", "tomorrow 14:00", "--for", "90m", "--goal-dials", "-3"), 2, "Invalid value for '--goal-dials'"),
    (("block", "add", "tomorrow 14:00", "--for", "90m", "--title", RED), 2, "title contains control characters"),
    (("block", "add", "tomorrow 9:30", "--for", "30m"), 1, "overlaps block #1"),
    (("block", "list", "--date", "next year"), 2, "can't read 'next year' as a day"),
    (("block", "remove", "999"), 2, "no block #999"),
    (("block", "plan", "--meetings", "5", "--rate", "abc"), 2, "Invalid value for '--rate'"),
    # objections and deals
    (("objection", "show", HUGE), 2, "must be a short key like no_time"),
    (("objection", "add", "new_one", "--text", ""), 2, "text is empty"),
    (("deal", "add", "Li Na", "--title", "50 seats", "--value", "ten"), 2, "Invalid value for '--value'"),
    (("deal", "add", "li", "--title", "x"), 2, "matches 2 leads"),
    (("deal", "move", "1", "nowhere"), 2, "stage 'nowhere' is not one of"),
    # plan / summary / review / export / goal
    (("plan", "32/13"), 2, "can't read '32/13' as a day"),
    (("plan", "--item", HUGE), 2, "item is 100,000 characters long"),
    (("summary", "--json", "--markdown"), 2, "choose one: --json or --markdown"),
    (("review", "--problem", "\x01"), 2, "problem contains control characters"),
    (("export", "week", "2026-W60"), 2, "is not a week of that year"),
    (("export", "week", "-o", "/proc/salesdesk/week.md"), 2, "cannot write /proc/salesdesk/week.md"),
    (("goal", "set", "--month", "2026-12", "--dials", "-3"), 2, "Invalid value for '--dials'"),
    # issue 10: past 2^63, output files, backups, bounded reads
    (("lead", "list", "--limit", str(2**63)), 2, "Invalid value for '--limit'"),
    (("deal", "add", "Li Na", "--title", "x", "--value", str(2**63)), 2, "Invalid value for '--value'"),
    (("log-call", "Li Na", "-o", "busy", "--reply", str(2**63)), 2, "Invalid value for '--reply'"),
    (("block", "fill", str(2**63)), 2, "Invalid value for 'ID'"),
    (("export", "leads", "-o", "/proc"), 2, "/proc is a directory; give a file name"),
    (("block", "export", "--ics", "/proc"), 2, "/proc is a directory; give a file name"),
    (("backup", "/proc"), 2, "/proc is a directory; give a file name"),
    (("script", "edit", "intro", "--file", "/dev/zero"), 2, "/dev/zero is longer than 4,000 characters"),
    (("import", "leads", "/dev/zero"), 2, "/dev/zero is not a text file (a NUL byte at offset 0)"),
]


def _env(db: Path) -> dict[str, str]:
    return {"SALESDESK_DB": str(db), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "book.db"
    env = {**_env(db), "SALESDESK_HOME": str(db.parent / "home")}
    for args in BOOK:
        made = run_process(*args, env=env)
        assert made.code == 0, (args, made.err)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


@pytest.fixture
def book(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template book for each case."""
    db = tmp_path / "book" / "book.db"
    db.parent.mkdir()
    shutil.copy2(template, db)
    return db


def assert_clean_failure(result: Result, code: int, message: str) -> None:
    assert result.code == code, result
    assert result.out == ""
    assert "Traceback" not in result.err
    lines = result.err.rstrip("\n").split("\n")
    assert 1 <= len(lines) <= 2, result.err
    assert lines[0].startswith("salesdesk: "), result.err
    if "Invalid value" in lines[0] or "No such option" in lines[0]:  # a usage error says what helps
        assert len(lines) == 2 and lines[1].startswith(USAGE) and lines[1].endswith("--help'."), result.err
    assert all(len(line) <= LINE_MAX for line in lines), [len(line) for line in lines]
    assert message in result.err, result.err


def _case_id(args: tuple[str, ...]) -> str:
    shown = " ".join(a if len(a) < 30 else f"<{len(a)} chars>" for a in args)
    return shown.encode("unicode_escape").decode("ascii")


@pytest.mark.parametrize(("args", "code", "message"), CORPUS, ids=[_case_id(args) for args, _, _ in CORPUS])
def test_bad_command_line_is_refused_cleanly_and_changes_nothing(
    book: Path, isolated_home: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    before = db_fingerprint(book)
    result = run_process(*args, env={**_env(book), "SALESDESK_HOME": str(isolated_home)})
    assert_clean_failure(result, code, message)
    assert db_fingerprint(book) == before
    # No stray file beside the database either (a backup, a half-written export).
    assert sorted(p.name for p in book.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["book.db"]


def test_a_database_directory_that_cannot_be_made(isolated_home: Path) -> None:
    db = Path("/proc/salesdesk/book.db")  # /proc takes no new directories, not even from root
    result = run_process("log-call", "Li Na", "-o", "busy", env={**_env(db), "SALESDESK_HOME": str(isolated_home)})
    assert_clean_failure(result, 2, f"cannot open the database {db}: No such file or directory")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log-call", "Li Na", "-o", "busy"), "readonly database"),
        (("lead", "edit", "Li Na", "--grade", "A"), "readonly database"),
        (("deal", "move", "1", "proposal"), "readonly database"),
    ],
    ids=["log-call", "lead edit", "deal move"],
)
def test_a_read_only_database(book: Path, isolated_home: Path, args: tuple[str, ...], message: str) -> None:
    before = db_fingerprint(book)
    with read_only(book) as prefix:
        result = run_as(prefix, *args, env={**_env(book), "SALESDESK_HOME": str(isolated_home)})
    assert_clean_failure(result, 2, message)
    assert db_fingerprint(book) == before
