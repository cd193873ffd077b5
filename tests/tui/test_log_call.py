"""Logging a call from the keyboard: what is written, what is refused, what is kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from salesdesk.config import Config, Me
from salesdesk.dates import parse_when
from salesdesk.db import read_session
from salesdesk.models import FollowUp, Lead, Meeting, Touch
from salesdesk.services import leads
from salesdesk.tui.app import SalesdeskApp
from salesdesk.tui.lead import LeadScreen
from salesdesk.tui.leads import LeadsScreen
from salesdesk.tui.log_call import LogCallModal
from salesdesk.tui.widgets import FitTable
from tests.tui.conftest import Notes, Settle, text_of


def _count(engine: Engine, table: type[Touch] | type[FollowUp]) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def _newest_touch(engine: Engine) -> Touch:
    with read_session(engine) as session:
        touch = session.execute(select(Touch).order_by(Touch.id.desc()).limit(1)).scalars().first()
    assert touch is not None
    return touch


def _unique_part_of_a_name(engine: Engine) -> tuple[Lead, str]:
    """A lead, and a piece of its (ASCII) name that finds only that lead."""
    with read_session(engine) as session:
        for lead in session.execute(select(Lead).order_by(Lead.id)).scalars():
            part = lead.name[1:-1]
            if lead.name.isascii() and leads.count_leads(session, search=part) == 1:
                return lead, part
    raise AssertionError("the demo book should hold a lead findable by part of its name")


def _lead_screen(app: SalesdeskApp) -> LeadScreen:
    screen = app.screen
    assert isinstance(screen, LeadScreen)
    return screen


async def test_search_open_and_log_a_call(
    demo_app: SalesdeskApp, demo_engine: Engine, now: datetime, settle: Settle
) -> None:
    lead, part = _unique_part_of_a_name(demo_engine)
    touches_before = _count(demo_engine, Touch)

    async with demo_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("slash", *part, "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert _lead_screen(demo_app).lead_id == lead.id

        await pilot.press("c")
        await settle(pilot)
        assert isinstance(demo_app.screen, LogCallModal)
        await pilot.press("m")  # meeting booked; focus moves to the note
        await pilot.press(*"at their office", "enter")
        await pilot.press(*"sent the case study", "enter")
        await pilot.press(*"4m30s", "enter")
        assert demo_app.screen.query_one("#next").border_title == "Meeting at"
        await pilot.press(*"Tue 10am")
        await pilot.press("ctrl+s")
        await settle(pilot)

        screen = _lead_screen(demo_app)
        timeline = screen.query_one("#timeline", FitTable)
        first_row = [str(cell) for cell in timeline.get_row_at(0)]

    assert _count(demo_engine, Touch) == touches_before + 1
    touch = _newest_touch(demo_engine)
    assert touch.lead_id == lead.id
    assert (touch.channel, touch.outcome, touch.connected) == ("call", "meeting_booked", True)
    assert (touch.note, touch.benefit, touch.duration_s) == ("at their office", "sent the case study", 270)
    assert touch.at == now
    assert first_row[1:6] == ["call", "Meeting booked", "4m30s", "at their office", "sent the case study"]
    with read_session(demo_engine) as session:
        meeting = session.execute(select(Meeting).where(Meeting.touch_id == touch.id)).scalar_one()
    assert (meeting.lead_id, meeting.status, meeting.at) == (
        lead.id,
        "booked",
        parse_when("Tue 10am", now, prefer="future"),
    )


async def test_a_meeting_without_its_time_is_refused_on_the_meeting_field(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle, notes: Notes
) -> None:
    _lead, part = _unique_part_of_a_name(demo_engine)
    touches_before = _count(demo_engine, Touch)
    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("slash", *part, "enter")
        await settle(pilot)
        await pilot.press("enter", "c")
        await settle(pilot)
        await pilot.press("m", *"wants a demo", "enter", *"case study", "ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, LogCallModal), "the dialog stays, with what was typed"
        assert demo_app.screen.focused is not None and demo_app.screen.focused.id == "next"
        assert any("needs the meeting's time" in error for error in notes.errors())
    assert _count(demo_engine, Touch) == touches_before


async def test_callback_without_next_is_refused_and_kept(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle, notes: Notes
) -> None:
    app = SalesdeskApp(demo_engine, config, lambda: now)
    touches_before, followups_before = _count(demo_engine, Touch), _count(demo_engine, FollowUp)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        app.open_lead(1)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("k", *"wants a call later", "ctrl+s")
        await settle(pilot)

        assert _count(demo_engine, Touch) == touches_before
        assert _count(demo_engine, FollowUp) == followups_before
        assert notes.errors() and "needs the time of the next call" in notes.errors()[-1]
        modal = app.screen
        assert isinstance(modal, LogCallModal), "the dialog comes back with what was typed"
        assert modal.query_one("#note").value == "wants a call later"
        assert modal.query_one("#next").has_focus, "the cursor waits where the fix goes"

        await pilot.press(*"tomorrow 10am", "enter")
        await settle(pilot)
        # A callback is a connected call, and the default rules want a benefit offered on it.
        assert _count(demo_engine, Touch) == touches_before
        modal = app.screen
        assert isinstance(modal, LogCallModal)
        assert "benefit" in notes.errors()[-1]
        assert modal.query_one("#next").value == "tomorrow 10am"
        assert modal.query_one("#benefit").has_focus

        await pilot.press(*"sent the price benchmark", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        logged = notes.titled("Call logged")
        assert logged and "Next call: Tue 24 Nov 10:00" in logged[-1]

    assert _count(demo_engine, Touch) == touches_before + 1
    touch = _newest_touch(demo_engine)
    assert (touch.outcome, touch.note, touch.benefit) == ("callback", "wants a call later", "sent the price benchmark")
    with read_session(demo_engine) as session:
        followup = session.execute(select(FollowUp).order_by(FollowUp.id.desc()).limit(1)).scalars().first()
    assert followup is not None and followup.source_touch_id == touch.id
    # Tomorrow at 10:00 local (Asia/Shanghai) is 02:00 UTC.
    assert followup.due_at == (now + timedelta(days=1)).replace(hour=10, minute=0)


async def test_escape_cancels_without_writing(demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle) -> None:
    touches_before = _count(demo_engine, Touch)
    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(1)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("m", *"a note", "escape")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadScreen)
    assert _count(demo_engine, Touch) == touches_before


async def test_bad_duration_keeps_the_dialog_open(demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle) -> None:
    touches_before = _count(demo_engine, Touch)
    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(1)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("ctrl+s")  # no outcome yet
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, LogCallModal)
        assert modal.query_one("#outcomes").has_focus
        await pilot.press("n", "tab", "tab", *"forever", "ctrl+s")
        await settle(pilot)
        assert demo_app.screen is modal
        assert modal.query_one("#duration").has_focus
    assert _count(demo_engine, Touch) == touches_before


async def test_log_a_call_from_the_leads_list(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle, notes: Notes
) -> None:
    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        await pilot.press("l")
        await settle(pilot)
        leads_screen = demo_app.screen
        assert isinstance(leads_screen, LeadsScreen)
        await pilot.press("down", "down")
        await settle(pilot)
        highlighted = leads_screen.query_one("#leads-table", FitTable).highlighted_key()
        assert highlighted is not None
        await pilot.press("c", "n", "ctrl+s")
        await settle(pilot)
        assert demo_app.screen is leads_screen
        touch = _newest_touch(demo_engine)
        assert (touch.lead_id, touch.outcome, touch.connected) == (int(highlighted), "no_answer", False)
        page = leads_screen.page
        assert page is not None
        shown = next(view for view in page.rows if view.lead.id == touch.lead_id)
        assert shown.last_touch_at == touch.at, "the list is re-read after the call"
        logged = notes.titled("Call logged")
        assert logged and "Didn't get through: follow up by" in logged[-1], "the rep hears of the fallbacks opened"


async def test_letters_typed_right_after_the_outcome_key_go_to_the_note(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle
) -> None:
    """A fast typist's burst: Textual queues keys on the widget focused when they arrive, so
    without care "m" then "bc" would re-pick Busy, then Connected, instead of writing a note."""
    from textual import events
    from textual.widgets import Input

    async with demo_app.run_test(size=(80, 24)) as pilot:
        demo_app.open_lead(1)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        for key in "mbcd":  # posted at once, with no pause for the app to move focus
            demo_app.post_message(events.Key(key, key))
        await settle(pilot)
        modal = demo_app.screen
        assert isinstance(modal, LogCallModal)
        assert modal.query_one("#note", Input).value == "bcd"
        assert modal.query_one("#outcomes").border_subtitle == "Meeting booked"


async def test_a_next_call_before_this_one_is_refused_on_the_next_field(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle, notes: Notes
) -> None:
    """Issue 12 item 1: the rules' refusal names the field ('next'); the correction must land
    there, not in the note, and nothing typed may be selected (a keystroke would replace it)."""
    from textual.widgets import Input

    touches_before = _count(demo_engine, Touch)
    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        demo_app.open_lead(1)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        # Now is 15:00; "today 9am" parses but is earlier than the call being logged.
        await pilot.press("k", *"call me back", "enter", *"sent the benchmark", "enter", "enter", *"today 9am")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _count(demo_engine, Touch) == touches_before
        assert notes.errors() and "later than this one" in notes.errors()[-1]
        modal = demo_app.screen
        assert isinstance(modal, LogCallModal)
        field = modal.query_one("#next", Input)
        assert field.has_focus, "the cursor waits on the field at fault"
        assert field.selected_text == "", "nothing is selected, so typing adds rather than replaces"
        await pilot.press("ctrl+u", *"tomorrow 10am", "ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadScreen)
    assert _count(demo_engine, Touch) == touches_before + 1
    assert _newest_touch(demo_engine).note == "call me back"


async def test_a_touch_refused_for_want_of_a_benefit_waits_on_the_benefit_field(
    demo_app: SalesdeskApp, demo_engine: Engine, settle: Settle, notes: Notes
) -> None:
    """Issue 12 item 1, from the lead card: after the refusal the cursor is on Benefit with
    nothing selected, and the note typed before is kept whole."""
    from textual.widgets import Input

    from salesdesk.tui.log_touch import LogTouchModal

    touches_before = _count(demo_engine, Touch)
    async with demo_app.run_test(size=(80, 24), notifications=True, message_hook=notes.hook) as pilot:
        demo_app.open_lead(1)
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("w", *"added them", "ctrl+s")  # WeChat (the config in tests), no benefit offered
        await settle(pilot)
        assert _count(demo_engine, Touch) == touches_before
        modal = demo_app.screen
        assert isinstance(modal, LogTouchModal)
        benefit = modal.query_one("#benefit", Input)
        assert benefit.has_focus, "the cursor waits on the field at fault"
        assert benefit.selected_text == ""
        await pilot.press("shift+tab", *" on wechat")  # back to the note: typing adds to it
        note = modal.query_one("#note", Input)
        assert note.value == "added them on wechat", "a keystroke never replaces what was typed"
        await pilot.press("tab", *"sent the case study", "ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, LeadScreen)
    touch = _newest_touch(demo_engine)
    assert (touch.channel, touch.note, touch.benefit) == ("wechat", "added them on wechat", "sent the case study")


async def test_a_voicemail_in_the_log_call_dialog_shows_the_message_to_leave(
    demo_engine: Engine, config: Config, now: datetime, settle: Settle
) -> None:
    lead, part = _unique_part_of_a_name(demo_engine)
    me = Me(name="Li Lei", company="Acme Software", language="en")
    app = SalesdeskApp(demo_engine, replace(config, me=me), lambda: now)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("slash", *part, "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, LogCallModal)
        assert not modal.query_one("#voicemail").display, "no message before an outcome is picked"
        await pilot.press("n")  # no answer: nothing to leave
        await settle(pilot)
        assert not modal.query_one("#voicemail").display
        modal.query_one("#outcomes").focus()
        await pilot.press("v")
        await settle(pilot)
        assert modal.query_one("#voicemail").display
        message = " ".join(text_of(modal.query_one("#voicemail-text")).split())
        assert f"Hello {lead.name}, this is Li Lei from Acme Software." in message
        assert "{my_name}" not in message
