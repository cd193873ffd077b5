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
