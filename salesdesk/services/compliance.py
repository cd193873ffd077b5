"""Where the rules are broken right now (``salesdesk rules check``), counted in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func
from sqlmodel import Session, and_, col, not_, or_, select

from salesdesk import rules as r
from salesdesk.config import Config
from salesdesk.dates import iso, local_day_bounds, to_local
from salesdesk.lifecycle import ACTIVE
from salesdesk.models import FollowUp, Lead, LeadClose, Touch
from salesdesk.services.metrics import reached_clause
from salesdesk.services.queue import live_followup

# How many examples of each kind of violation are listed; the counts are always complete.
SHOWN = 20


@dataclass(frozen=True)
class Violations:
    first_contact_breaches: list[dict[str, Any]]
    closed_below_minimum: list[dict[str, Any]]
    touches_without_benefit: int
    touches_without_benefit_recent: list[dict[str, Any]]
    overdue_followups: int
    overdue_followups_oldest: list[dict[str, Any]]

    @property
    def total(self) -> int:
        return (
            len(self.first_contact_breaches)
            + len(self.closed_below_minimum)
            + self.touches_without_benefit
            + self.overdue_followups
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "first_contact_breaches": self.first_contact_breaches,
            "closed_below_minimum": self.closed_below_minimum,
            "touches_without_benefit": {
                "count": self.touches_without_benefit,
                "recent": self.touches_without_benefit_recent,
            },
            "overdue_followups": {"count": self.overdue_followups, "oldest": self.overdue_followups_oldest},
        }


def check(session: Session, config: Config, now: datetime) -> Violations:
    rules = config.rules

    breaches = []
    # Never attempted (the counter skips "other"), over the (status, ...) index's leads.
    untouched_query = select(Lead).where(col(Lead.status).in_(ACTIVE), col(Lead.first_attempt_at).is_(None))
    if (sources := rules.first_contact_source_filter) is not None:
        untouched_query = untouched_query.where(col(Lead.source).in_(sources))
    for lead in session.execute(untouched_query).scalars():
        if not rules.first_contact_applies(lead.source):
            continue
        verdict = r.first_contact(lead.created_at, None, now, rules.first_contact_window, rules.business_hours)
        if verdict.state == "breach":
            breaches.append({"lead_id": lead.id, "name": lead.name, "deadline": iso(verdict.deadline)})
    breaches.sort(key=lambda b: b["deadline"], reverse=True)

    # Lost with too few touches, no terminal outcome, and no recorded override.
    terminal = exists().where(col(Touch.lead_id) == col(Lead.id), col(Touch.outcome).in_(config.terminal_outcomes))
    forced = exists().where(
        col(LeadClose.lead_id) == col(Lead.id), col(LeadClose.forced), col(LeadClose.reopened_at).is_(None)
    )
    below = session.execute(
        select(Lead)
        .where(Lead.status == "lost", Lead.touch_count < rules.min_touches_before_lost, not_(terminal), not_(forced))
        .order_by(col(Lead.closed_at).desc())
    ).scalars()
    closed_below = [
        {"lead_id": lead.id, "name": lead.name, "touches": lead.touch_count, "closed_at": iso(lead.closed_at)}
        for lead in below
    ]

    no_benefit = and_(reached_clause(config), or_(col(Touch.benefit).is_(None), Touch.benefit == ""))
    benefit_missing = 0
    recent: list[dict[str, Any]] = []
    if rules.benefit != "off":
        benefit_missing = session.execute(select(func.count()).select_from(Touch).where(no_benefit)).scalar_one()
        rows = session.execute(
            select(Touch, Lead.name)
            .join(Lead, col(Lead.id) == col(Touch.lead_id))
            .where(no_benefit)
            .order_by(col(Touch.at).desc())
            .limit(SHOWN)
        ).all()
        recent = [
            {"touch_id": t.id, "lead_id": t.lead_id, "name": name, "at": iso(t.at), "channel": t.channel}
            for t, name in rows
        ]

    # A follow-up is overdue once the day it was due has ended: the rep had that whole day.
    today_start, _ = local_day_bounds(to_local(now).date())
    # A lapsed fallback is recorded as lapsed, not left overdue forever.
    overdue = and_(live_followup(rules, now), FollowUp.due_at < today_start, col(Lead.status).in_(ACTIVE))
    overdue_count = session.execute(
        select(func.count()).select_from(FollowUp).join(Lead, col(Lead.id) == col(FollowUp.lead_id)).where(overdue)
    ).scalar_one()
    oldest = session.execute(
        select(FollowUp, Lead.name)
        .join(Lead, col(Lead.id) == col(FollowUp.lead_id))
        .where(overdue)
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
        .limit(SHOWN)
    ).all()
    return Violations(
        first_contact_breaches=breaches,
        closed_below_minimum=closed_below,
        touches_without_benefit=benefit_missing,
        touches_without_benefit_recent=recent,
        overdue_followups=overdue_count,
        overdue_followups_oldest=[_followup_row(f, name) for f, name in oldest],
    )


def _followup_row(followup: FollowUp, name: str) -> dict[str, Any]:
    return {
        "followup_id": followup.id,
        "lead_id": followup.lead_id,
        "name": name,
        "channel": followup.channel,
        "due_at": iso(followup.due_at),
        "rule": followup.rule,
    }
