"""The layer boundary, enforced: the core never imports a UI framework, and scripted
commands never pay for Textual."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import salesdesk

UI_LAYER = ("salesdesk.cli", "salesdesk.commands", "salesdesk.render", "salesdesk.tui", "salesdesk.__main__")


def _core_modules() -> list[str]:
    """Every salesdesk module below the UI line, found on disk so new ones are covered too."""
    package = Path(salesdesk.__file__).parent
    names = []
    for path in sorted(package.rglob("*.py")):
        name = ".".join(("salesdesk", *path.relative_to(package).with_suffix("").parts)).removesuffix(".__init__")
        if not name.startswith(UI_LAYER):
            names.append(name)
    return names


CORE = _core_modules()
UI = ("textual", "typer", "rich", "click")


def _loaded_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_core_modules_import_no_ui_framework() -> None:
    assert "salesdesk.services.queue" in CORE and "salesdesk.db" in CORE and "salesdesk.cli" not in CORE
    loaded = _loaded_after("\n".join(f"import {module}" for module in CORE))
    assert not loaded & set(UI), f"core pulled in {loaded & set(UI)}"


def test_log_call_does_not_import_textual(isolated_home) -> None:  # type: ignore[no-untyped-def]
    code = (
        "from salesdesk.cli import main\n"
        "for argv in (['lead', 'add', 'Emma Smith'], ['log-call', 'Emma', '--outcome', 'busy']):\n"
        "    try:\n        main(argv)\n    except SystemExit as e:\n        assert e.code == 0, e.code\n"
    )
    loaded = _loaded_after(code, {"SALESDESK_HOME": str(isolated_home)})
    assert "salesdesk" in loaded and "textual" not in loaded


HEAVY = {"sqlalchemy", "sqlmodel", "pydantic", "rich", "textual"}


def test_hot_commands_import_no_orm_no_pydantic_no_rich(isolated_home) -> None:  # type: ignore[no-untyped-def]
    """log-call, log-touch, status, due, why, lead add, show and list on a current store: sqlite3, the store
    layer, the pure rules, Typer; none of the heavy packages (about 0.3 s of imports) in sys.modules."""
    setup = subprocess.run(
        [sys.executable, "-m", "salesdesk", "lead", "add", "Emma Smith"],
        env={**os.environ, "SALESDESK_HOME": str(isolated_home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert setup.returncode == 0, setup.stderr
    for argv in (
        ["log-call", "Emma", "--outcome", "busy"],
        ["log-call", "emma smith", "-o", "connected", "--benefit", "case study", "--duration", "4m", "--json"],
        ["log-touch", "Emma", "--channel", "email", "--benefit", "price list", "--note", "sent"],
        ["log-call", "Emma", "-o", "callback", "--next", "tomorrow 10:00", "--benefit", "deck"],
        ["log-call", "Emma", "-o", "meeting_booked", "--meeting", "fri 10:00", "--benefit", "agenda", "--json"],
        ["log-call", "Emma", "-o", "connected", "--benefit", "x", "--objection", "no_time", "--reply", "1"],
        ["status"],
        ["status", "--json"],
        ["status", "--format", "{due}/{breaches}"],
        ["lead", "add", "Oliver Chen", "--company", "Acme", "--phone", "+86 139 0013 8000", "--grade", "A"],
        ["lead", "add", "Mia Wong", "--email", "mia@example.org", "--json"],
        ["lead", "show", "Oliver"],
        ["lead", "show", "Emma", "--json"],
        ["lead", "list"],
        ["lead", "list", "--search", "acme", "--json"],
        ["due"],
        ["due", "--limit", "5", "--json"],
        ["why", "Emma"],
        ["why", "Oliver", "--json"],
    ):
        code = (
            "from salesdesk.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        )
        loaded = _loaded_after(code, {"SALESDESK_HOME": str(isolated_home)})
        assert "salesdesk" in loaded and not loaded & HEAVY, (argv, loaded & HEAVY)


def test_a_refused_hot_command_imports_nothing_heavy_either(isolated_home) -> None:  # type: ignore[no-untyped-def]
    env = {"SALESDESK_HOME": str(isolated_home)}
    assert _loaded_after(
        "from salesdesk.cli import main\ntry:\n    main(['lead', 'add', 'Emma'])\nexcept SystemExit:\n    pass", env
    )
    code = (
        "from salesdesk.cli import main\n"
        "for argv in (['log-call', 'Nobody', '-o', 'busy'], ['log-touch', 'Emma', '-c', 'email'], "
        "['lead', 'add', 'Emma', '--grade', 'E']):\n"
        # An unknown lead and a bad grade are invalid input (2); a touch without a benefit is refused by a rule (1).
        "    try:\n        main(argv)\n    except SystemExit as e:\n"
        "        assert e.code == (1 if argv[0] == 'log-touch' else 2), e.code\n"
    )
    loaded = _loaded_after(code, env)
    assert not loaded & HEAVY, loaded & HEAVY


def test_rules_check_imports_nothing_heavy(isolated_home) -> None:  # type: ignore[no-untyped-def]
    """rules check exits 1 when a rule is broken (for cron), still without the heavy packages."""
    env = {"SALESDESK_HOME": str(isolated_home)}
    argv = ["lead", "add", "Emma", "--source", "inbound", "--at", "3 days ago"]
    setup = f"from salesdesk.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    _loaded_after(setup, env)
    for argv in (["rules", "check"], ["rules", "check", "--json"]):
        code = (
            f"from salesdesk.cli import main\ntry:\n    main({argv!r})\n"
            "except SystemExit as e:\n    assert e.code == 1, e.code\n"
        )
        loaded = _loaded_after(code, env)
        assert "salesdesk" in loaded and not loaded & HEAVY, (argv, loaded & HEAVY)


def test_reports_on_a_pipe_load_no_rich(isolated_home) -> None:  # type: ignore[no-untyped-def]
    """Piped, ``summary`` and ``export week`` print their markdown as is: Rich's markdown
    renderer (about 60 ms to import) is for drawing it on a terminal."""
    code = (
        "from salesdesk.cli import main\n"
        "for argv in (['lead', 'add', 'Emma'], ['log-call', 'Emma', '-o', 'busy'], ['summary'], ['export', 'week']):\n"
        "    try:\n        main(argv)\n    except SystemExit as e:\n        assert e.code == 0, e.code\n"
    )
    loaded = _loaded_after(code, {"SALESDESK_HOME": str(isolated_home)})
    assert "sqlalchemy" in loaded and not loaded & {"rich", "textual"}, loaded & {"rich", "textual"}
