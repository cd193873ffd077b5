"""The rep's settings, read from ``config.toml``; every default lives here (the rules'
defaults, with where each comes from, live in ``rules.Rules``).

Call outcomes (dispositions) are data: each has flags that the rules read. A
``[outcomes.KEY]`` table in the config file adds an outcome or overrides a default's
fields; ``enabled = false`` removes one.

    [outcomes.left_message]
    label = "Left a message"
    connected = false
    key = "l"

Follow-up rules are set in ``[rules]`` (see ``salesdesk rules`` for every value and
whether it is a default or from this file):

    channels = ["call", "email", "whatsapp", "visit", "other"]   # the channels in use
    [rules]
    first_contact_hours = 5
    first_contact_sources = ["inbound"]     # or ["all"]
    business_hours = "09:00-18:00"          # count only these hours (default: wall clock)
    business_days = ["mon", "tue", "wed", "thu", "fri"]
    min_touches_before_lost = 6
    benefit = "require"                     # require | warn | off
    fallback_channels = ["whatsapp", "email"]
    focus_after_reached = 3
    review_after_reached = 5
    [rules.cadence_days]
    A = 7
    B = 14

The funnel's open stages, in order (won and lost always close it), and the days monthly
goals are spread over:

    working_days = ["mon", "tue", "wed", "thu", "fri"]
    [deals]
    stages = ["interested", "inquiry", "proposal"]

Values other tools write in their picklists, as salesdesk's (on top of the built-in table):

    [import.sources]
    "Messe" = "event"
    [import.grades]
    "Key account" = "A"

When to call (METHOD.md §1; ``advice = false`` switches the warnings off):

    [timing]
    advice = true
    lunch = "12:00-13:30"
    dinner = "18:00-20:00"                  # for private numbers
    preferred = ["09:30-11:30", "14:00-17:00"]
    holidays = ["2026-10-01", 2026-10-02]   # and/or a country's calendar:
    holiday_country = "CN"
    min_dials = 10                          # fewer dials in an hour: marked, not ranked

Who is calling, for the call script's {my_name} and {my_company}, and the language of the
seed objections, replies and script (default: the locale's, zh for a Chinese one, else en):

    [me]
    name = "王芳"
    company = "华为"
    language = "zh"                         # or "en"

Sections this version does not know are left for later versions and ignored.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from salesdesk.errors import InvalidInput
from salesdesk.lifecycle import STATES
from salesdesk.rules import UNGRADED, BusinessHours, Rules
from salesdesk.timing import Timing, Window, supported_country

CHANNELS = ("call", "email", "wechat", "sms", "visit", "social", "other")
SOURCES = ("inbound", "outbound", "referral", "event", "other")
GRADES = ("A", "B", "C", "D")
STATUSES = STATES  # a lead's lifecycle states
# METHOD.md §6: interested -> inquiry -> proposal -> won (or lost).
DEAL_STAGES = ("interested", "inquiry", "proposal")
DEAL_CLOSES = ("won", "lost")


@dataclass(frozen=True)
class Outcome:
    """One way a call can end.

    connected: the person was reached (counts as a connect).
    meeting: a meeting was booked (counts toward meeting goals).
    terminal: no further attempts make sense (bad number, do-not-call).
    do_not_contact: the customer asked not to be contacted: the lead leaves every queue.
    requires_next: logging it needs a ``--next WHEN`` follow-up (a callback).
    key: the one key that picks it in the TUI.
    """

    name: str
    label: str
    connected: bool
    key: str
    meeting: bool = False
    terminal: bool = False
    requires_next: bool = False
    do_not_contact: bool = False


def _o(name: str, label: str, connected: bool, key: str, **flags: bool) -> Outcome:
    return Outcome(name=name, label=label, connected=connected, key=key, **flags)


# The default dispositions of the product brief: five ways not to get through, seven ways
# a conversation can end.
DEFAULT_OUTCOMES: tuple[Outcome, ...] = (
    _o("no_answer", "No answer", False, "n"),
    _o("busy", "Busy", False, "b"),
    _o("voicemail", "Voicemail", False, "v"),
    _o("gatekeeper", "Gatekeeper", False, "g"),
    _o("bad_number", "Bad number", False, "x", terminal=True),
    _o("connected", "Connected", True, "c"),
    _o("meeting_booked", "Meeting booked", True, "m", meeting=True),
    _o("callback", "Callback", True, "k", requires_next=True),
    _o("not_interested", "Not interested", True, "i"),
    _o("not_qualified", "Not qualified", True, "q"),
    _o("referred", "Referred", True, "r"),
    _o("do_not_call", "Do not call", True, "d", terminal=True, do_not_contact=True),
)

_BOOL_FLAGS = ("connected", "meeting", "terminal", "requires_next", "do_not_contact")


# --- [me]: who is calling, for the call script, and the language of the seed library ---

LANGUAGES = ("en", "zh")


def locale_language(environ: dict[str, str] | None = None) -> str:
    """``zh`` when the locale is Chinese (LC_ALL, LC_MESSAGES or LANG, as gettext reads them,
    else Python's locale), otherwise ``en``: the seed objections and script speak the rep's
    language from the first run, before any config file exists."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    import locale

    found = locale.getlocale()[0] or ""
    return "zh" if found.lower().startswith(("zh", "chinese")) else "en"


@dataclass(frozen=True)
class Me:
    """``[me]``: the rep's own name and company (the script's {my_name} and {my_company}) and
    ``language`` (``en`` | ``zh``), which wording of the seed objections, replies and script
    to show; by default the locale's."""

    name: str | None = None
    company: str | None = None
    language: str = field(default_factory=locale_language)
    language_from: str = "locale"  # or "config file"

    def values(self) -> dict[str, str]:
        """The script's placeholders this fills in (``my_name``, ``my_company``)."""
        return {f"my_{key}": value for key, value in (("name", self.name), ("company", self.company)) if value}


def _load_me(path: Path, spec: object) -> Me:
    if not isinstance(spec, dict):
        raise _bad(path, '[me] must be a table: name = "…", company = "…", language = "en" | "zh"')
    unknown = sorted(set(spec) - {"name", "company", "language"})
    if unknown:
        raise _bad(path, f"[me] has no setting {unknown[0]!r}; it takes name, company and language")
    found: dict[str, Any] = {}
    for key in ("name", "company"):
        value = spec.get(key)
        if value is not None and not isinstance(value, str):
            raise _bad(path, f'[me] {key} must be text, like {key} = "…"')
        if value and value.strip():
            found[key] = value.strip()
    if "language" in spec:
        language = spec["language"]
        if language not in LANGUAGES:
            raise _bad(path, f'[me] language must be "en" or "zh", not {language!r}')
        found.update(language=language, language_from="config file")
    return Me(**found)


@dataclass(frozen=True)
class Config:
    outcomes: dict[str, Outcome] = field(default_factory=lambda: {o.name: o for o in DEFAULT_OUTCOMES})
    rules: Rules = field(default_factory=Rules)
    channels: tuple[str, ...] = CHANNELS
    # The funnel's open stages in order; a deal ends in one of DEAL_CLOSES.
    stages: tuple[str, ...] = DEAL_STAGES
    # Days monthly goals are spread over (0 = Monday): Mon-Fri, the working week.
    working_days: frozenset[int] = frozenset(range(5))
    # Which rule values came from the config file (the rest are defaults).
    from_file: frozenset[str] = frozenset()
    # [import.sources] / [import.grades]: picklist values of other tools -> salesdesk's.
    import_values: dict[str, dict[str, str]] = field(default_factory=dict)
    timing: Timing = field(default_factory=Timing)
    me: Me = field(default_factory=lambda: Me())
    path: Path | None = None

    @property
    def terminal_outcomes(self) -> list[str]:
        return [o.name for o in self.outcomes.values() if o.terminal]

    def outcome(self, name: str) -> Outcome:
        try:
            return self.outcomes[name]
        except KeyError:
            valid = ", ".join(self.outcomes)
            raise InvalidInput(f"unknown outcome {name!r}; valid outcomes: {valid}") from None


def _bad(path: Path, msg: str) -> InvalidInput:
    return InvalidInput(f"{path}: {msg}")


def _merge_outcomes(path: Path, table: object) -> dict[str, Outcome]:
    outcomes = {o.name: o for o in DEFAULT_OUTCOMES}
    if not isinstance(table, dict):
        raise _bad(path, "[outcomes] must be a table of [outcomes.NAME] tables")
    known = {f.name for f in fields(Outcome)} - {"name"} | {"enabled"}
    for name, spec in table.items():
        if not isinstance(spec, dict):
            raise _bad(path, f"[outcomes.{name}] must be a table")
        unknown = set(spec) - known
        if unknown:
            raise _bad(path, f"[outcomes.{name}] has unknown field(s): {', '.join(sorted(unknown))}")
        if not isinstance(spec.get("enabled", True), bool):
            # enabled = "no" must not quietly leave the outcome enabled.
            raise _bad(path, f"[outcomes.{name}] enabled must be true or false")
        if spec.get("enabled", True) is False:
            outcomes.pop(name, None)
            continue
        for flag in _BOOL_FLAGS:
            if flag in spec and not isinstance(spec[flag], bool):
                raise _bad(path, f"[outcomes.{name}] {flag} must be true or false")
        for text in ("label", "key"):
            if text in spec and not isinstance(spec[text], str):
                raise _bad(path, f"[outcomes.{name}] {text} must be a string")
        values = {k: v for k, v in spec.items() if k != "enabled"}
        if name in outcomes:
            outcomes[name] = replace(outcomes[name], **values)
        else:
            if "connected" not in values or "key" not in values:
                raise _bad(path, f"[outcomes.{name}] is new: it needs connected and key")
            values.setdefault("label", name.replace("_", " ").capitalize())
            outcomes[name] = Outcome(name=name, **values)
    keys: dict[str, str] = {}
    for outcome in outcomes.values():
        if len(outcome.key) != 1:
            raise _bad(path, f"[outcomes.{outcome.name}] key must be a single character")
        if outcome.key in keys:
            raise _bad(path, f"outcomes {keys[outcome.key]} and {outcome.name} share the key {outcome.key!r}")
        keys[outcome.key] = outcome.name
    return outcomes


_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_INT_RULES = (
    "min_touches_before_lost", "min_touch_days_before_lost", "fallback_expiry_days", "focus_after_reached",
    "review_after_reached", "review_quiet_days", "hard_to_reach_after_calls",
)  # fmt: skip


# Settings whose meaning changed (issue 9): a silent rename would keep the old number under a new meaning.
_RENAMED_RULES = {
    "focus_after_attempts": "calls that reach nobody now flag hard_to_reach_after_calls; "
    "focus_after_reached counts times the customer was reached (METHOD.md §4)",
    "review_after_touches": "review_after_reached counts times the customer was reached, with review_quiet_days",
}
# Touch counts a rule can ask for: the method speaks of 3 to 6; a thousand is already absurd,
# and a bound keeps "min_touches_before_lost = 2**63" from breaking every query that compares.
TOUCHES_MAX = 1_000
# Days between touches: ten years is "never"; far more overflows a date (year 9999).
CADENCE_DAYS_MAX = 3_650


def _str_list(path: Path, name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _bad(path, f"{name} must be a non-empty list of names")
    return tuple(v.strip().lower() for v in value)


def _business_hours(path: Path, spec: dict[str, Any]) -> BusinessHours | None:
    hours = spec.get("business_hours", False)
    if hours is False:
        if "business_days" in spec:
            # Days alone would be silently ignored: the clock would stay on wall-clock hours.
            raise _bad(path, 'rules.business_days needs rules.business_hours, e.g. "09:00-18:00"')
        return None
    match = _HOURS.match(hours) if isinstance(hours, str) else None
    if match is None:
        raise _bad(path, 'rules.business_hours must be like "09:00-18:00", or false for wall-clock hours')
    days = spec.get("business_days", ["mon", "tue", "wed", "thu", "fri"])
    names = _str_list(path, "rules.business_days", days)
    if any(day not in _DAYS and day not in _DAY_NAMES for day in names):
        raise _bad(path, "rules.business_days must name days: mon, tue, wed, thu, fri, sat, sun")
    try:
        start = time(int(match.group(1)), int(match.group(2)))
        end = time(int(match.group(3)), int(match.group(4)))
        return BusinessHours(start, end, frozenset(_DAYS[day[:3]] for day in names))
    except ValueError as exc:
        raise _bad(path, f"rules.business_hours {hours!r}: {exc}") from None


def _load_rules(path: Path, spec: object, channels: tuple[str, ...]) -> tuple[Rules, frozenset[str]]:
    if not isinstance(spec, dict):
        raise _bad(path, "[rules] must be a table")
    known = {f.name for f in fields(Rules)} | {"business_days"}
    for old, hint in _RENAMED_RULES.items():
        if old in spec:
            raise _bad(path, f"rules.{old} is gone: {hint}")
    unknown = set(spec) - known
    if unknown:
        raise _bad(path, f"[rules] has unknown setting(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    if "first_contact_hours" in spec:
        hours = spec["first_contact_hours"]
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 24 * 14:
            raise _bad(path, "rules.first_contact_hours must be a number of hours above 0")
        values["first_contact_hours"] = float(hours)
    if "first_contact_sources" in spec:
        sources = _str_list(path, "rules.first_contact_sources", spec["first_contact_sources"])
        # A misspelt source would quietly switch the first-contact rule off.
        if any(source not in (*SOURCES, "all") for source in sources):
            raise _bad(path, f"rules.first_contact_sources must name sources: {', '.join(SOURCES)}, or all")
        values["first_contact_sources"] = sources
    if "business_hours" in spec or "business_days" in spec:
        values["business_hours"] = _business_hours(path, spec)
    for name in _INT_RULES:
        if name in spec:
            number = spec[name]
            if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= TOUCHES_MAX:
                raise _bad(path, f"rules.{name} must be a whole number from 0 to {TOUCHES_MAX:,}")
            values[name] = number
    if "benefit" in spec:
        if spec["benefit"] not in ("require", "warn", "off"):
            raise _bad(path, 'rules.benefit must be "require", "warn" or "off"')
        values["benefit"] = spec["benefit"]
    if "fallback_channels" in spec:
        fallbacks = (
            ()
            if spec["fallback_channels"] == []
            else _str_list(path, "rules.fallback_channels", spec["fallback_channels"])
        )
        strange = [c for c in fallbacks if c not in channels or c == "call"]
        if strange:
            raise _bad(path, f"rules.fallback_channels: {', '.join(strange)} is not a channel other than call")
        values["fallback_channels"] = fallbacks
    if "cadence_days" in spec:
        cadence = spec["cadence_days"]
        grades = (*GRADES, UNGRADED)
        if not isinstance(cadence, dict) or any(
            g not in grades or isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= CADENCE_DAYS_MAX
            for g, d in cadence.items()
        ):
            grades_text = 'grades A-D (and "-" for ungraded)'
            raise _bad(path, f"rules.cadence_days must map {grades_text} to days, from 1 to {CADENCE_DAYS_MAX:,}")
        values["cadence_days"] = {**Rules().cadence_days, **cadence}
    return Rules(**values), frozenset(values)


def _load_stages(path: Path, spec: object) -> tuple[str, ...]:
    if not isinstance(spec, dict) or set(spec) - {"stages"}:
        raise _bad(path, "[deals] takes one setting: stages = [...], the open stages in order")
    if "stages" not in spec:
        return DEAL_STAGES
    names = _str_list(path, "deals.stages", spec["stages"])
    # "interested -> inquiry -> proposal -> won | lost" written out in full is fine: the
    # closing stages are always there.
    stages = tuple(name for name in names if name not in DEAL_CLOSES)
    if not stages or len(set(stages)) != len(stages) or not all(re.fullmatch(r"[a-z0-9_]{1,40}", s) for s in stages):
        raise _bad(path, "deals.stages must be distinct names (a-z, 0-9, _) besides won and lost")
    return stages


def load_config(path: Path) -> Config:
    """Read ``path`` over the defaults; a missing file means all defaults."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise _bad(path, f"cannot read the config file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _bad(path, f"not valid TOML: {exc}") from None
    config = Config(path=path)
    if "outcomes" in data:
        config = replace(config, outcomes=_merge_outcomes(path, data["outcomes"]))
    if "channels" in data:
        channels = _str_list(path, "channels", data["channels"])
        if "call" not in channels:
            raise _bad(path, 'channels must include "call"')
        config = replace(config, channels=channels)
    if "rules" in data:
        rules, from_file = _load_rules(path, data["rules"], config.channels)
        config = replace(config, rules=rules, from_file=from_file)
    if "deals" in data:
        config = replace(config, stages=_load_stages(path, data["deals"]))
    if "working_days" in data:
        names = _str_list(path, "working_days", data["working_days"])
        if any(day not in _DAYS and day not in _DAY_NAMES for day in names):
            raise _bad(path, "working_days must name days: mon, tue, wed, thu, fri, sat, sun")
        config = replace(config, working_days=frozenset(_DAYS[day[:3]] for day in names))
    if "import" in data:
        config = replace(config, import_values=_load_import_values(path, data["import"]))
    if "timing" in data:
        config = replace(config, timing=_load_timing(path, data["timing"]))
    if "me" in data:
        config = replace(config, me=_load_me(path, data["me"]))
    missing = [c for c in config.rules.fallback_channels if c not in config.channels]
    if missing:
        raise _bad(path, f"fallback channel(s) {', '.join(missing)} are not in channels; set rules.fallback_channels")
    return config


def _window(path: Path, name: str, value: object) -> Window:
    match = _HOURS.match(value) if isinstance(value, str) else None
    try:
        if match is None:
            raise ValueError("not like 12:00-13:30")
        window = Window(time(int(match.group(1)), int(match.group(2))), time(int(match.group(3)), int(match.group(4))))
        if window.end <= window.start:
            raise ValueError("it must end after it starts")
    except ValueError as exc:
        raise _bad(path, f'timing.{name} must be hours like "12:00-13:30" ({exc})') from None
    return window


# Dials in one weekday x hour cell: past a year of every working hour, a threshold means nothing.
MIN_DIALS_MAX = 10_000


def _load_timing(path: Path, spec: object) -> Timing:
    known = {"advice", "lunch", "dinner", "preferred", "holidays", "holiday_country", "min_dials", "morning_ends"}
    if not isinstance(spec, dict):
        raise _bad(path, "[timing] must be a table")
    unknown = set(spec) - known
    if unknown:
        raise _bad(path, f"[timing] has unknown setting(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    if "advice" in spec:
        if not isinstance(spec["advice"], bool):
            raise _bad(path, "timing.advice must be true or false")
        values["advice"] = spec["advice"]
    for name in ("lunch", "dinner"):
        if name in spec:
            values[name] = _window(path, name, spec[name])
    if "morning_ends" in spec:
        values["morning_ends"] = _window(path, "morning_ends", f"00:00-{spec['morning_ends']}").end
    if "preferred" in spec:
        preferred = spec["preferred"]
        if not isinstance(preferred, list) or not preferred:
            raise _bad(path, 'timing.preferred must be a non-empty list of hours like "09:30-11:30"')
        values["preferred"] = tuple(_window(path, "preferred", w) for w in preferred)
    if "holidays" in spec:
        days = spec["holidays"]
        if not isinstance(days, list):
            raise _bad(path, 'timing.holidays must be a list of dates like "2026-10-01"')
        parsed = set()
        for day in days:
            try:
                parsed.add(day if isinstance(day, date) and not isinstance(day, datetime) else date.fromisoformat(day))
            except (TypeError, ValueError):
                raise _bad(path, f'timing.holidays: {day!r} is not a date like "2026-10-01"') from None
        values["holidays"] = frozenset(parsed)
    if "holiday_country" in spec:
        country = spec["holiday_country"]
        if not isinstance(country, str) or not supported_country(country):
            raise _bad(path, 'timing.holiday_country must be a country code the holidays calendar knows, e.g. "CN"')
        values["holiday_country"] = country.upper()
    if "min_dials" in spec:
        number = spec["min_dials"]
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MIN_DIALS_MAX:
            raise _bad(path, f"timing.min_dials must be a whole number from 1 to {MIN_DIALS_MAX:,}")
        values["min_dials"] = number
    return Timing(**values, from_file=frozenset(values))


def _load_import_values(path: Path, spec: object) -> dict[str, dict[str, str]]:
    """``[import.sources] "Messe" = "event"``: a value another tool writes, as salesdesk's."""
    allowed = {"sources": ("source", SOURCES), "grades": ("grade", GRADES)}
    if not isinstance(spec, dict) or set(spec) - set(allowed):
        raise _bad(path, "[import] takes the tables sources and grades")
    tables: dict[str, dict[str, str]] = {}
    for key, values in spec.items():
        target, options = allowed[key]
        if not isinstance(values, dict) or any(not isinstance(v, str) or v not in options for v in values.values()):
            raise _bad(path, f"[import.{key}] maps values to one of: {', '.join(options)}")
        tables[target] = dict(values)
    return tables


# What each rule setting means, for `salesdesk rules`.
RULE_HELP = {
    "first_contact_hours": "a new lead is contacted within this many hours of arriving (any channel but other)",
    "first_contact_sources": "lead sources the first-contact clock and speed to lead apply to (all = every source)",
    "business_hours": "count only these working hours, for the clock and speed to lead (none = wall-clock hours)",
    "min_touches_before_lost": "touches required before a lead may be closed out as lost",
    "min_touch_days_before_lost": "...on at least this many different days (persistence over time)",
    "benefit": "a touch that reaches the customer must offer something of value (require | warn | off)",
    "fallback_channels": "after a call that doesn't get through, follow up on these channels at once",
    "fallback_expiry_days": "a fallback not acted on within this many days lapses (recorded, not overdue forever)",
    "cadence_days": "days without a touch before a lead is due again, by grade (- = ungraded)",
    "focus_after_reached": "conversations (connected call, visit, meeting booked), no deal: flag focus",
    "review_after_reached": "conversations with nothing won before a lead is flagged review (keep or drop?)...",
    "review_quiet_days": "...when its deals had no stage move in this many days",
    "hard_to_reach_after_calls": "calls that reached nobody before a lead is flagged hard to reach",
}


def _show(value: object) -> object:
    if isinstance(value, BusinessHours):
        days = [name for name, index in _DAYS.items() if index in value.weekdays]
        return f"{value.start:%H:%M}-{value.end:%H:%M} {','.join(days)}"
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


# What each [timing] setting means (METHOD.md §1), for `salesdesk rules`.
TIMING_HELP = {
    "advice": "warn when a call or block is scheduled at a time the method advises against (false: never)",
    "lunch": "avoid calling at lunch unless it is urgent",
    "dinner": "avoid calling private numbers at dinner time (lead edit --private-phone)",
    "morning_ends": "after a holiday, avoid the morning: call from this time on",
    "preferred": "the good hours where you have no data of your own: better slots are offered here first",
    "holidays": "days off (the morning after one is avoided; none is offered as a slot)",
    "holiday_country": "a country's public holidays too, e.g. CN, US, DE (the holidays calendar)",
    "min_dials": "a weekday x hour cell with fewer dials is marked too few, not ranked (stats hours)",
}


def timing_settings(config: Config) -> list[dict[str, Any]]:
    """Every effective ``[timing]`` value, named ``timing.NAME``, like ``rule_settings``."""
    timing = config.timing

    def shown(value: object) -> object:
        if isinstance(value, Window):
            return str(value)
        if isinstance(value, time):
            return f"{value:%H:%M}"
        if isinstance(value, tuple):
            return [str(v) for v in value]
        if isinstance(value, frozenset):
            return sorted(d.isoformat() for d in value)
        return value

    return [
        {
            "name": f"timing.{name}",
            "value": shown(getattr(timing, name)),
            "source": "config file" if name in timing.from_file else "default",
            "meaning": meaning,
        }
        for name, meaning in TIMING_HELP.items()
    ]


def rule_settings(config: Config) -> list[dict[str, Any]]:
    """Every effective rule value, what it means, and whether it is a default or from the file."""
    return [
        {
            "name": f.name,
            "value": _show(getattr(config.rules, f.name)),
            "source": "config file" if f.name in config.from_file else "default",
            "meaning": RULE_HELP[f.name],
        }
        for f in fields(Rules)
    ]
