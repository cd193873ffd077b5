"""``salesdesk import leads``: mapping, encodings, duplicates, bad rows, all-or-nothing."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.cli_helpers import db_fingerprint, run

NOW = "2026-11-23T15:00:00+08:00"
CHINESE = "姓名,公司,手机,邮箱,微信,来源,等级,创建时间,职位,备注\n"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def db(isolated_home: Path) -> Path:
    assert run("lead", "list").code == 0  # creates and migrates the database
    return isolated_home / "salesdesk.db"


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _leads() -> list[dict]:
    result = run("lead", "list", "--json")
    assert result.code == 0, result.err
    return sorted(result.json(), key=lambda lead: lead["id"])


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_chinese_headers_are_mapped_and_values_cleaned(db: Path, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        CHINESE + "王芳,华为,+86 138-0013-8000,Wang.Fang@Example.com,wf_88,inbound,b,2026/11/5 9:30,采购经理,展会认识\n"
        "李雷,华为,13900000001,,,,,,,\n",
    )
    result = run("import", "leads", str(path), "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["imported"] == 2 and report["new_accounts"] == 1 and report["ignored_columns"] == []
    assert report["mapping"]["手机"] == "phone" and report["mapping"]["创建时间"] == "created_at"
    wang, li = _leads()
    assert (wang["name"], wang["company"], wang["title"], wang["notes"]) == ("王芳", "华为", "采购经理", "展会认识")
    assert (wang["phone"], wang["email"], wang["wechat"]) == ("+8613800138000", "wang.fang@example.com", "wf_88")
    assert (wang["source"], wang["grade"], wang["status"]) == ("inbound", "B", "new")
    assert wang["created_at"] == "2026-11-05T09:30:00+08:00"
    # Empty cells take add_lead's defaults; the same company is one account.
    assert (li["source"], li["grade"], li["created_at"], li["company"]) == ("outbound", None, NOW, "华为")
    assert _count(db, "account") == 1
    history = run("lead", "show", "王芳", "--json").json()["grade_history"]
    assert history == [{"at": "2026-11-05T09:30:00+08:00", "old_grade": None, "new_grade": "B"}]


def test_english_headers_and_map_overrides(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "Full Name,E-mail,Handy,Fax,Lead Source\nAnna Berg,anna@x.com,+49 171 2345678,123,referral\n")
    result = run("import", "leads", str(path), "--map", "Handy=phone", "--json")
    assert result.code == 0, result.err
    assert result.json()["ignored_columns"] == ["Fax"]
    (anna,) = _leads()
    assert (anna["name"], anna["email"], anna["phone"], anna["source"]) == (
        "Anna Berg", "anna@x.com", "+491712345678", "referral",
    )  # fmt: skip


def test_two_phone_columns_keep_the_mobile_and_note_the_other(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "姓名,电话,手机\n王芳,010-12345678,13800138000\n")
    assert run("import", "leads", str(path)).code == 0
    (lead,) = _leads()
    assert (lead["phone"], lead["notes"]) == ("13800138000", "电话: 010-12345678")


def test_every_header_clash_is_reported_at_once_with_a_paste_ready_map(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "Name,Contact,Job Title,Position\nAnna,Anna B,CEO,Boss\n")
    before = db_fingerprint(db)
    result = run("import", "leads", str(path))
    assert result.code == 2 and "Traceback" not in result.err
    assert "'Name' and 'Contact' both look like name" in result.err
    assert "'Job Title' and 'Position' both look like title" in result.err
    assert "--map 'Job Title=-'" in result.err
    assert db_fingerprint(db) == before
    mapped = run("import", "leads", str(path), "--map", "contact=-", "--map", "POSITION=-")
    assert mapped.code == 0, mapped.err
    (lead,) = _leads()
    assert (lead["name"], lead["title"]) == ("Anna", "CEO")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--map", "nope=phone"), "--map names no column 'nope'"),
        (("--map", "姓名=shoe_size"), "field 'shoe_size' is not one of"),
        (("--map", "姓名"), "is not COLUMN=field"),
    ],
)
def test_bad_maps_are_refused(db: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    path = _csv(tmp_path, "姓名\n王芳\n")
    result = run("import", "leads", str(path), *args)
    assert result.code == 2 and message in result.err


def test_without_a_name_column_the_import_is_refused(db: Path, tmp_path: Path) -> None:
    result = run("import", "leads", str(_csv(tmp_path, "who,phone\nAnna,12345678\n")))
    assert result.code == 2 and "no column holds the name" in result.err and "--map COLUMN=name" in result.err


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_gbk_and_utf8_with_or_without_bom_read_the_same(db: Path, tmp_path: Path, encoding: str) -> None:
    path = _csv(tmp_path, CHINESE + "王芳,华为技术有限公司,13800138000,,,,,,采购经理,备注：重要\n", encoding)
    result = run("import", "leads", str(path), "--json")
    assert result.code == 0, result.err
    assert result.json()["mapping"]["姓名"] == "name"  # the BOM is not part of the first header
    (lead,) = _leads()
    assert (lead["name"], lead["company"], lead["title"], lead["notes"]) == (
        "王芳",
        "华为技术有限公司",
        "采购经理",
        "备注：重要",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name\nAnna\n\xff\xfe\xff\n", "line 3 is the first line that is not UTF-8"),
        (b"name\nAnna\n\xff\xfe\xff\n", "--encoding"),
    ],
)
def test_other_encodings_are_refused_clearly(db: Path, tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = db_fingerprint(db)
    result = run("import", "leads", str(path))
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert db_fingerprint(db) == before


def test_duplicates_of_existing_leads_and_within_the_file_are_skipped_and_counted(db: Path, tmp_path: Path) -> None:
    assert run("lead", "add", "Old", "--phone", "+86 138 0013 8000", "--email", "old@x.com").code == 0
    path = _csv(
        tmp_path,
        "name,phone,email\n"
        "Same number without country code,13800138000,\n"  # existing, by phone
        "Same email other case,,OLD@x.com\n"  # existing, by email
        "New one,13900000001,new@x.com\n"
        "Repeat of new one's phone,+86 139 0000 0001,\n"  # in the file, by phone (country code added)
        "Repeat of new one's email,,New@X.com\n"  # in the file, by email
        "Another,13700000002,\n",
    )
    result = run("import", "leads", str(path), "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert (report["imported"], report["duplicates_existing"], report["duplicates_in_file"]) == (2, 2, 2)
    assert [lead["name"] for lead in _leads()] == ["Old", "New one", "Another"]
    text = run("import", "leads", str(path))
    assert "Skipped 6 duplicates: 6 already known, 0 repeated in the file" in text.out


BAD_FILE = (
    "name,phone,notes\n"  # line 1
    'Anna,12345678,"two\n'  # line 2: a quoted cell spanning lines 2-3
    'lines"\n'
    "Bob,call me,\n"  # line 4: bad phone
    "\n"  # line 5: blank, skipped
    '"",87654321,\n'  # line 6: no name
    "Cara,11112222,fine\n"  # line 7
)


def test_a_bad_row_imports_nothing_and_names_its_physical_line(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, BAD_FILE)
    before = db_fingerprint(db)
    result = run("import", "leads", str(path))
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0].startswith("salesdesk: line 4: phone 'call me' is not a phone number")
    assert lines[1] == "line 6: name is empty; give a name"
    assert "2 bad rows, so nothing was imported" in lines[2] and "--skip-errors to import the 2 good rows" in lines[2]
    assert db_fingerprint(db) == before


def test_skip_errors_imports_the_good_rows_and_reports_the_bad(db: Path, tmp_path: Path) -> None:
    result = run("import", "leads", str(_csv(tmp_path, BAD_FILE)), "--skip-errors", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert (report["rows"], report["imported"], report["bad_rows"]) == (4, 2, 2)
    assert [bad["line"] for bad in report["bad"]] == [4, 6]
    assert [lead["name"] for lead in _leads()] == ["Anna", "Cara"]
    assert _leads()[0]["notes"] == "two\nlines"
    text = run(
        "import",
        "leads",
        str(_csv(tmp_path, BAD_FILE.replace("Anna", "Dan").replace("Cara", "Eve"), name="b.csv")),
        "--skip-errors",
    )
    assert "line 4: phone 'call me'" in text.err and "2 bad rows skipped" in text.err


@pytest.mark.parametrize("flags", [(), ("--skip-errors",)])
def test_dry_run_writes_nothing(db: Path, tmp_path: Path, flags: tuple[str, ...]) -> None:
    path = _csv(tmp_path, "name,company,grade\nAnna,Acme,A\nBob,Beta,\n")
    before = db_fingerprint(db)
    result = run("import", "leads", str(path), "--dry-run", *flags)
    assert result.code == 0, result.err
    assert "Would import 2 leads" in result.out
    assert db_fingerprint(db) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name,notes\nAnna,"never closed\n', "line 2: not valid CSV"),
        ('name,notes\nAnna,"a"b\n', "line 2: not valid CSV"),
        ("", "is empty"),
        ("name,phone\nAnna,12345678,extra\n", "3 cells, but the header names 2 columns"),
        ("name,created_at\nAnna,next year\n", "can't read 'next year' as a time"),
        ("name,created_at\nAnna,2027-01-01\n", "cannot arrive in the future"),
        ("name,notes\nAnna,a\x01b\n", "control characters"),
    ],
)
def test_broken_files_and_rows_are_refused_cleanly(db: Path, tmp_path: Path, text: str, message: str) -> None:
    before = db_fingerprint(db)
    result = run("import", "leads", str(_csv(tmp_path, text)))
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert db_fingerprint(db) == before


def test_a_missing_file_is_invalid_input(db: Path, tmp_path: Path) -> None:
    result = run("import", "leads", str(tmp_path / "nope.csv"))
    assert result.code == 2 and "cannot read" in result.err


def test_five_thousand_rows_import_with_matching_counts(db: Path, tmp_path: Path) -> None:
    rows = [
        f"Lead {i},Company {i % 300},+86 139{i:08d},lead{i}@example.com,{'ABCD'[i % 4] if i % 5 else ''}"
        for i in range(5000)
    ]
    path = _csv(tmp_path, "name,company,phone,email,grade\n" + "\n".join(rows) + "\n")
    result = run("import", "leads", str(path), "--json")
    assert result.code == 0, result.err
    assert (result.json()["imported"], result.json()["new_accounts"]) == (5000, 300)
    graded = sum(1 for i in range(5000) if i % 5)
    assert (_count(db, "lead"), _count(db, "account"), _count(db, "grade_change")) == (5000, 300, graded)
    again = run("import", "leads", str(path), "--json").json()
    assert (again["imported"], again["duplicates_existing"]) == (0, 5000)


# --- Values: picklists and dates -------------------------------------------------------


def test_picklist_values_are_mapped_and_config_extends_the_table(db: Path, tmp_path: Path) -> None:
    (db.parent / "config.toml").write_text('[import.sources]\n"Messe" = "event"\n[import.grades]\n"Key" = "A"\n')
    values = ["Web", "官网", "Website", "Trade Show", "展会", "Referral", "转介绍", "Messe", ""]
    grades = ["A", "b", "C类", "D级", "Key", "", "A", "B", "C"]
    rows = "".join(f"P{i},1390000{i:04d},{v},{g}\n" for i, (v, g) in enumerate(zip(values, grades, strict=True)))
    result = run("import", "leads", str(_csv(tmp_path, "name,phone,Lead Source,等级\n" + rows)), "--json")
    assert result.code == 0, result.err
    assert [lead["source"] for lead in _leads()] == [
        "inbound", "inbound", "inbound", "event", "event", "referral", "referral", "event", "outbound",
    ]  # fmt: skip
    assert [lead["grade"] for lead in _leads()] == ["A", "B", "C", "D", "A", None, "A", "B", "C"]


def test_a_rating_of_hot_warm_cold_is_not_a_grade_but_a_note(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "Name,Rating\nAnna,Hot\nBob,Cold\nCara,\n")
    dry = run("import", "leads", str(path), "--dry-run")
    assert dry.code == 0, dry.err
    assert "Rating: values Hot, Cold are not grades (A-D), so it goes to the notes." in dry.out
    assert run("import", "leads", str(path)).code == 0
    assert [(lead["grade"], lead["notes"]) for lead in _leads()] == [(None, "Rating: Hot"), (None, "Rating: Cold"),
                                                                     (None, None)]  # fmt: skip


def test_map_can_ignore_or_force_a_column(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "Name,Rating\nAnna,Hot\n")
    forced = run("import", "leads", str(path), "--map", "rating=grade")
    assert forced.code == 2 and "grade 'Hot' is not one of: A, B, C, D" in forced.err
    assert run("import", "leads", str(path), "--map", "Rating=-").code == 0
    assert _leads()[0]["notes"] is None


@pytest.mark.parametrize(
    ("cells", "flags", "expected"),
    [
        (["2026-10-05"], (), ["2026-10-05T00:00:00+08:00"]),
        (["2026/11/1 9:00"], (), ["2026-11-01T09:00:00+08:00"]),
        (["2026年10月5日"], (), ["2026-10-05T00:00:00+08:00"]),
        (["2026年10月5日 14:30"], (), ["2026-10-05T14:30:00+08:00"]),
        (["2026-01-05T01:30:00.000Z"], (), ["2026-01-05T09:30:00+08:00"]),
        (["46000"], (), ["2025-12-09T00:00:00+08:00"]),  # Excel's day 46000
        (["1/1/2026"], (), ["2026-01-01T00:00:00+08:00"]),  # the same either way
        (["5.10.2026"], (), ["2026-10-05T00:00:00+08:00"]),  # dotted: day first
        (["1/2/2026", "1/15/2026"], (), ["2026-01-02T00:00:00+08:00", "2026-01-15T00:00:00+08:00"]),  # US, proven
        (["1/2/2026", "15/1/2026"], (), ["2026-02-01T00:00:00+08:00", "2026-01-15T00:00:00+08:00"]),
        (["1/2/2026 3:05 PM"], ("--date-order", "mdy"), ["2026-01-02T15:05:00+08:00"]),
        (["1/2/2026"], ("--date-order", "dmy"), ["2026-02-01T00:00:00+08:00"]),
    ],
)
def test_dates_as_exports_write_them(
    db: Path, tmp_path: Path, cells: list[str], flags: tuple[str, ...], expected: list[str]
) -> None:
    rows = "".join(f"P{i},{cell}\n" for i, cell in enumerate(cells))
    result = run("import", "leads", str(_csv(tmp_path, "name,Create Date\n" + rows)), *flags)
    assert result.code == 0, result.err
    assert [lead["created_at"] for lead in _leads()] == expected


def test_an_ambiguous_date_asks_for_the_order(db: Path, tmp_path: Path) -> None:
    result = run("import", "leads", str(_csv(tmp_path, "name,created\nAnna,1/2/2026\n")))
    assert result.code == 2 and "--date-order mdy" in result.err and "1/2" in result.err
    assert run("import", "leads", "x.csv", "--date-order", "ymd").code == 2


# --- Encodings and dialects ------------------------------------------------------------


def test_a_cp1252_file_keeps_its_accents(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "Name,Company\r\nEmma Müller,Müller & Söhne\r\nCarlos García,\r\nRenée Dubois,Café – Bar\r\n",
                "cp1252")  # fmt: skip
    result = run("import", "leads", str(path), "--json")
    assert result.code == 0, result.err and result.json()["encoding"] == "cp1252"
    assert [(lead["name"], lead["company"]) for lead in _leads()] == [
        ("Emma Müller", "Müller & Söhne"), ("Carlos García", None), ("Renée Dubois", "Café – Bar"),
    ]  # fmt: skip


def test_ambiguous_bytes_are_refused_with_the_encoding_hint(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    path.write_bytes(b"name\nAb\xc4\xe3\n")  # "AbÄã" in cp1252, "Ab你" in GBK
    before = db_fingerprint(db)
    result = run("import", "leads", str(path))
    assert result.code == 2 and "could be Chinese (GBK) or Western (cp1252)" in result.err
    assert "--encoding" in result.err and db_fingerprint(db) == before
    assert run("import", "leads", str(path), "--encoding", "gbk").code == 0
    assert _leads()[0]["name"] == "Ab你"
    assert run("import", "leads", str(path), "--encoding", "klingon").code == 2


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Name;Firma;Telefon\nEmma Müller;Müller, Söhne;+49 171 2345678\n", "utf-8-sig"),  # German Excel
        ("Name\tCompany\tPhone\nEmma Müller\tMüller, Söhne\t+49 171 2345678\n", "utf-16"),  # "Unicode Text"
        ("Name\tCompany\tPhone\nEmma Müller\tMüller, Söhne\t+49 171 2345678\n", "utf-16-le"),  # no BOM
    ],
)
def test_semicolons_tabs_and_utf16_are_read(db: Path, tmp_path: Path, text: str, encoding: str) -> None:
    result = run("import", "leads", str(_csv(tmp_path, text, encoding)))
    assert result.code == 0, result.err
    (lead,) = _leads()
    assert (lead["name"], lead["company"], lead["phone"]) == ("Emma Müller", "Müller, Söhne", "+491712345678")


def test_a_line_break_is_kept_in_notes_and_refused_in_one_line_fields(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, 'name,title,notes\r\nAnna,"Head of\nSales","line one\r\nline two"\r\nBob,CEO,"a\r\nb"\r\n')
    result = run("import", "leads", str(path), "--skip-errors")
    assert result.code == 0, result.err
    assert "line 2: title has a line break" in result.err
    (bob,) = _leads()
    assert bob["notes"] == "a\nb"


# --- Phones, names, emails ---------------------------------------------------------------


def test_phones_lose_the_trunk_zero_keep_extensions_and_read_full_width(db: Path, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "name,phone,email\n"
        "A,+86 (0)138 0013 8000,\n"
        "B,555-0100 ext. 12,\n"
        "C,+1 312-555-0190 x204,\n"
        "D,0755-2878 0808 转 8021,\n"
        "E,１３９　０００１　２３４５,\n"
        'F,"+44 20 7946 0958 ::: +1 415 555 0100",a@x.com ::: b@y.com\n',
    )
    assert run("import", "leads", str(path)).code == 0
    got = [(lead["phone"], lead["email"], lead["notes"]) for lead in _leads()]
    assert got == [
        ("+8613800138000", None, None),
        ("5550100", None, "phone extension: 12"),
        ("+13125550190", None, "phone extension: 204"),
        ("075528780808", None, "phone extension: 8021"),
        ("13900012345", None, None),
        ("+442079460958", "a@x.com", "phone: +1 415 555 0100\nemail: b@y.com"),
    ]


def test_every_problem_of_a_bad_row_is_reported_at_once(db: Path, tmp_path: Path) -> None:
    result = run("import", "leads", str(_csv(tmp_path, "name,phone,email\n,call me,nope\n")))
    assert result.code == 2
    first = result.err.splitlines()[0]
    assert "phone 'call me' is not a phone number" in first and "email 'nope' is not an email" in first
    assert "name is empty" in first


@pytest.mark.parametrize(
    ("header", "row", "flags", "name"),
    [
        ("Vorname,Nachname", "Emma,Müller", ("--map", "vorname+NACHNAME=name"), "Emma Müller"),
        ("First Name,Last Name", "Emma,Müller", (), "Emma Müller"),
        ("Given Name,Family Name", "Emma,Müller", (), "Emma Müller"),
        ("姓,名", "王,芳", (), "王芳"),
        ("名,姓", "芳,欧阳", (), "欧阳芳"),
        ("家族,名前", "王,芳", ("--map", "家族+名前=name"), "王芳"),
        ("FULL NAME", "Anna Berg", (), "Anna Berg"),
    ],
)
def test_names_are_combined_in_the_order_their_script_expects(
    db: Path, tmp_path: Path, header: str, row: str, flags: tuple[str, ...], name: str
) -> None:
    result = run("import", "leads", str(_csv(tmp_path, f"{header}\n{row}\n")), *flags)
    assert result.code == 0, result.err
    assert _leads()[0]["name"] == name


# --- The dry run, standard input and round trips -----------------------------------------


def test_the_dry_run_shows_the_format_the_columns_and_the_bad_rows(db: Path, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Original Source,Contact owner\n"
        "1,Emma,Müller,emma@x.de,+49 171 2345678,Acme,CEO,Organic Search,Sam\n"
        "2,,,bad-email,call me,,,,Sam\n"
        "3,Emma,M,EMMA@x.de,,,,,Sam\n",
    )
    before = db_fingerprint(db)
    result = run("import", "leads", str(path), "--dry-run")
    assert result.code == 2  # the real import would refuse: the exit code says so
    assert "Format: HubSpot contacts (utf-8, comma-separated)." in result.out
    assert re.search(r"^Job Title +title *$", result.out, re.M)
    assert re.search(r"^Contact owner +- \(not imported\) *$", result.out, re.M)
    assert "Would import 1 lead" in result.out and "1 repeated in the file" in result.out
    assert "line 3: phone 'call me' is not a phone number" in result.err
    assert "email 'bad-email' is not an email" in result.err and "name is empty" in result.err
    assert db_fingerprint(db) == before


def test_standard_input_is_read_with_a_dash(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    stdin = io.TextIOWrapper(io.BytesIO("姓名,手机\n王芳,13800138000\n".encode("gbk")))
    monkeypatch.setattr(sys, "stdin", stdin)
    result = run("import", "leads", "-", "--json")
    assert result.code == 0, result.err
    assert result.json()["file"] == "standard input" and _leads()[0]["name"] == "王芳"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_salesdesks_own_export_imports_back_the_same(db: Path, tmp_path: Path, fmt: str) -> None:
    assert run("lead", "add", "Minus", "--company", "-minus Co", "--phone", "+86 138 0013 8000", "--note",
               "=1+1\nsecond line", "--source", "referral", "--grade", "b").code == 0  # fmt: skip
    assert run("lead", "add", "王 芳", "--email", "a@b.cn", "--wechat", "wx1", "--title", "'quoted").code == 0
    assert run("lead", "add", "@home", "--title", "+1 guy", "--role", "=champion").code == 0
    before = _leads()
    out = tmp_path / f"leads.{fmt}"
    assert run("export", "leads", "--format", fmt, "-o", str(out)).code == 0
    db.unlink()
    result = run("import", "leads", str(out), "--json")
    assert result.code == 0, result.err and result.json()["format"] == "salesdesk export"
    identity = ("name", "company", "title", "phone", "email", "wechat", "source", "grade", "role", "notes",
                "created_at")  # fmt: skip
    assert [[lead[k] for k in identity] for lead in _leads()] == [[lead[k] for k in identity] for lead in before]


def test_known_contacts_match_numbers_that_end_with_one_another() -> None:
    from salesdesk.services.imports import KnownContacts

    known = KnownContacts()
    for phone, email in [("+8613800138000", None), ("02164321234", "a@x.com"), ("12345", None), ("9990001", None)]:
        known.add(phone, email)
    assert known.has("13800138000", None) and known.has("+8613800138000", None)  # without / with country code
    assert known.has("+4402164321234", None) and known.has(None, "a@x.com")  # a known number at the end
    assert known.has("0001", None) is False and known.has("12345", None)  # short numbers: only equal ones
    assert known.has("+8613800138001", None) is False and known.has("+1119990001", None)  # same last 7 digits
    assert known.has("8888888", "b@x.com") is False


def test_vcard_2_1_and_4_0_as_android_and_newer_phones_write_them(db: Path, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:王;芳;;;\r\nFN;CHARSET=UTF-8:王芳\r\nTEL;WORK:010-6552 8888\r\n"
        "TEL;CELL:138 0013 8000\r\nNOTE;ENCODING=QUOTED-PRINTABLE:line one=0D=0Aline two\r\nEND:VCARD\r\n"
        'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anna Berg\r\nTEL;TYPE="cell,voice";VALUE=uri:tel:+46-70-123-45-67\r\n'
        "EMAIL:Anna@Berg.se\r\nEND:VCARD\r\n",
        name="contacts.vcf",
    )
    result = run("import", "leads", str(path), "--json")
    assert result.code == 0, result.err and result.json()["format"] == "vCard"
    wang, anna = _leads()
    assert (wang["name"], wang["phone"], wang["notes"]) == (
        "王芳",
        "13800138000",
        "line one\nline two\nPhone: 010-6552 8888",
    )
    assert (anna["name"], anna["phone"], anna["email"]) == ("Anna Berg", "+46701234567", "anna@berg.se")


def test_a_broken_vcard_names_its_line(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:B\n", name="x.vcf")
    result = run("import", "leads", str(path))
    assert result.code == 2 and "line 5: not a valid vCard" in result.err and "Traceback" not in result.err


def test_a_saved_profile_maps_the_next_months_file(db: Path, tmp_path: Path) -> None:
    header = "Kontakt,Handy,Bewertung,Angelegt\n"
    october = _csv(tmp_path, header + "Anna,+49 171 1111111,Hot,3/10/2026\n", "cp1252", name="oct.csv")
    flags = ("--map", "Kontakt=name", "--map", "Handy=phone", "--map", "Bewertung=-", "--date-order", "dmy")
    saved = run("import", "leads", str(october), *flags, "--map", "angelegt=created_at", "--save-profile", "crm")
    assert saved.code == 0, saved.err and "--profile crm" in saved.out
    november = _csv(tmp_path, header + "Bob,+49 171 2222222,Cold,4/11/2026\n", "cp1252", name="nov.csv")
    assert run("import", "leads", str(november), "--profile", "crm").code == 0, "the profile maps every column"
    assert [(lead["name"], lead["phone"], lead["created_at"][:10], lead["notes"]) for lead in _leads()] == [
        ("Anna", "+491711111111", "2026-10-03", None), ("Bob", "+491712222222", "2026-11-04", None),
    ]  # fmt: skip
    missing = run("import", "leads", str(november), "--profile", "nope")
    assert missing.code == 2 and "no import profile 'nope'; saved profiles: crm" in missing.err
    before = db_fingerprint(db)
    assert run("import", "leads", str(november), "--map", "Kontakt=name", "--save-profile", "../x").code == 2
    assert db_fingerprint(db) == before


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[import.sources]\n"Messe" = "banana"\n', "[import.sources] maps values to one of: inbound"),
        ('[import.grades]\n"Key" = "E"\n', "[import.grades] maps values to one of: A, B, C, D"),
        ("[import]\ncolours = {}\n", "[import] takes the tables sources and grades"),
    ],
)
def test_bad_import_tables_in_the_config_are_refused(db: Path, tmp_path: Path, toml: str, message: str) -> None:
    (db.parent / "config.toml").write_text(toml)
    result = run("import", "leads", str(_csv(tmp_path, "name\nAnna\n")))
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def test_the_json_report_names_the_format_and_what_each_column_becomes(db: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, "Person - Name,Person - Phone - Work,Person - Phone - Mobile,Person - Owner,Person - Label\n"
                "Anna,+46 8 123 456,+46 70 123 4567,Sam,Hot lead\n")  # fmt: skip
    report = run("import", "leads", str(path), "--dry-run", "--json").json()
    assert report["format"] == "Pipedrive people" and report["dry_run"] is True
    assert report["columns"] == [
        {"column": "Person - Name", "becomes": "name"},
        {"column": "Person - Phone - Work", "becomes": "phone (unless a mobile is given: notes)"},
        {"column": "Person - Phone - Mobile", "becomes": "phone (first choice)"},
        {"column": "Person - Owner", "becomes": "- (not imported)"},
        {"column": "Person - Label", "becomes": "notes (as 'Person - Label: …')"},
    ]
    assert report["mapping"] == {"Person - Name": "name", "Person - Phone - Work": "phone",
                                 "Person - Phone - Mobile": "phone"}  # fmt: skip


def test_a_gbk_file_with_a_rare_name_character_is_still_gbk(db: Path, tmp_path: Path) -> None:
    rows = "".join(f"{name},华为技术有限公司\n" for name in ["王芳", "李雷", "张喆", "陈静", "刘洋"])
    result = run("import", "leads", str(_csv(tmp_path, "姓名,公司\n" + rows, "gbk")), "--json")
    assert result.code == 0, result.err and result.json()["encoding"] == "gb18030"
    assert [lead["name"] for lead in _leads()] == ["王芳", "李雷", "张喆", "陈静", "刘洋"]
