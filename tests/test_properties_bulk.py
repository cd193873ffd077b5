"""Property tests for bulk in and out: any text survives the CSV writer, and generated valid
rows import exactly as written."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from salesdesk import validate
from salesdesk.db import MEMORY, open_store, read_session, write_session
from salesdesk.errors import InvalidInput
from salesdesk.models import Account, Lead
from salesdesk.services import exports, import_files, imports, leads
from tests.conftest import NOW

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # every code point a str can hold
# What a spreadsheet could run, what breaks naive CSV, and Chinese: drawn often, not by luck.
TRICKY = st.sampled_from(
    ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx", "'", "a,b", 'say "hi"', "a\nb", "王芳;华为"]
)
CELL = st.one_of(ANY_TEXT, TRICKY, st.tuples(TRICKY, ANY_TEXT).map("".join))


def _accepted(text: str) -> bool:
    """Would a lead field take this text? (Control characters and the like are refused.)"""
    try:
        return validate.text(text, "text") is not None
    except InvalidInput:
        return False


# Text a rep can type into a lead: anything validate accepts, Chinese and punctuation included.
TYPED_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(_accepted)


def _parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@given(st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=8))
def test_any_text_survives_the_csv_writer(rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    columns = ("a", "b", "c")
    count = exports.write_csv(out, columns, [dict(zip(columns, row, strict=True)) for row in rows])
    parsed = _parse(out.getvalue())
    assert count == len(rows) and parsed[0] == list(columns) and len(parsed) == len(rows) + 1
    for written, back in zip(rows, parsed[1:], strict=True):
        # Nothing a spreadsheet would run is left at the start of a cell...
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in back)
        # ...and dropping the one documented leading ' gives every value back.
        assert [cell[1:] if cell.startswith("'") else cell for cell in back] == written


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TYPED_TEXT, notes=st.one_of(CELL, TYPED_TEXT))
def test_what_a_lead_holds_comes_back_from_the_export(name: str, notes: str) -> None:
    engine = open_store(MEMORY, NOW)
    try:
        with write_session(engine) as session:
            try:
                leads.add_lead(session, NOW, name=name, notes=notes)
            except InvalidInput:
                assume(False)  # control characters and empty names are refused, never stored
        with read_session(engine) as session:
            stored = session.execute(select(Lead.name, Lead.notes)).one()
            out = io.StringIO(newline="")
            exports.write_csv(out, exports.LEAD_COLUMNS, exports.lead_rows(session))
        header, row = _parse(out.getvalue())
        back = dict(zip(header, [cell[1:] if cell.startswith("'") else cell for cell in row], strict=True))
        assert (back["name"], back["notes"]) == (stored.name, stored.notes or "")
    finally:
        engine.dispose()


LEAD_ROW = st.tuples(TYPED_TEXT, st.one_of(st.none(), TYPED_TEXT), st.booleans())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(LEAD_ROW, min_size=1, max_size=12),
    numbers=st.lists(st.integers(10**10, 10**11 - 1), min_size=12, max_size=12, unique=True),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_generated_valid_rows_import_exactly(
    rows: list[tuple[str, str | None, bool]], numbers: list[int], encoding: str
) -> None:
    expected = [
        (name.strip(), company.strip() if company and company.strip() else None, f"+86{number}", f"u{i}@example.com")
        for i, ((name, company, _), number) in enumerate(zip(rows, numbers, strict=False))
    ]
    engine = open_store(MEMORY, NOW)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["姓名", "公司", "手机", "Email"])
            for (name, company, shout), (_, _, phone, email) in zip(rows, expected, strict=True):
                writer.writerow(
                    [name, company or "", f"+86 {phone[3:6]} {phone[6:]}", email.upper() if shout else email]
                )
        try:
            with write_session(engine) as session:
                report = imports.import_leads(session, import_files.open_source(path, str(path)), NOW)
            with read_session(engine) as session:
                stored = session.execute(
                    select(Lead.name, Account.name, Lead.phone, Lead.email)
                    .join(Account, Lead.account_id == Account.id, isouter=True)
                    .order_by(Lead.id)
                ).all()
        finally:
            engine.dispose()
    assert (report.imported, report.bad_count, report.duplicates_in_file) == (len(rows), 0, 0)
    # A company is one account whatever its case: the first spelling names it.
    first_spelling: dict[str, str] = {}
    for _, company, _, _ in expected:
        if company is not None:
            first_spelling.setdefault(validate.name_key(company), company)
    assert [tuple(row) for row in stored] == [
        (name, first_spelling[validate.name_key(company)] if company else None, phone, email)
        for name, company, phone, email in expected
    ]


# A lead as a rep could type it: any accepted text in the free fields, a few unique contacts.
LEAD_FIELDS = st.fixed_dictionaries(
    {
        "name": TYPED_TEXT,
        "company": st.one_of(st.none(), TYPED_TEXT, TRICKY.filter(_accepted)),
        "title": st.one_of(st.none(), TYPED_TEXT, TRICKY.filter(_accepted)),
        "role": st.one_of(st.none(), TYPED_TEXT),
        "notes": st.one_of(st.none(), TYPED_TEXT, st.sampled_from(["a\nb", "=1+1\n'x", "\tindented", "'"])),
        "source": st.sampled_from(["inbound", "outbound", "referral", "event", "other"]),
        "grade": st.sampled_from([None, "A", "B", "C", "D"]),
        "wechat": st.one_of(st.none(), st.from_regex(r"[a-z][a-z0-9_\-]{3,12}", fullmatch=True)),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leads_in=st.lists(LEAD_FIELDS, min_size=1, max_size=6), fmt=st.sampled_from(["csv", "jsonl"]))
def test_export_then_import_reproduces_every_leads_identity(leads_in: list[dict], fmt: str) -> None:
    identity = ("name", "company", "title", "phone", "email", "wechat", "source", "grade", "role", "notes",
                "created_at")  # fmt: skip
    source_db, target_db = open_store(MEMORY, NOW), open_store(MEMORY, NOW)
    try:
        with write_session(source_db) as session:
            for i, fields in enumerate(leads_in):
                try:
                    leads.add_lead(session, NOW, phone=f"+86 139{i:08d}", email=f"p{i}@example.com", **fields)
                except InvalidInput:
                    assume(False)  # refused input is never stored, so never exported
        with read_session(source_db) as session:
            before = [{k: row[k] for k in identity} for row in exports.lead_rows(session)]
            out = io.StringIO(newline="")
            if fmt == "csv":
                exports.write_csv(out, exports.LEAD_COLUMNS, exports.lead_rows(session))
            else:
                exports.write_jsonl(out, exports.lead_rows(session))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"leads.{fmt}"
            path.write_text(out.getvalue(), encoding="utf-8", newline="")
            with write_session(target_db) as session:
                report = imports.import_leads(session, import_files.open_source(path, str(path)), NOW)
        with read_session(target_db) as session:
            after = [{k: row[k] for k in identity} for row in exports.lead_rows(session)]
    finally:
        source_db.dispose()
        target_db.dispose()
    assert (report.format, report.imported) == ("salesdesk export", len(leads_in))
    assert after == before
