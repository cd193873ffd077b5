"""The weekly page and the daily summary as GitHub-flavoured markdown (or JSON), leads and
touches as CSV or JSON Lines (``salesdesk.outfile`` puts them in files).

Text the rep typed (names, notes, problems, reflections) goes through ``md``: it is put on
one line and every character markdown could read as markup is escaped, so a ``|``, a
newline, ``**``, a leading ``#`` or ``<script>`` shows as typed and cannot break a table or
the page.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import IO, Any

from sqlmodel import Session, col, select

from salesdesk.dates import fmt_local, fmt_span, iso, to_local
from salesdesk.models import Account, Lead, Meeting, Touch
from salesdesk.services import meetings
from salesdesk.services.leads import LeadView
from salesdesk.services.metrics import Figures
from salesdesk.services.pdca import DaySummary, ProblemView, TargetResult
from salesdesk.services.reports import WeekReport
from salesdesk.services.touches import touch_dict

FORMATS = ("markdown", "json")
DASH = "–"  # a figure that cannot be computed (a rate with nothing to divide by)

# Inline markup and HTML: emphasis, code, links, images, autolinks, entities, table pipes.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~!&#])")
# Block markup counts only at the start of a line: bullets, setext underlines, "1." lists.
_LEADING_MARK = re.compile(r"^([-+=])")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
# GFM renderers make live links of bare URLs (http://, mailto:), www. names and e-mail
# addresses; markdown-it's linkify even of bare domains (example.com). A backslash before the
# ':' of a scheme and a '.' inside a word splits the text where a linkifier looks, so nothing
# rep-typed becomes a link, and no escape ever lands inside one (a\_b in a URL). GitHub's
# cmark-gfm finds e-mail addresses after escapes are undone, so an '@' also gets an invisible
# word joiner before it: no address starts there, and the page reads the same.
_LINKABLE = re.compile(r"(?<=\S)\.(?=\S)|(?<=\S)@|:(?=\S)")
LINK_BREAK = "\u2060"


def _unlink(match: re.Match[str]) -> str:
    return f"{LINK_BREAK}\\@" if match.group() == "@" else "\\" + match.group()


TARGET_LABELS = {
    "meetings": "Meetings booked",
    "deals_won": "Deals won",
    "dials": "Dials",
    "connects": "Connects",
    "new_leads": "New leads",
}
# Results first (METHOD.md §7): outcomes before effort.
_RESULT_ORDER = ("meetings", "deals_won", "dials", "connects", "new_leads")


def md(text: object) -> str:
    """Rep-typed text, safe anywhere in a markdown page, table cells included."""
    one_line = " / ".join(part.strip() for part in str(text).splitlines() if part.strip())
    escaped = _MARKUP.sub(r"\\\1", one_line)
    escaped = _LINKABLE.sub(_unlink, escaped)
    escaped = _LEADING_MARK.sub(r"\\\1", escaped)
    return _LEADING_NUMBER.sub(r"\1\\\2", escaped)


def pct(rate: float | None) -> str:
    return DASH if rate is None else f"{rate:.0%}"


def wait(value_min: float | None) -> str:
    """Speed to lead as a person reads it: ``1d3h``, ``4h12m``, ``35m`` (working time when
    business hours are set, so a "day" is 24 working hours)."""
    return DASH if value_min is None else fmt_span(timedelta(minutes=round(value_min)))


def money(value: float) -> str:
    return f"{round(value):,}"


def _deals(count: int) -> str:
    return f"{count} deal has" if count == 1 else f"{count} deals have"


def day_name(day: date) -> str:
    return day.strftime("%a %d %b")


def _day(key: str) -> str:
    return day_name(date.fromisoformat(key))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> str:
    """A GFM table; cells are already escaped (``md``) or are numbers."""
    align = ["--:" if right else ":--" for right in numeric]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _target_rows(targets: dict[str, TargetResult]) -> list[list[str]]:
    rows = []
    for name in _RESULT_ORDER:
        if (t := targets.get(name)) is not None:
            attained = DASH if t.attainment_pct is None else f"{t.attainment_pct:.0f}%"
            # Said, or the row reads as a different total from the day table's Week row.
            scope = f" (on {t.on_days})" if t.on_days else ""
            rows.append([f"{TARGET_LABELS[name]}{scope}", str(t.actual), str(t.target), attained])
    return rows


_DAY_HEADERS = ("Dials", "Connects", "Connect rate", "Meetings booked", "New leads", "First-contact breaches")


def _day_cells(f: Figures) -> list[str]:
    a = f.activity
    return [
        str(a.dials),
        str(a.connects),
        pct(a.connect_rate),
        str(a.meetings_booked),
        str(a.new_leads),
        str(f.first_contact_breaches),
    ]


def _quality_line(f: Figures) -> str:
    return (
        f"Meeting rate {pct(f.activity.meeting_rate)} of connects · speed to lead (median) "
        f"{wait(f.speed_to_lead_median_min)} · touches without a benefit {f.touches_without_benefit} · "
        f"leads closed below the minimum touches {f.forced_closes}"
    )


def _bullets(lines: Sequence[str], empty: str) -> list[str]:
    return [f"- {line}" for line in lines] if lines else [f"_{empty}_"]


def week_markdown(report: WeekReport) -> str:
    """The weekly page: results first, then the days, the funnel, compliance, objections,
    problems, lessons and next week's focus."""
    mon, sun = report.monday, report.sunday
    out = [
        f"# Week {report.label} · {day_name(mon)} – {day_name(sun)} {sun.year}",
        "",
        f"_Made by salesdesk on {fmt_local(report.now)}._",
        "",
        "## Results vs targets",
        "",
    ]
    rows = _target_rows(report.targets)
    if rows:
        out += [table(("Result", "Actual", "Target", "Attainment"), rows, (False, True, True, True)), ""]
    else:
        out += ["_No targets for this week: set a month goal with `salesdesk goal set`._", ""]
    out += [
        f"Deals won {report.funnel.won} · moved {report.moved} · lost {report.funnel.lost} · "
        f"forecast {money(report.funnel.forecast)} (open deals weighted by your win rate from their stage)",
        "",
        "## Day by day",
        "",
    ]
    day_rows = [[day_name(row.day), *_day_cells(row.figures)] for row in report.days]
    day_rows.append(["**Week**", *(f"**{cell}**" for cell in _day_cells(report.totals))])
    out += [table(("Day", *_DAY_HEADERS), day_rows, (False, *[True] * 6)), "", _quality_line(report.totals), ""]

    out += ["## When you reached people", "", *_reached(report), ""]

    out += ["## Funnel and conversion", "", *_funnel(report), ""]

    fu = report.followups
    out += ["## Follow-up compliance", ""]
    out.append(fu.sentence("due this week"))
    out.append("")

    out += ["## Meetings", "", report.meetings.sentence(), ""]
    if report.meeting_rows:
        rows = [
            [fmt_local(v.meeting.at, report.now), md(v.lead_name), md(v.meeting.place or ""),
             meetings.status_at(v.meeting, report.end).replace("_", "-")]
            for v in report.meeting_rows
        ]  # fmt: skip
        out += [table(("When", "Lead", "Place", "Status at the week's end"), rows, (False, False, False, False)), ""]

    out += ["## Top objections and the replies that won", ""]
    if report.objections:
        said: dict[str, list[str]] = {}
        for w in report.winning:
            said.setdefault(w.objection, []).append(f"{md(w.said)} ({md(w.lead)})")
        objection_rows = [
            [md(o.key), str(o.raised), str(o.meetings), "; ".join(said.get(o.key, [])) or DASH]
            for o in report.objections
        ]
        headers = ("Objection", "Raised", "Meetings booked anyway", "What was said when it still won")
        out += [table(headers, objection_rows, (False, True, True, False)), ""]
    else:
        out += ["_No objections were logged this week._", ""]

    out += ["## Problems", ""]
    for title, problems, empty in (
        ("Opened", report.problems_opened, "none"),
        ("Solved", report.problems_solved, "none"),
        ("Still open", report.problems_open, "none: name one a day in `salesdesk review --problem`"),
    ):
        out += [f"### {title}", "", *_bullets([_problem(p) for p in problems], empty), ""]

    out += ["## Act items and lessons", "", "### Act items", ""]
    out += [*_bullets([f"{_day(d)}: {md(t)}" for d, t in report.act_items], "none recorded"), ""]
    kinds = {"well": "went well", "not_well": "went badly", "didnt": "not done at all"}
    out += ["### Lessons", ""]
    out += [*_bullets([f"{_day(d)}, {kinds[k]}: {md(t)}" for d, k, t in report.lessons], "none recorded"), ""]
    out += ["### Why targets were missed", ""]
    reasons = [f"{_day(d)}, {TARGET_LABELS.get(k, md(k)).lower()}: {md(t)}" for d, k, t in report.deviations]
    out += [*_bullets(reasons, "no deviation recorded"), ""]

    now = report.now
    nxt = report.next_monday
    out += [f"## Next week's focus · {day_name(nxt)} – {day_name(nxt + timedelta(days=6))}", ""]
    if report.next_week_over:
        # The focus lists come from the book as it stands now: about a later week, not that one.
        out += ["_That week is over, so its focus lists (made from the book as it is now) are left out._"]
        return "\n".join(out)
    out += ["### A-grade leads", ""]
    if report.a_leads:
        lead_rows = [
            [
                f"#{f.lead_id} {md(f.name)}",
                md(f.company or DASH),
                str(f.touches),
                fmt_local(f.last_touch_at, now) if f.last_touch_at else DASH,
            ]
            for f in report.a_leads
        ]
        out += [table(("Lead", "Company", "Touches", "Last touch"), lead_rows, (False, False, True, False)), ""]
    else:
        out += ["_No open A-grade leads._", ""]
    out += [f"### Due by the end of {day_name(to_local(report.due_by).date() - timedelta(days=1))}", ""]
    if report.due:
        due_rows = [
            [
                f"#{item.lead_id} {md(item.name)}",
                item.action,
                fmt_local(item.due_at, report.now),
                ", ".join(dict.fromkeys(r.rule.replace("_", " ") for r in item.reasons)),
            ]
            for item in report.due
        ]
        out += [table(("Lead", "Do", "Due", "Why"), due_rows, (False, False, False, False)), ""]
    else:
        out += ["_Nothing is due._", ""]
    return "\n".join(out)


def _reached(report: WeekReport) -> list[str]:
    """The best and worst hours of the week by connect rate, over the 12 weeks to its end."""
    hmap = report.hours
    if hmap is None:
        return []
    scope = f"the {hmap.weeks} weeks to {day_name(report.sunday)}"
    if not hmap.dials:
        return [f"_No calls in {scope}._"]
    intro = (
        f"Connect rate by weekday and hour (your time) over {scope}: {hmap.dials} dials, "
        f"{pct(hmap.average)} connected. An hour needs {hmap.min_dials} dials to be ranked."
    )
    best, worst = hmap.best_and_worst()
    if not best and not worst:
        return [intro, "", f"_No hour has {hmap.min_dials} dials yet: nothing to rank._"]
    rows = [
        [label if i == 0 else "", c.label, pct(c.connect_rate), str(c.dials),
         f"{c.interval[0] * 100:.0f}–{pct(c.interval[1])}"]
        for label, cells in (("Best", best), ("Worst", worst))
        for i, c in enumerate(cells)
    ]  # fmt: skip
    headers = ("", "Hour", "Connect rate", "Dials", "95% interval")
    return [intro, "", table(headers, rows, (False, False, True, True, False))]


def _funnel(report: WeekReport) -> list[str]:
    f = report.funnel
    rows = [
        [
            md(r.stage),
            str(r.entered),
            str(r.moved_on),
            str(r.lost),
            str(r.still_open),
            pct(r.conversion),
            pct(r.win_rate),
            str(r.open_deals),
            money(r.open_value),
        ]
        for r in f.stages
    ]
    headers = ("Stage", "Entered", "Moved on", "Lost", "Still open", "Conversion", "Win rate", "Open", "Open value")
    lines = [
        table(headers, rows, (False, *[True] * 8)),
        "",
        "Of the deals that entered each stage this week, as the week ended: conversion = moved on ÷ "
        "(moved on + lost); the ones still open there are not counted against it. Open: every open deal "
        "in the stage when the week ended.",
        "",
    ]
    if f.low_confidence:
        lines.append(
            f"> Low confidence: {_deals(f.closed_total)} closed in all; conversion and win rates "
            "settle after about 20 closed deals."
        )
    return lines


def _problem(view: ProblemView) -> str:
    p = view.problem
    days = ", ".join(_day(d) for d in view.days) or _day(p.opened_day)
    solved = f" — solved {fmt_local(p.solved_at)}" if p.solved_at else ""
    solution = f": {md(p.solution)}" if p.solution else ""
    return f"#{p.id} {md(p.text)} (worked on {days}){solved}{solution}"


def day_markdown(summary: DaySummary) -> str:
    """The daily summary: results first, then activity, compliance, funnel moves, objections,
    the plan and the review."""
    f, a = summary.figures, summary.figures.activity
    out = [f"# Daily summary · {summary.day.strftime('%a %d %b %Y')}", "", "## Results", ""]
    rows = _target_rows(summary.targets)
    if rows:
        out += [table(("Result", "Actual", "Target", "Attainment"), rows, (False, True, True, True)), ""]
    else:
        out += ["_No targets for this day: `salesdesk plan --dials N` or `salesdesk goal set`._", ""]
    out += _deviations(summary)
    moved = sum(move.between_open_stages for move in summary.moves)
    out += [
        f"- Deals moved {moved} · won {summary.deals_won}",
        "",
        "## Activity",
        "",
        f"Dials {a.dials} · connects {a.connects} (connect rate {pct(a.connect_rate)}) · meetings booked "
        f"{a.meetings_booked} · new leads {a.new_leads} · first-contact breaches {f.first_contact_breaches}",
        "",
        *([summary.best_hours.sentence(), ""] if summary.best_hours is not None else []),
        _quality_line(f),
        "",
        "## Follow-up compliance",
        "",
    ]
    fu = summary.followups
    out.append(fu.sentence())
    out += ["", "## Funnel moves", ""]
    lines = [
        f"{to_local(m.at):%H:%M} #{m.deal_id} {md(m.title)} ({md(m.lead)}): "
        f"{md(m.from_stage or 'new')} → {md(m.to_stage)}"
        for m in summary.moves
    ]
    out += [*_bullets(lines, "no deal moved"), "", "## Objections", ""]
    lines = [f"{md(o.key)} ×{o.raised} ({o.meetings} still booked a meeting)" for o in summary.objections]
    out += [*_bullets(lines, "none logged"), "", "## Plan", ""]
    plan = summary.plan
    lines = [f"{'done' if item.done_at else 'not done'}: {md(item.text)} ({item.kind})" for item in plan.items]
    out += [*_bullets(lines, "no plan for this day"), "", "## Review", ""]
    out += _review(summary)
    return "\n".join(out)


_REFLECTION_LABELS = (
    ("finished", "Finished"),
    ("unfinished", "Not finished"),
    ("well", "Went well"),
    ("not_well", "Went badly"),
    ("did", "Did"),
    ("didnt", "Didn't do at all"),
    ("act", "Act on tomorrow"),
)


def _deviations(summary: DaySummary) -> list[str]:
    """A missed target asks why (METHOD.md §7: analyse the gap the same day), or shows the reason."""
    lines = []
    for t in summary.targets.values():
        if t.missed and t.deviation is None:
            lines.append(
                f"- **{TARGET_LABELS[t.name]} missed** ({t.actual} of {t.target}): why? "
                f"`salesdesk review {summary.day.isoformat()} --deviation {t.name}=REASON`"
            )
        elif t.deviation is not None:
            lines.append(f"- {TARGET_LABELS[t.name]}, why missed: {md(t.deviation)}")
    return lines


def review_markdown(summary: DaySummary) -> str:
    """The day's review, with the deviation prompts for missed targets above it."""
    prompts = _deviations(summary)
    return "\n".join(
        [
            f"# Review · {summary.day.strftime('%a %d %b %Y')}",
            "",
            *prompts,
            *([""] if prompts else []),
            *_review(summary),
        ]
    )


def _review(summary: DaySummary) -> list[str]:
    review = summary.review
    out = []
    if not review.recorded:
        out += ["_No review yet: `salesdesk review --finished … --well … --problem …`._", ""]
    for kind, label in _REFLECTION_LABELS:
        for text in review.entries.get(kind, []):
            out.append(f"- {label}: {md(text)}")
    if review.problem is not None:
        out.append(f"- Problem: {_problem(review.problem)}")
    if out and out[-1]:
        out.append("")
    if review.calls:
        out += ["### Connected calls", ""]
        for call in review.calls:
            note = md(call.reflection) if call.reflection else "_reflect: how did it land, what to change?_"
            out.append(f"- {to_local(call.at):%H:%M} {md(call.lead)} ({md(call.outcome or '')}): {note}")
        out.append("")
    return out


def as_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- leads and touches as CSV or JSON Lines, streamed row by row ---

TABLE_FORMATS = ("csv", "jsonl")
LEAD_COLUMNS = (
    "id", "name", "company", "title", "phone", "email", "wechat", "source", "grade", "status", "is_coach",
    "role", "notes", "created_at", "closed_at", "close_reason", "touch_count", "last_touch_at",
)  # fmt: skip
TOUCH_COLUMNS = (
    "id", "lead_id", "lead", "at", "channel", "outcome", "connected", "meeting", "duration_s", "note",
    "benefit", "objection", "reply_id", "recorded_at", "meeting_at", "place",
)  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection");
# a leading ' makes it text. Cells starting with ' get one too, so dropping one leading '
# from any cell that has it always gives the value back.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_ROWS_PER_FETCH = 1_000


def csv_cell(value: object) -> str:
    """One value as a CSV cell a spreadsheet shows as text: never runs it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(handle: IO[str], columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    """Rows as CSV with a header and a UTF-8 BOM (so Excel reads Chinese right); returns the count."""
    handle.write("\ufeff")
    writer = csv.writer(handle)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row[column]) for column in columns])
        count += 1
    return count


def write_jsonl(handle: IO[str], rows: Iterable[dict[str, Any]]) -> int:
    """One JSON object a line, non-ASCII kept as is; returns the count."""
    count = 0
    for row in rows:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def lead_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every lead as ``lead list --json`` shows it, oldest id first, fetched a batch at a time."""
    query = (
        select(Lead, Account.name)
        .join(Account, col(Lead.account_id) == col(Account.id), isouter=True)
        .order_by(col(Lead.id))
        .execution_options(yield_per=_ROWS_PER_FETCH)
    )
    for lead, company in session.execute(query):
        data = LeadView(lead, company, lead.touch_count, lead.last_touch_at).as_dict()
        yield {column: data[column] for column in LEAD_COLUMNS}


def touch_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every touch as ``log-call --json`` shows it, with its lead's name, oldest id first."""
    query = (
        select(Touch, Lead.name, Meeting.at, Meeting.place)
        .join(Lead, col(Lead.id) == col(Touch.lead_id))
        .join(Meeting, col(Meeting.touch_id) == col(Touch.id), isouter=True)  # the meeting it booked, as booked
        .order_by(col(Touch.id))
        .execution_options(yield_per=_ROWS_PER_FETCH)
    )
    for touch, name, meeting_at, place in session.execute(query):
        data = {
            **touch_dict(touch), "lead": name, "meeting": touch.meeting, "recorded_at": iso(touch.recorded_at),
            "meeting_at": iso(meeting_at), "place": place,
        }  # fmt: skip
        yield {column: data[column] for column in TOUCH_COLUMNS}
