"""The call session: a block's call list worked through one lead at a time, at keyboard speed.

A call is checked on the spot (an outcome, a next step where the outcome wants one, the
benefit rule), then written in a thread while the next lead is already on screen; the
progress line moves when the write lands. If the service still refuses it, the session
goes back to that lead with everything typed kept, and the lead the rep had moved on to
keeps its own typing for when they return.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar, Literal

from rich.text import Text
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static

from salesdesk.config import Config
from salesdesk.dates import parse_when
from salesdesk.db import write_session
from salesdesk.errors import InvalidInput, SalesdeskError
from salesdesk.lifecycle import BenefitMissing
from salesdesk.services import objections, touches
from salesdesk.services.blocks import span_text
from salesdesk.services.objections import ObjectionView
from salesdesk.services.touches import Logged
from salesdesk.tui import session_data, session_view
from salesdesk.tui.log_call import (
    VOICEMAIL,
    Clock,
    LogCallResult,
    missing_next,
    next_field,
    next_needed,
    record_call,
)
from salesdesk.tui.objection_search import ObjectionSearch, mark_text
from salesdesk.tui.session_data import CallList, LeadCard, LeadName, Library, Progress, SessionStart, script_values
from salesdesk.tui.session_summary import BlockResult, BlockResultModal
from salesdesk.tui.widgets import HotkeyList, as_plain

# The timer moves every second; a tick only redraws one line.
TIMER_S = 1
# Leads listed under the outcomes, after the one being called.
UP_NEXT = 4

LeadState = Literal["todo", "saving", "done", "skipped"]
Pane = Literal["card", "script", "objections"]


class SessionScreen(Screen[None]):
    """One block occurrence's call list, a lead at a time: card, script, objections, outcome."""

    DEFAULT_CSS = """
    SessionScreen #top { height: 2; padding: 0 1; background: $panel; }
    SessionScreen #heading-row { height: 1; }
    SessionScreen #heading { width: 1fr; }
    SessionScreen #timer { width: auto; }
    SessionScreen #progress { height: 1; }
    SessionScreen #unavailable { padding: 1 2; display: none; }
    SessionScreen.-unavailable #unavailable { display: block; }
    SessionScreen.-unavailable #body { display: none; }
    SessionScreen #left { width: 26; }
    SessionScreen #outcomes { height: auto; max-height: 16; border: round $secondary; }
    SessionScreen #outcomes:focus { border: round $accent; }
    SessionScreen #up-next { padding: 0 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    SessionScreen #main { width: 1fr; }
    SessionScreen #form { dock: bottom; height: auto; border: round $secondary; padding: 0 1; }
    SessionScreen #form:focus-within { border: round $accent; }
    SessionScreen .field { height: 1; }
    SessionScreen .field > Label { width: 10; color: $text-muted; }
    SessionScreen .field > Input { width: 1fr; }
    SessionScreen .field > #objection-mark { width: 1fr; }
    SessionScreen #info { height: 1fr; }
    SessionScreen #card { width: 1fr; padding: 0 1; }
    SessionScreen #aside { width: 1fr; padding: 0 1; }
    SessionScreen #script { height: auto; margin-bottom: 1; }
    SessionScreen.-wide #aside { border-left: vkey $secondary; }
    SessionScreen.-narrow #aside { display: none; }
    SessionScreen.-narrow.-pane-script #aside, SessionScreen.-narrow.-pane-objections #aside { display: block; }
    SessionScreen.-narrow.-pane-script #card, SessionScreen.-narrow.-pane-objections #card { display: none; }
    SessionScreen.-narrow.-pane-script #objections { display: none; }
    SessionScreen.-narrow.-pane-objections #script { display: none; }
    """

    # Textual declares this an instance attribute, so a ClassVar here is a type error.
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012

    # Priority bindings run as each key arrives, before the keys behind it are routed: a rep
    # typing "note, Enter, benefit, Enter" in one burst gets each part in its own field, and
    # the outcome key typed right after a save picks for the next lead.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="log the call and move to the next lead", priority=True),
        Binding(
            "ctrl+o",
            "objections",
            "Objection",
            tooltip="find the objection that came up and its replies",
            priority=True,
        ),
        Binding("ctrl+t", "script", "Script", tooltip="show the call script, or the lead's card again", priority=True),
        Binding("ctrl+n", "skip", "Skip", tooltip="move on without logging a call", priority=True),
        Binding("escape", "end", "End block", tooltip="see the block's result; finish or go back to calling"),
        Binding("enter", "field_enter", "Next field", show=False, priority=True),
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    FIELDS = ("note", "benefit", "next")

    AUTO_FOCUS = "#outcomes"

    def __init__(self, engine: Engine, config: Config, clock: Clock, start: SessionStart) -> None:
        super().__init__()
        self.engine = engine
        self.config = config
        self.clock = clock
        self.start = start
        self.opened_at = clock()
        self.calls: CallList | None = None
        self.library: Library | None = None
        self.progress: Progress | None = None
        self.states: dict[int, LeadState] = {}
        self.current: int | None = None  # index in the call list; None once it has run out
        self.drafts: dict[int, LogCallResult] = {}  # what was typed for a lead the rep left
        # When each lead was first shown: the call's duration, as the session has no field for it.
        self.shown_at: dict[int, datetime] = {}
        self.pending = 0  # writes not landed yet
        self._outcome: str | None = None
        self._objection: tuple[str | None, int | None] = (None, None)
        self._pane: Pane = "card"
        self._return_focus: Widget | None = None
        self._finish_heading: str | None = None  # set when the result is wanted once writes land
        self._time_up_told = False
        self._progress_asked = 0
        self._progress_shown = 0

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="top"):
            with Horizontal(id="heading-row"):
                yield Static("opening the block…", id="heading")
                yield Static("", id="timer")
            yield Static("", id="progress")
        yield Static("", id="unavailable", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield HotkeyList([(o.key, o.name, o.label) for o in self.config.outcomes.values()], id="outcomes")
                yield Static("", id="up-next")
            with Vertical(id="main"):
                # Docked under the card; the objection search stays out of the Tab order until
                # Ctrl+O, so an outcome key moves focus straight on to the note.
                with Vertical(id="form"):
                    yield self._field("note", "Note", "what was said")
                    yield self._field("benefit", "Benefit", "the value you gave them")
                    yield self._field("next", "Next call", "tomorrow 10am, tue 14:00, in 3 days")
                    with Horizontal(classes="field"):
                        yield Label("Objection")
                        yield Static("none · ctrl+o to mark one", id="objection-mark", markup=False)
                with Horizontal(id="info"):
                    yield Static("", id="card")
                    with Vertical(id="aside"):
                        yield Static("", id="script")
                        yield ObjectionSearch(id="objections")
        yield Footer()

    @staticmethod
    def _field(name: str, title: str, placeholder: str) -> Horizontal:
        return Horizontal(
            Label(title), Input(placeholder=placeholder, compact=True, id=name, select_on_focus=False), classes="field"
        )

    def on_mount(self) -> None:
        self.sub_title = "Call session"
        self.query_one("#outcomes", HotkeyList).border_title = "Outcome"
        self.set_interval(TIMER_S, self._tick)
        self._open(self.clock())

    def on_resize(self) -> None:
        # Ctrl+T is offered only where the script is folded away (narrow screens).
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "skip", "objections"):
            return self.current is not None
        if action == "field_enter":
            # Elsewhere Enter keeps its own meaning (pick an outcome, pick a reply).
            return self.focused is not None and self.focused.id in self.FIELDS
        if action == "script":
            # Wide, the script is always on screen.
            return self.calls is not None and self.has_class("-narrow")
        return True

    # --- opening -----------------------------------------------------------------------------

    @work(thread=True, group="session-open")
    def _open(self, now: datetime) -> None:
        try:
            calls = session_data.open_list(self.engine, self.config, now, self.start)
            library = session_data.read_library(self.engine, self.config, calls.lead_ids)
            progress = session_data.read_progress(self.engine, calls.lead_ids, *self._span(calls, now))
        except SalesdeskError as exc:
            self.app.call_from_thread(self._unavailable, str(exc))
            return
        self.app.call_from_thread(self._opened, calls, library, progress)

    def _span(self, calls: CallList, now: datetime) -> tuple[datetime, datetime]:
        return session_data.span(calls.occurrence, self.opened_at, now)

    def _unavailable(self, message: str) -> None:
        self.query_one("#heading", Static).update("No call session")
        self.query_one("#unavailable", Static).update(f"{message}\n\nPress Esc to go back.")
        self.add_class("-unavailable")
        self.refresh_bindings()

    def _opened(self, calls: CallList, library: Library, progress: Progress) -> None:
        self.calls = calls
        self.library = library
        self.progress = progress
        # A lead already called in this block's time (a session reopened mid-block) is done.
        self.states = {lead_id: "done" if lead_id in progress.called else "todo" for lead_id in calls.lead_ids}
        self.query_one("#heading", Static).update(session_view.heading_text(calls.occurrence, self.clock()))
        self.query_one("#objections", ObjectionSearch).show_library(library.objections)
        if calls.filled_now:
            self.notify(calls.filled_now, title="Call list planned", markup=False)
        self._advance(from_index=-1)
        self._tick()

    # --- moving through the list -------------------------------------------------------------

    def _lead_ids(self) -> list[int]:
        return self.calls.lead_ids if self.calls is not None else []

    def _lead_name(self, lead_id: int) -> LeadName:
        assert self.library is not None
        return self.library.names.get(lead_id, LeadName(f"lead #{lead_id}", None))

    def _advance(self, from_index: int) -> None:
        """Show the first lead still to call after ``from_index``, else before it, else end the list."""
        ids = self._lead_ids()
        order = ((from_index + step) % len(ids) for step in range(1, len(ids) + 1))
        nxt = next((i for i in order if self.states[ids[i]] == "todo"), None)
        if nxt is None:
            self._list_done()
        else:
            self._show_lead(nxt)

    def _show_lead(self, index: int, *, error_field: str | None = None) -> None:
        self.current = index
        lead_id = self._lead_ids()[index]
        draft = self.drafts.pop(lead_id, None) or LogCallResult(outcome="")
        self.shown_at.setdefault(lead_id, self.clock())
        self._outcome = draft.outcome or None
        self._objection = (draft.objection, draft.reply)
        outcomes = self.query_one("#outcomes", HotkeyList)
        outcomes.highlighted = 0
        if self._outcome is not None:
            outcomes.select_value(self._outcome)
        for name, value in (("note", draft.note), ("benefit", draft.benefit), ("next", draft.next_text)):
            self.query_one(f"#{name}", Input).value = value
        self._show_outcome()
        self._show_objection()
        self.query_one("#card", Static).update(Text("loading…"))
        self._set_pane("card")
        self._show_lead_lines()
        self.query_one("#form").disabled = False
        outcomes.disabled = False
        self.set_focus(self.query_one(error_field or "#outcomes"))
        self.query_one("#objections", ObjectionSearch).leave()
        self._load_card(lead_id, self.clock())
        self.refresh_bindings()

    def _show_lead_lines(self) -> None:
        """The form's title, the script for this lead, the leads up next and the progress line."""
        ids = self._lead_ids()
        form = self.query_one("#form")
        if self.current is None:
            form.border_title = "End of the list"
            self.query_one("#up-next", Static).update("")
        else:
            lead_id = ids[self.current]
            name = self._lead_name(lead_id)
            form.border_title = f"Lead {self.current + 1} of {len(ids)} · {name.label}"
            self._show_script()
            later = [ids[i] for i in range(self.current + 1, len(ids)) if self.states[ids[i]] == "todo"]
            lines = (
                ["Up next", *(f"· {self._lead_name(i).label}" for i in later[:UP_NEXT])]
                if later
                else ["Last on the list"]
            )
            if len(later) > UP_NEXT:
                lines.append(f"  +{len(later) - UP_NEXT} more")
            self.query_one("#up-next", Static).update(Text("\n".join(lines)))
        self._show_progress()

    def _show_script(self) -> None:
        """The call script for the lead up; on a voicemail outcome, the messages to leave."""
        if self.library is None or self.current is None:
            return
        values = script_values(self.library.me, self._lead_name(self._lead_ids()[self.current]))
        steps = self.library.voicemail if self._outcome == VOICEMAIL and self.library.voicemail else self.library.script
        self.query_one("#script", Static).update(session_view.script_text(steps, values, self.library.me_hint))

    def _list_done(self) -> None:
        self.current = None
        self._set_pane("card")
        self.query_one("#card", Static).update(
            Text("That was the last lead on the list." + (" Saving the last calls…" if self.pending else ""))
        )
        self.query_one("#form").disabled = True
        self.query_one("#outcomes", HotkeyList).disabled = True
        self._show_lead_lines()
        self.refresh_bindings()
        self._ask_finish("End of the list")

    @work(thread=True, exclusive=True, group="session-card")
    def _load_card(self, lead_id: int, now: datetime) -> None:
        try:
            found = session_data.read_card(self.engine, self.config, lead_id, now)
        except SalesdeskError as exc:
            self.app.call_from_thread(self._card_missing, lead_id, str(exc))
            return
        self.app.call_from_thread(self._card_loaded, lead_id, found)

    def _current_lead(self) -> int | None:
        return None if self.current is None else self._lead_ids()[self.current]

    def _card_loaded(self, lead_id: int, found: LeadCard) -> None:
        if lead_id == self._current_lead():
            self.query_one("#card", Static).update(session_view.card(self.config, found, self.clock()))

    def _card_missing(self, lead_id: int, message: str) -> None:
        if lead_id == self._current_lead():
            self.query_one("#card", Static).update(Text(f"{message}\nCtrl+N skips it."))

    def action_skip(self) -> None:
        lead_id = self._current_lead()
        if lead_id is None or self.current is None:
            return
        self.states[lead_id] = "skipped"
        self.drafts.pop(lead_id, None)
        self.notify(f"Skipped {self._lead_name(lead_id).label}", markup=False, timeout=2)
        self._advance(self.current)

    # --- the call being logged ---------------------------------------------------------------

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    @on(HotkeyList.Picked, "#outcomes")
    def _picked(self, event: HotkeyList.Picked) -> None:
        self._outcome = event.value
        self._show_outcome()
        if self.query_one("#outcomes").has_focus:  # picked with Enter: the key path moved on already
            self.query_one("#note", Input).focus()

    def _show_outcome(self) -> None:
        """The picked outcome under the list, and which fields it asks for."""
        outcome = self.config.outcomes.get(self._outcome or "")
        self.query_one("#outcomes", HotkeyList).border_subtitle = as_plain(outcome.label) if outcome else ""
        benefit_needed = outcome is not None and self._benefit_needed(outcome.name)
        self.query_one("#benefit", Input).placeholder = (
            "needed: the information or resource you offered" if benefit_needed else "the value you gave them"
        )
        field = self.query_one("#next", Input)
        title, field.placeholder = next_field(outcome)
        field.parent.query_one(Label).update(title)  # type: ignore[union-attr]  # #next is always in its titled row
        self._show_script()
        if self._outcome == VOICEMAIL and self._pane == "card":
            self._set_pane("script")  # METHOD.md §2: the message to leave, while the line is open

    def _benefit_needed(self, outcome: str) -> bool:
        found = self.config.outcome(outcome)
        try:
            touches.check_call_benefit(self.config, found, None)
        except BenefitMissing:
            return True
        return False

    def action_field_enter(self) -> None:
        """Enter moves from the note to the benefit to the next call, and saves from there."""
        if self.focused is not None and self.focused.id == "next":
            self.action_save()
        else:
            self.focus_next()

    def _draft(self) -> LogCallResult:
        """What is typed for the current lead, as it stands (nothing parsed)."""
        key, reply = self._objection
        return LogCallResult(
            outcome=self._outcome or "",
            note=self._value("note"),
            benefit=self._value("benefit"),
            next_text=self._value("next").strip(),
            objection=key,
            reply=reply,
        )

    def _duration_s(self, now: datetime) -> int | None:
        """Seconds since this lead came up: the dial, the ring and the talk, timed by the session
        (issue 12: the timer ran, yet calls were logged with no duration). Capped at the block's
        length, so a lead left on screen over lunch doesn't log a three-hour call."""
        lead_id = self._current_lead()
        since = self.shown_at.get(lead_id) if lead_id is not None else None
        if since is None or self.calls is None:
            return None
        seconds = int((now - since).total_seconds())
        return max(0, min(seconds, self.calls.occurrence.block.minutes * 60))

    def _checked(self, now: datetime) -> LogCallResult:
        """The call ready to write, or an InvalidInput (BenefitMissing for the benefit rule)
        naming the field to fix (``field``)."""
        if self._outcome is None:
            raise InvalidInput("pick an outcome first: press its key in the list", field="outcomes")
        draft = self._draft()
        outcome = self.config.outcome(self._outcome)
        try:
            next_at = parse_when(draft.next_text, now, prefer="future") if draft.next_text else None
        except InvalidInput as exc:
            raise InvalidInput(str(exc), field="next") from None
        if next_needed(outcome) and next_at is None:
            raise InvalidInput(missing_next(outcome), field="next")
        benefit = draft.benefit.strip() or None
        touches.check_call_benefit(self.config, outcome, benefit)
        return LogCallResult(
            outcome=draft.outcome,
            note=draft.note,
            benefit=draft.benefit,
            next_text=draft.next_text,
            next_at=next_at,
            duration_s=self._duration_s(now),
            objection=draft.objection,
            reply=draft.reply,
        )

    def action_save(self) -> None:
        lead_id = self._current_lead()
        if lead_id is None or self.current is None:
            return
        now = self.clock()
        try:
            call = self._checked(now)
        except (InvalidInput, BenefitMissing) as exc:
            self.notify(str(exc), title="Not logged yet", severity="error", markup=False)
            self.query_one(f"#{exc.field or 'note'}").focus()
            return
        self.states[lead_id] = "saving"
        self.pending += 1
        self._write(lead_id, call, now)
        self._advance(self.current)

    @work(thread=True, group="session-write")
    def _write(self, lead_id: int, call: LogCallResult, now: datetime) -> None:
        try:
            logged = record_call(self.engine, self.config, lead_id, now, call)
        except SalesdeskError as exc:
            self.app.call_from_thread(self._refused, lead_id, call, str(exc), exc.field)
            return
        except OperationalError as exc:  # locked past the busy timeout, disk full: nothing was written
            self.app.call_from_thread(self._refused, lead_id, call, f"database error: {exc.orig}", None)
            return
        self.app.call_from_thread(self._landed, lead_id, logged)

    def _landed(self, lead_id: int, logged: Logged) -> None:
        self.pending -= 1
        self.states[lead_id] = "done"
        # Said on the form's edge rather than in a toast, which would cover the next lead's card.
        self.query_one("#form").border_subtitle = as_plain(
            session_view.logged_line(self.config, logged, self._lead_name(lead_id).name, self.clock())
        )
        for warning in logged.warnings:
            self.notify(warning, severity="warning", markup=False)
        self._reload_progress()

    def _refused(self, lead_id: int, call: LogCallResult, message: str, field: str | None) -> None:
        """Back to the refused lead with its call as typed; the lead left keeps its own typing."""
        self.pending -= 1
        self.states[lead_id] = "todo"
        self._finish_heading = None
        left = self._current_lead()
        if left is not None and left != lead_id:
            self.drafts[left] = self._draft()
        self.drafts[lead_id] = call
        self.notify(message, title="Call not logged", severity="error", markup=False)
        focus = {"next": "#next", "benefit": "#benefit"}.get(field or "", "#note")
        self._show_lead(self._lead_ids().index(lead_id), error_field=focus)

    # --- objections and the script -------------------------------------------------------------

    def _set_pane(self, pane: Pane) -> None:
        self._pane = pane
        for name in ("script", "objections"):
            self.set_class(pane == name, f"-pane-{name}")

    def action_script(self) -> None:
        self._set_pane("card" if self._pane == "script" else "script")

    def action_objections(self) -> None:
        if not isinstance(self.focused, Input) or self.focused.id != "objection-query":
            self._return_focus = self.focused
        self._set_pane("objections")
        self.query_one("#objections", ObjectionSearch).focus_query()

    def _focus_back(self) -> None:
        back = self._return_focus
        self._return_focus = None
        if back is None or not back.is_attached or back.disabled:
            back = self.query_one("#outcomes") if self._outcome is None else self.query_one("#note")
        self.set_focus(back)
        self.query_one("#objections", ObjectionSearch).leave()

    @on(ObjectionSearch.Picked)
    def _objection_picked(self, event: ObjectionSearch.Picked) -> None:
        self._objection = (event.key, event.reply)
        self._show_objection()
        self._focus_back()

    @on(ObjectionSearch.AddRequested)
    def _objection_add(self, event: ObjectionSearch.AddRequested) -> None:
        self._add_objection(event.text)

    @work(thread=True, group="write")
    def _add_objection(self, text: str) -> None:
        language = self.config.me.language
        try:
            with write_session(self.engine) as session:
                added = objections.add_typed(session, text, language)
                library = objections.list_objections(session, language)
        except SalesdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Not added", severity="error", markup=False)
            return
        self.app.call_from_thread(self._objection_added, added.objection.key, library)

    def _objection_added(self, key: str, library: list[ObjectionView]) -> None:
        if self.library is not None:
            self.library = replace(self.library, objections=library)
        self.query_one("#objections", ObjectionSearch).show_library(library)
        self.notify(
            f"Added objection {key} and marked it for this call. Add your reply: "
            f"salesdesk objection edit {key} --add-reply TEXT",
            title="Objection added",
            markup=False,
        )
        self._objection = (key, None)
        self._show_objection()
        self._focus_back()

    @on(ObjectionSearch.Closed)
    def _objection_closed(self) -> None:
        self._set_pane("card")
        self._focus_back()

    def _show_objection(self) -> None:
        key, reply = self._objection
        search = self.query_one("#objections", ObjectionSearch)
        search.clear_query()
        search.mark(key, reply)
        mark = mark_text(key, reply) if key else "none · ctrl+o to mark one"
        self.query_one("#objection-mark", Static).update(mark)

    # --- time, progress and the result -----------------------------------------------------------

    def _tick(self) -> None:
        if self.calls is None:
            return
        now = self.clock()
        occurrence = self.calls.occurrence
        self.query_one("#timer", Static).update(session_view.timer_text(occurrence, now))
        if now >= occurrence.end and not self._time_up_told:
            # Time up only asks: the rep may finish the call in hand, or the list.
            self._time_up_told = True
            self._ask_finish("Time's up")

    def _show_progress(self) -> None:
        if self.calls is None or self.progress is None:
            return
        block = self.calls.occurrence.block
        place = "" if self.current is None else f"lead {self.current + 1} of {len(self._lead_ids())}"
        self.query_one("#progress", Static).update(
            session_view.progress_text(
                self.progress.meetings, self.progress.dials, block.goal_meetings, block.goal_dials, place
            )
        )

    def _reload_progress(self) -> None:
        assert self.calls is not None
        self._progress_asked += 1
        self._read_progress(self._progress_asked, self.calls, self.clock())

    @work(thread=True, group="session-progress")
    def _read_progress(self, asked: int, calls: CallList, now: datetime) -> None:
        progress = session_data.read_progress(self.engine, calls.lead_ids, *self._span(calls, now))
        self.app.call_from_thread(self._progress_read, asked, progress)

    def _progress_read(self, asked: int, progress: Progress) -> None:
        # Reads may land out of order; only a newer one replaces what is shown.
        if asked < self._progress_shown:
            return
        self._progress_shown = asked
        self.progress = progress
        self._show_progress()
        self._maybe_finish()

    def action_end(self) -> None:
        if self.calls is not None:
            self._ask_finish("Block result")
        elif self.has_class("-unavailable"):
            self.dismiss()

    def _ask_finish(self, heading: str) -> None:
        self._finish_heading = heading
        if self.pending:
            self.notify(f"Saving {self.pending} call{'s' if self.pending > 1 else ''} first…", timeout=2)
        self._maybe_finish()

    def on_screen_resume(self) -> None:
        # A result asked for while another screen was on top (the palette, say) is shown now.
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        """Show the result once it is wanted, every write has landed and been counted, and the
        session is the screen in front."""
        if self._finish_heading is None or self.pending or self._progress_shown < self._progress_asked:
            return
        if self.calls is None or self.progress is None or self.app.screen is not self:
            return
        heading, self._finish_heading = self._finish_heading, None
        self.app.push_screen(BlockResultModal(self._result(self.calls, self.progress), heading), self._result_closed)

    def _result(self, calls: CallList, progress: Progress) -> BlockResult:
        block = calls.occurrence.block
        states = list(self.states.values())
        return BlockResult(
            title=block.title,
            span=span_text(calls.occurrence, self.clock()),
            dials=progress.dials,
            connects=progress.connects,
            meetings=progress.meetings,
            objections=progress.objections,
            goal_dials=block.goal_dials,
            goal_meetings=block.goal_meetings,
            rate=calls.rate,
            rate_source=calls.rate_source,
            listed=len(states),
            called=states.count("done"),
            skipped=states.count("skipped"),
        )

    def _result_closed(self, finished: bool | None) -> None:
        if finished:
            self.dismiss()
