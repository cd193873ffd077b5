"""The funnel, counted in SQL from the deals' stage history (METHOD.md §6).

For each open stage, over the deals that entered it in the period (all time by default):

- ``entered``: how many deals entered the stage;
- ``moved_on``: how many of those later left it for a later stage, or were won from it;
- ``lost``: how many of those were lost from it;
- ``still_open``: how many of those are still in it (no decision yet);
- ``conversion`` = moved_on / (moved_on + lost) (None before any was decided): of the deals
  that left the stage for good, the share that moved on. Deals still in the stage are not
  failures yet, so they stay out of the denominator and are shown as ``still_open``; a deal
  moved back to an earlier stage counts in neither.

A period's funnel follows the deals that entered a stage in it and counts what became of
them up to ``as_of``: the weekly report reads it as the week ended, so it never changes; the
``funnel`` command reads everything so far.

The rates are marked low-confidence until ``MIN_CLOSED`` deals have closed in all. The
forecast weights each open deal's value by the rep's own historical win rate from the stage
it is in: of all closed deals that were ever in that stage, the share that was won (all as
of ``as_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, and_, case, col, distinct, select

from salesdesk.config import DEAL_CLOSES, Config
from salesdesk.dates import iso
from salesdesk.models import Deal, DealStageChange

# METHOD.md §6: stage conversion rates become stable after about 20-30 closed deals.
MIN_CLOSED = 20


@dataclass(frozen=True)
class StageRow:
    stage: str
    entered: int
    moved_on: int
    lost: int
    still_open: int  # entered, and not moved on, lost or moved back since
    win_rate: float | None  # historical: won / closed, over closed deals that were ever here
    open_deals: int  # open now
    open_value: int

    @property
    def conversion(self) -> float | None:
        decided = self.moved_on + self.lost
        return self.moved_on / decided if decided else None

    @property
    def weighted_value(self) -> float:
        return self.open_value * (self.win_rate or 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "entered": self.entered,
            "moved_on": self.moved_on,
            "lost": self.lost,
            "still_open": self.still_open,
            "conversion": self.conversion,
            "win_rate": self.win_rate,
            "open_deals": self.open_deals,
            "open_value": self.open_value,
            "weighted_value": round(self.weighted_value),
        }


@dataclass(frozen=True)
class Funnel:
    start: datetime | None
    end: datetime | None
    stages: list[StageRow]
    won: int  # deals won in the period
    lost: int  # deals lost in the period
    closed_total: int  # deals closed, all time: what the rates rest on

    @property
    def low_confidence(self) -> bool:
        return self.closed_total < MIN_CLOSED

    @property
    def forecast(self) -> int:
        return round(sum(row.weighted_value for row in self.stages))

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": iso(self.start),
            "to": iso(self.end),
            "stages": [row.as_dict() for row in self.stages],
            "won": self.won,
            "lost": self.lost,
            "closed_total": self.closed_total,
            "low_confidence": self.low_confidence,
            "min_closed_for_confidence": MIN_CLOSED,
            "forecast": self.forecast,
        }


def funnel(
    session: Session,
    config: Config,
    start: datetime | None = None,
    end: datetime | None = None,
    as_of: datetime | None = None,
) -> Funnel:
    """The funnel for deals entering stages in ``[start, end)``, reading only the stage changes
    made before ``as_of`` (None: all of them): what became of the entries, the open deals and
    the win rates are as they stood then. A week's report passes the week's end, so a deal
    moved next week never rewrites it."""
    stages = config.stages
    ranks = {stage: index for index, stage in enumerate(stages)} | {"won": len(stages)}
    entry, later = aliased(DealStageChange), aliased(DealStageChange)
    before = [later.at < as_of] if as_of is not None else []
    in_period = [
        *([entry.at >= start] if start is not None else []),
        *([entry.at < end] if end is not None else []),
    ]

    entered = dict(
        session.execute(
            select(entry.to_stage, func.count(distinct(entry.deal_id))).where(*in_period).group_by(entry.to_stage)
        ).all()
    )

    # What became of each entry: the deal's later changes out of that stage.
    kind = case(
        (later.to_stage == "lost", "lost"),
        (case(ranks, value=later.to_stage) > case(ranks, value=entry.to_stage), "on"),
        else_="back",
    )
    exits = session.execute(
        select(entry.to_stage, kind, func.count(distinct(entry.deal_id)))
        .join(
            later,
            and_(
                later.deal_id == entry.deal_id,
                later.from_stage == entry.to_stage,
                col(later.id) > entry.id,
                *before,
            ),
        )
        .where(*in_period)
        .group_by(entry.to_stage, kind)
    ).all()
    left = {(stage, how): count for stage, how, count in exits}
    # Entries with no later change out of their stage: the deal is still there.
    staying = dict(
        session.execute(
            select(entry.to_stage, func.count(distinct(entry.deal_id)))
            .join(
                later,
                and_(
                    later.deal_id == entry.deal_id,
                    later.from_stage == entry.to_stage,
                    col(later.id) > entry.id,
                    *before,
                ),
                isouter=True,
            )
            .where(*in_period, col(later.id).is_(None))
            .group_by(entry.to_stage)
        ).all()
    )

    # Each deal's stage (and value) as of ``as_of``: its last change before then.
    if as_of is None:
        state = select(
            col(Deal.id).label("deal_id"), col(Deal.stage).label("stage"), col(Deal.value).label("value")
        ).subquery()
    else:
        last = (
            select(func.max(DealStageChange.id).label("id"))
            .where(DealStageChange.at < as_of)
            .group_by(col(DealStageChange.deal_id))
            .subquery()
        )
        state = (
            select(DealStageChange.deal_id, col(DealStageChange.to_stage).label("stage"), Deal.value)
            .join(last, last.c.id == DealStageChange.id)
            .join(Deal, col(Deal.id) == col(DealStageChange.deal_id))
            .subquery()
        )
    closed = state.c.stage.in_(DEAL_CLOSES)
    history = [DealStageChange.at < as_of] if as_of is not None else []
    rates = {
        stage: won / total
        for stage, total, won in session.execute(
            select(
                DealStageChange.to_stage,
                func.count(distinct(state.c.deal_id)),
                func.count(distinct(case((state.c.stage == "won", state.c.deal_id)))),
            )
            .join(state, state.c.deal_id == DealStageChange.deal_id)
            .where(closed, *history)
            .group_by(DealStageChange.to_stage)
        ).all()
    }
    # TOTAL, not SUM: SQLite's SUM fails on integer overflow, and one bad row (values from before
    # they were bounded at MONEY_MAX) would break the funnel and the week page for good.
    open_now = {
        stage: (count, int(value))
        for stage, count, value in session.execute(
            select(state.c.stage, func.count(), func.total(state.c.value)).where(~closed).group_by(state.c.stage)
        ).all()
    }
    closed_total = session.execute(select(func.count()).select_from(state).where(closed)).scalar_one()

    rows = [
        StageRow(
            stage=stage,
            entered=entered.get(stage, 0),
            moved_on=left.get((stage, "on"), 0),
            lost=left.get((stage, "lost"), 0),
            still_open=staying.get(stage, 0),
            win_rate=rates.get(stage),
            open_deals=open_now.get(stage, (0, 0))[0],
            open_value=open_now.get(stage, (0, 0))[1],
        )
        for stage in stages
    ]
    return Funnel(
        start=start,
        end=end,
        stages=rows,
        won=entered.get("won", 0),
        lost=entered.get("lost", 0),
        closed_total=closed_total,
    )
