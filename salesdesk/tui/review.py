"""The Review screen: today's plan checked and acted on (METHOD.md §7).

The plan's items to tick (key, routine and ad-hoc work) with the previous day's unfinished
items and act items offered for carry-over; the day's targets against what was done, with
a "why?" for each missed one; the three reflection pairs, the day's one problem, act items
for tomorrow, and a line on each connected call. Everything shown is the daily summary
(``pdca.day_summary``); every change goes through the plan and review services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from salesdesk.config import Config
from salesdesk.dates import to_local
from salesdesk.db import read_session, write_session
from salesdesk.errors import SalesdeskError
from salesdesk.models import PlanItem
from salesdesk.services import pdca
from salesdesk.services.exports import TARGET_LABELS, day_name
from salesdesk.services.pdca import CarryOffer, DaySummary, ProblemView
from salesdesk.tui.add_item import AddItemModal
from salesdesk.tui.log_call import Clock
from salesdesk.tui.prompts import PromptLine
from salesdesk.tui.widgets import Col, FitTable, cell, outcome_label

PLAN_COLUMNS = (Col("✓", 1), Col("Group", 7), Col("Item", 20, flex=1), Col("", 17))
GROUPS = {"key": "Key", "routine": "Routine", "adhoc": "Ad-hoc"}
# The three pairs of METHOD.md §7, each side with the question it answers.
REFLECTION_PROMPTS = (
    ("finished", "Finished", "what did I finish?"),
    ("unfinished", "Not finished", "what did I not finish?"),
    ("well", "Went well", "what did I do well?"),
    ("not_well", "Not well", "what did I not do well?"),
    ("did", "Did", "what did I do?"),
    ("didnt", "Didn't do at all", "what did I not do at all?"),
)
ITEM, OFFER = "item-", "offer-"


@dataclass(frozen=True)
class ReviewData:
    """The day's summary and the problems still open (to link instead of naming anew)."""

    summary: DaySummary
    open_problems: list[ProblemView]


@dataclass(frozen=True)
class ReviewDraft:
    """What the rep typed, as the review service takes it."""

    reflections: dict[str, list[str]]
    act: list[str]
    problem: str | None
    deviations: dict[str, str]
    calls: dict[str, str]

    def __bool__(self) -> bool:
        return bool(
            any(self.reflections.values()) or self.act or self.problem is not None or self.deviations or self.calls
        )


def item_note(item: PlanItem) -> Text:
    """When it was ticked off, else whether it came over from the day before."""
    if item.done_at is not None:
        return cell(f"done {to_local(item.done_at):%H:%M}", style="green")
    carried = item.carried_from is not None or item.act_entry_id is not None
    return cell("carried over" if carried else None, style="dim", missing="")


def offer_key(offer: CarryOffer) -> str:
    """A row key that stays with the offer when others are taken: ``offer-act-58``."""
    return f"{OFFER}{offer.source}-{offer.item_id if offer.item_id is not None else offer.entry_id}"


def plan_rows(summary: DaySummary) -> list[tuple[str, list[Text]]]:
    """The plan's items, key work first, then what the previous day offers to carry over."""
    items = sorted(summary.plan.items, key=lambda item: (pdca.KINDS.index(item.kind), item.position))
    rows = [
        (
            f"{ITEM}{item.id}",
            [
                cell("✓" if item.done_at else "·", style="bold green" if item.done_at else "dim"),
                cell(GROUPS[item.kind]),
                cell(item.text, style="dim" if item.done_at else ""),
                item_note(item),
            ],
        )
        for item in items
    ]
    rows += [
        (
            offer_key(offer),
            [
                cell("+", style="yellow"),
                cell(GROUPS[offer.kind], style="yellow"),
                cell(offer.text, style="yellow"),
                cell(f"{offer.source} {day_name(date.fromisoformat(offer.from_day))}", style="yellow"),
            ],
        )
        for offer in summary.plan.offers
    ]
    return rows


def plan_title(summary: DaySummary) -> str:
    items = summary.plan.items
    done = sum(item.done_at is not None for item in items)
    title = f"Plan · {len(items)} of {pdca.MAX_ITEMS} items · {done} done"
    if summary.plan.offers:
        title += f" · {len(summary.plan.offers)} to carry over (c)"
    return title


def targets_table(summary: DaySummary) -> Table | Text:
    """Target against actual, results first, with the attainment the summary works out."""
    if not summary.targets:
        return Text("No targets today: salesdesk plan --dials N, or goal set for the month.", style="dim")
    table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
    table.add_column("Result", no_wrap=True)
    for header in ("Actual", "Target", "Attained"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for name, label in TARGET_LABELS.items():
        t = summary.targets.get(name)
        if t is None:
            continue
        attained = "-" if t.attainment_pct is None else f"{t.attainment_pct:.0f}%"
        style = "red" if t.missed else "green"
        table.add_row(label, str(t.actual), str(t.target), Text(attained, style=style), Text(t.source, style="dim"))
    return table


def problem_text(summary: DaySummary, open_problems: list[ProblemView]) -> Text:
    """Today's problem, if the review named one, and the others still open (to link by #ID)."""
    lines: list[Text] = []
    current = summary.review.problem
    if current is not None:
        lines.append(Text.assemble(("Today's: ", "bold"), f"#{current.problem.id} {current.problem.text}"))
    others = [view for view in open_problems if current is None or view.problem.id != current.problem.id]
    if others:
        listed = " · ".join(f"#{v.problem.id} {v.problem.text}" for v in others)
        lines.append(Text(f"Open: {listed}", style="dim"))
    return Text("\n").join(lines)


class ReviewScreen(Screen[None]):
    """Today's plan, targets and review, re-read whenever the screen is shown."""

    DEFAULT_CSS = """
    ReviewScreen #review { height: 1fr; padding: 0 1; }
    ReviewScreen #review-title { text-style: bold; }
    ReviewScreen .section-title { text-style: bold; margin-top: 1; }
    ReviewScreen #plan { height: auto; max-height: 11; }
    ReviewScreen #deviations { height: auto; }
    ReviewScreen #deviations > PromptLine:first-child { margin-top: 1; }
    ReviewScreen #deviations > PromptLine > .prompt-label { width: 30; color: $warning; }
    ReviewScreen #calls { height: auto; }
    ReviewScreen #problem-now { height: auto; }
    ReviewScreen .hint { color: $text-muted; }
    ReviewScreen #columns { height: auto; layout: vertical; }
    ReviewScreen #columns > Vertical { height: auto; }
    ReviewScreen.-wide #columns { layout: horizontal; }
    ReviewScreen.-wide #columns > Vertical { width: 1fr; }
    ReviewScreen.-wide #check { margin-right: 3; }
    ReviewScreen.-wide #calls > PromptLine > .prompt-label { width: 44; }
    """

    # Textual declares this an instance attribute, so a ClassVar here is a type error.
    HORIZONTAL_BREAKPOINTS: list[tuple[int, str]] | None = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "tick", "Tick", tooltip="tick the item off, or untick it"),
        Binding("c", "carry", "Carry", tooltip="add the offered item (or the first) to today's plan"),
        Binding("a", "add_item", "Add item"),
        Binding("ctrl+s", "save", "Save review"),
        # Not ctrl+d: the prompt's input deletes a character with it.
        Binding("ctrl+r", "delete_line", "Delete line", tooltip="delete this prompt's newest recorded line"),
        Binding("escape", "to_plan", "To the plan", show=False),
    ]

    AUTO_FOCUS = "#plan"

    def __init__(self, engine: Engine, config: Config, clock: Clock) -> None:
        super().__init__()
        self.engine = engine
        self.config = config
        self.clock = clock
        self.data: ReviewData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="review"):
            yield Label("", id="review-title", markup=False)
            with Horizontal(id="columns"):
                with Vertical(id="check"):
                    yield Label("Plan", id="plan-title", classes="section-title", markup=False)
                    yield FitTable(PLAN_COLUMNS, id="plan")
                    yield Label("Targets", classes="section-title")
                    yield Static("", id="targets")
                    yield Vertical(id="deviations")
                with Vertical(id="reflect"):
                    yield Label("Reflection", classes="section-title")
                    for index, (kind, label, question) in enumerate(REFLECTION_PROMPTS):
                        yield PromptLine(label, placeholder=question, gap=index % 2 == 1, id=f"refl-{kind}")
                    yield Label("Problem", classes="section-title")
                    yield Static("", id="problem-now")
                    yield PromptLine(
                        "Problem", placeholder="the day's one problem, or #ID of an open one", id="problem"
                    )
                    yield Label("Act on tomorrow", classes="section-title")
                    yield PromptLine("Act", placeholder="one improvement, offered to tomorrow's plan", id="act")
            yield Label("Connected calls", id="calls-title", classes="section-title", markup=False)
            yield Vertical(id="calls")
            yield Label("Ctrl+S saves what you typed; Tab moves on, Esc goes back to the plan.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Review"

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def day(self) -> date:
        return to_local(self.clock()).date()

    def reload(self) -> None:
        self._load(self.day, self.clock())

    @work(thread=True, exclusive=True, group="review")
    def _load(self, day: date, now: datetime) -> None:
        with read_session(self.engine) as session:
            data = ReviewData(
                summary=pdca.day_summary(session, self.config, day, now),
                open_problems=[view for view in pdca.list_problems(session) if view.problem.solved_at is None],
            )
        # Textual's `T | Awaitable[T]` infers Never for an async callback (it awaits it all the same).
        self.app.call_from_thread(self._show, data)  # type: ignore[arg-type]

    async def _show(self, data: ReviewData) -> None:
        self.data = data
        summary = data.summary
        state = "reviewed" if summary.review.recorded else "not reviewed yet"
        self.query_one("#review-title", Label).update(f"{summary.day:%A %d %B %Y} · {state}")
        self.query_one("#plan-title", Label).update(plan_title(summary))
        plan = self.query_one("#plan", FitTable)
        plan.set_rows(plan_rows(summary), cursor_key=plan.highlighted_key(), cursor_row=plan.cursor_row)
        self.query_one("#targets", Static).update(targets_table(summary))
        missed = [t for t in summary.targets.values() if t.missed]
        await self._sync(
            "#deviations",
            [
                (f"dev-{t.name}", f"{TARGET_LABELS[t.name]} {t.actual} of {t.target}: why?", t.deviation or "")
                for t in missed
            ],
            "what got in the way, and what changes",
        )
        for kind, _, _ in REFLECTION_PROMPTS:
            self.query_one(f"#refl-{kind}", PromptLine).show(lines=summary.review.entries.get(kind, []))
        self.query_one("#act", PromptLine).show(lines=summary.review.entries.get("act", []))
        problem_now = self.query_one("#problem-now", Static)
        problems = problem_text(summary, data.open_problems)
        problem_now.update(problems)
        problem_now.display = bool(problems.plain)
        calls = summary.review.calls
        self.query_one("#calls-title", Label).update(
            f"Connected calls · {len(calls)}: how did each land, what to change?"
            if calls
            else "No connected calls today"
        )
        await self._sync(
            "#calls",
            [
                (
                    f"call-{call.touch_id}",
                    f"{to_local(call.at):%H:%M} {call.lead} · {outcome_label(self.config, call.outcome or '')}",
                    call.reflection or "",
                )
                for call in calls
            ],
            "how it landed, what to change",
        )
        self.refresh_bindings()

    async def _sync(self, box_id: str, wanted: list[tuple[str, str, str]], placeholder: str) -> None:
        """Show one prompt per (id, label, recorded answer), keeping what the rep has typed."""
        box = self.query_one(box_id, Vertical)
        lines = list(box.query_children(PromptLine))
        if [line.id for line in lines] == [key for key, _, _ in wanted]:
            for line, (_, label, recorded) in zip(lines, wanted, strict=True):
                line.show(label=label, recorded=recorded)
            return
        drafts = {line.id: line.input.value for line in lines if line.typed is not None}
        await box.remove_children()
        await box.mount_all(
            PromptLine(
                label, placeholder=placeholder, recorded=recorded, value=drafts.get(key), wide_label=True, id=key
            )
            for key, label, recorded in wanted
        )

    # --- the plan -------------------------------------------------------------------------------

    def _highlighted_item(self) -> int | None:
        """The id of the plan item under the cursor, if it is on one."""
        key = self.query_one("#plan", FitTable).highlighted_key()
        return int(key.removeprefix(ITEM)) if key is not None and key.startswith(ITEM) else None

    def _highlighted_offer(self) -> CarryOffer | None:
        """The carry-over offer under the cursor, if it is on one."""
        key = self.query_one("#plan", FitTable).highlighted_key()
        offers = self.data.summary.plan.offers if self.data is not None else []
        return next((offer for offer in offers if offer_key(offer) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_plan":
            return self.focused is not self.query_one("#plan")
        if action == "tick":
            return self.focused is self.query_one("#plan") and self._highlighted_item() is not None
        if action == "carry":
            # From anywhere on the screen, as the plan's title offers it (letters typed in a
            # prompt stay text: the input takes them first).
            return self.data is not None and bool(self.data.summary.plan.offers)
        if action == "delete_line":
            return self._focused_lines() is not None
        return True

    def _focused_prompt(self) -> PromptLine | None:
        """The reflection or act prompt holding the focus, if any."""
        node: DOMNode | None = self.focused
        while node is not None and not isinstance(node, PromptLine):
            node = node.parent
        if node is None or node.id is None or not (node.id.startswith("refl-") or node.id == "act"):
            return None
        return node

    def _focused_lines(self) -> tuple[str, list[str]] | None:
        """The focused prompt's kind and its recorded lines, when it has some."""
        prompt = self._focused_prompt()
        if prompt is None or prompt.id is None or self.data is None:
            return None
        kind = prompt.id.removeprefix("refl-")
        lines = self.data.summary.review.entries.get(kind, [])
        return (kind, lines) if lines else None

    def action_delete_line(self) -> None:
        found = self._focused_lines()
        if found is not None:
            self._delete_line(found[0], self.day)

    @work(thread=True, group="write")
    def _delete_line(self, kind: str, day: date) -> None:
        try:
            with write_session(self.engine) as session:
                text = pdca.delete_review_line(session, day, kind)
        except SalesdeskError as exc:
            self._refused("Not deleted", exc)
            return
        if text is not None:
            self.app.call_from_thread(self.notify, text, title="Line deleted", markup=False)
        self.app.call_from_thread(self.reload)

    @on(DescendantFocus)
    def _focus_moved(self) -> None:
        self.refresh_bindings()

    def action_to_plan(self) -> None:
        plan = self.query_one("#plan", FitTable)
        plan.focus()
        self.query_one("#review", VerticalScroll).scroll_home(animate=False)

    @on(DataTable.RowHighlighted, "#plan")
    def _row_moved(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#plan")
    def _row_chosen(self) -> None:
        if self._highlighted_item() is not None:
            self.action_tick()
        else:
            self.action_carry()

    def action_tick(self) -> None:
        item_id = self._highlighted_item()
        if item_id is not None:
            self._tick(item_id, self.day, self.clock())

    def action_carry(self) -> None:
        offers = self.data.summary.plan.offers if self.data is not None else []
        offer = self._highlighted_offer() or next(iter(offers), None)
        if offer is not None:
            self._carry(offer, self.day, self.clock())

    def action_add_item(self) -> None:
        if self.data is None:
            return
        day = self.day
        count = len(self.data.summary.plan.items)

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._add(result[0], result[1], day, self.clock())

        title = f"Add to {day_name(day)}'s plan ({count} of {pdca.MAX_ITEMS} so far)"
        self.app.push_screen(AddItemModal(title), chosen)

    @work(thread=True, group="write")
    def _tick(self, item_id: int, day: date, now: datetime) -> None:
        try:
            with write_session(self.engine) as session:
                item = pdca.resolve_item(session, str(item_id), day)
                pdca.set_done(session, item, now, item.done_at is None)
        except SalesdeskError as exc:
            self._refused("Not ticked", exc)
            return
        self.app.call_from_thread(self.reload)

    @work(thread=True, group="write")
    def _carry(self, offer: CarryOffer, day: date, now: datetime) -> None:
        self._plan(day, now, offer.text, None, "Not carried over")

    @work(thread=True, group="write")
    def _add(self, text: str, kind: str, day: date, now: datetime) -> None:
        self._plan(day, now, text, kind, "Not added")

    def _plan(self, day: date, now: datetime, text: str, kind: str | None, failed: str) -> None:
        """Add one item through the plan service (in a worker): an offer's text carries it over."""
        try:
            with write_session(self.engine) as session:
                pdca.plan_day(session, self.config, day, now, items=[(text, kind)])
        except SalesdeskError as exc:
            self._refused(failed, exc)
            return
        self.app.call_from_thread(self.reload)

    def _refused(self, title: str, exc: SalesdeskError) -> None:
        self.app.call_from_thread(self.notify, str(exc), title=title, severity="error", markup=False)
        self.app.call_from_thread(self.reload)

    # --- the review -----------------------------------------------------------------------------

    def draft(self) -> ReviewDraft:
        def typed(selector: str) -> str | None:
            return self.query_one(selector, PromptLine).typed

        reflections = {kind: [text] for kind, _, _ in REFLECTION_PROMPTS if (text := typed(f"#refl-{kind}"))}
        act = typed("#act")
        return ReviewDraft(
            reflections=reflections,
            act=[act] if act else [],
            problem=typed("#problem"),
            deviations={
                line.id.removeprefix("dev-"): text
                for line in self.query("#deviations PromptLine").results(PromptLine)
                if line.id is not None and (text := line.typed) is not None
            },
            calls={
                line.id.removeprefix("call-"): text
                for line in self.query("#calls PromptLine").results(PromptLine)
                if line.id is not None and (text := line.typed) is not None
            },
        )

    def action_save(self) -> None:
        draft = self.draft()
        if not draft:
            self.notify("Nothing typed to save yet.", title="Review", markup=False)
            return
        self._save(draft, self.day, self.clock())

    @work(thread=True, group="write")
    def _save(self, draft: ReviewDraft, day: date, now: datetime) -> None:
        try:
            with write_session(self.engine) as session:
                pdca.record_review(
                    session, day, now, reflections=draft.reflections, act=draft.act, problem=draft.problem,
                    deviations=draft.deviations, calls=draft.calls,
                )  # fmt: skip
        except SalesdeskError as exc:
            self._refused("Review not saved", exc)
            return
        self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        for line in self.query(PromptLine).results(PromptLine):
            if line.parent is not None and line.parent.id not in ("deviations", "calls"):
                line.clear()
        self.notify("Saved.", title="Review", markup=False)
        self.reload()
