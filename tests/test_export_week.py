"""The weekly export, read back with a real markdown parser: headings, the day table's cells
against hand-made data, and rep-typed text that must not break the page."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import Engine

from salesdesk.config import Config
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput
from salesdesk.models import Deal
from salesdesk.services import deals, exports, goals, pdca, reports
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import log_call
from tests.markdown_helpers import inline_text, table_cells

SH = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 16)  # ISO week 2026-W47, the week before the suite's NOW
NASTY_NAME = "Wang | <script>alert(1)</script> **王芳**"
NASTY_NOTE = "line one\nline two <script>x</script> 王芳"
NASTY_PROBLEM = "客户说 | **太贵** <b>bold</b>"
NASTY_ACT = "# not a heading | 1. not a list"


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def week(engine: Engine, config: Config, now: datetime) -> str:
    """A week of calls laid out by hand, with rep text full of markup; returns the markdown.

    Mon 16: Old Lead 00:01 (and Sun 15 23:59, the week before); Wang arrives 09:00 and is
    called three times, connected once. Tue 17: Li Na (inbound 10:00) books a meeting at
    11:00 despite no_time; Zhao (inbound 12:00) is never called. Sat 21 23:59: one more dial.
    Mon 23 00:01 belongs to the next week.
    """
    warn = replace(config, rules=replace(config.rules, benefit="warn"))
    with write_session(engine) as s:
        old = add_lead(s, now, name="Old Lead", created_at=sh(10, 9))
        wang = add_lead(s, now, name=NASTY_NAME, grade="A", created_at=sh(16, 9))
        li = add_lead(s, now, name="Li Na", source="inbound", created_at=sh(17, 10))
        add_lead(s, now, name="Zhao", source="inbound", created_at=sh(17, 12))
        log_call(s, warn, old, now, outcome="no_answer", at=sh(15, 23, 59))
        log_call(s, warn, old, now, outcome="no_answer", at=sh(16, 0, 1))
        log_call(s, warn, wang, now, outcome="no_answer", at=sh(16, 10))
        log_call(s, warn, wang, now, outcome="busy", at=sh(16, 11))
        log_call(s, warn, wang, now, outcome="connected", at=sh(16, 14), benefit="case study")
        log_call(s, warn, li, now, outcome="meeting_booked", at=sh(17, 11), meeting_at=sh(20, 10), objection="no_time",
                 benefit="sent | the **deck**", note=NASTY_NOTE)  # fmt: skip
        log_call(s, warn, old, now, outcome="no_answer", at=sh(21, 23, 59))
        log_call(s, warn, old, now, outcome="no_answer", at=sh(23, 0, 1))
        goals.set_goal(s, config, "2026-11", {"dials": 42, "meetings": 21}, now)  # 2 and 1 a working day
        pdca.record_review(s, date(2026, 11, 17), now, problem=NASTY_PROBLEM, act=[NASTY_ACT],
                           reflections={"well": ["asked for the **meeting** early"]},
                           deviations={"dials": "a <i>long</i> | meeting"})  # fmt: skip
        deal = deals.add_deal(s, config, sh(17, 12), lead=li, title="50 | seats", value=100)
        deals.move_deal(s, config, deal, sh(18, 10), "proposal")
    with read_session(engine) as s:
        return exports.week_markdown(reports.week_report(s, config, MONDAY, now))


def _parse(text: str) -> list[Token]:
    # html on: a raw tag that slipped through would show up as an html token.
    return MarkdownIt("commonmark", {"html": True}).enable("table").parse(text)


def _table(tokens: list[Token], first_header: str) -> list[list[str]]:
    return next(t for t in table_cells(tokens) if t[0][0] == first_header)


def _items(tokens: list[Token]) -> list[str]:
    """The text of each list item (list_item_open, paragraph_open, inline)."""
    return [inline_text(tokens[i + 2]) for i, tok in enumerate(tokens) if tok.type == "list_item_open"]


def _headings(tokens: list[Token]) -> list[tuple[str, str]]:
    return [(tok.tag, inline_text(tokens[i + 1])) for i, tok in enumerate(tokens) if tok.type == "heading_open"]


def test_title_and_sections(week: str) -> None:
    headings = _headings(_parse(week))
    assert headings[0] == ("h1", "Week 2026-W47 · Mon 16 Nov – Sun 22 Nov 2026")
    assert [text for tag, text in headings if tag == "h2"] == [
        "Results vs targets",
        "Day by day",
        "When you reached people",
        "Funnel and conversion",
        "Follow-up compliance",
        "Meetings",
        "Top objections and the replies that won",
        "Problems",
        "Act items and lessons",
        "Next week's focus · Mon 23 Nov – Sun 29 Nov",
    ]


def test_meetings_booked_and_how_they_stood_when_the_week_ended(week: str) -> None:
    assert "1 booked this week. Of the 1 set for this week: 0 held, 0 no-show, 0 moved, 1 not recorded" in week
    rows = _table(_parse(week), "When")
    assert rows == [["When", "Lead", "Place", "Status at the week's end"], ["Fri 20 Nov 10:00", "Li Na", "", "booked"]]


@pytest.mark.usefixtures("week")
def test_next_week_is_the_week_after_the_reported_one_whenever_it_is_made(
    engine: Engine, config: Config, now: datetime
) -> None:
    later = sh(16, 9).replace(month=12, day=30)  # five weeks on
    with read_session(engine) as s:
        during = reports.week_report(s, config, MONDAY, now)  # made on Monday of the next week
    with write_session(engine) as s:  # the week's problem is solved and its deal won the week after
        pdca.solve_problem(s, pdca.get_problem(s, "1"), sh(16, 9).replace(month=12, day=1), "asked for a referral")
        deals.close_deal(s, config, s.get(Deal, 1), sh(16, 9).replace(month=12, day=2), won=True)
    with read_session(engine) as s:
        after = reports.week_report(s, config, MONDAY, later)
    for report in (during, after):
        nxt = report.as_dict()["next_week"]
        assert (nxt["week"], nxt["from"], nxt["to"]) == ("2026-W48", "2026-11-23", "2026-11-29")
        assert nxt["due_by"] == "2026-11-30T00:00:00+08:00"
    assert during.as_dict()["next_week"]["over"] is False and during.a_leads and during.due
    # Five weeks on, the focus lists would describe the book of late December, not W48.
    assert after.as_dict()["next_week"]["over"] is True and (after.a_leads, after.due) == ([], [])
    page = exports.week_markdown(after)
    assert page.endswith("_That week is over, so its focus lists (made from the book as it is now) are left out._")
    assert "### Due by" not in page and "Due as of" not in page
    # Everything about the week itself is the same, whenever the page is made.
    assert [r.figures for r in during.days] == [r.figures for r in after.days]
    assert during.followups == after.followups and during.funnel.stages == after.funnel.stages
    assert [p.problem.id for p in during.problems_open] == [p.problem.id for p in after.problems_open] == [1]


def test_one_row_per_day_with_the_days_figures(week: str) -> None:
    rows = _table(_parse(week), "Day")
    assert rows == [
        ["Day", "Dials", "Connects", "Connect rate", "Meetings booked", "New leads", "First-contact breaches"],
        ["Mon 16 Nov", "4", "1", "25%", "0", "1", "0"],
        ["Tue 17 Nov", "1", "1", "100%", "1", "2", "1"],
        ["Wed 18 Nov", "0", "0", "–", "0", "0", "0"],
        ["Thu 19 Nov", "0", "0", "–", "0", "0", "0"],
        ["Fri 20 Nov", "0", "0", "–", "0", "0", "0"],
        ["Sat 21 Nov", "1", "0", "0%", "0", "0", "0"],
        ["Sun 22 Nov", "0", "0", "–", "0", "0", "0"],
        ["Week", "6", "2", "33%", "1", "3", "1"],
    ]


def test_results_against_the_targets_of_the_working_days(week: str) -> None:
    rows = _table(_parse(week), "Result")
    # The goal gives each of November's 21 working days 2 dials and 1 meeting: 10 and 5 this
    # week, set against the week's totals (Saturday's dial included), as in the Week row.
    assert rows[1:] == [["Meetings booked", "1", "5", "20%"], ["Dials", "6", "10", "60%"]]


def test_funnel_objections_problems_and_focus(week: str) -> None:
    tokens = _parse(week)
    assert _table(tokens, "Stage")[1:] == [
        ["interested", "1", "1", "0", "0", "100%", "–", "0", "0"],
        ["inquiry", "0", "0", "0", "0", "–", "–", "0", "0"],
        # Still open in proposal is no failure: nothing decided there yet, so no conversion.
        ["proposal", "1", "0", "0", "1", "–", "–", "1", "100"],
    ]
    assert _table(tokens, "Objection")[1:] == [
        ["no_time", "1", "1", "sent | the **deck**; line one / line two <script>x</script> 王芳 (Li Na)"]
    ]
    lead_rows = _table(tokens, "Lead")
    assert lead_rows[1][:3] == [f"#2 {NASTY_NAME}", "–", "3"]
    paragraphs = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    assert any(text.startswith("Deals won 0 · moved 1 · lost 0 · forecast 0 ") for text in paragraphs)
    inline = _items(tokens)
    assert f"#1 {NASTY_PROBLEM} (worked on Tue 17 Nov)" in inline
    assert f"Tue 17 Nov: {NASTY_ACT}" in inline
    assert "Tue 17 Nov, went well: asked for the **meeting** early" in inline
    assert "Tue 17 Nov, dials: a <i>long</i> | meeting" in inline


def test_rep_text_cannot_break_the_page(week: str) -> None:
    tokens = _parse(week)
    inline_kinds = [child.type for token in tokens for child in token.children or []]
    assert not [t for t in tokens if t.type.startswith("html")] and "html_inline" not in inline_kinds
    for table in table_cells(tokens):
        assert len({len(row) for row in table}) == 1, table[0]  # no row gained or lost a cell
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(week)
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html
    # Bold only where the page puts it (the week's seven totals), headings only the page's own.
    assert inline_kinds.count("strong_open") == 7
    assert not [text for _, text in _headings(tokens) if "heading" in text or "王芳" in text]


def test_no_markup_survives_escaping() -> None:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    for raw in (NASTY_NAME, NASTY_PROBLEM, NASTY_ACT, "- a", "+ b", "1) c", "> quote", "`code`", "[x](http://e.com)",
                "![img](x.png)", "a\\b", "&amp;", "~~gone~~", "=== under", "*", "_x_", "#5 deal"):  # fmt: skip
        tokens = md.parse(f"| h |\n| :-- |\n| {exports.md(raw)} |\n\n- {exports.md(raw)}\n\n{exports.md(raw)}\n")
        cells = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "td_open"]
        kinds = {child.type for token in tokens for child in token.children or []}
        assert cells == [raw] and _items(tokens) == [raw], raw
        assert [t.type for t in tokens][-3:] == ["paragraph_open", "inline", "paragraph_close"], raw
        assert inline_text(tokens[-2]) == raw and kinds <= {"text"}, (raw, kinds)
    assert exports.md("two\nlines") == "two / lines"


@pytest.mark.usefixtures("week")
def test_the_daily_summary_markdown_keeps_rep_text_as_typed(engine: Engine, config: Config, now: datetime) -> None:
    with read_session(engine) as s:
        text = exports.day_markdown(pdca.day_summary(s, config, date(2026, 11, 17), now))
    tokens = _parse(text)
    assert not [c for t in tokens for c in t.children or [] if c.type == "html_inline"]
    assert [tag for tag, _ in _headings(tokens)].count("h1") == 1
    items = _items(tokens)
    assert f"Problem: #1 {NASTY_PROBLEM} (worked on Tue 17 Nov)" in items
    assert f"Act on tomorrow: {NASTY_ACT}" in items
    assert "Dials, why missed: a <i>long</i> | meeting" in items
    assert "12:00 #1 50 | seats (Li Na): new → interested" in items


def test_the_json_format_has_the_same_days(engine: Engine, config: Config, now: datetime, week: str) -> None:
    with read_session(engine) as s:
        data: dict[str, Any] = json.loads(exports.as_json(reports.week_report(s, config, MONDAY, now).as_dict()))
    assert (data["week"], data["from"], data["to"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    assert [d["dials"] for d in data["days"]] == [4, 1, 0, 0, 0, 1, 0] and data["totals"]["dials"] == 6
    assert data["problems"]["opened"][0]["text"] == NASTY_PROBLEM


def test_weeks_are_read_as_iso_weeks_or_days(now: datetime) -> None:
    assert reports.parse_week(None, now) == date(2026, 11, 23)
    assert reports.parse_week("2026-W47", now) == reports.parse_week("2026w47", now) == MONDAY
    assert reports.parse_week("2026-11-19", now) == reports.parse_week("last mon", now) == MONDAY
    assert reports.parse_week("2026-W53", now) == date(2026, 12, 28)
    for bad in ("2025-W53", "2026-W00", "week 3", ""):
        with pytest.raises(InvalidInput, match="week"):
            reports.parse_week(bad, now)


def test_speed_to_lead_reads_as_days_hours_and_minutes() -> None:
    assert [exports.wait(m) for m in (35, 252, 240, 27 * 60, 35.4, None)] == ["35m", "4h12m", "4h", "1d3h", "35m", "–"]


def test_a_target_set_on_some_days_says_which_results_it_counts(engine: Engine, config: Config, now: datetime) -> None:
    """Connects planned for Monday only are set against Monday's connects: the row says so, or it
    would read as a different total from the day table's Week row."""
    with write_session(engine) as s:
        lead = add_lead(s, now, name="Li Na", created_at=sh(16, 9))
        log_call(s, config, lead, now, outcome="connected", at=sh(16, 10), benefit="case study")
        log_call(s, config, lead, now, outcome="connected", at=sh(17, 10), benefit="price list")
        goals.set_goal(s, config, "2026-11", {"dials": 42}, now)  # 2 a working day: 10 this week
        pdca.plan_day(s, config, date(2026, 11, 16), now, targets={"connects": 1})
    with read_session(engine) as s:
        tokens = _parse(exports.week_markdown(reports.week_report(s, config, MONDAY, now)))
    assert _table(tokens, "Result")[1:] == [["Dials", "2", "10", "20%"], ["Connects (on 1 day)", "1", "1", "100%"]]
    assert _table(tokens, "Day")[-1][:3] == ["Week", "2", "2"]  # the week's dials and connects, both days
