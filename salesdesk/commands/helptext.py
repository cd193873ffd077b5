"""``--help`` in the words command-line tools use: ``--note TEXT``, ``--next WHEN``,
``--limit N``, ``LEAD``; not Typer's (0.29) type names (``--note <str>``, ``{LEAD}``).

Typer prints a parameter's Python type when it has no metavar. Rather than repeat a metavar
on some 200 options, one rule names them all: options that take a time are WHEN (they go
through ``dates.parse_when``), text is TEXT, a whole number N, a decimal NUMBER, a path
FILE; a choice lists its values. An explicit ``metavar=`` still wins. Arguments show their
own name (``LEAD``) once, without a type after it, and bare in the usage line.
"""

from __future__ import annotations

from typing import Any

from typer import core

# Options whose value is a time read by dates.parse_when ("tomorrow 9am", "tue 10:00").
WHEN_OPTIONS = frozenset({"at", "next", "meeting", "until", "since", "when", "start", "due"})

# Options whose value is a name from a list the user can print (outcomes, channels, keys).
_BY_OPTION = {"outcome": "NAME", "channel": "NAME", "objection": "KEY", "duration": "DURATION", "for": "DURATION"}

_BY_TYPE = {"str": "TEXT", "int": "N", "float": "NUMBER", "Path": "FILE", "datetime": "WHEN"}


def conventional(param: Any) -> str:
    """The metavar a reader expects for ``param`` (an option with no explicit metavar)."""
    desc = param.type_descriptor
    longs = [opt.lstrip("-") for opt in getattr(param, "opts", ()) if opt.startswith("--")]
    name = longs[0] if longs else (param.name or "")
    if name in WHEN_OPTIONS:
        return "WHEN"
    if name in _BY_OPTION:
        return _BY_OPTION[name]
    if desc.is_choice and desc.choices:
        return "|".join(str(getattr(choice, "value", choice)) for choice in desc.choices)
    if desc.is_path:
        return "FILE"
    annotation = desc.annotation
    if desc.is_list:
        inner = getattr(annotation, "__args__", (str,))[0]
        return _BY_TYPE.get(getattr(inner, "__name__", ""), "TEXT")
    return _BY_TYPE.get(getattr(annotation, "__name__", ""), "VALUE")


def _option_type(self: Any, ctx: Any) -> str | None:
    if self.metavar is not None:
        return self.metavar
    shown = conventional(self)
    return f"{shown}..." if self.nargs != 1 else shown


def _argument_type(self: Any, ctx: Any) -> None:
    return None  # the argument's name (LEAD, FILE) already says what it is


def _argument_name(self: Any) -> str:
    name = self.metavar or (self.name or "").upper()
    return f"{name}..." if self.nargs != 1 else name


def _usage_name(self: Any) -> str:
    name = self.metavar or (self.name or "").upper()
    name = name if self.required else f"[{name}]"
    return f"{name}..." if self.nargs != 1 else name


# Where a summary may end early and still be a whole thought: a clause, not mid-phrase.
_CLAUSE_ENDS = ("; ", ": ", " (", " — ")


def summary(help_text: str, limit: int) -> str:
    """A command's one line in the command list: its first sentence, or that sentence up to
    its last clause boundary that fits in ``limit``; never a sentence cut mid-word with "...".
    A docstring whose first sentence has no such boundary is reworded to fit (a test checks)."""
    paragraph = " ".join(help_text.strip().split("\n\n")[0].split())
    first = paragraph.split(". ")[0].rstrip(".")
    if len(first) <= limit:
        return first
    depth, best = 0, 0
    for at, char in enumerate(first[: limit + 1]):
        if depth == 0 and any(first.startswith(end, at) for end in _CLAUSE_ENDS):
            best = at  # a boundary outside parentheses: "(default: ...)" is not cut inside
        depth += {"(": 1, ")": -1}.get(char, 0)
    return first[:best] if best > 0 else first


def _short_help(self: Any, limit: int = 45) -> str:
    if self.short_help:
        return str(self.short_help).strip()
    return summary(self.help or "", limit)


def install() -> None:
    """Patch Typer's help display (idempotent): options, arguments, usage line, and the
    command list's summaries."""
    # Typer has no public hook for these (checked against the installed version's source):
    # the methods are replaced, as coercion.py does, and tests pin the help they print.
    patches = (
        (core.TyperCommand, "get_short_help_str", _short_help),
        (core.TyperGroup, "get_short_help_str", _short_help),
        (core.TyperOption, "display_type_rich", _option_type),
        (core.TyperArgument, "display_type_rich", _argument_type),
        (core.TyperArgument, "_usage_display_name", _usage_name),
        (core.TyperArgument, "_rich_display_name", _argument_name),
    )
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
