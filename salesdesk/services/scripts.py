"""Call scripts and voicemail templates (METHOD.md §2), seeded by migration 0005.

The call script has three steps (who you are; purpose and the ask; the brush-off); the
voicemail templates follow both no-answer schools (leave no message, or provoke a callback).
Bodies hold {placeholders} that the call session fills in; an edit may only use known ones,
so a typo never reaches a customer as "{my_nmae}".
"""

from __future__ import annotations

import re
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


def script_dict(script: Script) -> dict[str, Any]:
    return {
        "key": script.key,
        "kind": script.kind,
        "title": script.title,
        "body": script.body,
        "placeholders": placeholders(script.body),
    }


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


def edit(session: Session, key: str, *, title: str | None = None, body: str | None = None) -> Script:
    """Change a script's title or body; a body may only use the known placeholders."""
    script = get(session, key)
    if title is None and body is None:
        raise InvalidInput("say what to change: --title, or the body with --body or --file")
    if title is not None:
        script.title = validate.required(title, "title", max_len=validate.SHORT_MAX)
    if body is not None:
        clean = validate.text(body, "body", max_len=validate.TEXT_MAX, multiline=True)
        if clean is None:
            raise InvalidInput("the body is empty; give the script's text")
        unknown = [name for name in placeholders(clean) if name not in PLACEHOLDERS]
        if unknown:
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            raise InvalidInput(f"unknown placeholder {{{unknown[0]}}}; use {known}")
        script.body = clean
    session.add(script)
    session.flush()
    return script
