"""One decision step, two paths: random call sequences logged one by one (``log_call``) and as a
batch (``log-call --from``) leave identical tables, row for row."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import open_store, write_session
from salesdesk.errors import SalesdeskError
from salesdesk.models import Lead
from salesdesk.services.batch import log_calls
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import log_call

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=SH)
TABLES = ("touch", "followup", "lead", "meeting", "lead_state_change")
OUTCOMES = ("no_answer", "busy", "voicemail", "connected", "meeting_booked", "callback", "not_interested",
            "do_not_call", "bad_number")  # fmt: skip

# One call: which of three leads, outcome, minutes after the previous call, and when the
# next call / meeting is planned (hours after the call), if at all.
CALL = st.tuples(
    st.integers(0, 2),
    st.sampled_from(OUTCOMES),
    st.integers(1, 36 * 60),
    st.none() | st.integers(1, 72),
    st.booleans(),
)


def _book() -> Engine:
    engine = open_store(":memory:", NOW)
    with write_session(engine) as s:
        for name in ("Li Na", "王芳", "Chloe Wong"):
            add_lead(s, NOW, name=name, created_at=NOW - timedelta(days=30))
    return engine


def _plan(calls: list[tuple[int, str, int, int | None, bool]]) -> list[dict[str, object]]:
    """The sequence as log-call options, times going forward from nine days ago."""
    at = NOW - timedelta(days=9)
    lines = []
    for lead, outcome, gap, ahead, benefit in calls:
        at += timedelta(minutes=gap)
        if at > NOW:
            break
        line: dict[str, object] = {"lead": lead + 1, "outcome": outcome, "at": at.isoformat()}
        if benefit:
            line["benefit"] = "case study"
        if ahead is not None:
            line["meeting" if outcome == "meeting_booked" else "next"] = (at + timedelta(hours=ahead)).isoformat()
        lines.append(line)
    return lines


def _single(engine: Engine, config: Config, line: dict[str, object]) -> bool:
    """Log one line as the CLI would; False when the rules refuse it (nothing is written then)."""
    when = {k: datetime.fromisoformat(line[k]) for k in ("at", "next", "meeting") if k in line}  # type: ignore[arg-type]
    try:
        with write_session(engine) as s:
            lead = s.get_one(Lead, line["lead"])
            log_call(
                s, config, lead, NOW, outcome=line["outcome"], at=when["at"], benefit=line.get("benefit"),  # type: ignore[arg-type]
                next_at=when.get("next"), meeting_at=when.get("meeting"),
            )  # fmt: skip
    except SalesdeskError:
        return False
    return True


def _dump(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id").all() for t in TABLES}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CALL, min_size=1, max_size=25))
def test_single_and_batch_paths_leave_identical_tables(calls: list[tuple[int, str, int, int | None, bool]]) -> None:
    config = Config()
    single, batched = _book(), _book()
    # The batch is all-or-nothing: feed it only the lines the single path accepted.
    accepted = [line for line in _plan(calls) if _single(single, config, line)]
    if accepted:
        with write_session(batched) as s:
            log_calls(s, config, NOW, [json.dumps(line) + "\n" for line in accepted])
    assert _dump(batched) == _dump(single)
    single.dispose()
    batched.dispose()
