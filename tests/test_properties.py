"""Property-based tests: lead matching, the weekly markdown writer and the ICS writer, fed
whatever a rep might type. (The time parser's properties live in test_dates.py.)

Each example runs in a transaction on one shared store and is rolled back, so examples are
independent and the store is migrated once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy import Engine
from sqlmodel import Session

from salesdesk import ics, validate
from salesdesk.config import Config
from salesdesk.db import open_store
from salesdesk.errors import InvalidInput
from salesdesk.models import Lead
from salesdesk.services import blocks, leads, pdca, reports
from salesdesk.services.exports import week_markdown
from tests.conftest import NOW
from tests.markdown_helpers import inline_text, table_cells

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # fmt: skip
SH = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)  # the week of the suite's NOW
_ID_LIKE = re.compile(r"^#?\d{1,9}$")

# Names that collide on purpose: case and width variants, prefixes of each other, LIKE wildcards.
TRICKY_NAMES = [
    "Li Na", "li na", "LI NA", "Ｌｉ Ｎａ", "Li Nan", "Li", "王芳", "王芳芳", "王", "张伟", "O'Brien",
    "50%_off", "a\\b", "Zoë", "ZOË", "Straße", "STRASSE",
]  # fmt: skip
BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
# What a rep types, minus what validation refuses anyway (control characters, surrogates).
_typed = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=BIDI_CONTROLS),
    min_size=1,
    max_size=24,
)  # fmt: skip
# Text made mostly of markdown's own characters, which the writer must neutralise.
_markup = st.text(st.sampled_from("|*_`[]()<>#!&~-+=.:;\\/ 1aZ王"), min_size=1, max_size=30)
rep_text = st.one_of(_typed, _markup, st.sampled_from(TRICKY_NAMES)).filter(lambda s: s.strip() != "")


@pytest.fixture(scope="module")
def store() -> Iterator[Engine]:
    engine = open_store(":memory:", NOW)
    yield engine
    engine.dispose()


@pytest.fixture
def session(store: Engine) -> Iterator[Session]:
    """A session whose work is thrown away: each hypothesis example rolls back its own."""
    with Session(store, expire_on_commit=False) as s:
        yield s
        s.rollback()


def _one_line(text: str) -> str:
    """What the markdown writer makes of multi-line text: the lines joined with " / "."""
    return " / ".join(part.strip() for part in text.strip().splitlines() if part.strip())


# --- lead matching ------------------------------------------------------------------------------


def _add(session: Session, names: list[str]) -> list[Lead]:
    added = []
    for name in names:
        try:
            added.append(leads.add_lead(session, NOW, name=name, created_at=NOW))
        except InvalidInput:
            continue  # refused as a name (too long, control characters): not a lead to find
    return added


@SETTINGS
@given(names=st.lists(st.one_of(st.sampled_from(TRICKY_NAMES), _typed), min_size=1, max_size=6))
def test_an_exact_name_finds_its_lead_when_no_other_shares_it(session: Session, names: list[str]) -> None:
    try:
        added = _add(session, names)
        keys = [lead.name_key for lead in added]
        for lead in added:
            if keys.count(lead.name_key) > 1 or _ID_LIKE.match(lead.name):
                continue
            assert leads.resolve_lead(session, lead.name).id == lead.id
    finally:
        session.rollback()


@SETTINGS
@given(
    names=st.lists(st.one_of(st.sampled_from(TRICKY_NAMES), _typed), min_size=1, max_size=6),
    data=st.data(),
)
def test_a_piece_of_a_name_finds_one_lead_holding_it_or_lists_the_candidates(
    session: Session, names: list[str], data: st.DataObject
) -> None:
    try:
        added = _add(session, names)
        assume(added)
        name = data.draw(st.sampled_from([lead.name for lead in added]))
        start = data.draw(st.integers(0, len(name) - 1))
        query = name[start : data.draw(st.integers(start + 1, len(name)))]
        assume(query.strip() and not _ID_LIKE.match(query.strip()))
        key = validate.name_key(query.strip())
        holding = {lead.id for lead in added if key in lead.name_key}
        try:
            found = leads.resolve_lead(session, query)
        except InvalidInput as exc:
            message = str(exc)
            if message.startswith("no lead matches"):
                assert not holding, (query, message)
            else:
                listed = {int(i) for i in re.findall(r"#(\d+) ", message.split("\n", 1)[1])}
                assert len(listed) >= 2 and listed <= holding, (query, message)
        else:
            assert key in found.name_key, (query, found.name)
    finally:
        session.rollback()


# --- the weekly markdown ------------------------------------------------------------------------


def _shape(tokens: list[Token]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The page's structure without its words: block tokens, and the kinds of inline tokens
    in each (runs of plain text counted once)."""
    shape = []
    for token in tokens:
        kinds: list[str] = []
        for child in token.children or []:
            if not (kinds and kinds[-1] == child.type == "text"):
                kinds.append(child.type)
        shape.append((token.type, token.tag, tuple(kinds)))
    return shape


def _week_page(session: Session, people: list[tuple[str, str]], problem: str, act: list[str]) -> tuple[list[Lead], str]:
    added = [
        leads.add_lead(session, NOW, name=name, company=company, grade="A", created_at=NOW) for name, company in people
    ]
    pdca.record_review(session, MONDAY, NOW, problem=problem, act=act)
    return added, week_markdown(reports.week_report(session, Config(), MONDAY, NOW))


@SETTINGS
@given(
    people=st.lists(st.tuples(rep_text, rep_text), min_size=1, max_size=4),
    problem=rep_text,
    act=st.lists(rep_text, min_size=1, max_size=3),
)
# Found in CI: act items differing only in case are one item; the page keeps the first spelling.
@example(people=[("a", "a")], problem="a", act=["a", "A"])
def test_rep_text_comes_out_of_the_weekly_page_as_typed(
    session: Session, people: list[tuple[str, str]], problem: str, act: list[str]
) -> None:
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    try:
        try:
            added, page = _week_page(session, people, problem, act)
        except InvalidInput:
            assume(False)  # refused input (a name too long): nothing reaches the page
        tokens = parser.parse(page)
        # Read before the rollback, which expires the leads it undid.
        added_ids = [lead.id for lead in added]
    finally:
        session.rollback()
    try:
        plain = [(f"Lead {n}", f"Company {n}") for n in range(len(people))]
        # The same act items repeated where the rep repeated one (a day keeps each once, in any case).
        folded = [validate.name_key(" ".join(line.split())) for line in act]
        distinct = list(dict.fromkeys(folded))
        plain_act = [f"act {distinct.index(key)}" for key in folded]
        _, plain_page = _week_page(session, plain, "a problem", plain_act)
    finally:
        session.rollback()
    # The rep's text changed the words on the page, never its structure.
    assert _shape(tokens) == _shape(parser.parse(plain_page))

    tables = table_cells(tokens)
    for table in tables:
        assert len({len(row) for row in table}) == 1, table  # no row gained or lost a cell
    focus = next(t for t in tables if t[0] == ["Lead", "Company", "Touches", "Last touch"])
    assert len(focus) == 1 + len(added_ids)
    # Leads at one company (the same name, any case or width) share its first spelling.
    accounts: dict[str, str] = {}
    for _, company in people:
        accounts.setdefault(validate.name_key(company.strip()), company.strip())
    assert sorted(row[:2] for row in focus[1:]) == sorted(
        [f"#{lead_id} {_one_line(name)}", _one_line(accounts[validate.name_key(company.strip())])]
        for lead_id, (name, company) in zip(added_ids, people, strict=True)
    )
    items = [inline_text(tokens[i + 2]) for i, t in enumerate(tokens) if t.type == "list_item_open"]
    # A day keeps each act item once (case, width and spacing folded), in its first spelling.
    first = {validate.name_key(" ".join(line.split())): line for line in reversed(act)}
    for line in first.values():
        assert f"{MONDAY:%a %d %b}: {_one_line(line)}" in items
    assert any(f" {_one_line(problem)} (worked on" in item for item in items)


# --- the ICS writer -----------------------------------------------------------------------------


@SETTINGS
@given(title=rep_text, repeat=st.sampled_from([None, "weekdays"]), hour=st.integers(6, 20))
def test_a_block_title_round_trips_through_the_calendar_file(
    session: Session, title: str, repeat: str | None, hour: int
) -> None:
    start = datetime(2026, 11, 24, hour, tzinfo=SH)
    try:
        try:
            blocks.add_block(session, NOW, start=start, minutes=90, repeat=repeat, title=title)
        except InvalidInput:
            assume(False)  # refused as a title (too long): not written anywhere
        for data, _ in (ics.export(session, NOW), ics.export(session, NOW, start.date(), start.date() + timedelta(7))):
            assert data.endswith(b"\r\n")
            lines = data.split(b"\r\n")[:-1]
            assert all(len(line) <= 75 for line in lines), max(lines, key=len)
            assert not [line for line in lines if b"\n" in line or b"\r" in line]
            events = Calendar.from_ical(data).walk("VEVENT")
            assert events and {str(event["SUMMARY"]) for event in events} == {title.strip()}
    finally:
        session.rollback()
