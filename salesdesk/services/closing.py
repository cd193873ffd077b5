"""Closing leads as won or lost, guarded by the minimum-touches rule, and reopening them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from salesdesk import validate
from salesdesk.config import Config
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import FollowUp, Lead, LeadClose
from salesdesk.rules import touches_short_of_close
from salesdesk.services.queue import explain, has_terminal_outcome
from salesdesk.services.touches import LEAD_COUNTERS


class TooFewTouches(Refused):
    """Closing as lost before the minimum touches: the rule, its numbers and what is next."""

    def __init__(self, lead: Lead, minimum: int, short: int, next_step: str) -> None:
        super().__init__(
            f"#{lead.id} {lead.name} has {lead.touch_count} touches; closing as lost needs at least {minimum} "
            f"({short} more).\nNext: {next_step if next_step.endswith(('.', '?', '!')) else next_step + '.'}",
            field="force",
        )
        self.touches, self.minimum, self.short, self.next_step = lead.touch_count, minimum, short, next_step


def close_lead(
    session: Session,
    config: Config,
    lead: Lead,
    now: datetime,
    *,
    won: bool,
    reason: str | None = None,
    force: bool = False,
) -> LeadClose:
    """Close ``lead``. Closing as lost below the minimum touches is refused unless ``force``,
    and a forced close is recorded as such with its reason. Closing as won is never blocked."""
    if lead.status in ("won", "lost"):
        raise Refused(f"#{lead.id} {lead.name} is already closed ({lead.status}); reopen it first")
    clean_reason = validate.text(reason, "reason")
    forced = False
    rules = config.rules
    if not won:
        if clean_reason is None:
            raise InvalidInput("closing as lost needs a reason: why is this lead lost?", field="reason")
        session.refresh(lead, LEAD_COUNTERS)  # kept by triggers: read them fresh
        terminal = has_terminal_outcome(session, config.terminal_outcomes, lead.id)  # type: ignore[arg-type]
        short = touches_short_of_close(lead.touch_count, rules.min_touches_before_lost, terminal)
        if short:
            if not force:
                # Only a refusal needs "what is next", which ranks the whole queue.
                next_step = explain(session, rules, config.terminal_outcomes, lead, now).next_step(now)
                raise TooFewTouches(lead, rules.min_touches_before_lost, short, next_step)
            forced = True
    record = LeadClose(
        lead_id=lead.id,  # type: ignore[arg-type]
        at=now,
        result="won" if won else "lost",
        reason=clean_reason,
        touch_count=lead.touch_count,
        min_touches=rules.min_touches_before_lost,
        forced=forced,
    )
    lead.status, lead.closed_at, lead.close_reason, lead.updated_at = record.result, now, clean_reason, now
    session.add_all([record, lead])
    # What the rules still asked of this lead no longer applies: close its open follow-ups.
    session.execute(
        update(FollowUp).where(FollowUp.lead_id == lead.id, FollowUp.done_at.is_(None)).values(done_at=now)  # type: ignore[union-attr]
    )
    session.flush()
    return record


def reopen_lead(session: Session, lead: Lead, now: datetime) -> Lead:
    """Put a closed lead back to work; its close stays in the history, marked reopened."""
    if lead.status not in ("won", "lost"):
        raise Refused(f"#{lead.id} {lead.name} is not closed (it is {lead.status})")
    last_close = session.execute(
        select(LeadClose).where(LeadClose.lead_id == lead.id).order_by(LeadClose.at.desc()).limit(1)  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if last_close is not None:
        last_close.reopened_at = now
        session.add(last_close)
    lead.status = "working" if lead.touch_count else "new"
    lead.closed_at, lead.close_reason, lead.updated_at = None, None, now
    session.add(lead)
    session.flush()
    return lead
