"""Where the rules are broken right now (``salesdesk rules check``), counted in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from salesdesk import store, violations
from salesdesk.config import Config

# The check is the store layer's (the hot `rules check` runs it over sqlite3).
SHOWN = violations.SHOWN
Violations = violations.Violations


def check(session: Session, config: Config, now: datetime) -> Violations:
    """Every current violation (see ``violations.check``), over the session's connection."""
    return violations.check(store.dbapi(session), config, now)
