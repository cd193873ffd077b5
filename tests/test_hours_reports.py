"""When the rep reached people, in the reports: the weekly page's section (read back with a
real markdown parser), its JSON, and the daily summary's dials in the best hours."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import open_store, read_session
from salesdesk.services import exports, reports
from tests.cli_helpers import run
from tests.conftest import NOW
from tests.hours_history import make_history
from tests.markdown_helpers import inline_text, table_cells

THIS_WEEK = date(2026, 11, 23)


def _page(engine: Engine, config: Config, now: datetime, monday: date = THIS_WEEK) -> tuple[str, dict]:  # type: ignore[type-arg]
    with read_session(engine) as session:
        report = reports.week_report(session, config, monday, now)
    return exports.week_markdown(report), report.as_dict()


def _section(page: str, heading: str) -> list:  # type: ignore[type-arg]
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(page)
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == heading)
    end = next(i for i in range(start + 1, len(tokens)) if tokens[i].type == "heading_open" and tokens[i].tag == "h2")
    return tokens[start + 2 : end]


def test_weekly_page_lists_the_best_and_worst_hours_with_n(engine: Engine, config: Config, now: datetime) -> None:
    make_history(engine, config, now)
    page, data = _page(engine, config, now)
    section = _section(page, "When you reached people")
    assert not [t for t in section if t.type.startswith("html")]
    intro = inline_text(next(t for t in section if t.type == "inline"))
    assert intro.startswith("Connect rate by weekday and hour (your time) over the 12 weeks to Sun 29 Nov: 123 dials")
    (rows,) = table_cells(section)
    assert rows == [
        ["", "Hour", "Connect rate", "Dials", "95% interval"],
        ["Best", "Tue 10:00", "40%", "60", "29–53%"],
        ["Worst", "Mon 16:00", "5%", "60", "2–14%"],
    ]
    reached = data["when_reached"]
    assert (reached["weeks"], reached["dials"]) == (12, 123)
    assert [(c["weekday"], c["hour"], c["dials"]) for c in reached["best"]] == [(1, 10, 60)]
    assert [(c["weekday"], c["hour"], c["dials"]) for c in reached["worst"]] == [(0, 16, 60)]


def test_weekly_page_says_so_when_too_little_data(engine: Engine, config: Config, now: datetime) -> None:
    page, _ = _page(engine, config, now)
    section = _section(page, "When you reached people")
    assert [inline_text(t) for t in section if t.type == "inline"] == ["No calls in the 12 weeks to Sun 29 Nov."]
    make_history(engine, config, now)
    # In its first week (ten weeks back) the history has six dials an hour: nothing ranked.
    page, _ = _page(engine, config, now, date(2026, 9, 14))
    texts = [inline_text(t) for t in _section(page, "When you reached people") if t.type == "inline"]
    assert texts[-1] == "No hour has 10 dials yet: nothing to rank."


def test_weekly_page_is_the_same_whenever_it_is_made(engine: Engine, config: Config, now: datetime) -> None:
    make_history(engine, config, now)
    last_week = date(2026, 11, 16)
    assert (
        _page(engine, config, now, last_week)[0].split("## When")[1].split("## Funnel")[0]
        == (
            _page(engine, config, datetime(2027, 1, 4, 9, tzinfo=now.tzinfo), last_week)[0]
            .split("## When")[1]
            .split("## Funnel")[0]
        )
    )


@pytest.fixture
def db(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALESDESK_NOW", NOW.isoformat())
    path = isolated_home / "salesdesk.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = open_store(path, NOW)
    make_history(engine, Config(), NOW)
    engine.dispose()
    return path


def test_summary_shows_dials_in_the_best_hours(db: Path) -> None:
    # Two ranked hours only: no top quartile to speak of yet.
    data = run("summary", "--json").json()
    assert data["best_hours"] == {"dials": 0, "in_best_hours": None, "share": None}
    text = run("summary", "--markdown").out
    assert "Dials in your best hours: not enough history yet" in text
