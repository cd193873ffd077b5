"""services.deals and funnel: stage history, closing, and the funnel counted by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from salesdesk.config import Config, load_config
from salesdesk.dates import local_day_bounds
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Deal, DealStageChange, Lead
from salesdesk.services import deals, funnel
from salesdesk.services.leads import add_lead

SH = ZoneInfo("Asia/Shanghai")


def sh(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SH)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


@pytest.fixture
def lead(session: Session, now: datetime) -> Lead:
    return add_lead(session, now, name="Li Na", created_at=sh(1, 9))


def _history(session: Session, deal: Deal) -> list[tuple[datetime, str | None, str]]:
    rows = session.execute(
        select(DealStageChange).where(DealStageChange.deal_id == deal.id).order_by(DealStageChange.id)
    ).scalars()
    return [(c.at, c.from_stage, c.to_stage) for c in rows]


# --- deals --------------------------------------------------------------------------------------


def test_every_stage_change_is_recorded_with_its_time(session: Session, config: Config, lead: Lead) -> None:
    deal = deals.add_deal(session, config, sh(2), lead=lead, title="50 seats", value=120_000)
    deals.move_deal(session, config, deal, sh(3), "inquiry")
    deals.move_deal(session, config, deal, sh(5), "proposal")
    closed = deals.close_deal(session, config, deal, sh(6), won=True, reason="signed")
    assert closed.warnings == []
    assert _history(session, deal) == [
        (sh(2), None, "interested"),
        (sh(3), "interested", "inquiry"),
        (sh(5), "inquiry", "proposal"),
        (sh(6), "proposal", "won"),
    ]
    assert (deal.stage, deal.closed_at, deal.reason) == ("won", sh(6), "signed")
    view = deals.deal_view(session, deal.id).as_dict()  # type: ignore[arg-type]
    assert view["open"] is False and [h["to"] for h in view["history"]] == ["interested", "inquiry", "proposal", "won"]


def test_winning_straight_from_the_first_stage_warns(session: Session, config: Config, lead: Lead) -> None:
    deal = deals.add_deal(session, config, sh(2), lead=lead, title="quick one")
    closed = deals.close_deal(session, config, deal, sh(2, 11), won=True)
    assert len(closed.warnings) == 1 and "top of the funnel" in closed.warnings[0]
    lost = deals.add_deal(session, config, sh(2), lead=lead, title="lost early")
    assert deals.close_deal(session, config, lost, sh(3), won=False, reason="no budget").warnings == []


def test_moves_and_closes_are_checked(session: Session, config: Config, lead: Lead) -> None:
    deal = deals.add_deal(session, config, sh(2), lead=lead, title="50 seats", stage="Inquiry")
    assert deal.stage == "inquiry"
    with pytest.raises(InvalidInput, match="not one of: interested, inquiry, proposal"):
        deals.move_deal(session, config, deal, sh(3), "negotiation")
    with pytest.raises(InvalidInput, match="deal close"):
        deals.move_deal(session, config, deal, sh(3), "won")
    with pytest.raises(Refused, match="already at inquiry"):
        deals.move_deal(session, config, deal, sh(3), "inquiry")
    deals.close_deal(session, config, deal, sh(4), won=False)
    with pytest.raises(Refused, match="already closed"):
        deals.move_deal(session, config, deal, sh(5), "proposal")
    with pytest.raises(Refused, match="already closed"):
        deals.close_deal(session, config, deal, sh(5), won=True)
    with pytest.raises(InvalidInput, match="value"):
        deals.add_deal(session, config, sh(2), lead=lead, title="x", value=-1)
    with pytest.raises(InvalidInput, match="title"):
        deals.add_deal(session, config, sh(2), lead=lead, title="  ")
    with pytest.raises(InvalidInput, match="closed, not moved"):
        deals.add_deal(session, config, sh(2), lead=lead, title="x", stage="lost")
    with pytest.raises(InvalidInput, match="no deal has id 99"):
        deals.get_deal(session, "99")


def test_stages_come_from_the_config(session: Session, config: Config, lead: Lead) -> None:
    mine = replace(config, stages=("lead", "demo", "trial"))
    deal = deals.add_deal(session, mine, sh(2), lead=lead, title="trial")
    assert deal.stage == "lead"
    deals.move_deal(session, mine, deal, sh(3), "trial")
    with pytest.raises(InvalidInput, match="lead, demo, trial"):
        deals.move_deal(session, mine, deal, sh(4), "proposal")
    assert [row.stage for row in funnel.funnel(session, mine).stages] == ["lead", "demo", "trial"]


def test_list_in_funnel_order_and_by_stage(session: Session, config: Config, lead: Lead) -> None:
    won = deals.add_deal(session, config, sh(2), lead=lead, title="won")
    deals.close_deal(session, config, won, sh(3), won=True)
    late = deals.add_deal(session, config, sh(4), lead=lead, title="proposal", stage="proposal")
    early = deals.add_deal(session, config, sh(5), lead=lead, title="new")
    newer = deals.add_deal(session, config, sh(6), lead=lead, title="newer")
    assert [v.deal.id for v in deals.list_deals(session, config)] == [newer.id, early.id, late.id, won.id]
    assert [v.deal.title for v in deals.list_deals(session, config, "WON")] == ["won"]
    assert [v.lead_name for v in deals.list_deals(session, config, "proposal")] == ["Li Na"]
    with pytest.raises(InvalidInput, match="not one of"):
        deals.list_deals(session, config, "maybe")


# --- the funnel ---------------------------------------------------------------------------------


@pytest.fixture
def book(session: Session, config: Config, lead: Lead) -> dict[str, Deal]:
    """Seven deals, their stage histories laid out by hand.

    D1 interested(2) -> inquiry(3) -> proposal(5) -> won(6), 100
    D2 interested(2) -> inquiry(4) -> lost(6), 50
    D3 interested(3) -> lost(4), 30
    D4 interested(9) -> inquiry(10), open, 200
    D5 interested(10) -> proposal(11), skipping inquiry, open, 400
    D6 interested(11), open, no value
    D7 interested(2) -> won(3), straight from the top, 10
    """
    c = config

    def deal(title: str, day: int, value: int | None, *steps: tuple[int, str]) -> Deal:
        d = deals.add_deal(session, c, sh(day), lead=lead, title=title, value=value)
        for when, stage in steps:
            if stage in ("won", "lost"):
                deals.close_deal(session, c, d, sh(when), won=stage == "won")
            else:
                deals.move_deal(session, c, d, sh(when), stage)
        return d

    return {
        "D1": deal("D1", 2, 100, (3, "inquiry"), (5, "proposal"), (6, "won")),
        "D2": deal("D2", 2, 50, (4, "inquiry"), (6, "lost")),
        "D3": deal("D3", 3, 30, (4, "lost")),
        "D4": deal("D4", 9, 200, (10, "inquiry")),
        "D5": deal("D5", 10, 400, (11, "proposal")),
        "D6": deal("D6", 11, None),
        "D7": deal("D7", 2, 10, (3, "won")),
    }


def _rows(found: funnel.Funnel) -> dict[str, tuple[int, int, int]]:
    return {r.stage: (r.entered, r.moved_on, r.lost) for r in found.stages}


@pytest.mark.usefixtures("book")
def test_the_funnel_over_all_time(session: Session, config: Config) -> None:
    found = funnel.funnel(session, config)
    assert _rows(found) == {
        "interested": (7, 5, 1),  # moved on: D1, D2, D4, D5, D7; lost: D3
        "inquiry": (3, 1, 1),  # D1, D2, D4: D1 moved on, D2 lost
        "proposal": (2, 1, 0),  # D1 (won), D5
    }
    # Conversion = moved on / (moved on + lost): the deals still in a stage are not failures
    # yet. They are shown on their own: D6 in interested, D4 in inquiry, D5 in proposal.
    conversion = {r.stage: r.conversion for r in found.stages}
    assert conversion == {"interested": 5 / 6, "inquiry": 1 / 2, "proposal": 1.0}
    assert {r.stage: r.still_open for r in found.stages} == {"interested": 1, "inquiry": 1, "proposal": 1}
    assert (found.won, found.lost, found.closed_total, found.low_confidence) == (2, 2, 4, True)


@pytest.mark.usefixtures("book")
def test_win_rates_and_the_forecast(session: Session, config: Config) -> None:
    found = funnel.funnel(session, config)
    # Closed: D1 won, D2 lost, D3 lost, D7 won. Ever in interested: all four -> 2/4; in
    # inquiry: D1, D2 -> 1/2; in proposal: D1 -> 1/1.
    assert {r.stage: r.win_rate for r in found.stages} == {"interested": 0.5, "inquiry": 0.5, "proposal": 1.0}
    # Open now: D6 in interested (no value), D4 in inquiry (200), D5 in proposal (400).
    assert {r.stage: (r.open_deals, r.open_value) for r in found.stages} == {
        "interested": (1, 0),
        "inquiry": (1, 200),
        "proposal": (1, 400),
    }
    assert found.forecast == 0 * 0.5 + 200 * 0.5 + 400 * 1.0 == 500


@pytest.mark.usefixtures("book")
def test_the_funnel_of_a_period_follows_the_deals_that_entered_in_it(session: Session, config: Config) -> None:
    start, end = local_day_bounds(date(2026, 11, 9))[0], local_day_bounds(date(2026, 11, 11))[1]
    week2 = funnel.funnel(session, config, start, end)
    assert _rows(week2) == {"interested": (3, 2, 0), "inquiry": (1, 0, 0), "proposal": (1, 0, 0)}
    assert (week2.won, week2.lost) == (0, 0)
    # D6 is still in interested; D4 in inquiry and D5 in proposal: nothing decided there yet.
    assert [(r.still_open, r.conversion) for r in week2.stages] == [(1, 1.0), (1, None), (1, None)]

    start, end = local_day_bounds(date(2026, 11, 2))[0], local_day_bounds(date(2026, 11, 4))[1]
    week1 = funnel.funnel(session, config, start, end)
    # Entered 2nd-4th; what became of them is counted whenever it happened (D1 went on to
    # proposal on the 5th, D2 was lost on the 6th). D1 entered proposal after the period.
    assert _rows(week1) == {"interested": (4, 3, 1), "inquiry": (2, 1, 1), "proposal": (0, 0, 0)}
    assert (week1.won, week1.lost) == (1, 1)  # D7 won on the 3rd, D3 lost on the 4th
    assert week1.stages[2].conversion is None
    assert week1.forecast == 500  # the forecast is about the deals open now, whatever the period


@pytest.mark.usefixtures("book")
def test_the_funnel_as_of_a_periods_end_reads_nothing_after_it(session: Session, config: Config) -> None:
    start, end = local_day_bounds(date(2026, 11, 2))[0], local_day_bounds(date(2026, 11, 4))[1]
    week1 = funnel.funnel(session, config, start, end, as_of=end)
    # As the 4th ended: D1 and D2 sat in inquiry (D1 moved on the 5th, D2 was lost the 6th).
    assert _rows(week1) == {"interested": (4, 3, 1), "inquiry": (2, 0, 0), "proposal": (0, 0, 0)}
    assert [r.still_open for r in week1.stages] == [0, 2, 0]
    assert [r.conversion for r in week1.stages] == [3 / 4, None, None]
    # Closed by then: D3 lost, D7 won, both ever in interested; open: D1 (100) and D2 (50).
    assert [r.win_rate for r in week1.stages] == [0.5, None, None]
    assert [(r.open_deals, r.open_value) for r in week1.stages] == [(0, 0), (2, 150), (0, 0)]
    assert (week1.won, week1.lost, week1.closed_total, week1.forecast) == (1, 1, 2, 0)


def test_a_move_back_is_neither_moved_on_nor_lost(session: Session, config: Config, lead: Lead) -> None:
    deal = deals.add_deal(session, config, sh(2), lead=lead, title="wobbly")
    deals.move_deal(session, config, deal, sh(3), "proposal")
    deals.move_deal(session, config, deal, sh(4), "inquiry")
    assert _rows(funnel.funnel(session, config)) == {
        "interested": (1, 1, 0),
        "inquiry": (1, 0, 0),
        "proposal": (1, 0, 0),
    }


def test_a_deal_back_in_a_stage_is_followed_from_its_new_entry(session: Session, config: Config, lead: Lead) -> None:
    deal = deals.add_deal(session, config, sh(2), lead=lead, title="back again")
    deals.move_deal(session, config, deal, sh(3), "proposal")
    deals.move_deal(session, config, deal, sh(9), "interested")
    deals.close_deal(session, config, deal, sh(10), won=False)
    start, end = local_day_bounds(date(2026, 11, 9))[0], local_day_bounds(date(2026, 11, 10))[1]
    # Entered interested on the 9th and lost from it; its move on to proposal on the 3rd was
    # what became of an earlier entry, outside the period.
    assert _rows(funnel.funnel(session, config, start, end))["interested"] == (1, 0, 1)
    assert _rows(funnel.funnel(session, config))["interested"] == (1, 1, 1)


def test_rates_are_low_confidence_until_twenty_deals_have_closed(session: Session, config: Config, lead: Lead) -> None:
    for i in range(funnel.MIN_CLOSED - 1):
        deals.close_deal(session, config, deals.add_deal(session, config, sh(2), lead=lead, title=f"d{i}"), sh(3),
                         won=i % 2 == 0)  # fmt: skip
    assert funnel.funnel(session, config).low_confidence is True
    last = deals.add_deal(session, config, sh(2), lead=lead, title="twentieth")
    deals.add_deal(session, config, sh(2), lead=lead, title="open ones don't count")
    deals.close_deal(session, config, last, sh(3), won=False)
    found = funnel.funnel(session, config)
    assert (found.closed_total, found.low_confidence) == (20, False)
    assert found.as_dict()["low_confidence"] is False


def test_stages_are_read_from_config_toml(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[deals]\nstages = ["Lead", "demo", "trial", "won", "lost"]\n', encoding="utf-8")
    assert load_config(path).stages == ("lead", "demo", "trial")  # the closing stages are implied
    path.write_text("[deals]\n", encoding="utf-8")
    assert load_config(path).stages == ("interested", "inquiry", "proposal")
    for body in (
        "[deals]\nstages = []\n",
        '[deals]\nstages = ["a", "A"]\n',
        '[deals]\nstages = ["won", "lost"]\n',
        '[deals]\nstages = ["has space"]\n',
        '[deals]\nphases = ["a"]\n',
        'deals = "a, b"\n',
    ):
        path.write_text(body, encoding="utf-8")
        with pytest.raises(InvalidInput, match="deals"):
            load_config(path)


def test_a_lead_follows_its_deals_open_moved_won(engine: Engine, now: datetime) -> None:
    from salesdesk.models import LeadClose, LeadStateChange

    with write_session(engine) as s:
        lead = add_lead(s, now, name="Deal Lead", created_at=now - timedelta(days=9))
        deal = deals.add_deal(s, Config(), now - timedelta(days=2), lead=lead, title="Pilot")
        assert s.get_one(Lead, lead.id).status == "deal"
        deals.move_deal(s, Config(), deal, now - timedelta(days=1), "proposal")
        assert s.get_one(Lead, lead.id).status == "deal"
        closed = deals.close_deal(s, Config(), deal, now, won=True)
        assert closed.lead_state == "won"
    with read_session(engine) as s:
        stored = s.get_one(Lead, lead.id)
        assert (stored.status, stored.closed_at) == ("won", now)
        assert s.execute(select(LeadClose.result)).scalars().all() == ["won"]
        causes = s.execute(select(LeadStateChange.to_state, LeadStateChange.cause).order_by(LeadStateChange.id)).all()
        assert causes == [("deal", "deal #1 Pilot opened"), ("won", "closed as won: deal #1 Pilot won")]


def test_a_lost_deal_puts_its_lead_back_to_work_unless_another_deal_is_open(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Two Deals", created_at=now - timedelta(days=9))
        first = deals.add_deal(s, Config(), now - timedelta(days=2), lead=lead, title="One")
        second = deals.add_deal(s, Config(), now - timedelta(days=2), lead=lead, title="Two")
        assert deals.close_deal(s, Config(), first, now, won=False).lead_state is None
        assert deals.close_deal(s, Config(), second, now, won=False).lead_state == "working"
