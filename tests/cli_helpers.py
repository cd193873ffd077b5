"""Running ``salesdesk`` the way a user does: in-process through ``main`` or as a real process."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesdesk.cli import main

SALESDESK = Path(sys.executable).parent / "salesdesk"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(*args: str) -> Result:
    """Run the CLI in-process through its real entry point (exit codes, error printing)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    """Run the installed ``salesdesk`` console script as a separate process."""
    proc = subprocess.run(
        [str(SALESDESK), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def db_fingerprint(path: Path) -> str:
    """A hash of every row of every table: equal fingerprints mean nothing was written."""
    conn = sqlite3.connect(path)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    return hashlib.sha256(dump.encode()).hexdigest()
