"""The sample exports in ``tests/data`` import without --map, field by field as each
vendor's columns mean them (see ``tests/data/samples.py`` for who is in them)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.cli_helpers import run
from tests.data import samples
from tests.data.samples import CHINESE, PEOPLE, Person

NOW = "2026-11-23T15:00:00+08:00"
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch, isolated_home: Path) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


def _import(name: str, *flags: str) -> tuple[dict, list[dict]]:
    result = run("import", "leads", str(DATA / name), "--json", *flags)
    assert result.code == 0, result.err
    leads = run("lead", "list", "--json").json()
    return result.json(), sorted(leads, key=lambda lead: lead["id"])


@pytest.mark.parametrize("name", list(samples.SAMPLES))
def test_the_committed_samples_are_what_the_generator_writes(name: str) -> None:
    assert (DATA / name).read_bytes() == samples.render(name)


# file -> (recognised format, encoding)
WESTERN = {
    "hubspot_contacts.csv": ("HubSpot contacts", "utf-8"),
    "salesforce_leads_report.csv": ("Salesforce report", "utf-8-sig"),
    "salesforce_dataloader_leads.csv": ("Salesforce Data Loader", "utf-8"),
    "pipedrive_people.csv": ("Pipedrive people", "utf-8"),
    "google_contacts.csv": ("Google Contacts", "utf-8"),
    "google_contacts_legacy.csv": ("Google Contacts (legacy)", "utf-8"),
    "outlook_contacts.csv": ("Outlook contacts", "cp1252"),
    "icloud_contacts.vcf": ("vCard", "utf-8"),
}


def _local(text: str) -> str:
    return datetime.fromisoformat(text).isoformat()


def _created(name: str, i: int) -> str:
    """When each file says person ``i`` arrived, as salesdesk shows it (local time, +08:00)."""
    month, day = 1 + i % 10, 1 + i
    if name == "hubspot_contacts.csv":
        return _local(f"2026-{month:02d}-{day:02d}T09:{i:02d}:00+08:00")
    if name == "salesforce_leads_report.csv":  # 3/15/2026 ... proves month/day order
        hour = (1 + i % 12) % 12 + (0 if i % 2 else 12)
        return _local(f"2026-{month:02d}-{1 + (i * 7) % 28:02d}T{hour:02d}:{(i * 13) % 60:02d}:00+08:00")
    if name == "salesforce_dataloader_leads.csv":  # UTC, with milliseconds and Z
        return _local(f"2026-{month:02d}-{day:02d}T{i % 10 + 8:02d}:30:00+08:00")
    if name == "pipedrive_people.csv":
        return _local(f"2026-{month:02d}-{day:02d}T10:15:{i:02d}+08:00")
    return NOW  # no creation date in the file


@pytest.mark.parametrize("name", list(WESTERN))
def test_each_vendor_export_imports_without_map_field_by_field(name: str) -> None:
    report, leads = _import(name)
    assert (report["format"], report["encoding"]) == WESTERN[name]
    assert (report["imported"], report["duplicates_in_file"], report["bad_rows"]) == (len(PEOPLE), 2, 0)
    for i, (person, lead) in enumerate(zip(PEOPLE, leads, strict=True)):
        expected = {
            "name": f"{person.first} {person.last}",
            "company": person.company or None,
            "title": person.title or None,
            "phone": person.phone,
            "email": person.email.lower(),
            "grade": None,  # Salesforce's Rating is Hot/Warm/Cold: not a grade
            "source": _source(name, i),
            "created_at": _created(name, i),
        }
        got = {key: lead[key] for key in expected}
        assert got == expected, f"{name} row {i + 2}"
        notes = lead["notes"] or ""
        if person.note and name not in ("hubspot_contacts.csv", "pipedrive_people.csv"):
            assert person.note in notes, f"{name} row {i + 2}"  # multi-line, commas, CRLF as \n
        if name == "hubspot_contacts.csv" and samples.street(i):
            assert f"Street Address: {samples.street(i)}" in notes  # a line break kept inside the notes
        if name == "pipedrive_people.csv" and samples.street(i):
            assert f"Person - Postal address: {samples.street(i)}" in notes
        _check_second_numbers(name, person, notes)


def _source(name: str, i: int) -> str:
    if name == "hubspot_contacts.csv":
        return samples.SOURCE_OF[samples.HUBSPOT_SOURCES[i % 5]]
    if name.startswith("salesforce"):
        return samples.SOURCE_OF[samples.SALESFORCE_SOURCES[i % 6]]
    return "outbound"


def _check_second_numbers(name: str, person: Person, notes: str) -> None:
    """The number not kept as the phone is in the notes; an extension is kept apart."""
    if person.mobile and person.work:
        assert person.work in notes, (name, person.first, notes)
    if person.first == "Michael":  # only a work number, with "x204"
        assert "extension: 204" in notes, (name, notes)


def test_salesforce_rating_goes_to_the_notes_and_the_report_says_so() -> None:
    report, leads = _import("salesforce_leads_report.csv")
    assert any(n.startswith("Rating: values Hot, Warm, Cold are not grades") for n in report["notices"])
    becomes = dict((c["column"], c["becomes"]) for c in report["columns"])
    assert becomes["Rating"].startswith("notes (values Hot, Warm, Cold")
    assert becomes["Lead Source"] == "source" and becomes["Mobile"] == "phone (first choice)"
    assert "Rating: Hot" in leads[0]["notes"] and "Lead Status: Open - Not Contacted" in leads[0]["notes"]


def test_outlook_title_is_the_salutation_not_the_job() -> None:
    _, leads = _import("outlook_contacts.csv")
    assert [lead["title"] for lead in leads[:3]] == ["Head of Purchasing", "VP Sales", "Directrice achats"]
    assert leads[0]["name"] == "Emma Müller" and leads[0]["company"] == "Müller & Söhne GmbH"  # cp1252 kept
    assert leads[4]["name"] == "Renée Dubois" and leads[4]["phone"] == "+33478000000"  # trunk (0) dropped
    assert leads[3]["name"] == "Carlos García"


def test_google_labels_pick_the_mobile_and_multi_value_cells_split() -> None:
    _, leads = _import("google_contacts_legacy.csv")
    oliver = leads[6]
    assert oliver["phone"] == "+447700900123"  # the cell held "+44 7700 900123 ::: +44 (0)20 7946 0958"
    assert "Mobile: +44 (0)20 7946 0958" in oliver["notes"]


def test_the_chinese_crm_sheet_imports_field_by_field() -> None:
    report, leads = _import("chinese_crm.csv")
    assert (report["format"], report["encoding"]) == ("Chinese CRM sheet", "gb18030")
    assert (report["imported"], report["duplicates_in_file"]) == (len(CHINESE), samples.CHINESE_DUPLICATES)
    for i, (person, lead) in enumerate(zip(CHINESE, leads, strict=True)):
        expected = {
            "name": person.name,  # 姓 then 名, no space: 王 + 芳 = 王芳, 欧阳 + 娜娜 = 欧阳娜娜
            "company": person.company,
            "title": person.title or None,
            "phone": person.phone,
            "email": person.email or None,
            "wechat": person.wechat or None,
            "source": person.source_is,
            "grade": person.grade_is,
            "created_at": _local(person.created_is + ":00+08:00"),
        }
        assert {key: lead[key] for key in expected} == expected, f"row {i + 2}"
        if person.note:
            assert person.note in lead["notes"]
    assert leads[0]["notes"] == "展会认识，\n要报价\n座机: 0755-2878 0808 转 8021"


def test_the_readmes_dry_run_is_what_the_command_prints(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ salesdesk import leads hubspot.csv --dry-run\n", 1)[1].split("```", 1)[0]
    (tmp_path / "hubspot.csv").write_bytes((DATA / "hubspot_contacts.csv").read_bytes())
    result = run("import", "leads", str(tmp_path / "hubspot.csv"), "--dry-run")
    assert result.code == 0, result.err
    printed = result.out.replace(str(tmp_path / "hubspot.csv"), "hubspot.csv")
    assert [line.rstrip() for line in printed.splitlines()] == block.splitlines()
