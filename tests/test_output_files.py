"""Where ``-o`` (and ``block export --ics``) may write, run as the installed command.

Issue 10, item 1: an export once replaced the database it was reading (exit 0), renamed a
file over a FIFO its reader was waiting on, and failed on a process substitution.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, Result, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME

EXPORTS = [
    ("export", "leads", "-o"),
    ("export", "touches", "--format", "jsonl", "-o"),
    ("export", "week", "-o"),
    ("block", "export", "--ics"),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("template") / "book.db"
    for args in (("lead", "add", "Li Na", "--company", "Acme"), ("log-call", "Li Na", "-o", "busy")):
        made = sh(db, *args)
        assert made.code == 0, made
    return db


@pytest.fixture
def book(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template for each test, alone in its directory."""
    db = tmp_path / "data" / "book.db"
    db.parent.mkdir()
    shutil.copy2(template, db)
    return db


def sh(db: Path, *args: str) -> Result:
    return run_process(*args, env={"SALESDESK_DB": str(db), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME})


def files_beside(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(("-wal", "-shm")))


def assert_refused(result: Result, message: str) -> None:
    assert result.code == 2, result
    assert result.out == "" and "Traceback" not in result.err, result
    assert result.err.startswith("salesdesk: ") and result.err.count("\n") <= 2, result.err
    assert message in result.err, result.err


@pytest.mark.parametrize("command", EXPORTS, ids=lambda c: " ".join(c[:2]))
def test_no_export_replaces_the_database(book: Path, command: tuple[str, ...]) -> None:
    before = db_fingerprint(book)
    assert_refused(sh(book, *command, str(book)), "is the database; write the export to another file")
    assert db_fingerprint(book) == before
    assert files_beside(book) == ["book.db"]  # no temporary file left either


@pytest.mark.parametrize("target", ["wal", "shm", "journal", "symlink", "hardlink", "backup"])
def test_an_export_never_replaces_the_database_files(book: Path, target: str) -> None:
    if target == "backup":
        assert sh(book, "backup").code == 0
        path = next(book.parent.glob("book.db.*.bak"))
    elif target in ("symlink", "hardlink"):
        path = book.parent / "innocent.csv"
        (os.symlink if target == "symlink" else os.link)(book, path)
    else:
        path = book.with_name(f"book.db-{target}")
    before, names = db_fingerprint(book), files_beside(book)
    assert_refused(sh(book, "export", "leads", "-o", str(path)), "; write the export to another file")
    assert db_fingerprint(book) == before
    assert files_beside(book) == names


def test_an_export_refuses_what_is_not_a_file(book: Path) -> None:
    assert_refused(sh(book, "export", "week", "-o", str(book.parent)), "is a directory; give a file name")


def test_an_export_writes_into_a_fifo_and_leaves_it_a_fifo(book: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "leads.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = sh(book, "export", "leads", "-o", str(fifo))
    reader.join(timeout=60)
    assert result.code == 0 and result.out == "", result  # no "Wrote ..." into what may be the same stream
    assert b"Li Na" in received[0]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_dash_and_dev_stdout_are_stdout(book: Path) -> None:
    dash = sh(book, "export", "leads", "-o", "-")
    assert dash.code == 0 and "Li Na" in dash.out and "Wrote" not in dash.out, dash
    dev = sh(book, "export", "leads", "-o", "/dev/stdout")
    assert dev.code == 0 and dev.out == dash.out, dev


def test_a_process_substitution_gets_the_export(book: Path, tmp_path: Path) -> None:
    if shutil.which("bash") is None or shutil.which("gzip") is None:
        pytest.skip("needs bash and gzip")
    out = tmp_path / "leads.csv.gz"
    script = f'"{SALESDESK}" export leads -o >(gzip > "$1"); code=$?; wait $!; exit $code'
    env = {**os.environ, "SALESDESK_DB": str(book), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}
    proc = subprocess.run(["bash", "-c", script, "_", str(out)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc
    assert "Li Na" in subprocess.run(["gzip", "-dc", str(out)], capture_output=True, text=True).stdout


def test_a_full_device_is_written_to_not_replaced(book: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    result = sh(book, "export", "touches", "-o", "/dev/full")
    assert_refused(result, "cannot write /dev/full: No space left on device")
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_an_export_over_a_symlinked_file_replaces_the_file_not_the_link(book: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert sh(book, "export", "leads", "-o", str(link)).code == 0
    assert link.is_symlink() and "Li Na" in real.read_text(encoding="utf-8-sig")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_export_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "out.csv"
    target.write_text("the previous export")
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from salesdesk.outfile import open_output\n"
        "with open_output(Path(sys.argv[1]), []) as handle:\n"
        "    handle.write('half')\n"
        "    handle.flush()\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "no temporary file while writing"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    if signum == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    assert target.read_text() == "the previous export"
