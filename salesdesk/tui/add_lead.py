"""The Add lead dialog, and the write behind it (``a`` on Leads, and on Today's welcome).

As with the other dialogs, the modal only gathers what was typed; ``add_lead_from`` writes
it through ``services.leads.add_lead``, the very checks of ``salesdesk lead add`` (a phone
that is no phone, a known phone or e-mail, an empty name...). A refusal brings the dialog
back with the text kept and the cursor on the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import ClassVar

from sqlalchemy import Engine
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label

from salesdesk.config import GRADES, SOURCES
from salesdesk.db import write_session
from salesdesk.errors import SalesdeskError
from salesdesk.services import leads

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LeadDraft:
    """The dialog's fields as typed, kept whole so a refused lead can be shown again."""

    name: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""
    wechat: str = ""
    grade: str = ""
    source: str = ""


# (field, title, placeholder), in the order of the dialog.
FIELDS = (
    ("name", "Name", "needed: the person's name"),
    ("company", "Company", "their company (an account, shared by its leads)"),
    ("phone", "Phone", "+86 138 0013 8000, any common format"),
    ("email", "Email", "name@example.com"),
    ("wechat", "WeChat", "their WeChat id"),
    ("grade", "Grade", f"{', '.join(GRADES)}: A closes within a month, D not within 6"),
    ("source", "Source", "outbound if empty; or " + ", ".join(x for x in SOURCES if x != "outbound")),
)


class AddLeadModal(ModalScreen[LeadDraft | None]):
    """Name first; the rest is optional. Enter moves on, Enter on Source or ctrl+s adds."""

    DEFAULT_CSS = """
    AddLeadModal { align: center middle; }
    AddLeadModal > #dialog {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; overflow-y: auto;
    }
    AddLeadModal #title { text-style: bold; margin-bottom: 1; }
    AddLeadModal .field { height: 1; margin-bottom: 1; }
    AddLeadModal .field > Label { width: 9; color: $text-muted; }
    AddLeadModal .field > Input { width: 1fr; background: $boost; }
    AddLeadModal .field > Input:focus { background: $primary 25%; }
    AddLeadModal #hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Add lead"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, draft: LeadDraft | None = None, *, fault: str | None = None) -> None:
        """``fault`` names the field a refusal blamed (``SalesdeskError.field``)."""
        super().__init__()
        self._draft = draft or LeadDraft()
        self._fault = fault

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Add lead", id="title", markup=False)
            # One line a field (not the other dialogs' boxed inputs), so all seven fit at 80x24.
            for name, title, placeholder in FIELDS:
                value = getattr(self._draft, name)
                field = Input(value, placeholder, id=name, compact=True, select_on_focus=False)
                yield Horizontal(Label(title, markup=False), field, classes="field")
            yield Label("Enter: next field · ctrl+s or Enter on Source: add · Esc: cancel", id="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        names = {name for name, _, _ in FIELDS}
        self.query_one(f"#{self._fault if self._fault in names else 'name'}", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == FIELDS[-1][0]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        values = {f.name: self.query_one(f"#{f.name}", Input).value for f in fields(LeadDraft)}
        self.dismiss(LeadDraft(**values))

    def action_cancel(self) -> None:
        self.dismiss(None)


def record_lead(engine: Engine, now: datetime, draft: LeadDraft) -> int:
    """Add the lead in one transaction and return its id; a SalesdeskError means nothing was written."""

    def given(value: str) -> str | None:
        return value.strip() or None

    with write_session(engine) as session:
        lead = leads.add_lead(
            session,
            now,
            name=draft.name,
            company=given(draft.company),
            phone=given(draft.phone),
            email=given(draft.email),
            wechat=given(draft.wechat),
            grade=given(draft.grade),
            source=given(draft.source) or "outbound",
        )
        assert lead.id is not None, "a flushed lead has its id"
        return lead.id


def add_lead_from(
    screen: Screen[None],
    engine: Engine,
    clock: Clock,
    added: Callable[[int], None],
    draft: LeadDraft | None = None,
    *,
    fault: str | None = None,
) -> None:
    """Open the dialog over ``screen``; write what it returns, then call ``added`` with the new
    lead's id on the UI thread. A refusal is told and the dialog comes back as it was."""
    app = screen.app

    def write(entry: LeadDraft) -> None:
        try:
            lead_id = record_lead(engine, clock(), entry)
        except SalesdeskError as exc:
            app.call_from_thread(refused, entry, exc)
            return
        app.call_from_thread(saved, entry, lead_id)

    def refused(entry: LeadDraft, exc: SalesdeskError) -> None:
        screen.notify(str(exc), title="Lead not added", severity="error", markup=False)
        add_lead_from(screen, engine, clock, added, entry, fault=exc.field)

    def saved(entry: LeadDraft, lead_id: int) -> None:
        screen.notify(f"#{lead_id} {entry.name.strip()}", title="Lead added", markup=False)
        added(lead_id)

    def done(entry: LeadDraft | None) -> None:
        if entry is not None:
            screen.run_worker(lambda: write(entry), thread=True, group="write")

    app.push_screen(AddLeadModal(draft, fault=fault), done)
