"""The call session: a block's list worked through from the keyboard, checked against the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from textual.pilot import Pilot
from textual.widgets import Input

from salesdesk.config import Config, load_config
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput
from salesdesk.models import BlockFill, Meeting, ObjectionReply, Touch
from salesdesk.services import blocks
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.session import TIMER_S, SessionScreen
from salesdesk.tui.session_data import SessionStart, fill_script
from salesdesk.tui.session_summary import BlockResultModal
from salesdesk.tui.today import TodayScreen
from tests.cli_helpers import run_process
from tests.tui.conftest import Notes, Settle, text_of

SnapCompare = Callable[..., bool]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _block(engine: Engine, config: Config, now: datetime, *, filled: bool = True) -> tuple[SessionStart, list[int]]:
    """A one-hour block starting now (10 dials, 2 meetings); with ``filled``, its list planned at
    1 meeting in 5 dials: 10 leads."""
    with write_session(engine) as session:
        block = blocks.add_block(
            session, now, start=now, minutes=60, goal_dials=10, goal_meetings=2, title="Afternoon calls"
        )
        assert block.id is not None
        if not filled:
            return SessionStart(block.id, block.start), []
        planned = blocks.fill(session, config.rules, now, block.id, rate=0.2)
        lead_ids = [item.lead_id for item in planned.plan.leads]
        return SessionStart(block.id, planned.occurrence.start), lead_ids


def _touch_ids(engine: Engine) -> set[int]:
    with read_session(engine) as session:
        return set(session.execute(select(Touch.id)).scalars())


def _reply_id(engine: Engine, key: str, number: int) -> int:
    with read_session(engine) as session:
        found = session.execute(
            select(ObjectionReply.id).where(ObjectionReply.objection_key == key, ObjectionReply.position == number)
        ).scalar_one()
    return found


def _session(app: SalesdeskApp) -> SessionScreen:
    screen = app.screen
    assert isinstance(screen, SessionScreen), f"expected the session, got {screen!r}"
    return screen


@dataclass(frozen=True)
class Call:
    key: str  # the outcome's key
    outcome: str
    note: str
    benefit: str = ""
    objection: tuple[str, str, int | None] | None = None  # what to type, the key found, the reply used
    next_text: str = ""


# A block as a rep works it: no answers, meetings, objections met with a reply, a gatekeeper
# with no reply yet, a bad number and a callback.
BLOCK = (
    Call("n", "no_answer", "rang out"),
    Call("m", "meeting_booked", "wants a demo", "case study", ("mat", "send_materials", 2), "Thu 10:00"),
    Call("b", "busy", "line busy"),
    Call("c", "connected", "prices?", "benchmark", ("time", "no_time", 1)),
    Call("v", "voicemail", "left msg"),
    Call("i", "not_interested", "has vendor", "report", ("interest", "not_interested", 2)),
    Call("m", "meeting_booked", "the boss joins", "agenda", None, "Mon 14:00"),
    Call("g", "gatekeeper", "reception", "", ("gatekeeper", "gatekeeper", None)),
    Call("x", "bad_number", "dead line"),
    Call("k", "callback", "after lunch", "brochure", None, "tomorrow 14:00"),
)


def _at(text: str, now: datetime) -> datetime:
    from salesdesk.dates import parse_when

    return parse_when(text, now, prefer="future")


async def _mark_objection(pilot: Pilot[Any], query: str, reply: int | None) -> None:
    """Ctrl+O, a few letters, then the reply used: the first reply is highlighted, Down moves on
    (an objection with no reply yet is highlighted itself)."""
    await pilot.press("ctrl+o", *query, *["down"] * ((reply or 1) - 1), "enter")


async def _log(pilot: Pilot[Any], call: Call, settle: Settle) -> None:
    if call.objection is not None:
        query, _, reply = call.objection
        await _mark_objection(pilot, query, reply)
    await pilot.press(call.key, *call.note, "enter", *call.benefit, "enter", *call.next_text, "enter")
    await settle(pilot)


async def test_a_full_block_of_ten_calls_from_the_keyboard(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    start, lead_ids = _block(demo_engine, config, now)
    assert len(lead_ids) == len(BLOCK) == 10
    before = _touch_ids(demo_engine)
    app = SalesdeskApp(demo_engine, config, lambda: now, session=start)

    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        for index, call in enumerate(BLOCK):
            session = _session(app)
            assert session.current == index, f"call {index + 1} is for lead {index + 1} of the list"
            await _log(pilot, call, settle)
        modal = app.screen
        assert isinstance(modal, BlockResultModal), "the end of the list shows the block's result"
        result = modal.result
        assert not notes.errors()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen), "finishing the block goes back to Today"

    with read_session(demo_engine) as session:
        new = list(session.execute(select(Touch).where(Touch.id.not_in(before)).order_by(Touch.id)).scalars())
        total = session.execute(select(func.count()).select_from(Touch)).scalar_one()
    assert total == len(before) + 10, "the ten calls and nothing else"
    expected = [
        (
            lead_id,
            "call",
            call.outcome,
            call.note,
            call.benefit or None,
            call.objection[1] if call.objection else None,
            _reply_id(demo_engine, call.objection[1], call.objection[2])
            if call.objection and call.objection[2]
            else None,
            now,
        )
        for lead_id, call in zip(lead_ids, BLOCK, strict=True)
    ]
    written = [(t.lead_id, t.channel, t.outcome, t.note, t.benefit, t.objection, t.reply_id, t.at) for t in new]
    assert written == expected
    with read_session(demo_engine) as session:
        booked = session.execute(
            select(Meeting.lead_id, Meeting.at).where(Meeting.touch_id.in_([t.id for t in new]))
        ).all()  # type: ignore[union-attr]
    assert sorted(booked) == sorted([(lead_ids[1], _at("Thu 10:00", now)), (lead_ids[6], _at("Mon 14:00", now))])

    connected = sum(1 for call in BLOCK if config.outcome(call.outcome).connected)
    assert (result.dials, result.connects, result.meetings) == (10, connected, 2)
    assert result.objections_met == 4
    assert sorted(result.objections) == [
        ("gatekeeper", 1),
        ("no_time", 1),
        ("not_interested", 1),
        ("send_materials", 1),
    ]
    assert (result.goal_dials, result.goal_meetings) == (10, 2)
    assert (result.called, result.skipped, result.listed) == (10, 0, 10)
    assert result.expected_meetings == 2, "10 dials at the planner's 1 in 5"
    # The service attaches the calls to the block occurrence by time, and agrees.
    with read_session(demo_engine) as session:
        day = blocks.listing(session, now.date(), now.date(), now)
    done = next(v for v in day if v.occurrence.block.id == start.block_id).activity
    assert done is not None and (done.dials, done.connects, done.meetings) == (10, connected, 2)


async def test_a_connected_call_without_a_benefit_is_refused_and_kept(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    start, lead_ids = _block(demo_engine, config, now)
    before = _touch_ids(demo_engine)
    app = SalesdeskApp(demo_engine, config, lambda: now, session=start)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("c", *"they use a rival", "ctrl+s")
        await settle(pilot)
        session = _session(app)
        assert session.current == 0, "still on the same lead"
        assert session.query_one("#note", Input).value == "they use a rival"
        assert session.query_one("#benefit", Input).has_focus, "the cursor waits where the fix goes"
        assert notes.errors() and "benefit" in notes.errors()[-1]
        assert _touch_ids(demo_engine) == before

        await pilot.press(*"sent the comparison", "ctrl+s")
        await settle(pilot)
        assert session.current == 1
    with read_session(demo_engine) as session_db:
        touch = session_db.execute(select(Touch).where(Touch.id.not_in(before))).scalar_one()
    assert (touch.lead_id, touch.outcome, touch.note, touch.benefit) == (
        lead_ids[0],
        "connected",
        "they use a rival",
        "sent the comparison",
    )


async def test_a_refusal_from_the_service_goes_back_to_that_lead(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    """What the form can't check (here a pasted note over the length limit) is refused by the
    service after the session has moved on: it comes back to the lead with the typing kept."""
    start, _ = _block(demo_engine, config, now)
    before = _touch_ids(demo_engine)
    app = SalesdeskApp(demo_engine, config, lambda: now, session=start)
    long_note = "x" * 4_001
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        session = _session(app)
        await pilot.press("n")
        session.query_one("#note", Input).value = long_note
        await pilot.press("ctrl+s")
        await settle(pilot)
        # "Call not logged" is the service's refusal, which lands after the session moved on.
        assert notes.titled("Call not logged") and "4,001 characters" in notes.titled("Call not logged")[-1]
        assert session.current == 0, "the refusal brings the lead back"
        assert session.query_one("#note", Input).value == long_note
        assert session.query_one("#outcomes").border_subtitle == "No answer"
        assert session.calls is not None
        assert session.states[session.calls.lead_ids[1]] == "todo", "the lead moved on to is still to call"
    assert _touch_ids(demo_engine) == before


async def test_progress_and_timer(demo_engine: Engine, config: Config, now: datetime, settle: Settle) -> None:
    start, _ = _block(demo_engine, config, now)
    clock = Clock(now)
    app = SalesdeskApp(demo_engine, config, clock, session=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = _session(app)
        progress = session.query_one("#progress")
        timer = session.query_one("#timer")
        assert "0 of 2 meetings booked · " in text_of(progress)
        assert "0 of 10 dials · lead 1 of 10" in text_of(progress)
        assert text_of(timer) == "0:00 / 60:00"

        await pilot.press("n", "ctrl+s")
        await pilot.press("m", *"wants a demo", "enter", *"case study", "enter", *"Thu 10:00", "ctrl+s")
        await pilot.press("b", "ctrl+s")
        await settle(pilot)
        shown = text_of(progress)
        assert "1 of 2 meetings booked" in shown
        assert "3 of 10 dials" in shown
        assert "lead 4 of 10" in shown
        assert "busy" not in shown.lower() and "no answer" not in shown.lower(), "progress, not failures"

        clock.at = now + timedelta(minutes=12, seconds=5)
        await pilot.pause(TIMER_S * 1.5)
        assert text_of(timer) == "12:05 / 60:00"

        # Time up only asks: Esc goes back to the call in hand.
        clock.at = now + timedelta(minutes=60, seconds=30)
        await pilot.pause(TIMER_S * 1.5)
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, BlockResultModal)
        assert text_of(modal.query_one("#result-title")).startswith("Time's up")
        assert modal.result.dials == 3
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is session and session.current == 3
        assert text_of(timer) == "time up 60:30 / 60:00"
        await pilot.pause(TIMER_S * 1.5)
        assert app.screen is session, "asked once, not every second"


async def test_objection_search_finds_send_materials_and_records_reply_2(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    start, lead_ids = _block(demo_engine, config, now)
    before = _touch_ids(demo_engine)
    app = SalesdeskApp(demo_engine, config, lambda: now, session=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = _session(app)
        await pilot.press("ctrl+o", *"mat")
        await settle(pilot)
        shown = text_of(session.query_one("#objection-matches"))
        assert "send_materials" in shown and "Gladly; it reads better" in shown
        assert "no_time" not in shown
        await pilot.press("down", "enter")
        assert text_of(session.query_one("#objection-mark")).strip() == "send_materials · reply 2"
        assert session.query_one("#outcomes").has_focus, "back to the outcome once the reply is marked"
        await pilot.press("i", "tab", *"brochure", "ctrl+s")
        await settle(pilot)
    with read_session(demo_engine) as session_db:
        touch = session_db.execute(select(Touch).where(Touch.id.not_in(before))).scalar_one()
    assert (touch.lead_id, touch.objection) == (lead_ids[0], "send_materials")
    assert touch.reply_id == _reply_id(demo_engine, "send_materials", 2)


async def test_today_starts_the_block_and_skip_ends_in_the_result(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    """A block with no list yet: Today offers it (b), the session plans the list on opening and
    says which rate it used; Ctrl+N skips; Esc shows the result; letters stay in the session."""
    start, _ = _block(demo_engine, config, now, filled=False)
    before = _touch_ids(demo_engine)
    app = SalesdeskApp(demo_engine, config, lambda: now)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert "Afternoon calls" in text_of(app.screen.query_one("#block"))
        await pilot.press("b")
        await settle(pilot)
        session = _session(app)
        planned = notes.titled("Call list planned")
        assert planned and "rate" in planned[-1]
        assert session.calls is not None and session.calls.occurrence.start == start.start
        with read_session(demo_engine) as db:
            fills = db.execute(select(BlockFill).where(BlockFill.block_id == start.block_id)).scalars().all()
        assert len(fills) == 1 and fills[0].start == start.start

        await pilot.press("l", "t")  # not outcome keys: the app's screen letters stay off in a session
        assert app.screen is session
        await pilot.press("ctrl+n")
        assert session.current == 1
        await pilot.press("escape")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, BlockResultModal)
        assert (modal.result.dials, modal.result.skipped, modal.result.called) == (0, 1, 0)
        await pilot.press("escape")  # back to calling
        await settle(pilot)
        assert app.screen is session and session.current == 1
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    assert _touch_ids(demo_engine) == before


async def test_the_script_names_me_and_the_lead(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, tmp_path: Path
) -> None:
    toml = tmp_path / "config.toml"
    toml.write_text('[me]\nname = "Li Lei"\ncompany = "Acme Software"\n', encoding="utf-8")
    start, _ = _block(demo_engine, config, now)
    app = SalesdeskApp(demo_engine, replace(config, me=load_config(toml).me), lambda: now, session=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = _session(app)
        assert session.calls is not None and session.library is not None
        lead = session.library.names[session.calls.lead_ids[0]]
        await pilot.press("ctrl+t")  # folded away at 80 columns
        shown = " ".join(text_of(session.query_one("#script")).split())
    assert f"Hello {lead.name}, this is Li Lei from Acme Software." in shown
    assert f"companies like {lead.company} [what you offer" in shown, "the rep's own notes stay as written"


def test_a_placeholder_without_a_value_stays_visible(tmp_path: Path) -> None:
    parts = fill_script("This is {my_name} for {lead}.", {"lead": "Li Na"})
    assert parts == [("This is ", None), ("{my_name}", False), (" for ", None), ("Li Na", True), (".", None)]
    bad = tmp_path / "config.toml"
    bad.write_text("[me]\nname = 3\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"\[me\] name must be text"):
        load_config(bad)


async def test_palette_says_when_there_is_no_block(demo_app: SalesdeskApp, settle: Settle, notes: Notes) -> None:
    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Start call block")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, TodayScreen)
        assert "no call block is under way or ahead today" in notes.titled("No call block")[-1]


def test_block_start_without_a_block_exits_2() -> None:
    result = run_process("block", "start")
    assert result.code == 2
    assert "no call block is under way or ahead today" in result.err
    assert "salesdesk block add" in result.err
    assert "Traceback" not in result.err
    unknown = run_process("block", "start", "99")
    assert unknown.code == 2
    assert "no block #99" in unknown.err


def test_session_80x24(
    snap_compare: SnapCompare, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    start, _ = _block(demo_engine, config, now)
    app = SalesdeskApp(demo_engine, config, lambda: now, title_suffix=" (demo)", session=start)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


async def test_the_session_times_each_call_from_when_its_lead_came_up(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    """Issue 12 item 6: the session's timer runs, so a call is logged with how long its lead
    was up (the session has no Duration field to type it in)."""
    start, lead_ids = _block(demo_engine, config, now)
    before = _touch_ids(demo_engine)
    clock = Clock(now)
    app = SalesdeskApp(demo_engine, config, clock, session=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        clock.at = now + timedelta(minutes=4, seconds=30)
        await pilot.press("c", *"they use a rival", "enter", *"sent the comparison", "ctrl+s")
        await settle(pilot)
        clock.at = now + timedelta(minutes=5)
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
    with read_session(demo_engine) as session_db:
        logged = session_db.execute(select(Touch).where(Touch.id.not_in(before)).order_by(Touch.id)).scalars().all()
    assert [(t.lead_id, t.duration_s) for t in logged] == [(lead_ids[0], 270), (lead_ids[1], 30)]
