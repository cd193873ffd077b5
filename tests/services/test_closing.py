"""services.closing: closing as won or lost under the minimum-touches guard, and reopening."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from salesdesk.config import Config
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import FollowUp, Lead, LeadClose
from salesdesk.rules import Rules
from salesdesk.services.closing import close_lead, reopen_lead
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import log_call, log_touch

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=SH)
H = timedelta(hours=1)
D = timedelta(days=1)
CONFIG = Config()


def _lead_with(engine: Engine, touches: int, *, name: str = "Li Na", scheduled: bool = True) -> int:
    """A lead with ``touches`` touches, one a day (calls that connected, then emails), and, if
    ``scheduled``, a callback planned for tomorrow as its last touch."""
    with write_session(engine) as s:
        lead = add_lead(s, NOW, name=name, created_at=NOW - timedelta(days=20))
        for n in range(touches):
            at = NOW - (touches - n) * D
            last = n == touches - 1
            if last and scheduled:
                log_call(s, CONFIG, lead, NOW, outcome="callback", at=at, next_at=NOW + 20 * H, benefit="deck")
            elif n % 2:
                log_touch(s, CONFIG, lead, NOW, channel="email", at=at, benefit="case study")
            else:
                log_call(s, CONFIG, lead, NOW, outcome="connected", at=at, benefit="deck")
        return lead.id  # type: ignore[return-value]


def _get(s: Session, lead_id: int) -> Lead:
    lead = s.get(Lead, lead_id)
    assert lead is not None
    return lead


def _snapshot(engine: Engine, lead_id: int) -> tuple[object, ...]:
    """Everything a close may write: the lead's close fields, closes, and follow-ups."""
    with read_session(engine) as s:
        lead = _get(s, lead_id)
        closes = s.execute(select(func.count()).select_from(LeadClose)).scalar_one()
        followups = [(f.id, f.done_at) for f in s.execute(select(FollowUp).order_by(FollowUp.id)).scalars()]
        return lead.status, lead.closed_at, lead.close_reason, lead.updated_at, closes, followups


def _close(engine: Engine, lead_id: int, now: datetime = NOW, config: Config = CONFIG, **kw: object) -> LeadClose:
    with write_session(engine) as s:
        return close_lead(s, config, _get(s, lead_id), now, **kw).record  # type: ignore[arg-type]


def test_lost_with_five_touches_is_refused_and_nothing_is_written(engine: Engine) -> None:
    lead_id = _lead_with(engine, 5)
    before = _snapshot(engine, lead_id)
    assert before[0] == "working" and before[4] == 0 and len(before[5]) == 1
    with pytest.raises(Refused) as info:
        _close(engine, lead_id, won=False, reason="went with a competitor")
    message = str(info.value)
    assert info.value.exit_code == 1
    assert "has 5 touches on 5 days" in message and "needs 6 touches on 3 different days: 1 more touch" in message
    # What is next, in the queue's words: three connected calls (the emails aren't
    # conversations) and no deal -> concentrate here.
    assert "Next: call now — reached 3 times, no deal yet — engaged: concentrate here" in message
    # How to override is the front end's to say (--force, or the TUI's confirm): the error names it.
    assert info.value.field == "force"
    assert (info.value.guard.touches, info.value.guard.min_touches, info.value.guard.short) == (5, 6, (1, 0))
    assert _snapshot(engine, lead_id) == before


def test_the_refusal_names_a_scheduled_next_step(engine: Engine) -> None:
    lead_id = _lead_with(engine, 2)
    with pytest.raises(Refused) as info:
        _close(engine, lead_id, won=False, reason="no budget")
    assert "has 2 touches on 2 days" in str(info.value) and "4 more touches, 1 more day" in str(info.value)
    assert "Next: call Tue 24 Nov 11:00 (scheduled)" in str(info.value)


def test_lost_with_six_touches_is_allowed(engine: Engine) -> None:
    lead_id = _lead_with(engine, 6)
    record = _close(engine, lead_id, won=False, reason=" went with a competitor ")
    assert (record.result, record.reason, record.touch_count, record.min_touches, record.forced) == (
        "lost", "went with a competitor", 6, 6, False,
    )  # fmt: skip
    with read_session(engine) as s:
        lead = _get(s, lead_id)
        assert (lead.status, lead.closed_at, lead.close_reason, lead.updated_at) == (
            "lost", NOW, "went with a competitor", NOW,
        )  # fmt: skip


def test_the_minimum_is_configurable(engine: Engine) -> None:
    lead_id = _lead_with(engine, 3)
    record = _close(engine, lead_id, config=Config(rules=Rules(min_touches_before_lost=3)), won=False, reason="gone")
    assert (record.forced, record.min_touches) == (False, 3)


def test_force_closes_below_the_minimum_and_records_the_override(engine: Engine) -> None:
    lead_id = _lead_with(engine, 2)
    record = _close(engine, lead_id, won=False, reason="company closed down", force=True)
    with read_session(engine) as s:
        stored = s.execute(select(LeadClose)).scalars().one()
        assert (stored.id, stored.lead_id, stored.at, stored.result) == (record.id, lead_id, NOW, "lost")
        assert (stored.forced, stored.reason, stored.touch_count, stored.min_touches) == (
            True, "company closed down", 2, 6,
        )  # fmt: skip
        assert _get(s, lead_id).status == "lost"


def test_force_at_or_above_the_minimum_is_not_an_override(engine: Engine) -> None:
    lead_id = _lead_with(engine, 6)
    assert _close(engine, lead_id, won=False, reason="gone", force=True).forced is False


@pytest.mark.parametrize("outcome", ["bad_number", "do_not_call"])
def test_a_terminal_outcome_lifts_the_guard(engine: Engine, outcome: str) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, NOW, name="Li Na", created_at=NOW - timedelta(days=2))
        log_call(s, CONFIG, lead, NOW, outcome=outcome, at=NOW - H, benefit="deck")
        lead_id = lead.id
    record = _close(engine, lead_id, won=False, reason="cannot be reached")  # type: ignore[arg-type]
    assert (record.result, record.forced, record.touch_count) == ("lost", False, 1)


@pytest.mark.parametrize("touches", [0, 1])
def test_won_is_never_blocked(engine: Engine, touches: int) -> None:
    lead_id = _lead_with(engine, touches, scheduled=False)
    record = _close(engine, lead_id, won=True)
    assert (record.result, record.forced, record.reason, record.touch_count) == ("won", False, None, touches)
    with read_session(engine) as s:
        assert (_get(s, lead_id).status, _get(s, lead_id).closed_at) == ("won", NOW)


def test_won_records_touches_logged_in_the_same_session(engine: Engine) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, NOW, name="Li Na", created_at=NOW - timedelta(days=2))
        log_call(s, CONFIG, lead, NOW, outcome="meeting_booked", at=NOW - H, benefit="demo", meeting_at=NOW + D)
        assert close_lead(s, CONFIG, lead, NOW, won=True).record.touch_count == 1


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_lost_without_a_reason_is_invalid(engine: Engine, reason: str | None) -> None:
    lead_id = _lead_with(engine, 6)
    before = _snapshot(engine, lead_id)
    with pytest.raises(InvalidInput, match="reason") as info:
        _close(engine, lead_id, won=False, reason=reason, force=True)
    assert info.value.exit_code == 2
    assert _snapshot(engine, lead_id) == before


@pytest.mark.parametrize("first_won", [True, False])
def test_closing_a_closed_lead_is_refused(engine: Engine, first_won: bool) -> None:
    lead_id = _lead_with(engine, 6)
    _close(engine, lead_id, won=first_won, reason="done")
    before = _snapshot(engine, lead_id)
    for won in (True, False):
        with pytest.raises(Refused, match=r"already closed.*reopen"):
            _close(engine, lead_id, NOW + H, won=won, reason="again")
    assert _snapshot(engine, lead_id) == before


@pytest.mark.parametrize("won", [True, False])
def test_closing_closes_the_open_followups(engine: Engine, won: bool) -> None:
    lead_id = _lead_with(engine, 6)
    other_id = _lead_with(engine, 6, name="Wang Wei")
    _close(engine, lead_id, won=won, reason="done")
    with read_session(engine) as s:
        mine = s.execute(select(FollowUp).where(FollowUp.lead_id == lead_id)).scalars().one()
        theirs = s.execute(select(FollowUp).where(FollowUp.lead_id == other_id)).scalars().one()
    assert (mine.done_at, mine.done_touch_id) == (NOW, None)
    assert theirs.done_at is None


# --- reopen ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("touches", "status"), [(0, "new"), (2, "working")])
def test_reopen_puts_the_lead_back_to_work(engine: Engine, touches: int, status: str) -> None:
    lead_id = _lead_with(engine, touches, scheduled=False)
    _close(engine, lead_id, won=False, reason="no budget", force=True)
    later = NOW + 2 * H
    with write_session(engine) as s:
        reopen_lead(s, _get(s, lead_id), later)
    with read_session(engine) as s:
        lead = _get(s, lead_id)
        assert (lead.status, lead.closed_at, lead.close_reason, lead.updated_at) == (status, None, None, later)
        close = s.execute(select(LeadClose)).scalars().one()
        assert (close.result, close.reopened_at, close.forced) == ("lost", later, True)


def test_reopen_in_the_same_session_as_the_touches(engine: Engine) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, NOW, name="Li Na", created_at=NOW - timedelta(days=2))
        close_lead(s, CONFIG, lead, NOW - 2 * H, won=True)
        log_touch(s, CONFIG, lead, NOW, channel="email", at=NOW - H, benefit="thank-you note")
        assert reopen_lead(s, lead, NOW).status == "working"


def test_a_reopened_lead_can_be_closed_again(engine: Engine) -> None:
    lead_id = _lead_with(engine, 6)
    _close(engine, lead_id, won=False, reason="no budget")
    with write_session(engine) as s:
        reopen_lead(s, _get(s, lead_id), NOW + H)
    _close(engine, lead_id, NOW + 2 * H, won=True)
    with write_session(engine) as s:
        reopen_lead(s, _get(s, lead_id), NOW + 3 * H)
    with read_session(engine) as s:
        closes = s.execute(select(LeadClose).order_by(LeadClose.at)).scalars().all()
        assert [(c.result, c.at, c.reopened_at) for c in closes] == [
            ("lost", NOW, NOW + H),
            ("won", NOW + 2 * H, NOW + 3 * H),  # only the latest close is marked by a reopen
        ]


def test_reopening_an_open_lead_is_refused(engine: Engine) -> None:
    lead_id = _lead_with(engine, 2)
    before = _snapshot(engine, lead_id)
    with pytest.raises(Refused, match="not closed") as info, write_session(engine) as s:
        reopen_lead(s, _get(s, lead_id), NOW)
    assert info.value.exit_code == 1
    assert _snapshot(engine, lead_id) == before


def test_six_touches_on_one_day_are_refused_naming_the_days_rule(engine: Engine) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, NOW, name="Sprint", created_at=NOW - timedelta(days=20))
        for n in range(4):
            log_call(s, CONFIG, lead, NOW, outcome="no_answer", at=NOW - (6 - n) * timedelta(minutes=5))
        log_touch(s, CONFIG, lead, NOW, channel="wechat", at=NOW - 10 * timedelta(minutes=1), benefit="report")
        log_touch(s, CONFIG, lead, NOW, channel="email", at=NOW - timedelta(minutes=5), benefit="report")
        lead_id = lead.id
    before = _snapshot(engine, lead_id)  # type: ignore[arg-type]
    with pytest.raises(Refused) as info:
        _close(engine, lead_id, won=False, reason="no answer")  # type: ignore[arg-type]
    assert "6 touches on 1 day" in str(info.value) and "2 more days" in str(info.value)
    assert _snapshot(engine, lead_id) == before  # type: ignore[arg-type]


def test_closing_as_lost_closes_the_leads_open_deals_with_the_same_reason(engine: Engine) -> None:
    from salesdesk.models import Deal
    from salesdesk.services.deals import add_deal

    lead_id = _lead_with(engine, 6)
    with write_session(engine) as s:
        add_deal(s, CONFIG, NOW - H, lead=_get(s, lead_id), title="Pilot")
        assert _get(s, lead_id).status == "deal"
    with write_session(engine) as s:
        closed = close_lead(s, CONFIG, _get(s, lead_id), NOW, won=False, reason="budget cut")
        assert [d.title for d in closed.deals] == ["Pilot"]
    with read_session(engine) as s:
        deal = s.execute(select(Deal)).scalar_one()
        assert (deal.stage, deal.reason, deal.closed_at) == ("lost", "budget cut", NOW)
        assert _get(s, lead_id).status == "lost"


def test_reopen_lifts_do_not_contact_and_the_lead_takes_touches_again(engine: Engine) -> None:
    lead_id = _lead_with(engine, 2, scheduled=False)
    with write_session(engine) as s:
        log_call(s, CONFIG, _get(s, lead_id), NOW, outcome="do_not_call", at=NOW - H)
    with read_session(engine) as s:
        assert _get(s, lead_id).status == "do_not_contact"
        assert s.execute(select(func.count()).select_from(FollowUp).where(FollowUp.done_at.is_(None))).scalar_one() == 0
    with pytest.raises(Refused, match="asked not to be contacted"), write_session(engine) as s:
        log_call(s, CONFIG, _get(s, lead_id), NOW, outcome="no_answer")
    with write_session(engine) as s:
        reopen_lead(s, _get(s, lead_id), NOW)
        assert _get(s, lead_id).status == "working"
        log_call(s, CONFIG, _get(s, lead_id), NOW, outcome="no_answer")
