"""demo: a deterministic, believable book of business laid out backwards from ``now``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from salesdesk.dates import local_day_bounds, to_local
from salesdesk.db import open_store
from salesdesk.demo import demo_day, generate, open_demo
from salesdesk.lifecycle import STATES
from salesdesk.paths import demo_db_path

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$")


def _dump(engine: Engine, table: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]


def _scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def _utc_text(dt: datetime) -> str:
    """A time as the store writes it (naive UTC text), for comparisons inside SQL."""
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _generated(tmp_path: Path, name: str, now: datetime, **kwargs: int) -> Engine:
    engine = open_store(tmp_path / name, now)
    generate(engine, now, **kwargs)
    return engine


def test_same_seed_and_now_give_identical_rows(tmp_path: Path, now: datetime) -> None:
    first = _generated(tmp_path, "a.db", now)
    second = _generated(tmp_path, "b.db", now)
    other_seed = _generated(tmp_path, "c.db", now, seed=8)
    try:
        for table in ("lead", "touch", "account", "grade_change", "followup", "meta"):
            assert _dump(first, table) == _dump(second, table), table
        assert _dump(first, "lead") != _dump(other_seed, "lead")  # the comparison can tell them apart
    finally:
        for engine in (first, second, other_seed):
            engine.dispose()


def test_about_two_hundred_leads_with_chinese_and_latin_names(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        names = [name for (name,) in conn.execute(text("SELECT name FROM lead"))]
    assert len(names) == 200
    chinese = [n for n in names if _CJK.search(n)]
    latin = [n for n in names if _LATIN.match(n)]
    assert len(chinese) >= 50 and len(latin) >= 50
    assert len(chinese) + len(latin) == len(names)


def test_every_status_is_present_and_closed_leads_say_why(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        rows = conn.execute(text("SELECT status, closed_at, close_reason FROM lead")).all()
    # The demo shows every state of the lifecycle.
    assert {status for status, _, _ in rows} == set(STATES)
    for status, closed_at, reason in rows:
        closed = status in ("won", "lost")
        assert (closed_at is not None, reason is not None) == (closed, closed)


def test_no_touch_after_now_or_before_its_lead_arrived(demo_engine: Engine, now: datetime) -> None:
    after_now = _scalar(demo_engine, "SELECT count(*) FROM touch WHERE at > :now", now=_utc_text(now))
    before_lead = _scalar(
        demo_engine, "SELECT count(*) FROM touch JOIN lead ON lead.id = touch.lead_id WHERE touch.at < lead.created_at"
    )
    future_leads = _scalar(demo_engine, "SELECT count(*) FROM lead WHERE created_at > :now", now=_utc_text(now))
    assert (after_now, before_lead, future_leads) == (0, 0, 0)
    assert _scalar(demo_engine, "SELECT count(*) FROM touch") > 400  # the checks above saw real rows


def test_no_touch_after_now_for_other_nows(tmp_path: Path) -> None:
    # A follow-up message ten minutes after a call must not land after ``now``, whatever ``now`` is.
    for hours in range(0, 96, 7):
        now = datetime(2026, 11, 23, 7, tzinfo=UTC) + timedelta(hours=hours)
        engine = _generated(tmp_path, f"n{hours}.db", now, leads=120)
        try:
            assert _scalar(engine, "SELECT count(*) FROM touch WHERE at > :now", now=_utc_text(now)) == 0, now
        finally:
            engine.dispose()


def test_three_fresh_inbound_leads_without_touches(demo_engine: Engine, now: datetime) -> None:
    with demo_engine.connect() as conn:
        fresh = conn.execute(
            text(
                "SELECT source, grade, (SELECT count(*) FROM touch WHERE lead_id = lead.id), created_at "
                "FROM lead WHERE created_at >= :since ORDER BY created_at"
            ),
            {"since": _utc_text(now - timedelta(hours=7))},
        ).all()
    assert [(source, touches) for source, _, touches, _ in fresh] == [("inbound", 0)] * 3
    ages = [now - datetime.fromisoformat(created).replace(tzinfo=UTC) for *_, created in fresh]
    assert ages == [timedelta(hours=7), timedelta(hours=3), timedelta(hours=1)]


def test_two_weeks_of_calls(demo_engine: Engine, now: datetime) -> None:
    with demo_engine.connect() as conn:
        ats = [at for (at,) in conn.execute(text("SELECT at FROM touch WHERE channel = 'call'"))]
    days = {to_local(datetime.fromisoformat(at).replace(tzinfo=UTC)).date() for at in ats}
    today = to_local(now).date()
    assert len(ats) > 300
    assert min(days) >= today - timedelta(days=15)
    assert min(days) <= today - timedelta(days=12)  # it starts about two weeks back...
    assert max(days) >= today - timedelta(days=1)  # ...and runs up to now
    weekdays = {d for d in days if d.weekday() < 5}
    assert len(weekdays) >= 9
    for week_start in (today - timedelta(days=14), today - timedelta(days=7)):
        assert any(week_start <= d < week_start + timedelta(days=7) for d in days)


def test_demo_rows_are_consistent(demo_engine: Engine) -> None:
    # Phones are unique (the duplicate rule would refuse a second one), grades have history,
    # and the per-lead counters agree with the touches.
    dup_phones = _scalar(
        demo_engine,
        "SELECT count(*) FROM (SELECT phone FROM lead WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1)",
    )
    assert dup_phones == 0
    ungraded_history = _scalar(
        demo_engine,
        "SELECT count(*) FROM lead WHERE grade IS NOT NULL AND grade != (SELECT new_grade FROM grade_change g "
        "WHERE g.lead_id = lead.id ORDER BY at DESC, id DESC LIMIT 1)",
    )
    assert ungraded_history == 0
    wrong_counts = _scalar(
        demo_engine,
        "SELECT count(*) FROM lead WHERE touch_count != (SELECT count(*) FROM touch WHERE lead_id = lead.id)",
    )
    assert wrong_counts == 0


def test_open_demo_is_reused_the_same_day_and_relaid_the_next(now: datetime) -> None:
    path = demo_db_path()
    engine = open_demo(path, now)
    assert demo_day(engine) == date(2026, 11, 23)
    with engine.begin() as conn:
        conn.execute(text("UPDATE lead SET name = 'Marker' WHERE id = 1"))
    engine.dispose()

    later_today = now + timedelta(hours=8, minutes=59)  # 23:59 local
    engine = open_demo(path, later_today)
    assert demo_day(engine) == date(2026, 11, 23)
    assert _scalar(engine, "SELECT name FROM lead WHERE id = 1") == "Marker"
    engine.dispose()

    tomorrow = now + timedelta(hours=9, minutes=1)  # 00:01 local on the 24th
    engine = open_demo(path, tomorrow)
    assert demo_day(engine) == date(2026, 11, 24)
    assert _scalar(engine, "SELECT count(*) FROM lead WHERE name = 'Marker'") == 0
    assert _scalar(engine, "SELECT count(*) FROM lead") == 200
    fresh_since = local_day_bounds(date(2026, 11, 24))[0] - timedelta(hours=7)
    assert _scalar(engine, "SELECT count(*) FROM lead WHERE created_at >= :t", t=_utc_text(fresh_since)) >= 3
    engine.dispose()
    assert not list(path.parent.glob("*.bak"))


def test_open_demo_creates_a_missing_file(now: datetime) -> None:
    path = demo_db_path()
    assert not path.exists()
    engine = open_demo(path, now)
    try:
        assert path.exists()
        assert _scalar(engine, "SELECT count(*) FROM lead") == 200
    finally:
        engine.dispose()


def test_a_plain_database_is_not_a_demo(engine: Engine) -> None:
    assert demo_day(engine) is None
