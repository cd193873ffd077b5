"""Bytes a user hands over that are not UTF-8, fed to the installed command through a pipe and
as a file (issue 10): the same answer either way, with the line and byte offset, exit 2 and
nothing written; UTF-16 (Excel's "Unicode Text", `iconv -t UTF-16`) is read where salesdesk
reads other encodings (import) and named where only UTF-8 is valid (JSON Lines)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import SALESDESK, Result, db_fingerprint, run_process
from tests.conftest import NOW, TZ_NAME

GOOD = b'{"lead": 1, "outcome": "busy"}\n'


def _env(home: Path) -> dict[str, str]:
    return {"SALESDESK_HOME": str(home), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}


@pytest.fixture
def db(isolated_home: Path) -> Path:
    assert run_process("lead", "add", "Li Na", env=_env(isolated_home)).code == 0
    return isolated_home / "salesdesk.db"


def _run(home: Path, *args: str, stdin: bytes | None = None) -> Result:
    proc = subprocess.run(
        [str(SALESDESK), *args], input=stdin, capture_output=True, env={**os.environ, **_env(home)}, timeout=60
    )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def _both_ways(home: Path, tmp_path: Path, data: bytes, *args: str) -> tuple[Result, Result]:
    """``args`` with ``-`` fed ``data`` through a pipe, and with a file holding ``data``."""
    source = tmp_path / "input"
    source.write_bytes(data)
    piped = _run(home, *[a if a != "FILE" else "-" for a in args], stdin=data)
    from_file = _run(home, *[a if a != "FILE" else str(source) for a in args])
    return piped, from_file


def _refused(result: Result, message: str) -> None:
    assert result.code == 2 and result.out == "" and "Traceback" not in result.err, result
    assert result.err.count("\n") == 1 and message in result.err, result.err


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            GOOD + b'{"lead": 1, "outcome": "busy", "note": "caf\xe9"}\n',
            "line 2 is not UTF-8 text (byte 0xe9 at offset 43",
        ),
        (b'{"lead": 1, "outcome": "busy", "note": "\xff"}\n', "line 1 is not UTF-8 text (byte 0xff at offset 40"),
        (GOOD + GOOD + "王".encode()[:2] + b"\n", "line 3 is not UTF-8 text (byte 0xe7 at offset 0"),
    ],
    ids=["latin-1 e-acute", "0xff", "half a character"],
)
def test_jsonl_bytes_that_are_not_utf8_name_their_line_and_offset(
    db: Path, isolated_home: Path, tmp_path: Path, data: bytes, message: str
) -> None:
    before = db_fingerprint(db)
    for result in _both_ways(isolated_home, tmp_path, data, "log-call", "--from", "FILE"):
        _refused(result, message)
    assert db_fingerprint(db) == before


def test_a_utf8_bom_is_tolerated_from_a_pipe_and_a_file(db: Path, isolated_home: Path, tmp_path: Path) -> None:
    piped, from_file = _both_ways(isolated_home, tmp_path, b"\xef\xbb\xbf" + GOOD, "log-call", "--from", "FILE")
    assert piped.code == 0 and from_file.code == 0, (piped, from_file)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_jsonl_is_named_not_misread(db: Path, isolated_home: Path, tmp_path: Path, encoding: str) -> None:
    before = db_fingerprint(db)
    data = GOOD.decode().encode(encoding)
    piped, from_file = _both_ways(isolated_home, tmp_path, data, "log-call", "--from", "FILE")
    _refused(piped, "standard input is UTF-16 text; JSON Lines are UTF-8: convert it (iconv -f UTF-16 -t UTF-8)")
    _refused(from_file, "input is UTF-16 text; JSON Lines are UTF-8")
    assert db_fingerprint(db) == before


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_imports_the_same_from_a_pipe_as_from_a_file(
    db: Path, isolated_home: Path, tmp_path: Path, encoding: str
) -> None:
    text = "Name\tCompany\tPhone\nEmma Müller\tMüller, Söhne\t+49 171 2345678\n王芳\t华为\t138 0013 8000\n"
    piped, from_file = _both_ways(
        isolated_home, tmp_path, text.encode(encoding), "import", "leads", "FILE", "--dry-run", "--json"
    )
    assert piped.code == 0 and from_file.code == 0, (piped, from_file)
    as_piped, as_file = piped.json(), from_file.json()
    assert as_piped["encoding"] == as_file["encoding"] and as_piped["encoding"].startswith("utf-16")
    assert as_piped["imported"] == as_file["imported"] == 2 and as_piped["rows"] == 2


def test_a_nul_character_in_piped_utf16_is_still_refused(db: Path, isolated_home: Path) -> None:
    data = "Name\nEmma\n".encode("utf-16") + "\0".encode("utf-16-le") + "more\n".encode("utf-16-le")
    before = db_fingerprint(db)
    _refused(_run(isolated_home, "import", "leads", "-", stdin=data), "standard input is not a text file (a NUL")
    assert db_fingerprint(db) == before
