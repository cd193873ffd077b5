"""The close guard (METHOD.md §4 rule 2): how many touches, on how many days, a lead has had
before it may be closed out as lost."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from salesdesk import lifecycle
from salesdesk.config import Config
from salesdesk.dates import to_local
from salesdesk.models import Lead, Touch
from salesdesk.services.touches import LEAD_COUNTERS
from salesdesk.store import pk


@dataclass(frozen=True)
class CloseGuard:
    """The minimum-touches rule for one lead: touches and distinct days so far, and the minimums."""

    touches: int
    days: int
    min_touches: int
    min_days: int
    terminal: bool

    @property
    def short(self) -> tuple[int, int]:
        return lifecycle.close_short(self.touches, self.days, self.min_touches, self.min_days, self.terminal)

    @property
    def may_close(self) -> bool:
        return self.short == (0, 0)

    def text(self) -> str:
        """The rule's state in words: what is met and which part is missing."""
        if self.terminal:
            touches = _n(self.touches, "touch", "touches")
            return f"{touches} · a terminal outcome lifts the minimum: may be closed as lost"
        more_touches, more_days = self.short
        have = f"{_n(self.touches, 'touch', 'touches')} on {_n(self.days, 'day', 'days')}"
        need = f"{self.min_touches} touches on {self.min_days} different days"
        if not more_touches and not more_days:
            return f"{have} · {need} reached: may be closed as lost"
        missing = [_n(more_touches, "more touch", "more touches")] if more_touches else []
        if more_days:
            missing.append(_n(more_days, "more day", "more days"))
        return f"{have}; closing as lost needs {need}: {', '.join(missing)}"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def close_guard(session: Session, config: Config, lead: Lead) -> CloseGuard:
    session.refresh(lead, LEAD_COUNTERS)  # kept by triggers: read them fresh
    attempts = session.execute(select(Touch.at).where(Touch.lead_id == lead.id, Touch.channel != "other")).scalars()
    days = len({to_local(at).date() for at in attempts})
    rules = config.rules
    return CloseGuard(
        touches=lead.touch_count,
        days=days,
        min_touches=rules.min_touches_before_lost,
        min_days=rules.min_touch_days_before_lost,
        terminal=has_terminal_outcome(session, config.terminal_outcomes, pk(lead)),
    )


def has_terminal_outcome(session: Session, terminal_outcomes: list[str], lead_id: int) -> bool:
    query = select(Touch.id).where(Touch.lead_id == lead_id, col(Touch.outcome).in_(terminal_outcomes)).limit(1)
    return session.execute(query).first() is not None
