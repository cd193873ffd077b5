"""``stats hours``, ``block suggest`` and ``block add --suggested`` through the CLI: JSON
shapes, the heatmap's text, and bad input (exit 2) that leaves the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesdesk.config import Config
from salesdesk.db import open_store
from tests.cli_helpers import db_fingerprint, run, run_process
from tests.conftest import NOW
from tests.hours_history import make_history

CELL_KEYS = {"weekday", "hour", "dials", "connects", "connect_rate", "low", "high", "enough_data"}


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW.isoformat())


@pytest.fixture
def db(isolated_home: Path) -> Path:
    path = isolated_home / "salesdesk.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = open_store(path, NOW)
    make_history(engine, Config(), NOW)
    engine.dispose()
    return path


def ok(*args: str) -> str:
    result = run(*args)
    assert result.code == 0, result.err
    return result.out


def test_stats_hours_json_is_a_list_of_cells(db: Path) -> None:
    cells = run("stats", "hours", "--json").json()
    assert all(set(cell) >= CELL_KEYS for cell in cells)
    found = {(c["weekday"], c["hour"]): c for c in cells}
    tue, mon, wed = found[(1, 10)], found[(0, 16)], found[(2, 15)]
    assert (tue["dials"], tue["connects"], tue["connect_rate"], tue["low"], tue["high"]) == (
        60,
        24,
        0.4,
        0.2857,
        0.5263,
    )
    assert (mon["dials"], mon["connects"], mon["connect_rate"], mon["low"], mon["high"]) == (60, 3, 0.05, 0.0171, 0.137)
    assert tue["enough_data"] and mon["enough_data"] and not wed["enough_data"]
    assert wed["dials"] == 3
    split = run("stats", "hours", "--by", "source", "--weeks", "4", "--json").json()
    assert {c["source"] for c in split} == {"outbound"} and sum(c["dials"] for c in split) < 123


def test_stats_hours_draws_the_map_at_80_columns(db: Path) -> None:
    out = ok("stats", "hours")
    lines = out.splitlines()
    assert lines[0] == "Connect rate (connects per dial) by hour (your time, Asia/Shanghai)"
    assert lines[1] == "Last 12 weeks: 123 dials, 23% on average"
    assert lines[2] == "     07  08  09  10  11  12  13  14  15  16  17  18  19  20"
    grid = dict(line.split(" ", 1) for line in lines[3:10] if " " in line)
    assert grid["Mon"].split() == ["5"] and lines[3].index("5") == lines[2].index("16") + 1
    assert grid["Tue"].split() == ["40"] and lines[4].index("40") == lines[2].index("10")
    assert grid["Wed"].split() == ["·"]
    assert "Best:  Tue 10:00 40% (60 dials; 95% CI 29–53%)" in lines
    assert "Worst: Mon 16:00 5% (60 dials; 95% CI 2–14%)" in lines
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)


def test_stats_hours_with_no_calls_says_so(isolated_home: Path) -> None:
    assert "No calls in the last 12 weeks" in ok("stats", "hours")
    assert run("stats", "hours", "--json").json() == []


def test_block_suggest_ranks_the_good_hour_first(db: Path) -> None:
    slots = run("block", "suggest", "--json").json()
    assert len(slots) == 5
    assert all({"start", "end", "reason"} <= set(slot) for slot in slots)
    assert slots[0]["start"] == "2026-12-01T10:00:00+08:00" and slots[0]["end"] == "2026-12-01T11:30:00+08:00"
    assert slots[0]["reason"] == "Tue 01 Dec 10:00–11:30: 40% connect, 60 dials at 10:00–11:00; your average is 23%"
    text = ok("block", "suggest", "--count", "2", "--for", "1h").splitlines()
    assert text[0] == "1. Tue 01 Dec 10:00–11:00: 40% connect, 60 dials; your average is 23%"
    assert text[1].startswith("2. Mon 30 Nov 09:30–10:30: mid-morning (09:30-11:30), the method's default")


def test_block_add_suggested_takes_the_nth_shown(db: Path) -> None:
    second = run("block", "suggest", "--json").json()[1]
    added = run("block", "add", "--suggested", "2", "--goal-dials", "20", "--json").json()
    assert (added["start"], added["end"], added["minutes"]) == (second["start"], second["end"], 90)
    assert added["reason"] == second["reason"] and added["goal_dials"] == 20
    out = ok("block", "add", "--suggested", "1", "--title", "Best hour")
    assert out.startswith("Added block #2 'Best hour': Tue 01 Dec 10:00-11:30, once; no goal; protected.\n")
    assert "Why: Tue 01 Dec 10:00–11:30: 40% connect" in out
    # Taken slots are busy now: neither is proposed again.
    starts = [slot["start"] for slot in run("block", "suggest", "--json").json()]
    assert second["start"] not in starts and "2026-12-01T10:00:00+08:00" not in starts


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stats", "hours", "--weeks", "0"), "Invalid value for '--weeks'"),
        (("stats", "hours", "--weeks", "99999"), "Invalid value for '--weeks'"),
        (("stats", "hours", "--by", "colour"), "--by takes source or grade, not 'colour'"),
        (("block", "suggest", "--for", "abc"), "can't read 'abc' as a block length"),
        (("block", "suggest", "--for", "2m"), "a block lasts 5 minutes to 12 hours"),
        (("block", "suggest", "--count", "0"), "Invalid value for '--count'"),
        (("block", "add", "--suggested", "21"), "Invalid value for '--suggested'"),
        (("block", "add", "--suggested", "0"), "Invalid value for '--suggested'"),
        (("block", "add", "tue 10:00", "--suggested", "1"), "give WHEN, or --suggested N"),
        (("block", "add"), "give WHEN, or --suggested N"),
        (("block", "add", "tue 10:00"), "say how long the block lasts: --for 90m"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(db: Path, args: tuple[str, ...], message: str) -> None:
    before = db_fingerprint(db)
    result = run(*args)
    assert (result.code, result.out) == (2, ""), result
    assert message in result.err and "Traceback" not in result.err
    assert db_fingerprint(db) == before


def test_suggested_beyond_the_slots_there_are(db: Path, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text('working_days = ["sat"]\n[timing]\npreferred = ["14:00-17:00"]\n')
    assert len(run("block", "suggest", "--count", "20", "--json").json()) == 2
    before = db_fingerprint(db)
    result = run("block", "add", "--suggested", "3")
    assert result.code == 2 and "only 2 suggested slots next week" in result.err
    assert db_fingerprint(db) == before


def test_stats_is_a_command_of_the_installed_program(db: Path) -> None:
    result = run_process("stats", "hours", "--json", env={"SALESDESK_NOW": NOW.isoformat()})
    assert result.code == 0, result.err
    assert len(result.json()) == 3
    assert "hours" in run_process("stats", "--help").out
