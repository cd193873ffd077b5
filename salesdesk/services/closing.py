"""Closing leads as won or lost, guarded by the minimum-touches rule; reopening them; parking
them (nurture) and marking them do-not-contact. Deals follow their lead, and the lead its deals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from salesdesk import lifecycle, store, validate
from salesdesk.config import Config
from salesdesk.dates import fmt_local
from salesdesk.errors import InvalidInput, Refused
from salesdesk.lead_rules import CloseGuard, close_guard
from salesdesk.models import Deal, Lead, LeadClose
from salesdesk.services.queue import explain
from salesdesk.services.touches import LEAD_COUNTERS
from salesdesk.store import pk


@dataclass(frozen=True)
class Closed:
    """A lead's close, and the open deals that closed with it."""

    record: LeadClose
    deals: list[Deal]


class TooFewTouches(Refused):
    """Closing as lost before the minimum touches (or days): the rule, its numbers, what is next."""

    def __init__(self, lead: Lead, guard: CloseGuard, next_step: str) -> None:
        super().__init__(
            f"#{lead.id} {lead.name} has {guard.text()}.\n"
            f"Next: {next_step if next_step.endswith(('.', '?', '!')) else next_step + '.'}",
            field="force",
        )
        self.guard, self.next_step = guard, next_step


def _move(session: Session, lead: Lead, new: lifecycle.LeadState, cause: str, now: datetime, **columns: Any) -> None:
    """The lead's state change, written by the store (with its cause) and re-read by the ORM."""
    store.set_state(store.dbapi(session), pk(lead), lead.status, new, cause, now, **columns)
    session.expire(lead)


def close_lead(
    session: Session,
    config: Config,
    lead: Lead,
    now: datetime,
    *,
    won: bool,
    reason: str | None = None,
    force: bool = False,
) -> Closed:
    """Close ``lead``. Closing as lost below the minimum touches (on too few days) is refused
    unless ``force``, and a forced close is recorded as such with its reason. Closing as won is
    never blocked. Closing as lost closes the lead's open deals as lost, with the same reason."""
    if lead.status in ("won", "lost"):
        raise Refused(f"#{lead.id} {lead.name} is already closed ({lead.status}); reopen it first")
    clean_reason = validate.text(reason, "reason")
    forced = False
    guard = None
    if not won:
        if clean_reason is None:
            raise InvalidInput("closing as lost needs a reason: why is this lead lost?", field="reason")
        guard = close_guard(store.dbapi(session), config, pk(lead))
        if not guard.may_close:
            if not force:
                # Only a refusal needs "what is next", which ranks the whole queue.
                next_step = explain(session, config, lead, now).next_step(now)
                raise TooFewTouches(lead, guard, next_step)
            forced = True
    result: lifecycle.LeadState = "won" if won else "lost"
    record = _close_record(session, config, lead, now, result, clean_reason, forced)
    deals = [] if won else _close_open_deals(session, lead, now, clean_reason)
    return Closed(record, deals)


def _close_record(
    session: Session, config: Config, lead: Lead, now: datetime, result: lifecycle.LeadState, reason: str | None,
    forced: bool,
) -> LeadClose:  # fmt: skip
    session.refresh(lead, LEAD_COUNTERS)
    record = LeadClose(
        lead_id=pk(lead),
        at=now,
        result=result,
        reason=reason,
        touch_count=lead.touch_count,
        min_touches=config.rules.min_touches_before_lost,
        forced=forced,
    )
    session.add(record)
    conn = store.dbapi(session)
    cause = f"closed as {result}" + (f": {reason}" if reason else "") + (" (override)" if forced else "")
    _move(session, lead, result, cause, now, closed_at=now, close_reason=reason)
    # What the rules still asked of this lead no longer applies: its open follow-ups end.
    store.cancel_followups(conn, pk(lead), now)
    if result == "lost":
        store.cancel_meetings(conn, pk(lead), now)
    return record


def _close_open_deals(session: Session, lead: Lead, now: datetime, reason: str | None) -> list[Deal]:
    from salesdesk.services.deals import close_deal_record

    deals = list(session.execute(select(Deal).where(Deal.lead_id == lead.id, col(Deal.closed_at).is_(None))).scalars())
    for deal in deals:
        close_deal_record(session, deal, now, won=False, reason=reason)
    return deals


def won_by_deal(session: Session, config: Config, lead: Lead, deal: Deal, now: datetime) -> None:
    """A deal won makes its lead a customer: the lead is closed as won, with the deal as reason."""
    if lead.status in ("won", "lost", "do_not_contact"):
        return
    _close_record(session, config, lead, now, "won", f"deal #{deal.id} {deal.title} won", False)


def deal_opened(session: Session, lead: Lead, deal: Deal, now: datetime) -> None:
    """An open deal puts a worked (or won, or parked) lead in the ``deal`` state."""
    if lead.status in ("lost", "do_not_contact"):
        # Lead.status is a str column to the ORM; only the store writes it, and only LeadState values.
        words = lifecycle.STATE_WORDS[lead.status]  # type: ignore[index]
        raise Refused(f"#{lead.id} {lead.name} is {words}; reopen it first")
    if lead.status != "deal":
        _move(session, lead, "deal", f"deal #{deal.id} {deal.title} opened", now, nurture_until=None)


def deal_lost(session: Session, lead: Lead, deal: Deal, now: datetime) -> None:
    """A lost deal leaves its lead being worked, unless another deal is still open."""
    others = session.execute(
        select(Deal.id).where(Deal.lead_id == lead.id, col(Deal.closed_at).is_(None), Deal.id != deal.id)
    ).first()
    if lead.status == "deal" and others is None:
        _move(session, lead, "working", f"deal #{deal.id} {deal.title} lost", now)


def reopen_lead(session: Session, lead: Lead, now: datetime) -> Lead:
    """Put a closed, parked or do-not-contact lead back to work; its close stays in the
    history, marked reopened."""
    if lead.status not in ("won", "lost", "do_not_contact", "nurture"):
        raise Refused(f"#{lead.id} {lead.name} is not closed (it is {lead.status})")
    if lead.status in ("won", "lost"):
        last_close = session.execute(
            select(LeadClose).where(LeadClose.lead_id == lead.id).order_by(col(LeadClose.at).desc()).limit(1)
        ).scalar_one_or_none()
        if last_close is not None:
            last_close.reopened_at = now
            session.add(last_close)
    session.refresh(lead, LEAD_COUNTERS)
    open_deal = session.execute(select(Deal.id).where(Deal.lead_id == lead.id, col(Deal.closed_at).is_(None))).first()
    new: lifecycle.LeadState = "deal" if open_deal else "working" if lead.first_attempt_at else "new"
    _move(
        session, lead, new, f"reopened (was {lead.status})", now, closed_at=None, close_reason=None, nurture_until=None
    )
    return lead


def nurture_lead(session: Session, lead: Lead, now: datetime, until: datetime, reason: str | None = None) -> Lead:
    """Park a lead on purpose until ``until``: out of the queue, back on that date."""
    if lead.status in lifecycle.CLOSED:
        raise Refused(f"#{lead.id} {lead.name} is {lead.status}; reopen it first")
    if until <= now:
        raise InvalidInput("the revisit date must be in the future", field="until")
    clean = validate.text(reason, "reason")
    cause = f"parked until {fmt_local(until, now)}" + (f": {clean}" if clean else "")
    _move(session, lead, "nurture", cause, now, nurture_until=until)
    return lead


def do_not_contact(session: Session, lead: Lead, now: datetime, reason: str | None = None) -> Lead:
    """The customer asked not to be contacted: the lead leaves every queue and list, and
    touches on it are refused until it is reopened."""
    if lead.status == "do_not_contact":
        return lead
    clean = validate.text(reason, "reason")
    _move(session, lead, "do_not_contact", "marked do-not-contact" + (f": {clean}" if clean else ""), now,
          nurture_until=None)  # fmt: skip
    conn = store.dbapi(session)
    store.cancel_followups(conn, pk(lead), now)
    store.cancel_meetings(conn, pk(lead), now)
    return lead
