"""The CLI contract: commands, JSON shapes, exit codes, and that failures write nothing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli_helpers import db_fingerprint, run

NOW = "2026-11-23T15:00:00+08:00"  # Monday afternoon in Shanghai (TZ set by conftest)

LEAD_FIELDS = {
    "id", "name", "company", "title", "phone", "email", "wechat", "source", "grade", "status",
    "is_coach", "created_at", "touch_count", "last_touch_at",
}  # fmt: skip
TOUCH_FIELDS = {"id", "lead_id", "at", "channel", "outcome", "connected", "duration_s", "note", "benefit", "objection"}


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def db(isolated_home: Path) -> Path:
    return isolated_home / "salesdesk.db"


@pytest.fixture
def book(db: Path) -> Path:
    """A small book: two similar names, a Chinese name, one call logged."""
    for args in (
        ("Li Na", "--company", "Acme", "--email", "li.na@acme.com", "--grade", "B", "--at", "yesterday 10:00"),
        ("Li Nan", "--company", "ACME", "--phone", "+86 139 0000 0001", "--at", "yesterday 11:00"),
        ("王芳", "--company", "华为", "--phone", "138-0013-8000", "--source", "inbound", "--wechat", "wf_88"),
    ):
        assert run("lead", "add", *args).code == 0
    assert run("log-call", "Li Na", "--outcome", "no_answer", "--at", "2h ago").code == 0
    return db


def test_lead_add_prints_the_lead_as_json_with_every_contract_field(db: Path) -> None:
    result = run(
        "lead", "add", "王芳", "--company", "华为", "--title", "采购经理", "--phone", "+86 138 0013 8000",
        "--email", "Wang.Fang@Example.com", "--wechat", "wf_88", "--source", "inbound", "--grade", "b",
        "--coach", "--note", "met at the expo", "--at", "today 9:30", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    lead = result.json()
    assert set(lead) >= LEAD_FIELDS
    assert lead["name"] == "王芳" and lead["company"] == "华为" and lead["title"] == "采购经理"
    assert lead["phone"] == "+8613800138000"
    assert lead["email"] == "wang.fang@example.com"
    assert (lead["source"], lead["grade"], lead["status"], lead["is_coach"]) == ("inbound", "B", "new", True)
    assert lead["created_at"] == "2026-11-23T09:30:00+08:00"
    assert (lead["touch_count"], lead["last_touch_at"]) == (0, None)
    assert result.err == ""


def test_database_and_its_directory_are_private(db: Path) -> None:
    assert run("lead", "add", "Emma Smith").code == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_salesdesk_db_overrides_the_database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    other = tmp_path / "elsewhere" / "mine.db"
    monkeypatch.setenv("SALESDESK_DB", str(other))
    assert run("lead", "add", "Emma Smith").code == 0
    assert other.exists() and not db.exists()
    assert [lead["name"] for lead in run("lead", "list", "--json").json()] == ["Emma Smith"]


def test_lead_list_filters_and_searches(book: Path) -> None:
    names = lambda *args: sorted(lead["name"] for lead in run("lead", "list", "--json", *args).json())  # noqa: E731
    assert names() == ["Li Na", "Li Nan", "王芳"]
    assert names("--search", "acme") == ["Li Na", "Li Nan"]
    assert names("--search", "华为") == ["王芳"]
    assert names("--search", "0013 8000") == ["王芳"]
    assert names("--grade", "b") == ["Li Na"]
    assert names("--status", "working") == ["Li Na"]
    assert names("--source", "inbound") == ["王芳"]
    assert names("--search", "nobody") == []


def test_lead_list_table_for_people(book: Path) -> None:
    result = run("lead", "list")
    assert result.code == 0
    assert "王芳" in result.out and "Li Nan" in result.out and "3 of 3 leads" in result.out


def test_lead_list_limit_says_how_many_are_hidden(book: Path) -> None:
    result = run("lead", "list", "--limit", "2")
    assert "2 of 3 leads" in result.out and "--limit 0" in result.out
    assert len(run("lead", "list", "--limit", "2", "--json").json()) == 2


def test_log_call_records_everything_and_schedules_the_next_call(book: Path) -> None:
    result = run(
        "log-call", "li na", "--outcome", "callback", "--note", "asked for pricing", "--benefit", "sent case study",
        "--duration", "4m30s", "--objection", "send_materials", "--next", "tue 10:00", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    touch = result.json()
    assert set(touch) >= TOUCH_FIELDS
    assert (touch["channel"], touch["outcome"], touch["connected"]) == ("call", "callback", True)
    assert (touch["duration_s"], touch["note"], touch["benefit"]) == (270, "asked for pricing", "sent case study")
    assert touch["objection"] == "send_materials"
    assert touch["at"] == NOW
    assert touch["next"]["due_at"] == "2026-11-24T10:00:00+08:00"  # the coming Tuesday
    shown = run("lead", "show", "Li Na", "--json").json()
    by_rule = sorted((f["rule"], f["channel"], f["due_at"]) for f in shown["followups"])
    # The fixture's failed call opened the fallbacks; this call reached her (satisfying them)
    # and scheduled the callback.
    assert by_rule == [("scheduled", "call", "2026-11-24T10:00:00+08:00")]
    assert sorted(r["resolution"] for r in touch["resolved"]) == ["satisfied", "satisfied"]


def test_lead_show_lists_touches_newest_first(book: Path) -> None:
    assert run("log-touch", "Li Na", "--channel", "email", "--benefit", "price list", "--at", "1h ago").code == 0
    assert run("log-call", "Li Na", "--outcome", "connected", "--benefit", "demo invite").code == 0
    shown = run("lead", "show", "li.na@acme.com", "--json").json()
    assert set(shown) >= LEAD_FIELDS
    assert [t["channel"] for t in shown["touches"]] == ["call", "email", "call"]
    assert [t["at"] for t in shown["touches"]] == sorted((t["at"] for t in shown["touches"]), reverse=True)
    assert shown["touch_count"] == 3 and shown["last_touch_at"] == NOW
    assert all(set(t) >= TOUCH_FIELDS for t in shown["touches"])


def test_lead_show_text_has_the_card_and_timeline(book: Path) -> None:
    result = run("lead", "show", "Li Na")
    assert result.code == 0
    assert "#1 Li Na (Acme)" in result.out and "call: no answer" in result.out and "1 touch," in result.out


def test_exact_name_wins_over_a_longer_one(book: Path) -> None:
    assert run("lead", "show", "Li Na", "--json").json()["name"] == "Li Na"
    assert run("lead", "show", "li nan", "--json").json()["name"] == "Li Nan"


def test_lead_found_by_phone_in_any_format(book: Path) -> None:
    assert run("lead", "show", "+86 138 0013 8000", "--json").json()["name"] == "王芳"
    assert run("lead", "show", "13800138000", "--json").json()["name"] == "王芳"


def test_lead_edit_records_grade_changes(book: Path) -> None:
    result = run("lead", "edit", "Li Na", "--grade", "A", "--coach", "--title", "CTO", "--json")
    assert result.code == 0, result.err
    assert (result.json()["grade"], result.json()["is_coach"], result.json()["title"]) == ("A", True, "CTO")
    history = run("lead", "show", "Li Na", "--json").json()["grade_history"]
    assert [(g["old_grade"], g["new_grade"]) for g in history] == [("B", "A"), (None, "B")]
    assert run("lead", "edit", "Li Na", "--title", "", "--json").json()["title"] is None


def test_log_touch_on_another_channel(book: Path) -> None:
    result = run("log-touch", "王", "--channel", "wechat", "--note", "发了资料", "--benefit", "行业报告", "--json")
    assert result.code == 0, result.err
    touch = result.json()
    assert (touch["channel"], touch["outcome"], touch["note"], touch["benefit"]) == (
        "wechat",
        None,
        "发了资料",
        "行业报告",
    )


def test_outcomes_lists_the_dispositions_with_flags(db: Path) -> None:
    outcomes = {o["name"]: o for o in run("outcomes", "--json").json()}
    assert len(outcomes) == 12
    assert not outcomes["no_answer"]["connected"] and outcomes["meeting_booked"]["meeting"]
    assert outcomes["callback"]["requires_next"] and outcomes["do_not_call"]["terminal"]
    assert "needs --next" in run("outcomes").out


def test_outcomes_come_from_config_toml(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(
        '[outcomes.left_message]\nlabel = "Left a message"\nconnected = false\nkey = "l"\n', encoding="utf-8"
    )
    assert "left_message" in {o["name"] for o in run("outcomes", "--json").json()}
    assert run("lead", "add", "Emma Smith").code == 0
    assert run("log-call", "Emma", "--outcome", "left_message", "--json").json()["connected"] is False


def test_demo_flag_uses_the_demo_database_not_the_users(isolated_home: Path, db: Path) -> None:
    leads = run("--demo", "lead", "list", "--json").json()
    assert len(leads) >= 190
    assert (isolated_home / "demo.db").exists() and not db.exists()


def test_version(db: Path) -> None:
    assert run("--version").out.startswith("salesdesk ")


# Bad input: the documented exit code, a one- or two-line message, no traceback, nothing written.
BAD_INPUT = [
    (("log-call", "nobody", "--outcome", "busy"), 2, "no lead matches"),
    (("log-call", "li", "--outcome", "busy"), 2, "#1 Li Na; #2 Li Nan"),
    (("log-call", "", "--outcome", "busy"), 2, "LEAD is empty"),
    (("log-call", "#99", "--outcome", "busy"), 2, "no lead has id 99"),
    (("log-call", "Li Na", "--outcome", "frobbed"), 2, "valid outcomes: no_answer"),
    (("log-call", "Li Na", "--outcome", "callback"), 2, "needs the time of the next call (--next WHEN"),
    (("log-call", "Li Na", "--outcome", "busy", "--at", "yesterday 25pm"), 2, "tomorrow 9am"),
    (("log-call", "Li Na", "--outcome", "busy", "--at", "in 2 days"), 2, "in the future"),
    (("log-call", "Li Na", "--outcome", "busy", "--at", "3 days ago"), 2, "(salesdesk lead edit LEAD --at WHEN)"),
    (("log-call", "Li Na", "--outcome", "busy", "--duration", "long"), 2, "duration"),
    (("log-call", "Li Na", "--outcome", "busy", "--next", "2h ago"), 2, "next call must be later"),
    (("log-call", "Li Na", "--outcome", "busy", "--note", "a\x00b"), 2, "control characters"),
    (("log-call", "Li Na", "--outcome", "busy", "--note", "x" * 100_000), 2, "the limit is"),
    (("log-call", "Li Na", "--outcome", "busy", "--objection", "no time!"), 2, "short key"),
    (("log-call", "Li Na"), 2, "Missing option"),
    (("log-call", "Li Na", "--outcome", "busy", "--bogus"), 2, "No such option"),
    (("log-touch", "Li Na", "--channel", "fax"), 2, "channel 'fax' is not one of"),
    (("log-touch", "Li Na", "--channel", "call"), 2, "use log-call"),
    (("lead", "add", "   "), 2, "name is empty"),
    (("lead", "add", "Emma", "--grade", "E"), 2, "grade 'E'"),
    (("lead", "add", "Emma", "--source", "cold"), 2, "source 'cold'"),
    (("lead", "add", "Emma", "--email", "not-an-email"), 2, "not an email"),
    (("lead", "add", "Emma", "--phone", "call me"), 2, "not a phone number"),
    (("lead", "add", "Emma", "--at", "next year"), 2, "can't read"),
    (("lead", "add", "Emma", "--phone", "138 0013 8000"), 1, "already has this phone"),
    (("lead", "edit", "Li Nan", "--email", "LI.NA@acme.com"), 1, "already has this phone or email"),
    (("lead", "list", "--status", "sleeping"), 2, "status 'sleeping'"),
    (("lead", "list", "--limit", "-1"), 2, "--limit"),
    (("lead", "show", "zzz"), 2, "no lead matches"),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUT, ids=[" ".join(a)[:50] for a, _, _ in BAD_INPUT])
def test_bad_input_is_refused_cleanly_and_changes_nothing(
    book: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    before = db_fingerprint(book)
    result = run(*args)
    assert result.code == code, (result.out, result.err)
    assert message in result.err
    assert "Traceback" not in result.err and result.out == ""
    assert 1 <= len(result.err.strip().splitlines()) <= 2
    assert db_fingerprint(book) == before


def test_bad_salesdesk_now_is_invalid_input(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", "half past nine")
    result = run("log-call", "Li Na", "--outcome", "busy")
    assert result.code == 2 and "SALESDESK_NOW" in result.err


def test_a_database_from_a_newer_salesdesk_is_refused_untouched(book: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(book)
    conn.execute("INSERT INTO salesdesk_migration (id, name, applied_at) VALUES (99, '0099_future', 'x')")
    conn.commit()
    conn.close()
    before = db_fingerprint(book)
    result = run("lead", "list")
    assert result.code == 2 and "newer salesdesk" in result.err
    assert db_fingerprint(book) == before


def test_only_the_commands_module_is_mounted() -> None:
    """Typer builds every mounted command on each run; a scripted log-call must not pay for 46."""
    from salesdesk.cli import COMMAND_MODULES, build_app, command_app
    from salesdesk.commands import leads, touches

    def mounted(argv: list[str]) -> list[object]:
        return [info.typer_instance for info in build_app(argv).registered_groups]

    assert mounted(["log-call", "Li Na", "--outcome", "busy"]) == [touches.app]
    assert mounted(["--demo", "lead", "list"]) == [leads.app]
    assert len(mounted(["--help"])) == len(mounted([])) == len(mounted(["frob"])) == len(COMMAND_MODULES)
    assert len({command_app(module) for module, _, _ in COMMAND_MODULES}) == len(COMMAND_MODULES)


def test_the_command_words_written_in_cli_are_the_ones_each_module_registers() -> None:
    """cli.py names each module's top-level words so that a run imports one module only."""
    from salesdesk.cli import COMMAND_MODULES, _names, command_app

    for module, group, words in COMMAND_MODULES:
        assert _names(command_app(module)) == (set(words) if group is None else _names(command_app(module))), module
        assert (group is None) == bool(words), module
    everywhere = [w for _, group, words in COMMAND_MODULES for w in (words or (group,))]
    assert len(everywhere) == len(set(everywhere))  # no word is owned twice


def test_a_hot_command_imports_only_its_own_command_module(isolated_home) -> None:  # type: ignore[no-untyped-def]
    import json
    import subprocess
    import sys

    code = (
        "import sys, json\nfrom salesdesk.cli import main\ntry:\n    main(['status'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('salesdesk.commands.'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert loaded <= {
        "salesdesk.commands.status",
        "salesdesk.commands.common",
        "salesdesk.commands.completion",
        "salesdesk.commands.coercion",
        "salesdesk.commands.helptext",
    }, loaded
