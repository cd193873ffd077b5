"""The objection and reply a logged call names, checked against the library, written once
against the DB-API connection (``sqlite3``).

``services.objections`` (the ORM commands, the TUI, the batch) checks through these over its
session's connection, and the hot ``log-call --objection KEY --reply N`` over a bare one.
"""

from __future__ import annotations

import sqlite3

from salesdesk import validate
from salesdesk.errors import InvalidInput


def unknown(conn: sqlite3.Connection, key: str) -> InvalidInput:
    """The error for a key not in the library, naming the close ones (or all of them)."""
    import difflib

    keys = [k for (k,) in conn.execute("SELECT key FROM objection ORDER BY position")]
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.6)
    close += [k for k in keys if key in k and k not in close]
    hint = f"did you mean {' or '.join(close)}?" if close else f"known: {', '.join(keys)}"
    return InvalidInput(f"unknown objection {key!r}; {hint} (add one with: salesdesk objection add)")


def numbers(count: int) -> str:
    """The reply numbers an objection has, in words."""
    return {0: "no reply yet", 1: "only reply 1"}.get(count, f"replies 1 to {count}")


def resolve(conn: sqlite3.Connection, key: str | None, reply: int | None) -> tuple[str | None, int | None]:
    """The objection key and reply id a logged call records; the key must be in the library
    and ``reply`` (1-based, as ``objection show`` numbers them) one of its replies."""
    clean = validate.key(key, "objection")
    if clean is None:
        if reply is not None:
            raise InvalidInput("a reply number needs the objection it answers (--objection KEY)", field="reply")
        return None, None
    if conn.execute("SELECT 1 FROM objection WHERE key = ?", (clean,)).fetchone() is None:
        raise unknown(conn, clean)
    if reply is None:
        return clean, None
    found = conn.execute(
        "SELECT id FROM objection_reply WHERE objection_key = ? AND position = ?", (clean, reply)
    ).fetchone()
    if found is None:
        (have,) = conn.execute("SELECT count(*) FROM objection_reply WHERE objection_key = ?", (clean,)).fetchone()
        raise InvalidInput(
            f"objection {clean} has {numbers(have)}, not reply {reply}; see salesdesk objection show {clean}"
        )
    return clean, found[0]
