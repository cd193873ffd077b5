"""The Review screen ticks the plan, adds and carries items, and records the review, all
through the plan and review services; what it shows is the daily summary's."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from textual.pilot import Pilot

from salesdesk.config import Config
from salesdesk.dates import to_local
from salesdesk.db import read_session, write_session
from salesdesk.errors import Refused
from salesdesk.models import PlanItem, Problem
from salesdesk.services import pdca
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.prompts import PromptLine
from salesdesk.tui.review import ReviewScreen
from salesdesk.tui.widgets import FitTable
from tests.tui.conftest import Notes, Settle, text_of
from tests.tui.test_snapshots import SnapCompare, _after


async def _open(app: SalesdeskApp, pilot: Pilot[None], settle: Settle) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def _items(engine: Engine, day: date) -> list[PlanItem]:
    with read_session(engine) as session:
        return list(session.execute(select(PlanItem).where(PlanItem.day == day.isoformat())).scalars())


async def _type(pilot: Pilot[None], screen: ReviewScreen, selector: str, text: str) -> None:
    screen.query_one(selector, PromptLine).input.focus()
    await pilot.pause()
    await pilot.press(*text)


async def test_review_shows_the_days_summary(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    day = to_local(now).date()
    with read_session(demo_engine) as session:
        summary = pdca.day_summary(session, config, day, now)
    missed = [t for t in summary.targets.values() if t.missed]
    assert missed and summary.plan.offers, "the demo day should miss a target and have something to carry over"

    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await _open(demo_app, pilot, settle)
        plan = screen.query_one("#plan", FitTable)
        assert plan.row_count == len(summary.plan.items) + len(summary.plan.offers)
        shown = text_of(screen.query_one("#targets"))
        for t in summary.targets.values():
            attained = f"{t.attainment_pct:.0f}%"
            row = [str(t.actual), str(t.target), attained, t.source]
            assert any(line.split()[-4:] == row for line in shown.splitlines())
        prompts = [line.id for line in screen.query("#deviations PromptLine").results(PromptLine)]
        assert prompts == [f"dev-{t.name}" for t in missed]
        calls = [line.id for line in screen.query("#calls PromptLine").results(PromptLine)]
        assert calls == [f"call-{call.touch_id}" for call in summary.review.calls]


async def test_x_ticks_an_item_and_unticks_it(
    demo_app: SalesdeskApp, demo_engine: Engine, now: datetime, settle: Settle
) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await _open(demo_app, pilot, settle)
        key = screen.query_one("#plan", FitTable).highlighted_key()
        assert key is not None and key.startswith("item-")
        item_id = int(key.removeprefix("item-"))
        with read_session(demo_engine) as session:
            before = session.get(PlanItem, item_id)
            assert before is not None and before.done_at is not None, "the demo ticked its first item off"

        await pilot.press("x")
        await settle(pilot)
        with read_session(demo_engine) as session:
            item = session.get(PlanItem, item_id)
            assert item is not None and item.done_at is None
        assert "·" in str(screen.query_one("#plan", FitTable).get_row_at(0)[0])

        await pilot.press("x")
        await settle(pilot)
        with read_session(demo_engine) as session:
            item = session.get(PlanItem, item_id)
            assert item is not None and item.done_at == now


async def test_add_an_item_then_the_eighth_is_refused(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    day = to_local(now).date()
    async with demo_app.run_test(size=(80, 24), message_hook=notes.hook) as pilot:
        await _open(demo_app, pilot, settle)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"Call the tender desk", "enter", "r")
        await settle(pilot)
        added = [item for item in _items(demo_engine, day) if item.text == "Call the tender desk"]
        assert [(item.kind, item.done_at) for item in added] == [("routine", None)]

        with write_session(demo_engine) as session:
            room = pdca.MAX_ITEMS - len(_items(demo_engine, day))
            pdca.plan_day(session, config, day, now, items=[(f"filler {i}", "adhoc") for i in range(room)])
        with pytest.raises(Refused) as refused, write_session(demo_engine) as session:
            pdca.plan_day(session, config, day, now, items=[("one too many", "key")])

        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"one too many", "enter", "k")
        await settle(pilot)
        assert notes.errors() == [str(refused.value)]
        assert len(_items(demo_engine, day)) == pdca.MAX_ITEMS
        assert "one too many" not in {item.text for item in _items(demo_engine, day)}


async def test_saving_writes_the_review_as_typed(
    demo_app: SalesdeskApp, demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    day = to_local(now).date()
    async with demo_app.run_test(size=(80, 24), message_hook=notes.hook) as pilot:
        screen = await _open(demo_app, pilot, settle)
        missed = next(line for line in screen.query("#deviations PromptLine").results(PromptLine))
        first_call = next(line for line in screen.query("#calls PromptLine").results(PromptLine))
        assert missed.id is not None and first_call.id is not None
        typed = {
            "#refl-finished": "打完了所有电话",
            "#refl-unfinished": "two callbacks slipped",
            "#refl-well": "开场用了案例, it worked",
            "#refl-not_well": "talked too long",
            "#refl-did": "practised the no_time reply",
            "#refl-didnt": "没有要转介绍",
            "#problem": "客户总说发资料然后没下文",
            "#act": "先问决策人是谁",
            f"#{missed.id}": "下午会议太长 | the block was short",
            f"#{first_call.id}": "landed well; ask for the date sooner",
        }
        for selector, text in typed.items():
            await _type(pilot, screen, selector, text)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert notes.errors() == []

        with read_session(demo_engine) as session:
            review = pdca.review_view(session, day)
        for kind in pdca.REFLECTIONS:
            assert review.entries[kind] == [typed[f"#refl-{kind}"]]
        assert review.entries["act"] == [typed["#act"]]
        assert review.problem is not None and review.problem.problem.text == typed["#problem"]
        assert review.deviations == {missed.id.removeprefix("dev-"): typed[f"#{missed.id}"]}
        call = next(c for c in review.calls if f"call-{c.touch_id}" == first_call.id)
        assert call.reflection == typed[f"#{first_call.id}"]
        # What was added is shown above the emptied inputs; replaced answers stay in theirs.
        assert screen.query_one("#refl-finished", PromptLine).input.value == ""
        assert "· 打完了所有电话" in text_of(screen.query_one("#refl-finished .prompt-lines"))
        assert screen.query_one(f"#{missed.id}", PromptLine).input.value == typed[f"#{missed.id}"]


async def test_an_open_problem_is_linked_by_its_id(
    demo_app: SalesdeskApp, demo_engine: Engine, now: datetime, settle: Settle
) -> None:
    with read_session(demo_engine) as session:
        open_problem = next(v.problem for v in pdca.list_problems(session) if v.problem.solved_at is None)
        problems = len(list(session.execute(select(Problem)).scalars()))
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await _open(demo_app, pilot, settle)
        assert f"#{open_problem.id} {open_problem.text}" in text_of(screen.query_one("#problem-now"))
        await _type(pilot, screen, "#problem", f"#{open_problem.id}")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with read_session(demo_engine) as session:
        review = pdca.review_view(session, to_local(now).date())
        assert review.problem is not None and review.problem.problem.id == open_problem.id
        assert len(list(session.execute(select(Problem)).scalars())) == problems


async def test_carry_over_adds_yesterdays_unfinished_item_and_act_item(
    engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    today = to_local(now).date()
    yesterday = today - timedelta(days=1)
    with write_session(engine) as session:
        pdca.plan_day(
            session, config, yesterday, now - timedelta(days=1),
            items=[("给王总发报价单", "key"), ("Clear overdue follow-ups", "routine")],
        )  # fmt: skip
        done = pdca.resolve_item(session, "overdue", yesterday)
        pdca.set_done(session, done, now - timedelta(days=1), True)
        pdca.record_review(session, yesterday, now - timedelta(days=1), act=["Ask who signs, first"])
    with read_session(engine) as session:
        offers = pdca.carry_offers(session, today)
    assert [(o.source, o.text) for o in offers] == [("unfinished", "给王总发报价单"), ("act", "Ask who signs, first")]

    app = SalesdeskApp(engine, config, lambda: now)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, settle)
        plan = screen.query_one("#plan", FitTable)
        assert plan.highlighted_key() == f"offer-unfinished-{offers[0].item_id}"
        await pilot.press("c")
        await settle(pilot)
        # The carried item now heads the plan; the act item is still offered, below it.
        assert plan.highlighted_key() == "item-" + str(_items(engine, today)[0].id)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert plan.row_count == 2

    items = sorted(_items(engine, today), key=lambda item: item.position)
    assert [(i.text, i.kind, i.carried_from, i.act_entry_id) for i in items] == [
        ("给王总发报价单", "key", offers[0].item_id, None),
        ("Ask who signs, first", "key", None, offers[1].entry_id),
    ]


async def test_review_palette_command_opens_it(demo_app: SalesdeskApp, settle: Settle) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Review")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, ReviewScreen)


def test_review_80x24(snap_compare: SnapCompare, demo_app: SalesdeskApp, settle: Settle) -> None:
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_after(settle, lambda pilot: pilot.press("v")))


async def test_c_carries_over_from_anywhere_on_the_screen(
    demo_app: SalesdeskApp, demo_engine: Engine, now: datetime, settle: Settle
) -> None:
    """Issue 12 item 7: "N to carry over (c)" worked only with the cursor on the offer's row."""
    day = to_local(now).date()
    with read_session(demo_engine) as session:
        offers = pdca.carry_offers(session, day)
    assert offers, "the demo day offers something to carry over"
    before = len(_items(demo_engine, day))
    async with demo_app.run_test(size=(80, 24)) as pilot:
        screen = await _open(demo_app, pilot, settle)
        screen.query_one("#plan", FitTable).move_cursor(row=0)  # on an item, not the offer
        await pilot.pause()
        await pilot.press("c")
        await settle(pilot)
    items = _items(demo_engine, day)
    assert len(items) == before + 1
    assert offers[0].text in {item.text for item in items}


async def test_a_reflection_line_can_be_deleted(
    demo_app: SalesdeskApp, demo_engine: Engine, now: datetime, settle: Settle, notes: Notes
) -> None:
    day = to_local(now).date()
    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        screen = await _open(demo_app, pilot, settle)
        await _type(pilot, screen, "#refl-well", "opened with the case study")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _type(pilot, screen, "#refl-well", "typo line")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with read_session(demo_engine) as session:
            assert pdca.review_view(session, day).entries["well"][-2:] == ["opened with the case study", "typo line"]
        await pilot.press("ctrl+u", "ctrl+r")  # the input emptied, then the newest line deleted
        await settle(pilot)
        assert notes.titled("Line deleted") == ["typo line"]
        assert "typo line" not in text_of(screen.query_one("#refl-well .prompt-lines"))
    with read_session(demo_engine) as session:
        assert pdca.review_view(session, day).entries["well"][-1] == "opened with the case study"


async def test_a_pasted_paragraph_is_kept_whole(demo_app: SalesdeskApp, settle: Settle, notes: Notes) -> None:
    """Textual's Input keeps a paste's first line only; the review keeps every line, and says so."""
    from textual import events

    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        screen = await _open(demo_app, pilot, settle)
        prompt = screen.query_one("#refl-did", PromptLine)
        prompt.input.focus()
        await pilot.pause()
        prompt.input.post_message(events.Paste("called 12 leads\nbooked 2 meetings\n"))
        await settle(pilot)
        assert prompt.input.value == "called 12 leads / booked 2 meetings"
        assert any("2 pasted lines" in n.message for n in notes.seen)


async def test_the_add_item_dialog_shows_how_it_saves(demo_app: SalesdeskApp, settle: Settle) -> None:
    from salesdesk.tui.add_item import AddItemModal

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await _open(demo_app, pilot, settle)
        await pilot.press("a")
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, AddItemModal)
        assert "k, r or a: added to that group" in text_of(modal.query_one("#hint"))
        assert modal.active_bindings["ctrl+s"].binding.show, "the footer names the save key"
