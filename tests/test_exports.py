"""``salesdesk export leads|touches``: what the database holds comes back out, safely."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from salesdesk.services.exports import LEAD_COLUMNS, TOUCH_COLUMNS
from tests.cli_helpers import run

NOW = "2026-11-23T15:00:00+08:00"
FORMULAS = ('=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "'quoted")


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def book(isolated_home: Path) -> None:
    for args in (
        (
            "王芳",
            "--company",
            "华为",
            "--phone",
            "+86 138 0013 8000",
            "--grade",
            "B",
            "--note",
            'line one\nline, "two"',
        ),
        (FORMULAS[0], "--company", FORMULAS[1], "--title", FORMULAS[2], "--role", FORMULAS[3], "--note", FORMULAS[4]),
        ("Anna", "--email", "anna@x.com", "--at", "2 days ago", "--coach"),
    ):
        assert run("lead", "add", *args).code == 0
    assert run("log-call", "Anna", "--outcome", "no_answer", "--at", "1h ago", "--note", "=1+2").code == 0
    assert (
        run("log-call", "王芳", "--outcome", "connected", "--benefit", '送了案例, "PDF"', "--duration", "90").code == 0
    )


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def _unneutralised(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _as_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _db_leads() -> list[dict]:
    return sorted(run("lead", "list", "--json").json(), key=lambda lead: lead["id"])


def _db_touches() -> list[dict]:
    touches = []
    for lead in _db_leads():
        touches += [
            {**t, "lead": lead["name"]} for t in run("lead", "show", str(lead["id"]), "--json").json()["touches"]
        ]
    return sorted(touches, key=lambda touch: touch["id"])


@pytest.mark.usefixtures("book")
def test_leads_csv_round_trip_equals_the_database() -> None:
    result = run("export", "leads", "--format", "csv")
    assert result.code == 0, result.err
    rows = _csv_rows(result.out)
    assert list(rows[0]) == list(LEAD_COLUMNS)
    expected = _db_leads()
    assert len(rows) == len(expected) == 3
    for row, lead in zip(rows, expected, strict=True):
        for column in LEAD_COLUMNS:
            if column in lead:
                assert _unneutralised(row[column]) == _as_cell(lead[column]), column
    assert rows[0]["notes"] == 'line one\nline, "two"' and rows[0]["created_at"] == NOW


@pytest.mark.usefixtures("book")
def test_touches_jsonl_round_trip_equals_the_database() -> None:
    result = run("export", "touches", "--format", "jsonl")
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [list(row) for row in rows] == [list(TOUCH_COLUMNS)] * 2
    expected = _db_touches()
    for row, touch in zip(rows, expected, strict=True):
        assert {k: row[k] for k in touch} == touch
    assert rows[1]["benefit"] == '送了案例, "PDF"' and rows[1]["at"] == NOW and rows[1]["recorded_at"] == NOW


@pytest.mark.usefixtures("book")
def test_touches_csv_round_trip() -> None:
    rows = _csv_rows(run("export", "touches").out)
    for row, touch in zip(rows, _db_touches(), strict=True):
        assert {k: _unneutralised(row[k]) for k in touch} == {k: _as_cell(v) for k, v in touch.items()}


@pytest.mark.usefixtures("book")
def test_cells_a_spreadsheet_would_run_are_neutralised() -> None:
    rows = _csv_rows(run("export", "leads").out)
    bad = rows[1]
    assert [bad["name"], bad["company"], bad["title"], bad["role"], bad["notes"]] == ["'" + f for f in FORMULAS]
    assert rows[0]["phone"] == "'+8613800138000"  # a leading + is a formula to Excel too
    assert _csv_rows(run("export", "touches").out)[0]["note"] == "'=1+2"
    # JSON Lines are data for programs: nothing to neutralise there.
    assert json.loads(run("export", "leads", "--format", "jsonl").out.splitlines()[1])["name"] == FORMULAS[0]


@pytest.mark.usefixtures("book")
@pytest.mark.parametrize(("what", "fmt"), [("leads", "csv"), ("touches", "jsonl")])
def test_files_are_owner_only_and_match_stdout(tmp_path: Path, what: str, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    result = run("export", what, "--format", fmt, "-o", str(target))
    assert result.code == 0, result.err
    assert result.out.startswith(f"Wrote {3 if what == 'leads' else 2} {what} to ")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes().decode("utf-8") == run("export", what, "--format", fmt).out
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind


def test_an_empty_book_exports_just_the_header(isolated_home: Path) -> None:
    assert run("export", "leads").out == "\ufeff" + ",".join(LEAD_COLUMNS) + "\r\n"
    assert run("export", "touches", "--format", "jsonl").out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "leads", "--format", "xlsx"), "format 'xlsx' is not one of: csv, jsonl"),
        (("export", "touches", "-o", "/nonexistent-dir/x.csv"), "cannot write /nonexistent-dir/x.csv"),
    ],
)
def test_bad_export_requests_are_refused(isolated_home: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.code == 2 and message in result.err


def test_help_says_csv_has_a_bom_for_excel() -> None:
    result = run("export", "leads", "--help")
    assert "BOM" in result.out and "Excel" in result.out
