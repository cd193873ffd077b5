"""When to call, from the shell: the method's advice when a call is scheduled, a lead's
preferred hours and time zone, and what their answered calls suggest (fixed SALESDESK_NOW)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import db_fingerprint, run

NOW = "2026-11-23T15:00:00+08:00"  # Monday afternoon in Shanghai (TZ from conftest)
LUNCH = "Tue 24 Nov 12:30 — 12:00-13:30 is lunch: avoid calling then unless it is urgent"


@pytest.fixture
def book(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALESDESK_NOW", NOW)
    for args in (
        ("lead", "add", "Li Na", "--company", "Acme", "--phone", "+86 138 0013 8000"),
        ("lead", "add", "Wang Fang", "--phone", "+86 139 0000 0000", "--private-phone"),
        ("lead", "add", "Emma Müller", "--company", "Bosch", "--at", "2026-11-01", "--timezone", "Europe/Berlin"),
    ):
        assert run(*args).code == 0, args
    return isolated_home / "salesdesk.db"


def test_next_call_at_lunch_warns_offers_two_slots_and_is_saved(book: Path) -> None:
    result = run("log-call", "Li Na", "-o", "no_answer", "--next", "tomorrow 12:30", "--json")
    assert result.code == 0
    assert f'warning: {LUNCH}; offer "Tuesday 11:00 or Wednesday 09:30?" instead' in result.err
    assert any(w.startswith(LUNCH) for w in result.json()["warnings"])
    assert result.json()["next"]["due_at"] == "2026-11-24T12:30:00+08:00"  # a warning, not a refusal
    fine = run("log-call", "Li Na", "-o", "no_answer", "--next", "tomorrow 14:00")
    assert fine.code == 0 and "warning" not in fine.err


def test_advice_off_says_nothing(book: Path) -> None:
    (book.parent / "config.toml").write_text("[timing]\nadvice = false\n", encoding="utf-8")
    result = run("log-call", "Li Na", "-o", "no_answer", "--next", "tomorrow 12:30")
    assert result.code == 0 and "lunch" not in result.err


def test_dinner_time_only_for_a_private_number(book: Path) -> None:
    private = run("log-call", "Wang Fang", "-o", "callback", "--benefit", "deck", "--next", "tomorrow 18:30")
    assert private.code == 0
    assert "Tue 24 Nov 18:30 — 18:00-20:00 is dinner time: avoid calling a private number then" in private.err
    company = run("log-call", "Li Na", "-o", "callback", "--benefit", "deck", "--next", "tomorrow 18:30")
    assert company.code == 0 and "dinner" not in company.err


def test_their_time_zone_decides(book: Path) -> None:
    assert run("lead", "edit", "Emma", "--private-phone").code == 0
    # 01:30 Wednesday in Shanghai is 18:30 Tuesday in Berlin: dinner time there.
    result = run("log-call", "Emma", "-o", "callback", "--benefit", "deck", "--next", "wed 01:30")
    assert "Wed 25 Nov 01:30 (Tue 18:30 their time, Europe/Berlin) — 18:00-20:00 is dinner time" in result.err
    assert "(their time) instead" in result.err


def test_first_morning_after_a_configured_holiday(book: Path) -> None:
    (book.parent / "config.toml").write_text('[timing]\nholidays = ["2026-11-27"]\n', encoding="utf-8")
    result = run("log-call", "Li Na", "-o", "no_answer", "--next", "2026-11-30 09:30")
    assert "Mon 30 Nov 09:30 — the first morning after a holiday is for catching up: call after 12:00" in result.err
    assert 'offer "Monday 30 Nov 14:00 or Tuesday 01 Dec 09:30?" instead' in result.err


def test_outside_their_preferred_hours(book: Path) -> None:
    assert run("lead", "edit", "Li Na", "--best-time", "周二-周四 14:00-17:00").code == 0
    result = run("log-call", "Li Na", "-o", "no_answer", "--next", "tomorrow 10:00")
    assert "their preferred hours are Tue–Thu 14:00–17:00" in result.err
    assert 'offer "Tuesday 14:00 or Wednesday 14:00?" instead' in result.err


def test_lead_options_are_shown_and_bad_values_change_nothing(book: Path) -> None:
    edited = run("lead", "edit", "Li Na", "--best-time", "tue-thu 14-17", "--timezone", "Asia/Tokyo", "--json")
    assert edited.code == 0
    assert (edited.json()["best_time"], edited.json()["timezone"]) == ("tue-thu 14:00-17:00", "Asia/Tokyo")
    shown = run("lead", "show", "Li Na").out
    assert "best time  Tue–Thu 14:00–17:00 (their time)" in shown
    assert "time zone  Asia/Tokyo (now Mon 16:00 there)" in shown
    before = db_fingerprint(book)
    for args, words in (
        (("--best-time", "tuesday afternoon"), "best time 'tuesday afternoon'"),
        (("--best-time", "17:00-14:00"), "must end after it starts"),
        (("--timezone", "Mars/Olympus"), "time zone 'Mars/Olympus' is unknown"),
        (("--name", "Li Na Renamed", "--best-time", "later"), "is not a day"),
        (("--best-time", "learned"), "calls suggest no hours yet"),
    ):
        result = run("lead", "edit", "Li Na", *args)
        assert result.code == 2 and words in result.err, args
        assert "Traceback" not in result.err
    assert run("lead", "add", "Zed", "--best-time", "whenever").code == 2
    assert db_fingerprint(book) == before
    cleared = run("lead", "edit", "Li Na", "--best-time", "", "--timezone", "", "--json").json()
    assert (cleared["best_time"], cleared["timezone"]) == (None, None)


def test_learned_from_their_answers_shown_and_saved(book: Path) -> None:
    # Berlin afternoons, Tuesday to Thursday; one early answer and one miss.
    for moment in ("11-03T14:10", "11-04T14:20", "11-11T15:05", "11-12T16:40", "11-18T10:00"):
        assert run("log-call", "Emma", "-o", "connected", "--benefit", "x", "--at", f"2026-{moment}+01:00").code == 0
    assert run("log-call", "Emma", "-o", "no_answer", "--at", "2026-11-10T11:00+01:00").code == 0
    shown = " ".join(run("lead", "show", "Emma").out.split())  # a narrow terminal wraps the line
    assert "answers Tue–Thu 14:00–17:00 (4 of 5 connects); to keep it: lead edit 3 --best-time learned" in shown
    data = run("lead", "show", "Emma", "--json").json()["learned_best_time"]
    assert data == {"best_time": "tue-thu 14:00-17:00", "connects_inside": 4, "connects": 5}
    saved = run("lead", "edit", "Emma", "--best-time", "learned", "--json").json()
    assert saved["best_time"] == "tue-thu 14:00-17:00"
    assert "to keep it" not in run("lead", "show", "Emma").out


def test_the_queue_says_when_to_call_outside_their_hours(book: Path) -> None:
    assert run("lead", "add", "Zhao Lei", "--source", "inbound", "--best-time", "16:00-17:00").code == 0
    assert run("lead", "add", "Sun Li", "--source", "inbound", "--best-time", "tue-thu 14:00-17:00").code == 0
    assert run("lead", "add", "Qian Yu", "--source", "inbound", "--best-time", "14:00-17:00").code == 0
    # Emma's callback is overdue; she answers Tuesday to Thursday afternoons, Berlin time.
    assert run("lead", "edit", "Emma", "--best-time", "tue-thu 14:00-17:00").code == 0
    called = ("-o", "callback", "--benefit", "x", "--at", "2026-11-20 10:00", "--next", "2026-11-21 10:00")
    assert run("log-call", "Emma", *called).code == 0
    due = {item["name"]: item for item in run("due", "--json").json()}
    assert (due["Zhao Lei"]["action"], due["Zhao Lei"]["do"]) == ("call", "call after 16:00")
    assert due["Sun Li"]["do"] == "call"  # Tuesday is past the 5-hour first-contact deadline: that rule wins
    assert due["Qian Yu"]["do"] == "call"  # inside their hours: just call
    assert due["Emma Müller"]["do"] == "call Tue 21:00"  # their 14:00 in Berlin, said in the rep's time
    table = run("due").out
    assert "call after 16:00" in table and "call Tue 21:00" in table
    why = run("why", "Zhao Lei")
    assert ": call after 16:00" in why.out and "best time      16:00–17:00" in why.out
    data = run("why", "Zhao Lei", "--json").json()
    assert data["next_step"].startswith("call after 16:00 — inbound")
    assert data["when_to_call"] == [{"label": "best time", "text": "16:00–17:00"}]


def test_a_block_at_lunch_or_after_a_holiday_warns_and_is_added(book: Path) -> None:
    (book.parent / "config.toml").write_text('[timing]\nholidays = ["2026-11-27"]\n', encoding="utf-8")
    assert run("block", "add", "tomorrow 9:00", "--for", "90m", "--repeat", "weekdays").code == 0
    lunch = run("block", "add", "tomorrow 11:30", "--for", "60m", "--json")
    assert lunch.code == 0
    expected = (
        "Tue 24 Nov 11:30-12:30 — 12:00-13:30 is lunch: avoid calling then unless it is urgent; "
        'try "Tuesday 10:30 or Wednesday 10:30?" instead'  # right after the morning block
    )
    assert f"warning: {expected}" in lunch.err and lunch.json()["warnings"] == [expected]
    assert len(run("block", "list", "--date", "tomorrow", "--json").json()) == 2  # added all the same
    monday = run("block", "add", "2026-11-30 10:30", "--for", "60m")
    assert monday.code == 0 and "first morning after a holiday" in monday.err
    fine = run("block", "add", "2026-12-01 14:00", "--for", "60m")
    assert fine.code == 0 and "warning" not in fine.err


def test_rules_list_the_timing_settings_with_their_source(book: Path) -> None:
    (book.parent / "config.toml").write_text('[timing]\nlunch = "11:45-13:00"\n', encoding="utf-8")
    settings = {s["name"]: s for s in run("rules", "--json").json()}
    assert settings["timing.lunch"]["value"] == "11:45-13:00" and settings["timing.lunch"]["source"] == "config file"
    assert settings["timing.advice"] == {
        "name": "timing.advice", "value": True, "source": "default",
        "meaning": "warn when a call or block is scheduled at a time the method advises against (false: never)",
    }  # fmt: skip
    assert settings["timing.preferred"]["value"] == ["09:30-11:30", "14:00-17:00"]
    assert "first_contact_hours" in settings  # the follow-up rules are still there
    text = run("rules").out
    assert "When to call" in text and "timing.dinner" in text and "11:45-13:00" in text
