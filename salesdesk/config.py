"""The rep's settings, read from ``config.toml``; every default lives here.

Call outcomes (dispositions) are data: each has flags that the rules read. A
``[outcomes.KEY]`` table in the config file adds an outcome or overrides a default's
fields; ``enabled = false`` removes one.

    [outcomes.left_message]
    label = "Left a message"
    connected = false
    key = "l"

Sections this version does not know are left for later versions and ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from salesdesk.errors import InvalidInput

CHANNELS = ("call", "email", "wechat", "sms", "visit", "social", "other")
SOURCES = ("inbound", "outbound", "referral", "event", "other")
GRADES = ("A", "B", "C", "D")
STATUSES = ("new", "working", "won", "lost")


@dataclass(frozen=True)
class Outcome:
    """One way a call can end.

    connected: the person was reached (counts as a connect).
    meeting: a meeting was booked (counts toward meeting goals).
    terminal: no further attempts make sense (bad number, do-not-call).
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
    _o("do_not_call", "Do not call", True, "d", terminal=True),
)

_BOOL_FLAGS = ("connected", "meeting", "terminal", "requires_next")


@dataclass(frozen=True)
class Config:
    outcomes: dict[str, Outcome] = field(
        default_factory=lambda: {o.name: o for o in DEFAULT_OUTCOMES}
    )
    path: Path | None = None

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
            raise _bad(
                path, f"outcomes {keys[outcome.key]} and {outcome.name} share the key {outcome.key!r}"
            )
        keys[outcome.key] = outcome.name
    return outcomes


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
    outcomes = _merge_outcomes(path, data["outcomes"]) if "outcomes" in data else None
    config = Config(path=path)
    return replace(config, outcomes=outcomes) if outcomes is not None else config
