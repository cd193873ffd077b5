"""Nothing salesdesk echoes can drive the terminal (issue 10, item 3): CSV headers, paths,
typed words in messages and config labels are shown escaped (``\\x1b``), never obeyed or
silently dropped. Run as the installed command."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesdesk.errors import InvalidInput
from salesdesk.terminal import visible
from tests.cli_helpers import Result, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME

TITLE = "\x1b]0;pwned\x07"  # sets the terminal's window title
CLEAR = "\x1b[2J"
CSI_C1 = "\x9b31m"  # the one-byte CSI of the C1 set


def _env(home: Path) -> dict[str, str]:
    return {"SALESDESK_HOME": str(home), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


def assert_inert(result: Result) -> None:
    for stream in (result.out, result.err):
        assert "\x1b" not in stream and "\x07" not in stream and "\x9b" not in stream, stream
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (TITLE, "\\x1b]0;pwned\\x07"),
        (CSI_C1, "\\x9b31m"),
        ("a\rb", "a\\x0db"),
        ("\u202eevil", "\\u202eevil"),
        ("one\u2028two", "one\\u2028two"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("王芳 Zoë", "王芳 Zoë"),
        ("\udcff", "\\udcff"),
    ],
)
def test_visible_escapes_what_a_terminal_would_obey(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert visible(shown) == shown  # escaping twice changes nothing


def test_an_error_message_is_escaped_for_every_front_end() -> None:
    assert str(InvalidInput(f"no lead matches {CLEAR!s}")) == "no lead matches \\x1b[2J"


def test_csv_header_names_are_shown_escaped(isolated_home: Path, tmp_path: Path) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text(f"name,{TITLE}evil,phone\nBob,x,+86 138 0013 8000\n", encoding="utf-8")
    result = run_process("import", "leads", str(csv), "--dry-run", env=_env(isolated_home))
    assert result.code == 0, result
    assert_inert(result)
    assert "Columns not imported: \\x1b]0;pwned\\x07evil" in result.out


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("lead", "show", CLEAR), "no lead matches '\\x1b[2J'"),
        (("export", "leads", "-o", f"/nonexistent/{CLEAR}x.csv"), "cannot write /nonexistent/\\x1b[2Jx.csv"),
        (("lead", "list", f"--bogus{TITLE}"), "No such option: --bogus\\x1b]0;pwned\\x07"),
        (("import", "leads", f"/nonexistent/{CSI_C1}.csv"), "\\x9b31m.csv"),
    ],
    ids=["lead show", "export -o", "unknown option", "import path"],
)
def test_typed_words_and_paths_in_messages_are_shown_escaped(
    isolated_home: Path, args: tuple[str, ...], shown: str
) -> None:
    assert run_process("lead", "add", "Li Na", env=_env(isolated_home)).code == 0
    db = isolated_home / "salesdesk.db"
    before = db_fingerprint(db)
    result = run_process(*args, env=_env(isolated_home))
    assert result.code == 2, result
    assert_inert(result)
    assert shown in result.err, result.err
    assert db_fingerprint(db) == before


def test_config_labels_are_shown_escaped(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text('[outcomes.busy]\nlabel = "Busy \\u001b[2J"\n', encoding="utf-8")
    result = run_process("outcomes", env=_env(isolated_home))
    assert result.code == 0, result
    assert_inert(result)
    assert "Busy \\x1b[2J" in result.out
