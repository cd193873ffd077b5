"""Deals (opportunities): adding them, moving them through the configured stages, closing them.

A deal belongs to one lead, and a lead may have several (METHOD.md §6: the funnel tracks
opportunities, not people). Every stage a deal enters is recorded with its time, creation
included, so the funnel is counted from history rather than from where deals are now.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, case, col, select

from salesdesk import lead_store, validate
from salesdesk.bounds import MONEY_MAX
from salesdesk.config import DEAL_CLOSES, Config
from salesdesk.dates import iso
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Deal, DealStageChange, Lead
from salesdesk.store import pk

_ID = re.compile(r"^#?(\d{1,9})$")


# A deal with its lead's name and stage history: the store layer's, shown by every front end.
DealView = lead_store.DealView


def _open_stage(config: Config, stage: str, deal_id: int | None = None) -> str:
    norm = stage.strip().lower()
    if norm in DEAL_CLOSES:
        how = f"salesdesk deal close {deal_id} --{norm}" if deal_id else "salesdesk deal close ID --won|--lost"
        raise InvalidInput(f"a deal is closed, not moved, to {norm}: {how}", field="stage")
    if norm not in config.stages:
        raise InvalidInput(f"stage {stage!r} is not one of: {', '.join(config.stages)}", field="stage")
    return norm


def _record(session: Session, deal: Deal, now: datetime, to_stage: str) -> DealStageChange:
    from_stage = None if deal.id is None else deal.stage  # a new deal enters its first stage from nowhere
    deal.stage, deal.updated_at = to_stage, now
    session.add(deal)
    session.flush()
    change = DealStageChange(deal_id=pk(deal), at=now, from_stage=from_stage, to_stage=to_stage)
    session.add(change)
    session.flush()
    return change


def add_deal(
    session: Session,
    config: Config,
    now: datetime,
    *,
    lead: Lead,
    title: str,
    value: int | None = None,
    stage: str | None = None,
    expected_close: datetime | None = None,
) -> Deal:
    """Open a deal with ``lead`` in ``stage`` (the first stage by default)."""
    if value is not None and not 0 <= value <= MONEY_MAX:
        raise InvalidInput(f"a deal's value is from 0 to {MONEY_MAX:,}, not {value:,}", field="value")
    deal = Deal(
        lead_id=pk(lead),
        title=validate.required(title, "title", max_len=validate.SHORT_MAX),
        value=value,
        stage=config.stages[0] if stage is None else _open_stage(config, stage),
        expected_close=expected_close,
        created_at=now,
        updated_at=now,
    )
    _record(session, deal, now, deal.stage)
    from salesdesk.services.closing import deal_opened

    deal_opened(session, lead, deal, now)
    return deal


def get_deal(session: Session, ref: str) -> Deal:
    """A deal by its id (``12`` or ``#12``)."""
    m = _ID.match(ref.strip())
    deal = session.get(Deal, int(m.group(1))) if m else None
    if deal is None:
        what = f"no deal has id {m.group(1)}" if m else f"{ref!r} is not a deal id"
        raise InvalidInput(f"{what}; see the deals with: salesdesk deal list")
    return deal


def _check_open(deal: Deal) -> None:
    if deal.stage in DEAL_CLOSES:
        raise Refused(f"deal #{deal.id} {deal.title} is already closed ({deal.stage})")


def move_deal(session: Session, config: Config, deal: Deal, now: datetime, stage: str) -> DealStageChange:
    """Move an open deal to another open stage (forward, or back if it really went back)."""
    _check_open(deal)
    target = _open_stage(config, stage, deal.id)
    if target == deal.stage:
        raise Refused(f"deal #{deal.id} {deal.title} is already at {target}")
    return _record(session, deal, now, target)


@dataclass(frozen=True)
class Closed:
    change: DealStageChange
    warnings: list[str]
    lead_state: str | None = None  # the lead's state afterwards, when closing the deal moved it


def close_deal(
    session: Session, config: Config, deal: Deal, now: datetime, *, won: bool, reason: str | None = None
) -> Closed:
    """Close a deal as won or lost. Winning straight from the first stage is allowed but warned
    about (METHOD.md §6: don't try to close at the top of the funnel)."""
    _check_open(deal)
    clean_reason = validate.text(reason, "reason")
    warnings = []
    if won and deal.stage == config.stages[0]:
        warnings.append(
            f"deal #{deal.id} was won straight from {deal.stage}, the top of the funnel; "
            "if it went through the other stages, record them so the conversion rates stay true"
        )
    change = close_deal_record(session, deal, now, won=won, reason=clean_reason)
    from salesdesk.services import closing

    lead = session.get_one(Lead, deal.lead_id)
    before = lead.status
    if won:
        closing.won_by_deal(session, config, lead, deal, now)
    else:
        closing.deal_lost(session, lead, deal, now)
    session.refresh(lead)
    return Closed(change, warnings, lead.status if lead.status != before else None)


def close_deal_record(session: Session, deal: Deal, now: datetime, *, won: bool, reason: str | None) -> DealStageChange:
    """The deal's own close: its end stage and reason (the lead is its caller's business)."""
    deal.closed_at, deal.reason = now, reason
    return _record(session, deal, now, "won" if won else "lost")


def _stage_order(config: Config):
    """SQL: the funnel's order; stages since removed from the config sort after the open ones."""
    ranks = {stage: index for index, stage in enumerate((*config.stages, *DEAL_CLOSES))}
    return case(ranks, value=Deal.stage, else_=len(config.stages))


def _views(session: Session, rows: list[tuple[Deal, str]]) -> list[DealView]:
    history: dict[int, list[DealStageChange]] = defaultdict(list)
    ids = [deal.id for deal, _ in rows]
    if ids:
        changes = session.execute(
            select(DealStageChange).where(col(DealStageChange.deal_id).in_(ids)).order_by(col(DealStageChange.id))
        ).scalars()
        for change in changes:
            history[change.deal_id].append(change)
    return [DealView(deal, name, history[pk(deal)]) for deal, name in rows]


def list_deals(session: Session, config: Config, stage: str | None = None) -> list[DealView]:
    """Deals in funnel order (open stages first, then won, then lost), newest first in each."""
    query = select(Deal, col(Lead.name)).join(Lead, col(Lead.id) == col(Deal.lead_id))
    if stage is not None:
        norm = stage.strip().lower()
        known = (*config.stages, *DEAL_CLOSES)
        if norm not in known:
            raise InvalidInput(f"stage {stage!r} is not one of: {', '.join(known)}", field="stage")
        query = query.where(Deal.stage == norm)
    query = query.order_by(_stage_order(config), col(Deal.created_at).desc(), col(Deal.id).desc())
    return _views(session, [(deal, name) for deal, name in session.execute(query).all()])


def deal_view(session: Session, deal_id: int) -> DealView:
    row = session.execute(
        select(Deal, col(Lead.name)).join(Lead, col(Lead.id) == col(Deal.lead_id)).where(col(Deal.id) == deal_id)
    ).one()
    return _views(session, [(row[0], row[1])])[0]


@dataclass(frozen=True)
class Move:
    """A stage change as reports show it."""

    deal_id: int
    title: str
    lead: str
    at: datetime
    from_stage: str | None
    to_stage: str

    @property
    def between_open_stages(self) -> bool:
        """A move along the funnel: not the deal's creation, not its close."""
        return self.from_stage is not None and self.to_stage not in DEAL_CLOSES

    def as_dict(self) -> dict[str, Any]:
        return {
            "deal_id": self.deal_id,
            "title": self.title,
            "lead": self.lead,
            "at": iso(self.at),
            "from": self.from_stage,
            "to": self.to_stage,
        }


def moves(session: Session, start: datetime, end: datetime) -> list[Move]:
    """Stage changes in ``[start, end)``, oldest first (over the index on ``at``)."""
    rows = session.execute(
        select(DealStageChange, Deal.title, Lead.name)
        .join(Deal, col(Deal.id) == col(DealStageChange.deal_id))
        .join(Lead, col(Lead.id) == col(Deal.lead_id))
        .where(DealStageChange.at >= start, DealStageChange.at < end)
        .order_by(col(DealStageChange.at), col(DealStageChange.id))
    ).all()
    return [Move(c.deal_id, title, name, c.at, c.from_stage, c.to_stage) for c, title, name in rows]


def lead_deals(session: Session, lead_id: int) -> list[DealView]:
    """A lead's deals, newest first."""
    query = (
        select(Deal, col(Lead.name)).join(Lead, col(Lead.id) == col(Deal.lead_id)).where(col(Deal.lead_id) == lead_id)
    )
    return _views(session, list(session.execute(query.order_by(col(Deal.id).desc())).all()))
