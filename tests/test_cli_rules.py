"""The follow-up rules through the CLI: due, why, rules, rules check, lead close/reopen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import db_fingerprint, run

NOW = "2026-11-23T15:00:00+08:00"  # Monday afternoon in Shanghai (TZ set by conftest)
RULES = {"first_contact", "scheduled", "fallback", "cadence", "focus", "review"}


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", NOW)


@pytest.fixture
def db(isolated_home: Path) -> Path:
    """Two inbound leads (one past its 5h window, one inside it) and one outbound lead."""
    assert run("lead", "add", "Late Lily", "--source", "inbound", "--at", "today 09:00", "--grade", "C").code == 0
    assert run("lead", "add", "Fresh Fred", "--source", "inbound", "--at", "today 13:00").code == 0
    assert run("lead", "add", "Otto Out", "--source", "outbound", "--at", "today 08:00", "--grade", "A").code == 0
    return isolated_home / "salesdesk.db"


def due(*args: str) -> list[dict]:
    result = run("due", "--json", *args)
    assert result.code == 0, result.err
    return result.json()


def test_due_puts_breaches_first_then_at_risk_with_reasons_in_words(db: Path) -> None:
    queue = due()
    assert [item["name"] for item in queue] == ["Late Lily", "Fresh Fred"]
    assert {"lead_id", "name", "action", "due_at", "reasons"} <= set(queue[0])
    assert queue[0]["action"] == "call" and queue[0]["due_at"] == "2026-11-23T14:00:00+08:00"
    assert queue[0]["reasons"] == [
        {"rule": "first_contact", "text": "inbound 6h ago — first contact was due within 5h, 1h over"}
    ]
    assert queue[1]["reasons"][0]["text"] == "inbound 2h ago — first contact due within 5h, 3h left"
    assert all(reason["rule"] in RULES for item in queue for reason in item["reasons"])


def test_due_follows_salesdesk_now(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESDESK_NOW", "2026-11-23T13:30:00+08:00")
    assert due()[0]["reasons"][0]["text"] == "inbound 4h30m ago — first contact due within 5h, 30m left"


def test_a_failed_call_opens_fallbacks_and_a_touch_on_that_channel_meets_one(db: Path) -> None:
    logged = run("log-call", "Fresh Fred", "--outcome", "no_answer", "--json").json()
    assert sorted((f["rule"], f["channel"]) for f in logged["followups"]) == [
        ("fallback", "email"),
        ("fallback", "wechat"),
    ]
    fred = next(item for item in due() if item["name"] == "Fresh Fred")
    assert fred["action"] in ("wechat", "email") and {r["rule"] for r in fred["reasons"]} == {"fallback"}
    assert run("log-touch", "Fresh Fred", "--channel", "wechat", "--benefit", "case study").code == 0
    fred = next(item for item in due() if item["name"] == "Fresh Fred")
    assert fred["action"] == "email" and len(fred["reasons"]) == 1
    assert "follow up now by wechat and email" in run("log-call", "Late Lily", "--outcome", "busy").out


def test_due_text_table_and_limit(db: Path) -> None:
    assert [item["name"] for item in due("--limit", "1")] == ["Late Lily"]
    table = run("due").out
    assert "Late Lily" in table and "first contact was due" in table


def test_why_explains_every_rule(db: Path) -> None:
    report = run("why", "Late Lily", "--json").json()
    assert report["touches"] == {
        "count": 0, "minimum_before_lost": 6, "days": 0, "minimum_days_before_lost": 3, "short": 6, "days_short": 3,
        "terminal_outcome": False,
    }  # fmt: skip
    assert report["first_contact"]["state"] == "breach" and report["first_contact"]["minutes_left"] == -60
    assert report["queue"]["position"] == 1 and report["queue"]["of"] == 2
    assert report["next_step"].startswith("call now — inbound 6h ago")
    assert run("why", "Otto", "--json").json()["first_contact"] is None
    assert "first contact" in run("why", "Late Lily").out


def test_rules_show_values_and_where_they_come_from(db: Path, isolated_home: Path) -> None:
    rules = {rule["name"]: rule for rule in run("rules", "--json").json()}
    assert rules["first_contact_hours"]["value"] == 5 and rules["first_contact_hours"]["source"] == "default"
    assert rules["min_touches_before_lost"]["value"] == 6
    assert rules["fallback_channels"]["value"] == ["wechat", "email"]
    (isolated_home / "config.toml").write_text("[rules]\nmin_touches_before_lost = 8\n", encoding="utf-8")
    rules = {rule["name"]: rule for rule in run("rules", "--json").json()}
    assert rules["min_touches_before_lost"] == {**rules["min_touches_before_lost"], "value": 8, "source": "config file"}
    assert "min_touches_before_lost" in run("rules").out


def test_rules_check_exits_1_on_violations_for_cron(db: Path) -> None:
    result = run("rules", "check", "--json")
    assert result.code == 1
    assert [b["name"] for b in result.json()["first_contact_breaches"]] == ["Late Lily"]
    out = run("rules", "check").out
    assert out.startswith("1 first-contact breach\n  #") and "was due " in out
    assert "+00:00" not in out  # a local time in text; ISO only in --json


def test_rules_check_exits_0_when_all_is_well(isolated_home: Path) -> None:
    result = run("rules", "check")
    assert result.code == 0 and "No rule is broken" in result.out


def _touch(name: str, times: int) -> None:
    for hour in range(times):
        assert run("log-call", name, "--outcome", "no_answer", "--at", f"today {9 + hour}:30").code == 0


def test_closing_as_lost_before_six_touches_is_refused_and_changes_nothing(db: Path) -> None:
    _touch("Otto", 5)
    before = db_fingerprint(db)
    result = run("lead", "close", "Otto", "--lost", "--reason", "no budget")
    assert result.code == 1
    assert "has 5 touches on 1 day; closing as lost needs 6 touches on 3 different days: 1 more touch" in (result.err)
    assert "Next:" in result.err and len(result.err.strip().splitlines()) == 2
    assert db_fingerprint(db) == before
    _touch_one_more = run("log-touch", "Otto", "--channel", "email", "--benefit", "price list")
    assert _touch_one_more.code == 0
    # Six touches, all today: persistence means days, not one sitting.
    same_day = run("lead", "close", "Otto", "--lost", "--reason", "no budget")
    assert same_day.code == 1 and "6 touches on 1 day" in same_day.err
    assert "2 more days" in same_day.err
    assert db_fingerprint(db) != before and run("lead", "show", "Otto", "--json").json()["status"] == "working"
    (db.parent / "config.toml").write_text("[rules]\nmin_touch_days_before_lost = 1\n", encoding="utf-8")
    closed = run("lead", "close", "Otto", "--lost", "--reason", "no budget", "--json")
    assert closed.code == 0 and closed.json()["status"] == "lost" and closed.json()["close_reason"] == "no budget"


def test_force_closes_below_the_minimum_and_is_reported(db: Path) -> None:
    result = run("lead", "close", "Otto", "--lost", "--reason", "moved abroad", "--force")
    assert result.code == 0 and "recorded as an override" in result.err
    assert run("lead", "show", "Otto", "--json").json()["status"] == "lost"
    assert run("rules", "check", "--json").json()["closed_below_minimum"] == []


def test_a_terminal_outcome_lifts_the_guard(db: Path) -> None:
    assert run("log-call", "Otto", "--outcome", "bad_number").code == 0
    assert run("lead", "close", "Otto", "--lost", "--reason", "number dead").code == 0


def test_won_is_never_blocked_and_a_lead_can_be_reopened(db: Path) -> None:
    assert run("lead", "close", "Fresh Fred", "--won", "--json").json()["status"] == "won"
    assert "Fresh Fred" not in [item["name"] for item in due()]
    assert run("lead", "reopen", "Fresh Fred", "--json").json()["status"] == "new"
    assert "Fresh Fred" in [item["name"] for item in due()]


def test_benefit_is_required_on_a_reached_touch(db: Path) -> None:
    before = db_fingerprint(db)
    result = run("log-call", "Otto", "--outcome", "connected")
    assert result.code == 1 and "every touch offers a benefit" in result.err
    assert run("log-touch", "Otto", "--channel", "email").code == 1
    assert db_fingerprint(db) == before
    assert run("log-call", "Otto", "--outcome", "no_answer").code == 0  # not reached: no benefit needed
    assert run("log-touch", "Otto", "--channel", "other").code == 0


def test_benefit_warn_mode_logs_and_warns(db: Path, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text('[rules]\nbenefit = "warn"\n', encoding="utf-8")
    result = run("log-call", "Otto", "--outcome", "connected", "--json")
    assert result.code == 0 and "warning: rule 'every touch offers a benefit'" in result.err
    assert result.json()["warnings"] and result.json()["benefit"] is None


CLOSE_ERRORS = [
    (("lead", "close", "Otto"), 2, "--won or --lost"),
    (("lead", "close", "Otto", "--won", "--lost"), 2, "--won or --lost"),
    (("lead", "close", "Otto", "--lost"), 2, "needs a reason: why is this lead lost? (--reason TEXT)"),
    (("lead", "reopen", "Otto"), 1, "is not closed"),
    (("why", "nobody"), 2, "no lead matches"),
    (("due", "--limit", "0"), 2, "--limit"),
]


@pytest.mark.parametrize(("args", "code", "message"), CLOSE_ERRORS, ids=[" ".join(a) for a, _, _ in CLOSE_ERRORS])
def test_rule_command_errors(db: Path, args: tuple[str, ...], code: int, message: str) -> None:
    before = db_fingerprint(db)
    result = run(*args)
    assert result.code == code and message in result.err and "Traceback" not in result.err
    assert db_fingerprint(db) == before


def test_bad_rules_in_config_are_invalid_input(db: Path, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text("[rules]\nmin_touches_before_lost = -1\n", encoding="utf-8")
    result = run("due")
    assert result.code == 2 and "config.toml" in result.err and "min_touches_before_lost" in result.err


def test_do_not_call_needs_no_benefit_and_is_not_a_violation(db: Path) -> None:
    assert run("log-call", "Otto", "--outcome", "do_not_call").code == 0
    assert run("rules", "check", "--json").json()["touches_without_benefit"]["count"] == 0


def test_rules_names_every_lifecycle_state_and_flag(isolated_home: Path) -> None:
    from salesdesk.lifecycle import STATE_WORDS

    out = run("rules").out
    for state, words in STATE_WORDS.items():
        assert f"{state:<15} {words}" in out
    for name in ("min_touch_days_before_lost", "fallback_expiry_days", "focus_after_reached", "review_quiet_days",
                 "hard_to_reach_after_calls"):  # fmt: skip
        assert name in out
    assert "hard_to_reach" in out and "Reached = a connected call, a visit or a meeting booked." in " ".join(
        out.split()
    )
