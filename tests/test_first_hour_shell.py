"""Issue 12, the shell half: what a new user reads in their first hour, run as a real process
(stdout a pipe, as in a script) or in-process on a terminal-like stdout (for wrapping)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.cli_helpers import run_process

ENV = {"SALESDESK_NOW": "2026-11-23T15:00:00+08:00", "COLUMNS": "80"}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _book() -> None:
    """A small book with a first-contact breach, a failed call and a long note."""
    for args in (
        ("lead", "add", "Late Lily", "--company", "Umbrella Logistics International", "--source", "inbound",
         "--at", "yesterday 9:00"),
        ("lead", "add", "Li Na", "--company", "Acme", "--email", "li.na@acme.com", "--at", "2h ago"),
        ("log-call", "Li Na", "--outcome", "no_answer", "--at", "1h ago"),
    ):  # fmt: skip
        result = run_process(*args, env=ENV)
        assert result.code == 0, result.err


# --- item 9: piped output is never wrapped and never padded ---


@pytest.mark.parametrize(
    "args",
    [("rules",), ("due",), ("why", "Late Lily"), ("lead", "list"), ("objection", "list"), ("block", "plan",
     "--meetings", "1"), ("rules", "check")],
)  # fmt: skip
def test_piped_output_has_no_trailing_spaces_and_no_wrapped_lines(isolated_home: Path, args: tuple[str, ...]) -> None:
    _book()
    result = run_process(*args, env=ENV)
    assert result.out, result.err
    lines = result.out.splitlines()
    assert not [line for line in lines if line != line.rstrip()], "trailing spaces on a piped line"
    if args[0] == "rules" and len(args) == 1:
        # A rule's meaning is one line, indented under its name, however long.
        meaning = "a new lead is contacted within this many hours of arriving (any channel but other)"
        assert f"      {meaning}" in lines and any(line.startswith("Rules (set them in [rules]") for line in lines)
    if args[0] == "objection":
        reply = next(line for line in lines if line.startswith("send_materials"))
        assert reply.endswith("Better I come by: Tuesday or Wednesday, morning or afternoon?")
    if args[0] == "due":
        assert any(re.search(r"first contact was due within 5h, \S+ over$", line) for line in lines), lines


def test_on_a_terminal_long_lines_wrap_under_their_text_not_at_the_margin(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _book()
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("SALESDESK_NOW", ENV["SALESDESK_NOW"])
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    from salesdesk.cli import main

    with pytest.raises(SystemExit):
        main(["why", "Late Lily"])
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in terminal.getvalue().splitlines()]
    touches = lines.index(next(line for line in lines if line.startswith("  touches ")))
    assert lines[touches + 1].startswith(" " * 17) and lines[touches + 1].strip(), lines  # a hanging indent
    assert all(len(line.rstrip()) <= 60 for line in lines)


# --- item 10: words, not keys; one human form of times; plurals ---


def test_text_says_outcomes_and_rules_in_words_and_times_in_one_human_form(isolated_home: Path) -> None:
    _book()
    assert "Logged call (busy)" in run_process("log-call", "Li Na", "--outcome", "busy", env=ENV).out
    due = run_process("due", env=ENV).out
    assert "didn't get through (no answer)" in due and "(no_answer)" not in due
    check = run_process("rules", "check", env=ENV)
    assert check.code == 1
    assert (
        "1 first-contact breach\n" in check.out and "  #1 Late Lily: was due Sun 22 Nov 14:00, 1d1h over" in check.out
    )
    assert not re.search(r"\d{4}-\d\d-\d\dT", check.out), check.out  # ISO only in --json
    assert re.search(r"\d{4}-\d\d-\d\dT", run_process("rules", "check", "--json", env=ENV).out)
    why = run_process("why", "Li Na", env=ENV).out
    assert "(after a call that didn't get through)" in why and "(fallback)" not in why


def test_counts_take_the_right_number(isolated_home: Path) -> None:
    _book()
    assert "2 of 2 leads" in run_process("lead", "list", env=ENV).out
    assert "1 of 1 lead\n" in run_process("lead", "list", "--search", "Lily", env=ENV).out
    added = run_process("block", "add", "tomorrow 9:30", "--for", "90m", "--goal-dials", "1", "--goal-meetings", "1",
                        env=ENV).out  # fmt: skip
    assert "goal 1 dial, 1 meeting;" in added
    assert "To book 1 meeting at " in run_process("block", "plan", "--meetings", "1", env=ENV).out


# --- item 11: --help speaks in NAME, TEXT, WHEN; summaries fit in 80 columns ---


@pytest.mark.parametrize("group", ["", "lead", "block", "objection", "meeting", "deal", "plan", "problem", "import"])
def test_help_lists_whole_one_line_summaries_at_80_columns(isolated_home: Path, group: str) -> None:
    result = run_process(*group.split(), "--help", env=ENV)
    commands = result.out.split("Commands:\n")[1].splitlines()
    assert commands and all(line.startswith("  ") and not line.startswith("   ") for line in commands), commands
    assert not [line for line in commands if line.endswith("...") or len(line) > 80], commands


def test_help_names_values_the_conventional_way(isolated_home: Path) -> None:
    shown = run_process("log-call", "--help", env=ENV).out
    assert "Usage: salesdesk log-call [OPTIONS] [LEAD]" in shown
    for option in ("-o, --outcome NAME", "--note TEXT", "--next WHEN", "--at WHEN", "--reply N", "--objection KEY"):
        assert option in shown, option
    assert "<str>" not in shown and "<int" not in shown
    usage = run_process("lead", "show", "--help", env=ENV).out
    assert usage.startswith("Usage: salesdesk lead show [OPTIONS] LEAD\n") and "{" not in usage.splitlines()[0]
    assert "\n  LEAD  Id, or part of a name" in usage


# --- item 12: every refusal against the exit-code contract ---


def test_a_rule_refusal_exits_1_and_invalid_input_exits_2(isolated_home: Path) -> None:
    _book()
    benefit = run_process("log-call", "Li Na", "--outcome", "connected", env=ENV)
    assert benefit.code == 1 and "every touch offers a benefit" in benefit.err and "--benefit TEXT" in benefit.err
    assert run_process("log-touch", "Li Na", "--channel", "email", env=ENV).code == 1
    closing = run_process("lead", "close", "Li Na", "--lost", "--reason", "no budget", env=ENV)
    assert closing.code == 1 and "closing as lost needs" in closing.err
    duplicate = run_process("lead", "add", "Li Na 2", "--email", "li.na@acme.com", env=ENV)
    assert duplicate.code == 1 and "already has this phone or email" in duplicate.err
    assert run_process("objection", "add", "no_time", "--text", "again", env=ENV).code == 1
    assert run_process("log-call", "Nobody", "--outcome", "busy", env=ENV).code == 2  # unknown lead
    assert run_process("log-call", "Li Na", "--outcome", "shrug", env=ENV).code == 2  # unknown outcome
    assert run_process("log-call", "Li Na", "--outcome", "busy", "--at", "blursday", env=ENV).code == 2  # bad date
    callback = run_process("log-call", "Li Na", "--outcome", "callback", "--benefit", "x", env=ENV)
    assert callback.code == 2 and "needs the time of the next call" in callback.err  # missing input
    for result in (benefit, closing, duplicate, callback):
        assert result.err.startswith("salesdesk: ") and "Traceback" not in result.err


def test_block_fill_on_a_book_with_leads_does_not_say_add_leads(isolated_home: Path) -> None:
    assert run_process("lead", "add", "Li Na", "--at", "2h ago", env=ENV).code == 0
    assert run_process("log-call", "Li Na", "--outcome", "callback", "--next", "in 3 days", "--benefit", "x",
                       env=ENV).code == 0  # fmt: skip
    assert run_process("block", "add", "tomorrow 9:30", "--for", "1h", "--goal-meetings", "1", env=ENV).code == 0
    result = run_process("block", "fill", "1", env=ENV)
    assert result.code == 1 and "add leads first" not in result.err and "add or import leads first" not in result.err
    assert "the lead you are working has a next step later than now" in result.err


# --- item 13: import messages ---


def test_import_names_every_problem_of_a_row_at_once_and_reads_right_with_no_good_row(
    isolated_home: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,phone,created\n,not-an-email,abc,notadate\n", encoding="utf-8")
    dry = run_process("import", "leads", str(bad), "--dry-run", env=ENV)
    assert dry.code == 2
    problems = next(line for line in dry.err.splitlines() if line.startswith("salesdesk: line 2: "))
    for part in ("'notadate' as a time", "phone 'abc'", "email 'not-an-email'", "name is empty"):
        assert part in problems, problems
    assert "1 bad row and no good one: nothing would be imported" in dry.err
    assert "0 good rows" not in dry.err + dry.out and "--skip-errors" not in dry.err
    real = run_process("import", "leads", str(bad), env=ENV)
    assert real.code == 2 and "1 bad row and no good one: nothing was imported" in real.err
    assert "0 good rows" not in real.err


def test_a_dry_run_with_skip_errors_says_the_bad_rows_would_be_skipped(isolated_home: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("name,email\nAnn,bad\nBob,bob@example.com\n", encoding="utf-8")
    skipping = run_process("import", "leads", str(mixed), "--dry-run", "--skip-errors", env=ENV)
    assert skipping.code == 0 and "1 bad row would be skipped" in skipping.err
    assert "would stop" not in skipping.err
    stopping = run_process("import", "leads", str(mixed), "--dry-run", env=ENV)
    assert "1 bad row would stop the import (--skip-errors imports only the good rows)" in stopping.err


# --- item 2: a block on another day is not opened tonight ---


def test_block_start_refuses_tomorrows_block_tonight(isolated_home: Path) -> None:
    tonight = {**ENV, "SALESDESK_NOW": "2026-11-23T21:00:00+08:00"}
    assert run_process("block", "add", "tomorrow 9:30", "--for", "90m", env=tonight).code == 0
    result = run_process("block", "start", "1", env=tonight)
    assert result.code == 2 and "block #1's next sitting is Tue 24 Nov 09:30-11:00, not today" in result.err
    assert "salesdesk block add now" in result.err and "Traceback" not in result.err
