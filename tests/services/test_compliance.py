"""services.compliance: every kind of rule violation, found and counted on a hand-made dataset."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import read_session, write_session
from salesdesk.models import Lead
from salesdesk.rules import Rules
from salesdesk.services.closing import close_lead
from salesdesk.services.compliance import Violations, check
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import log_call, log_touch

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=SH)  # Monday
H = timedelta(hours=1)
D = timedelta(days=1)
# Failed calls here open no fallbacks, so every follow-up in the dataset is one placed on purpose.
QUIET = Config(rules=Rules(fallback_channels=()))
# How a touch without a benefit gets into the store: logged while the rule was off.
LAX = Config(rules=Rules(benefit="off", fallback_channels=()))


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    with write_session(engine) as s:

        def new(name: str, source: str = "outbound", arrived: datetime = NOW - 10 * D):  # type: ignore[no-untyped-def]
            return add_lead(s, NOW, name=name, source=source, created_at=arrived)

        def emails(lead, n: int) -> None:  # type: ignore[no-untyped-def]
            for k in range(n):
                log_touch(s, QUIET, lead, NOW, channel="email", at=NOW - (k + 2) * D, benefit="case study")

        # First contact: one breach; one still inside its window; an outbound lead has no clock.
        breach = new("Breach", "inbound", NOW - 6 * H)
        new("At risk", "inbound", NOW - H)
        new("Cold", "outbound", NOW - 6 * H)
        # Set to lost directly with 2 touches and no close record: closed below the minimum.
        dropped = new("Dropped")
        emails(dropped, 2)
        dropped.status, dropped.closed_at = "lost", NOW - D
        s.add(dropped)
        # Closed below the minimum with --force: an override, recorded, not a violation.
        forced = new("Forced")
        emails(forced, 2)
        close_lead(s, QUIET, forced, NOW - D, won=False, reason="company closed down", force=True)
        # Lost after a terminal outcome, and lost after six touches: both fine.
        dead = new("Dead")
        log_call(s, QUIET, dead, NOW, outcome="bad_number", at=NOW - 3 * D)
        close_lead(s, QUIET, dead, NOW - D, won=False, reason="number does not exist")
        tried = new("Tried")
        emails(tried, 6)
        close_lead(s, QUIET, tried, NOW - D, won=False, reason="chose a competitor")
        # Reached without a benefit (logged while the rule was off): a connected call and a
        # WeChat message count; a failed call and an "other" touch reached nobody.
        lax = new("Lax")
        log_call(s, LAX, lax, NOW, outcome="connected", at=NOW - 4 * D)
        log_touch(s, LAX, lax, NOW, channel="wechat", at=NOW - 3 * D)
        log_call(s, LAX, lax, NOW, outcome="no_answer", at=NOW - 2 * D)
        log_touch(s, LAX, lax, NOW, channel="other", at=NOW - 2 * D)
        # Follow-ups: due yesterday and open = overdue; due earlier today = not yet.
        late = new("Late")
        log_call(s, QUIET, late, NOW, outcome="callback", at=NOW - 3 * D, next_at=sh(22, 23, 59), benefit="deck")
        today = new("Today")
        log_call(s, QUIET, today, NOW, outcome="callback", at=NOW - 3 * D, next_at=sh(23, 0, 1), benefit="deck")
        # An open follow-up on a closed lead is no longer the rep's to do.
        won = new("Won")
        log_call(s, QUIET, won, NOW, outcome="callback", at=NOW - 3 * D, next_at=NOW - 2 * D, benefit="deck")
        won.status = "won"
        s.add(won)
        return {lead.name: lead.id for lead in (breach, dropped, forced, dead, tried, lax, late, today, won)}  # type: ignore[misc]


def _check(engine: Engine, config: Config = QUIET, now: datetime = NOW) -> Violations:
    with read_session(engine) as s:
        return check(s, config, now)


def test_each_kind_of_violation_is_found_and_counted(engine: Engine, ids: dict[str, int]) -> None:
    found = _check(engine)
    assert [(b["lead_id"], b["name"], b["deadline"]) for b in found.first_contact_breaches] == [
        (ids["Breach"], "Breach", "2026-11-23T14:00:00+08:00")
    ]
    assert [(c["lead_id"], c["touches"]) for c in found.closed_below_minimum] == [(ids["Dropped"], 2)]
    assert found.touches_without_benefit == 2
    assert {(t["lead_id"], t["channel"]) for t in found.touches_without_benefit_recent} == {
        (ids["Lax"], "call"), (ids["Lax"], "wechat"),
    }  # fmt: skip
    assert found.overdue_followups == 1
    assert [(f["lead_id"], f["due_at"]) for f in found.overdue_followups_oldest] == [
        (ids["Late"], "2026-11-22T23:59:00+08:00")
    ]
    assert found.total == 5
    assert found.as_dict()["total"] == 5


@pytest.mark.parametrize(("mode", "count"), [("require", 2), ("warn", 2), ("off", 0)])
def test_touches_without_benefit_count_only_while_the_rule_is_on(
    engine: Engine, ids: dict[str, int], mode: str, count: int
) -> None:
    found = _check(engine, Config(rules=Rules(benefit=mode)))  # type: ignore[arg-type]
    assert found.touches_without_benefit == count
    assert len(found.touches_without_benefit_recent) == count
    assert found.total == 3 + count


def test_the_minimum_at_check_time_applies(engine: Engine, ids: dict[str, int]) -> None:
    assert _check(engine, Config(rules=Rules(min_touches_before_lost=2))).closed_below_minimum == []
    strict = _check(engine, Config(rules=Rules(min_touches_before_lost=7)))
    # Six touches were enough when it closed; by today's rule it is short. Forced and terminal stay fine.
    assert sorted(c["lead_id"] for c in strict.closed_below_minimum) == sorted([ids["Dropped"], ids["Tried"]])


def test_overdue_starts_once_the_day_it_was_due_has_ended(engine: Engine, ids: dict[str, int]) -> None:
    tomorrow = _check(engine, now=sh(24, 0, 1))
    assert sorted(f["lead_id"] for f in tomorrow.overdue_followups_oldest) == sorted([ids["Late"], ids["Today"]])
    assert tomorrow.overdue_followups == 2


def test_a_breach_ends_with_the_first_attempt(engine: Engine, ids: dict[str, int]) -> None:
    with write_session(engine) as s:
        breach = s.get(Lead, ids["Breach"])
        assert breach is not None
        log_call(s, QUIET, breach, NOW, outcome="no_answer")
    found = _check(engine)
    assert found.first_contact_breaches == []
    assert found.total == 4


def test_a_clean_store_has_no_violations(engine: Engine) -> None:
    found = _check(engine)
    assert found.total == 0
    assert found.as_dict() == {
        "total": 0,
        "first_contact_breaches": [],
        "closed_below_minimum": [],
        "touches_without_benefit": {"count": 0, "recent": []},
        "overdue_followups": {"count": 0, "oldest": []},
    }


def test_a_touch_on_other_does_not_end_a_breach(engine: Engine) -> None:
    with write_session(engine) as s:
        looked = add_lead(s, NOW, name="Looked up", source="inbound", created_at=NOW - 7 * H)
        log_touch(s, QUIET, looked, NOW, channel="other", at=NOW - 6 * H, note="read their website")
    assert [b["name"] for b in _check(engine).first_contact_breaches] == ["Looked up"]
