"""``import leads`` from a pipe, a device or stdin, run as the installed command (issue 10,
item 10): ``/dev/zero`` once spun forever, a FIFO hung (the file was opened three times) and
``<(cat x.csv)`` was "empty"."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME

CSV = "name,phone\nImp One,+86 138 0013 8001\n"


def _env(home: Path) -> dict[str, str]:
    return {"SALESDESK_HOME": str(home), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


@pytest.fixture
def db(isolated_home: Path) -> Path:
    assert run_process("lead", "add", "Li Na", env=_env(isolated_home)).code == 0
    return isolated_home / "salesdesk.db"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_device_is_refused_at_once(db: Path, isolated_home: Path) -> None:
    before = db_fingerprint(db)
    result = run_process("import", "leads", "/dev/zero", env=_env(isolated_home))
    assert result.code == 2 and "Traceback" not in result.err, result
    assert result.err == "salesdesk: /dev/zero is not a text file (a NUL byte at offset 0)\n"
    assert db_fingerprint(db) == before


def test_a_fifo_is_read_once(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "leads.csv"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(CSV,))
    writer.start()
    result = run_process("import", "leads", str(fifo), env=_env(isolated_home))
    writer.join(timeout=60)
    assert result.code == 0, result
    assert result.out.startswith(f"Imported 1 lead from {fifo} ")


def test_a_process_substitution_is_read(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    source = tmp_path / "x.csv"
    source.write_text(CSV)
    proc = subprocess.run(
        ["bash", "-c", f'"{SALESDESK}" import leads <(cat "$1")', "_", str(source)],
        capture_output=True,
        text=True,
        env={**os.environ, **_env(isolated_home)},
        timeout=60,
    )
    assert proc.returncode == 0 and "Imported 1 lead from /dev/fd/" in proc.stdout, proc


def test_stdin_is_read_and_its_errors_name_it(db: Path, isolated_home: Path) -> None:
    ok = run_process("import", "leads", "-", "--dry-run", env=_env(isolated_home), stdin=CSV)
    assert ok.code == 0 and "Would import 1 lead from standard input (utf-8)." in ok.out, ok
    before = db_fingerprint(db)
    empty = run_process("import", "leads", "-", env=_env(isolated_home), stdin="")
    assert empty.code == 2 and empty.err == "salesdesk: standard input is empty; the first line must name the columns\n"
    assert db_fingerprint(db) == before
