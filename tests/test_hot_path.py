"""The hot ``log-call``/``log-touch`` (sqlite3 only) and the ORM path print the same thing,
write the same rows, and refuse the same way: both end in ``touch_log.record``."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesdesk.commands.common import State
from tests.cli_helpers import db_fingerprint, run

CASES = (
    ("log-call", "li na", "--outcome", "no_answer"),
    ("log-call", "Li Na", "-o", "connected", "--benefit", "case study", "--duration", "4m30s", "--note", "later"),
    ("log-call", "#1", "-o", "connected", "--benefit", "agenda", "--json"),
    ("log-call", "13800138000", "-o", "busy", "--duration", "20s", "--json"),
    ("log-touch", "wang", "--channel", "email", "--benefit", "price list", "--note", "sent"),
    ("log-touch", "王芳", "-c", "email", "--benefit", "行业报告", "--json"),
    ("log-call", "Li Nan", "-o", "callback", "--next", "tomorrow 9:30", "--benefit", "agenda"),  # in a block
    ("log-call", "Li Nan", "-o", "callback", "--next", "tomorrow 15:00", "--benefit", "deck", "--json"),
    ("log-call", "Li Na", "-o", "meeting_booked", "--meeting", "fri 10:00", "--place", "Acme", "--benefit", "x"),
    ("log-touch", "王芳", "-c", "email", "--benefit", "agenda", "--meeting", "tomorrow 9:45", "--json"),
    ("log-call", "Li Na", "-o", "no_answer", "--next", "tomorrow 12:30"),  # at lunch: the timing advice
    ("log-call", "li", "-o", "busy"),  # ambiguous: Li Na, Li Nan
    ("log-call", "nobody", "-o", "busy"),
    ("log-call", "Li Na", "-o", "callback"),  # needs --next
    ("log-call", "Li Na", "-o", "bogus"),
    ("log-touch", "Li Na", "-c", "call"),
    ("log-call", "Li Na", "-o", "connected", "--benefit", "x", "--objection", "no_time", "--reply", "1", "--json"),
    ("log-call", "Li Na", "-o", "connected", "--benefit", "x", "--objection", "NO_TIME"),
    ("log-call", "Li Na", "-o", "connected", "--benefit", "x", "--objection", "no_tme"),  # did you mean
    ("log-call", "Li Na", "-o", "connected", "--benefit", "x", "--objection", "no_time", "--reply", "9"),
    ("log-call", "Li Na", "-o", "connected", "--benefit", "x", "--reply", "1"),  # a reply needs its objection
    ("log-call", "Li Na", "-o", "bogus", "--objection", "nope"),  # the outcome is reported first
)


def _book(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    monkeypatch.setenv("SALESDESK_HOME", str(home))
    for args in (
        ("lead", "add", "Li Na", "--company", "Acme", "--phone", "+86 138 0013 8000"),
        ("lead", "add", "Li Nan"),
        ("lead", "add", "王芳", "--email", "wang@example.org"),
        ("block", "add", "tomorrow 9:00", "--for", "90m", "--repeat", "weekdays"),
    ):
        assert run(*args).code == 0
    return home / "salesdesk.db"


def test_the_hot_path_and_the_orm_path_are_the_same_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", "2026-11-23T15:00:00+08:00")
    from salesdesk.commands import touches

    hot_db = _book(monkeypatch, tmp_path / "hot")
    taken: list[str] = []
    real = touches._log_hot
    monkeypatch.setattr(
        touches, "_log_hot", lambda state, conn, lead, *rest: (taken.append(lead), real(state, conn, lead, *rest))
    )
    hot = [run(*case) for case in CASES]
    assert len(taken) == len(CASES)  # every case, refusals included, took the hot path
    monkeypatch.setattr(State, "current_conn", lambda self: None)  # every command takes the ORM path
    orm_db = _book(monkeypatch, tmp_path / "orm")
    orm = [run(*case) for case in CASES]
    for case, a, b in zip(CASES, hot, orm, strict=True):
        assert (a.code, a.out, a.err) == (b.code, b.out, b.err), case
    assert [r.code for r in hot] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 0, 0, 2, 2, 2, 2]
    assert '"objection": "no_time"' in hot[16].out and "did you mean no_time" in hot[18].err
    assert "inside call block #1" in hot[6].err and "inside call block #1" in hot[9].err
    assert "12:00-13:30 is lunch" in hot[10].err and 'offer "Tuesday 11:00 or Wednesday' in hot[10].err
    assert db_fingerprint(hot_db) == db_fingerprint(orm_db)


LEAD_CASES = (
    ("lead", "add", "Emma Smith"),
    ("lead", "add", "王芳", "--company", "华为", "--phone", "+86 139 0013 8000", "--grade", "b", "--json"),
    ("lead", "add", "Oliver", "--company", "ACME", "--source", "inbound", "--at", "2h ago", "--coach", "--json"),
    ("lead", "add", "Mia", "--email", "Mia@Example.org", "--title", "CTO", "--role", "user", "--note", "met at fair"),
    ("lead", "add", "Li Na 2", "--phone", "13800138000"),  # a known number: refused
    ("lead", "add", "Li Na 2", "--phone", "13800138000", "--allow-duplicate"),
    ("lead", "add", "Noah", "--email", "wang@example.org"),  # a known email: refused
    ("lead", "add", "   "),
    ("lead", "add", "Emma", "--grade", "E"),
    ("lead", "add", "Emma", "--at", "tomorrow"),
)


def test_lead_add_is_the_same_command_on_both_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", "2026-11-23T15:00:00+08:00")
    hot_db = _book(monkeypatch, tmp_path / "hot")
    hot = [run(*case) for case in LEAD_CASES]
    monkeypatch.setattr(State, "current_conn", lambda self: None)
    orm_db = _book(monkeypatch, tmp_path / "orm")
    orm = [run(*case) for case in LEAD_CASES]
    for case, a, b in zip(LEAD_CASES, hot, orm, strict=True):
        assert (a.code, a.out, a.err) == (b.code, b.out, b.err), case
    assert [r.code for r in hot] == [0, 0, 0, 0, 1, 0, 1, 2, 2, 2]
    assert db_fingerprint(hot_db) == db_fingerprint(orm_db)


def _shown(*args: str) -> tuple[int, str, str]:
    result = run(*args)
    return result.code, result.out, result.err


SHOW_CASES = (
    ("lead", "show", "Li Na"),
    ("lead", "show", "Li Na", "--json"),
    ("lead", "show", "王芳"),
    ("lead", "show", "王芳", "--json"),
    ("lead", "show", "Li Nan"),
    ("lead", "show", "li"),  # ambiguous
    ("lead", "show", "#99"),
    ("lead", "list"),
    ("lead", "list", "--search", "li", "--limit", "1"),
    ("lead", "list", "--search", "华为"),
    ("lead", "list", "--grade", "a", "--json"),
    ("lead", "list", "--status", "bogus"),
    ("due",),
    ("due", "--limit", "1"),
    ("due", "--json"),
    ("rules", "check"),
    ("rules", "check", "--json"),
    ("why", "Li Na"),  # a booked meeting, a deal, a coach
    ("why", "王芳", "--json"),
    ("why", "Li Nan"),  # in the queue: a fallback after no answer
    ("why", "li"),  # ambiguous
)


def test_lead_show_list_and_due_print_the_same_plain_through_rich_and_through_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lead show``, ``lead list``, ``due`` and ``why`` read through the store layer either way, and
    print without Rich only what Rich would print."""
    from salesdesk import plain

    monkeypatch.setenv("SALESDESK_NOW", "2026-11-23T15:00:00+08:00")
    monkeypatch.setenv("COLUMNS", "80")  # the queue table is wider: its why column wraps
    _book(monkeypatch, tmp_path / "book")
    for args in (
        ("log-call", "Li Na", "-o", "connected", "--benefit", "case study", "--duration", "4m", "--note", "asked [x]"),
        ("log-call", "Li Na", "-o", "callback", "--next", "tomorrow 10:00", "--benefit", "deck"),
        ("log-touch", "王芳", "-c", "wechat", "--benefit", "行业报告", "--meeting", "fri 10:00", "--place", "华为"),
        ("lead", "edit", "Li Na", "--grade", "A", "--title", "CTO", "--note", "two lines\nof notes", "--coach"),
        ("deal", "add", "Li Na", "--title", "50 seats", "--value", "12000"),
        ("log-call", "Li Nan", "-o", "no_answer"),
    ):
        assert run(*args).code == 0, args
    real = plain._plain
    printed: list[bool] = []
    monkeypatch.setattr(plain, "_plain", lambda doc, width: printed.append(bool(found := real(doc, width))) or found)
    plain_out = [_shown(*case) for case in SHOW_CASES]
    assert printed == [True] * 11  # the five cards, five tables and the rules check printed plain
    assert "★ coach" in plain_out[0][1] and "50 seats" in plain_out[0][1] and "newest first" in plain_out[0][1]
    assert [code for code, _, _ in plain_out][:15] == [0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 2, 0, 0, 0]
    assert plain_out[15][0] == plain_out[16][0] and plain_out[15][1].strip()  # rules check: 0 or 1, said
    assert "\n                      call Mon 23 Nov" in plain_out[12][1]  # a row of two reasons, two lines
    assert "1 of 2 leads (--limit 0 shows all)" in plain_out[8][1]
    assert [code for code, _, _ in plain_out][17:] == [0, 0, 0, 2]
    assert "\n  queue          #1 of 1: wechat now\n" in plain_out[19][1]
    monkeypatch.setattr(plain, "_plain", lambda doc, width: None)  # Rich prints every card
    assert [_shown(*case) for case in SHOW_CASES] == plain_out
    monkeypatch.setattr(plain, "_plain", real)
    monkeypatch.setattr(State, "current_conn", lambda self: None)  # the engine's connection
    assert [_shown(*case) for case in SHOW_CASES] == plain_out
