"""What shell completion offers from the store: lead names and ids, objection keys, block
ids. Plain ``sqlite3`` reads (a completion runs the program on every Tab), through the
store layer; leads are matched by ``lead_lookup.complete``, the lookup ``resolve_id`` uses.
"""

from __future__ import annotations

import sqlite3

from salesdesk import lead_lookup, validate

# More than a screenful is no help at a prompt.
SHOWN = 50


def leads(conn: sqlite3.Connection, typed: str) -> list[tuple[str, str]]:
    """(value, help) pairs: ids when digits were typed, else names, each with the other as help."""
    found = lead_lookup.complete(conn, typed, SHOWN)
    if typed.strip().lstrip("#").isdigit():
        return [(str(lead_id), name) for lead_id, name in found]
    return [(_as_typed(name, typed), f"#{lead_id}") for lead_id, name in found]


def _as_typed(name: str, typed: str) -> str:
    """``name`` beginning exactly as typed ("li" + "…" for "Li Na"): Typer keeps only the
    values that start with the typed text, case-sensitively, and zsh does the same, while
    leads match case-insensitively (and resolve so: "li Na" still names Li Na)."""
    head = name[: len(typed)]
    if not name.startswith(typed) and validate.name_key(head) == validate.name_key(typed):
        return typed + name[len(typed) :]
    return name


def objection_keys(conn: sqlite3.Connection, typed: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT key, text FROM objection WHERE key >= ? AND key < ? ORDER BY key LIMIT ?",
        (typed, typed + "\U0010ffff", SHOWN),
    )
    return [(key, text.splitlines()[0] if text else "") for key, text in rows]


def block_ids(conn: sqlite3.Connection, typed: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT id, title FROM call_block WHERE CAST(id AS TEXT) LIKE ? ORDER BY id LIMIT ?", (f"{typed}%", SHOWN)
    )
    return [(str(block_id), title) for block_id, title in rows]
