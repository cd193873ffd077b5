"""Shell completion: the functions that read the store, and the protocol the installed
scripts speak (Click's environment variables), run as a real process for bash, zsh and fish."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from salesdesk import completions, paths
from salesdesk.connect import open_current
from tests.cli_helpers import run_process

ENV = {"SALESDESK_NOW": "2026-11-23T15:00:00+08:00"}


@pytest.fixture
def store(isolated_home: Path) -> Path:
    for name in ("Li Na", "li nan", "王芳", "王小明", "Oliver Chen"):
        assert run_process("lead", "add", name, env=ENV).code == 0
    assert run_process("block", "add", "tomorrow 9:30", "--for", "60m", "--title", "Morning", env=ENV).code == 0
    return paths.db_path()


def _bash(line: str) -> list[str]:
    """What bash's completion function gets back for ``line`` (the cursor at its end)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    env = {**ENV, "_SALESDESK_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    result = run_process(env=env)
    assert result.code == 0 and result.err == "", result.err
    return [word for word in result.out.splitlines() if word]


def test_lead_names_complete_by_prefix_case_insensitively_as_typed(store: Path) -> None:
    conn = open_current(store)
    try:
        assert completions.leads(conn, "li") == [("li Na", "#1"), ("li nan", "#2")]
        assert completions.leads(conn, "LI N") == [("LI Na", "#1"), ("LI Nan", "#2")]
        assert completions.leads(conn, "王") == [("王小明", "#4"), ("王芳", "#3")]
        assert completions.leads(conn, "")[0] == ("Li Na", "#1") and len(completions.leads(conn, "")) == 5
        assert completions.leads(conn, "#5") == [("5", "Oliver Chen")]
        assert completions.leads(conn, "zz") == []
        assert completions.block_ids(conn, "") == [("1", "Morning")]
        assert ("no_time", completions.objection_keys(conn, "no_t")[0][1]) == completions.objection_keys(conn, "no_t")[
            0
        ]
    finally:
        conn.close()


def test_bash_completes_commands_leads_outcomes_channels_objections_and_blocks(store: Path) -> None:
    assert {"log-call", "log-touch", "status", "lead", "due"} <= set(_bash("salesdesk "))
    assert _bash("salesdesk log-call Li") == ["Li Na", "Li nan"]
    assert _bash("salesdesk log-call 王") == ["王小明", "王芳"]
    assert _bash("salesdesk lead show 5") == ["5"]
    assert _bash("salesdesk log-call 1 -o no_") == ["no_answer"]
    assert "wechat" in _bash("salesdesk log-touch 1 --channel ") and "call" not in _bash("salesdesk log-touch 1 -c ")
    assert "no_time" in _bash("salesdesk log-call 1 --objection no")
    assert _bash("salesdesk block remove ") == ["1"]
    assert "--outcome" in _bash("salesdesk log-call 1 --o")


def test_zsh_and_fish_get_names_with_their_ids(store: Path) -> None:
    zsh = run_process(
        env={**ENV, "_SALESDESK_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "salesdesk log-call 王"}
    )
    assert zsh.code == 0 and '"王小明":"#4"' in zsh.out and '"王芳":"#3"' in zsh.out
    fish = run_process(
        env={
            **ENV, "_SALESDESK_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "salesdesk log-touch oli",
        }
    )  # fmt: skip
    assert fish.code == 0 and fish.out.splitlines() == ["oliver Chen\t#5"]


def test_a_store_not_made_yet_completes_nothing_and_makes_nothing(isolated_home: Path) -> None:
    assert _bash("salesdesk log-call Li") == []
    assert not paths.db_path().exists()


def test_a_locked_or_damaged_store_completes_nothing_quietly(store: Path) -> None:
    store.write_bytes(b"not a database at all" * 100)
    assert _bash("salesdesk log-call Li") == []


def test_the_shell_script_is_offered_and_installable(isolated_home: Path) -> None:
    # The shell is detected from the process tree (shellingham): run it from bash.
    import shutil
    import subprocess

    from tests.cli_helpers import SALESDESK

    if shutil.which("bash") is None:
        pytest.skip("no bash here")
    shown = subprocess.run(
        ["bash", "-c", f"'{SALESDESK}' --show-completion"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and "_SALESDESK_COMPLETE=complete_bash" in shown.stdout, shown.stderr
    helped = run_process("--help")
    assert "--install-completion" in helped.out and "--show-completion" in helped.out


def test_completion_reads_no_sqlalchemy(store: Path) -> None:
    from tests.test_import_hygiene import _loaded_after

    code = (
        "import os\nos.environ.update(_SALESDESK_COMPLETE='complete_bash', COMP_WORDS='salesdesk log-call li', "
        "COMP_CWORD='2')\nfrom salesdesk.cli import main\ntry:\n    main([])\nexcept SystemExit:\n    pass\n"
    )
    loaded = _loaded_after(code, {**ENV, "SALESDESK_HOME": str(store.parent)})
    assert not loaded & {"sqlalchemy", "sqlmodel", "pydantic", "rich", "textual"}, loaded


def test_sqlite_is_all_the_lookup_needs(store: Path) -> None:
    # The lookup is plain SQL: a bare connection (no pragmas, no checks) answers the same.
    with sqlite3.connect(store) as conn:
        assert completions.leads(conn, "oli") == [("oliver Chen", "#5")]
    conn.close()
