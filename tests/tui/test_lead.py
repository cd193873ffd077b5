"""The Lead screen: what it shows, and grade and coach changes written through the service."""

from __future__ import annotations

from sqlalchemy import Engine, select

from salesdesk.dates import fmt_local
from salesdesk.db import read_session
from salesdesk.models import GradeChange, Lead
from salesdesk.services import touches
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import GradeModal, LeadScreen
from salesdesk.tui.widgets import FitTable
from tests.tui.conftest import Settle, text_of


def _lead_with_history(engine: Engine) -> Lead:
    """A graded lead (not A) with several touches and an open follow-up, from the demo book."""
    with read_session(engine) as session:
        for lead in session.execute(select(Lead).where(Lead.grade.in_(["B", "C", "D"])).order_by(Lead.id)).scalars():
            assert lead.id is not None
            if len(touches.timeline(session, lead.id)) >= 3 and touches.open_followups(session, lead.id):
                return lead
    raise AssertionError("the demo book should hold a graded lead with touches and a follow-up")


async def test_lead_screen_shows_fields_history_and_timeline(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    lead = _lead_with_history(demo_engine)
    assert lead.id is not None
    with read_session(demo_engine) as session:
        timeline = touches.timeline(session, lead.id)
        followup = touches.open_followups(session, lead.id)[0]

    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, LeadScreen) and screen.detail is not None
        card = text_of(screen.query_one("#card"))
        history = text_of(screen.query_one("#history"))
        assert lead.name in card and (lead.phone or "-") in card
        first_grade = screen.detail.grades[-1]
        assert f"set {first_grade.new_grade} {fmt_local(first_grade.at, demo_app.clock())}" in history
        assert f"{followup.channel} due {fmt_local(followup.due_at, demo_app.clock())}" in history
        table = screen.query_one("#timeline", FitTable)
        assert table.row_count == len(timeline)
        assert [str(row.key.value) for row in table.ordered_rows] == [str(t.id) for t in timeline], "newest first"
        assert str(table.get_row_at(0)[0]) == fmt_local(timeline[0].at)


async def test_grade_change_is_written_and_recorded(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    lead = _lead_with_history(demo_engine)
    assert lead.id is not None and lead.grade != "A"

    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(demo_app.screen, GradeModal)
        await pilot.press("a")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, LeadScreen)
        assert f"{lead.grade}→A" in text_of(screen.query_one("#history"))

    with read_session(demo_engine) as session:
        stored = session.get(Lead, lead.id)
        assert stored is not None and stored.grade == "A"
        newest = (
            session.execute(select(GradeChange).where(GradeChange.lead_id == lead.id).order_by(GradeChange.id.desc()))
            .scalars()
            .first()
        )
        assert newest is not None and (newest.old_grade, newest.new_grade) == (lead.grade, "A")


async def test_grade_picker_escape_and_clear(demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle) -> None:
    lead = _lead_with_history(demo_engine)
    assert lead.id is not None
    with read_session(demo_engine) as session:
        before = len(list(session.execute(select(GradeChange).where(GradeChange.lead_id == lead.id)).scalars()))

    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("g", "escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadScreen)
        with read_session(demo_engine) as session:
            after_escape = session.execute(select(GradeChange).where(GradeChange.lead_id == lead.id)).scalars()
            assert len(list(after_escape)) == before
        await pilot.press("g", "minus")
        await settle(pilot)

    with read_session(demo_engine) as session:
        stored = session.get(Lead, lead.id)
        assert stored is not None and stored.grade is None


async def test_coach_toggle(demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle) -> None:
    lead = _lead_with_history(demo_engine)
    assert lead.id is not None

    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        with read_session(demo_engine) as session:
            stored = session.get(Lead, lead.id)
            assert stored is not None and stored.is_coach is not lead.is_coach
        screen = demo_app.screen
        assert isinstance(screen, LeadScreen)
        assert ("★ coach" in text_of(screen.query_one("#card"))) is not lead.is_coach


async def test_the_card_shows_the_state_its_deals_and_meetings(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    from salesdesk.models import Deal, Meeting

    with read_session(demo_engine) as session:
        lead_id, title, stage = session.execute(
            select(Deal.lead_id, Deal.title, Deal.stage).where(Deal.closed_at.is_(None)).order_by(Deal.id)
        ).first()
        meeting = session.execute(select(Meeting).where(Meeting.lead_id == lead_id)).scalars().first()
        lead = session.get_one(Lead, lead_id)
    assert lead.status == "deal", "an open deal puts its lead in the deal state"
    async with demo_app.run_test(size=(160, 50)) as pilot:
        demo_app.open_lead(lead_id)
        await settle(pilot)
        screen = demo_app.screen
        card = " ".join(text_of(screen.query_one("#card")).split())
        history = " ".join(text_of(screen.query_one("#history")).split())
    assert "Status deal (an open deal)" in card
    assert f"{title} · {stage}" in history
    if meeting is not None:
        assert f"Meetings {fmt_local(meeting.at, demo_app.clock())}" in history


async def test_a_parked_lead_says_until_when_and_r_reopens_it(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    with read_session(demo_engine) as session:
        lead = session.execute(select(Lead).where(Lead.status == "nurture").order_by(Lead.id)).scalars().first()
    assert lead is not None and lead.nurture_until is not None, "the demo parks some leads"
    async with demo_app.run_test(size=(160, 50)) as pilot:
        demo_app.open_lead(lead.id)  # type: ignore[arg-type]
        await settle(pilot)
        card = " ".join(text_of(demo_app.screen.query_one("#card")).split())
        assert f"Status nurture until {fmt_local(lead.nurture_until, demo_app.clock())}" in card
        await pilot.press("r")
        await settle(pilot)
    with read_session(demo_engine) as session:
        reopened = session.get_one(Lead, lead.id)
    assert (reopened.status, reopened.nurture_until) == ("working", None)


async def test_h_sets_when_to_call_and_a_refused_value_keeps_what_was_typed(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    """The hours, zone and private number ``lead edit`` sets, from the Lead screen: a bad zone
    is refused with the dialog reopened as typed and nothing saved; a good one is saved and shown."""
    from textual.widgets import Checkbox, Input

    from salesdesk.tui.call_hours import CallHoursModal

    with read_session(demo_engine) as session:
        # Nothing set, nothing learned yet (that takes connected calls): the card offers the key.
        query = select(Lead).where(Lead.best_time.is_(None), Lead.connect_count == 0).order_by(Lead.id)
        lead = session.execute(query).scalars().first()
        assert lead is not None and lead.id is not None and lead.timezone is None and not lead.private_phone

    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(lead.id)
        await settle(pilot)
        assert "h sets their hours" in text_of(demo_app.screen.query_one("#rules"))
        await pilot.press("h")
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, CallHoursModal)
        modal.query_one("#hours", Input).value = "周二-周四 14:00-17:00"
        modal.query_one("#zone", Input).value = "Mars/Olympus"
        modal.query_one("#private", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = demo_app.screen
        assert isinstance(again, CallHoursModal), "a refused value reopens the dialog"
        assert "Mars/Olympus" in text_of(again.query_one("#problem"))
        assert again.query_one("#hours", Input).value == "周二-周四 14:00-17:00"
        with read_session(demo_engine) as session:
            unchanged = session.get(Lead, lead.id)
            assert unchanged is not None and (unchanged.best_time, unchanged.timezone) == (None, None)
        again.query_one("#zone", Input).value = "Europe/Berlin"
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, LeadScreen)
        rules = " ".join(text_of(screen.query_one("#rules")).split())
        assert "Best time Tue–Thu 14:00–17:00 (their time)" in rules and "Europe/Berlin" in rules
        assert "h sets their hours" not in rules

    with read_session(demo_engine) as session:
        stored = session.get(Lead, lead.id)
        assert stored is not None
        saved = (stored.best_time, stored.timezone, stored.private_phone)
        assert saved == ("tue-thu 14:00-17:00", "Europe/Berlin", True)
