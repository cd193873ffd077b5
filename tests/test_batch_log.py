"""``salesdesk log-call --from``: a batch follows the rules of single calls, and is atomic."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli_helpers import db_fingerprint, run, run_process

NOW = "2026-11-23T15:00:00+08:00"

# Each call as log-call options, in the order logged; the batch gets the same as JSON lines.
CALLS: list[dict[str, object]] = [
    {"lead": "Li Na", "outcome": "no_answer", "at": "yesterday 10:00"},  # opens the fallbacks
    {"lead": "1", "outcome": "busy", "at": "yesterday 11:00"},  # fallbacks already open: none more
    {"lead": "#2", "outcome": "callback", "benefit": "sent the deck", "next": "today 11:00", "at": "yesterday 16:00"},
    {"lead": "王芳", "outcome": "voicemail", "note": "left a message\nsecond line", "at": "2h ago"},
    # Meets the scheduled call from line 3 (due today) and the one made before the batch.
    {"lead": "Li Nan", "outcome": "connected", "benefit": "price benchmark", "duration": "4m30s",
     "objection": "no_time", "reply": 1, "at": "today 12:00"},
    {"lead": "13800138000", "outcome": "do_not_call", "at": "1h ago"},  # terminal: no benefit needed
    {"lead": "li.na@acme.com", "outcome": "meeting_booked", "benefit": "agenda", "duration": 90, "at": "30 min ago",
     "meeting": "fri 10:00", "place": "Acme, 3rd floor"},
    {"lead": "Li Na", "outcome": "callback", "benefit": "pricing", "next": "tomorrow 10:00"},
]  # fmt: skip


def _options(call: dict[str, object]) -> list[str]:
    args = [str(call["lead"])]
    for key, value in call.items():
        if key != "lead":
            args += [f"--{key}", str(value)]
    return args


def _jsonl(calls: list[dict[str, object]]) -> str:
    return "".join(json.dumps(call, ensure_ascii=False) + "\n" for call in calls)


def _book(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_DB", str(db))
    for args in (
        ("Li Na", "--email", "li.na@acme.com", "--at", "3 days ago"),
        ("Li Nan", "--phone", "+86 139 0000 0001", "--at", "3 days ago"),
        ("王芳", "--phone", "138-0013-8000", "--at", "3 days ago"),
    ):
        assert run("lead", "add", *args).code == 0
    # An open call follow-up made before the batch, due today: the batch must meet it.
    assert run("log-call", "Li Nan", "--outcome", "busy", "--at", "2 days ago", "--next", "today 9:00").code == 0


TABLES = ("touch", "followup", "lead", "meeting", "lead_state_change")


def _tables(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "batch.db"
    _book(path, monkeypatch)
    return path


def test_a_batch_leaves_the_database_as_the_same_single_calls_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    singles, batched = tmp_path / "singles.db", tmp_path / "batched.db"
    _book(singles, monkeypatch)
    for call in CALLS:
        result = run("log-call", *_options(call))
        assert result.code == 0, (call, result.err)
    _book(batched, monkeypatch)
    source = tmp_path / "calls.jsonl"
    source.write_text(_jsonl(CALLS), encoding="utf-8")
    result = run("log-call", "--from", str(source))
    assert result.code == 0, result.err
    assert "Logged 8 calls for 3 leads: 4 fallback follow-ups opened, 2 next calls scheduled." in result.out
    assert _tables(batched) == _tables(singles)


def test_json_lists_each_call_as_log_call_json_does(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "calls.jsonl"
    source.write_text("\n" + _jsonl(CALLS[:3]), encoding="utf-8")  # a blank first line still counts
    result = run("log-call", "--from", str(source), "--json")
    assert result.code == 0, result.err
    items = result.json()
    assert [item["line"] for item in items] == [2, 3, 4]
    assert [f["channel"] for f in items[0]["followups"]] == ["wechat", "email"]
    assert items[1]["followups"] == [] and items[2]["next"]["due_at"] == "2026-11-23T11:00:00+08:00"
    single = run("log-call", "Li Na", "--outcome", "busy", "--json").json()
    assert set(items[0]) - {"line"} == set(single)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"lead": "Li Na", "outcome": "connected"}'], "line 2: rule 'every touch offers a benefit'"),
        (['{"lead": "Li Na", "outcome": "callback", "benefit": "x"}'], "line 2: outcome callback needs the time"),
        (['{"lead": "nobody", "outcome": "busy"}'], "line 2: no lead matches 'nobody'"),
        (['{"lead": "li", "outcome": "busy"}'], "line 2: 'li' matches 2 leads"),
        (['{"lead": "Li Na", "outcome": "frobbed"}'], "line 2: unknown outcome 'frobbed'"),
        (['{"lead": "Li Na", "outcome": "busy", "at": "in 2 days"}'], "line 2: a touch cannot be logged in the future"),
        (['{"lead": "Li Na", "outcome": "busy", "at": "5 days ago"}'], "line 2: #1 Li Na arrived"),
        (['{"lead": "Li Na", "outcome": "busy", "duration": "long"}'], "line 2: can't read 'long' as a call duration"),
        (['{"lead": "Li Na", "outcome": "busy", "duration": 100000}'], "line 2: a call lasts 0 seconds to 24 hours"),
        (['{"lead": "Li Na", "outcome": "busy", "objection": "nope"}'], "line 2: unknown objection 'nope'"),
        (['{"lead": "Li Na", "outcome": "busy", "reply": 1}'], "line 2: a reply number needs the objection"),
        (['{"lead": "Li Na", "outcome": "busy", "note": "a\\u0000b"}'], "line 2: note contains control characters"),
        (['{"lead": "Li Na", "outcome": "busy", "next": "2h ago"}'], "line 2: the next call must be later"),
        (['{"lead": "Li Na", "outcome": "busy", "colour": "red"}'], "line 2: unknown field 'colour'"),
        (['{"lead": "Li Na"}'], 'line 2: "outcome" is missing'),
        (['{"outcome": "busy"}'], 'line 2: "lead" is missing'),
        (['{"lead": "Li Na", "outcome": "busy", "note": 5}'], 'line 2: "note" must be text'),
        (['{"lead": "Li Na", "outcome": "busy", "reply": 0}'], 'line 2: "reply" must be a reply number'),
        (['{"lead": true, "outcome": "busy"}'], 'line 2: "lead" is missing'),
        (['{"lead": "Li Na", "outcome": "busy"'], "line 2: not JSON"),
        (['["Li Na", "busy"]'], "line 2: expected a JSON object"),
        (["", "  ", '{"lead": 1, "outcome": "busy"'], "line 4: not JSON"),
        ([], "no calls to log"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_written(db: Path, tmp_path: Path, lines: list[str], message: str) -> None:
    source = tmp_path / "calls.jsonl"
    good = json.dumps({"lead": "Li Nan", "outcome": "no_answer"}) + "\n" if lines else ""
    source.write_text(good + "\n".join(lines) + "\n", encoding="utf-8")
    before = db_fingerprint(db)
    result = run("log-call", "--from", str(source))
    # A line the rep's own rule refuses exits 1 (refused); a line that can't be read, 2.
    assert result.code == (1 if "rule 'every touch" in message else 2), (result.out, result.err)
    assert message in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert db_fingerprint(db) == before


def test_a_bad_line_after_thousands_of_good_ones_still_writes_nothing(db: Path, tmp_path: Path) -> None:
    good = [{"lead": 2, "outcome": "no_answer", "at": "1h ago"}] * 1000
    source = tmp_path / "calls.jsonl"
    source.write_text(_jsonl(good) + '{"lead": 2, "outcome": "connected"}\n', encoding="utf-8")
    before = db_fingerprint(db)
    result = run("log-call", "--from", str(source))
    assert result.code == 1 and "line 1001: rule 'every touch offers a benefit'" in result.err
    assert db_fingerprint(db) == before


def test_benefit_warn_mode_warns_with_the_line_and_logs(db: Path, tmp_path: Path, isolated_home: Path) -> None:
    config = isolated_home / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[rules]\nbenefit = "warn"\n', encoding="utf-8")
    source = tmp_path / "calls.jsonl"
    source.write_text(_jsonl([{"lead": 1, "outcome": "connected"}] * 25), encoding="utf-8")
    result = run("log-call", "--from", str(source))
    assert result.code == 0, result.err
    assert "line 1: warning: rule 'every touch offers a benefit'" in result.err
    assert "... and 5 more warnings" in result.err
    assert "Logged 25 calls for 1 lead" in result.out


def test_stdin_batch_in_a_real_process(db: Path) -> None:
    result = run_process("log-call", "--from", "-", stdin=_jsonl(CALLS[:2]), env={"SALESDESK_DB": str(db)})
    assert result.code == 0, result.err
    assert "Logged 2 calls for 1 lead: 2 fallback follow-ups opened" in result.out
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM touch").fetchone()[0] == 3
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log-call", "--from", "x.jsonl", "Li Na"), "--from takes the lead and options from each line"),
        (("log-call", "--from", "x.jsonl", "--outcome", "busy"), "--from takes the lead and options from each line"),
        (("log-call",), "Missing argument 'LEAD' (or --from FILE.jsonl"),
        (("log-call", "--from", "does-not-exist.jsonl"), "cannot read does-not-exist.jsonl"),
    ],
)
def test_usage_errors(db: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.code == 2 and message in result.err


def test_a_file_that_is_not_utf8_is_refused(db: Path, tmp_path: Path) -> None:
    source = tmp_path / "calls.jsonl"
    source.write_bytes(b'{"lead": 1, "outcome": "busy"}\n{"lead": "\xff\xfe", "outcome": "busy"}\n')
    result = run("log-call", "--from", str(source))
    assert result.code == 2 and "not UTF-8" in result.err


def test_exported_calls_log_into_another_book_as_they_were(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`export touches --format jsonl` feeds `log-call --from`: the calls come back with their
    time, outcome, note, benefit, talk time, objection and the meeting they booked; touches
    on other channels are skipped and counted (log-touch logs those)."""
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    _book(first, monkeypatch)
    for args in (
        ("Li Na", "-o", "meeting_booked", "--meeting", "fri 10:00", "--place", "Acme", "--benefit", "deck",
         "--duration", "4m", "--objection", "no_time", "--note", "wants a demo", "--at", "1h ago"),
        ("王芳", "-o", "no_answer", "--at", "2h ago"),
    ):  # fmt: skip
        assert run("log-call", *args).code == 0
    assert run("log-touch", "王芳", "--channel", "wechat", "--benefit", "report", "--at", "90 min ago").code == 0
    exported = tmp_path / "touches.jsonl"
    assert run("export", "touches", "--format", "jsonl", "-o", str(exported)).code == 0

    def calls(db: Path) -> list[tuple]:
        conn = sqlite3.connect(db)
        try:
            return conn.execute(
                "SELECT t.lead_id, t.at, t.outcome, t.note, t.benefit, t.duration_s, t.objection, m.at, m.place "
                "FROM touch t LEFT JOIN meeting m ON m.touch_id = t.id WHERE t.channel = 'call' ORDER BY t.at"
            ).fetchall()
        finally:
            conn.close()

    _book(second, monkeypatch)  # the same leads, so the same ids (and the book's own call before the batch)
    own = calls(second)
    result = run("log-call", "--from", str(exported))
    assert result.code == 0, result.err
    assert "Skipped 1 exported touch on other channels (log-touch logs those)." in result.out

    assert calls(second) == sorted(own + calls(first), key=lambda call: call[1])
