"""Call scripts and voicemail templates (METHOD.md §2), seeded by migration 0005.

The call script has three steps (who you are; purpose and the ask; the brush-off); the
voicemail templates follow both no-answer schools (leave no message, or provoke a callback).
Bodies hold {placeholders} that the call session fills in; an edit may only use known ones,
so a typo never reaches a customer as "{my_nmae}". Migration 0009 gave the seeds a Chinese
wording; ``[me] language`` picks the one shown (``worded``), and an edit in Chinese rewords it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, case, col, select

from salesdesk import validate
from salesdesk.errors import InvalidInput
from salesdesk.models import Script

PLACEHOLDERS = ("my_name", "my_company", "lead", "lead_company")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders(body: str) -> list[str]:
    """The placeholder names in ``body``, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(body)))


@dataclass(frozen=True)
class Worded:
    """A script step or template as the rep reads it, in their language."""

    key: str
    kind: str
    title: str
    body: str


def worded(script: Script, language: str = "en") -> Worded:
    zh = language == "zh"
    return Worded(
        script.key,
        script.kind,
        script.title_zh if zh and script.title_zh else script.title,
        script.body_zh if zh and script.body_zh else script.body,
    )


def script_dict(script: Script | Worded, language: str = "en") -> dict[str, Any]:
    shown = worded(script, language) if isinstance(script, Script) else script
    return {
        "key": shown.key,
        "kind": shown.kind,
        "title": shown.title,
        "body": shown.body,
        "placeholders": placeholders(shown.body),
    }


def worded_scripts(session: Session, language: str = "en", kind: str | None = None) -> list[Worded]:
    """The scripts in order (``kind``: only ``call`` steps or ``voicemail`` templates), worded."""
    return [worded(s, language) for s in list_scripts(session) if kind is None or s.kind == kind]


def list_scripts(session: Session) -> list[Script]:
    """The call script's steps in order, then the voicemail templates."""
    kind_order = case((Script.kind == "call", 0), else_=1)
    return list(session.execute(select(Script).order_by(kind_order, col(Script.position))).scalars())


def get(session: Session, key: str) -> Script:
    found = session.get(Script, key.strip().lower())
    if found is None:
        keys = ", ".join(s.key for s in list_scripts(session))
        raise InvalidInput(f"no script {key!r}; scripts: {keys}")
    return found


def edit(
    session: Session, key: str, *, title: str | None = None, body: str | None = None, language: str = "en"
) -> Script:
    """Change a script's title or body; a body may only use the known placeholders. In
    Chinese, a seed's Chinese wording is the one changed."""
    script = get(session, key)
    if title is None and body is None:
        raise InvalidInput("say what to change: --title, or the body with --body or --file")
    zh = language == "zh"
    if title is not None:
        clean_title = validate.required(title, "title", max_len=validate.SHORT_MAX)
        if zh and script.title_zh:
            script.title_zh = clean_title
        else:
            script.title = clean_title
    if body is not None:
        clean = validate.text(body, "body", max_len=validate.TEXT_MAX, multiline=True)
        if clean is None:
            raise InvalidInput("the body is empty; give the script's text")
        unknown = [name for name in placeholders(clean) if name not in PLACEHOLDERS]
        if unknown:
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            raise InvalidInput(f"unknown placeholder {{{unknown[0]}}}; use {known}")
        if zh and script.body_zh:
            script.body_zh = clean
        else:
            script.body = clean
    session.add(script)
    session.flush()
    return script
