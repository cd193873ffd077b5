"""Finding a lead from what was typed, written once against the DB-API connection.

``services.leads.resolve_lead`` (the ORM commands and the TUI) resolves through
``resolve_id`` over its session's connection; the hot commands and shell completion call it
over a bare ``sqlite3`` one. So every front end gives the same answer to the same words.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata

from salesdesk import validate
from salesdesk.errors import InvalidInput

# How many candidates an "ambiguous lead" message lists before it says "and N more".
CANDIDATES_SHOWN = 8
# The longest reference worth matching: an email address at its longest.
REF_MAX = 254
_ID = re.compile(r"^#?(\d{1,9})$")

# The same number, with or without its country code (:digits, 7+ digits): one ends with the other.
SAME_PHONE = (
    "(replace(lead.phone, '+', '') LIKE '%' || :digits "
    "OR (length(replace(lead.phone, '+', '')) >= 7 AND :digits LIKE '%' || replace(lead.phone, '+', '')))"
)
# A name that starts with :key (name keys are case-folded), as a range the name index serves.
NAME_PREFIX = "(lead.name_key >= :key AND lead.name_key < :key_end)"


def like(text: str) -> str:
    """``%text%`` with LIKE's wildcards escaped (``ESCAPE '\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def phone_key(text: str) -> str | None:
    """The digits of ``text`` when it reads as (part of) a phone number."""
    text = unicodedata.normalize("NFKC", text)  # full-width digits, as validate.phone stores them
    digits = re.sub(r"[^0-9]", "", text)
    return digits if len(digits) >= 3 and validate._PHONE_CHARS.match(text) else None


def _tiers(key: str, phone: str | None) -> list[str]:
    """Exact, then prefix, then substring: an exact match wins over a prefix, and a prefix
    over a substring, so ``Li Na`` is not ambiguous with ``Li Nan``."""
    exact_phone = f" OR {SAME_PHONE}" if phone and len(phone) >= 7 else ""
    some_phone = " OR lead.phone LIKE :some_phone" if phone else ""
    return [
        f"(lead.name_key = :key OR lead.email = :key{exact_phone})",
        f"({NAME_PREFIX} OR lead.email LIKE :like_prefix ESCAPE '\\')",
        f"(lead.name_key LIKE :like ESCAPE '\\' OR lead.email LIKE :like ESCAPE '\\'{some_phone})",
    ]


def resolve_id(conn: sqlite3.Connection, ref: str) -> int:
    """The id of the one lead ``ref`` names: an id (``12`` or ``#12``), or a name, phone or email.

    Matching is case-insensitive. No match or several at the best tier is an InvalidInput
    that lists the candidates.
    """
    text = (ref or "").strip()
    if not text:
        raise InvalidInput("LEAD is empty; give an id, or part of a name, phone or email")
    if len(text) > REF_MAX:
        # SQLite refuses LIKE patterns this long ("pattern too complex"); no lead field is.
        raise InvalidInput(f"LEAD is {len(text):,} characters long; give an id, or part of a name, phone or email")
    if (m := _ID.match(text)) is not None:
        if conn.execute("SELECT 1 FROM lead WHERE id = ?", (int(m.group(1)),)).fetchone() is not None:
            return int(m.group(1))
        if text.startswith("#"):
            raise InvalidInput(f"no lead has id {m.group(1)}; find it with: salesdesk lead list --search TEXT")
    key = validate.name_key(text)
    phone = phone_key(text)
    pattern = like(key)
    bound = {
        "key": key, "key_end": key + "\U0010ffff", "like": pattern, "like_prefix": pattern[1:],
        "digits": phone, "some_phone": f"%{phone}%",
    }  # fmt: skip
    for condition in _tiers(key, phone):
        found = conn.execute(
            f"SELECT id, name FROM lead WHERE {condition} ORDER BY id LIMIT {CANDIDATES_SHOWN + 1}", bound
        ).fetchall()
        if len(found) == 1:
            return found[0][0]
        if found:
            (total,) = conn.execute(f"SELECT count(*) FROM lead WHERE {condition}", bound).fetchone()
            shown = "; ".join(f"#{lead_id} {name}" for lead_id, name in found[:CANDIDATES_SHOWN])
            more = f"; and {total - CANDIDATES_SHOWN} more" if total > CANDIDATES_SHOWN else ""
            raise InvalidInput(f"{ref!r} matches {total} leads; use an id or more of the name:\n{shown}{more}")
    raise InvalidInput(f"no lead matches {ref!r}; find it with: salesdesk lead list --search TEXT")


def complete(conn: sqlite3.Connection, typed: str, limit: int = 50) -> list[tuple[int, str]]:
    """Leads whose name starts with ``typed`` (case-insensitive, any script), or whose id
    does: (id, name) pairs, ids first, then names in order, for shell completion."""
    text = typed.strip().lstrip("#")
    if text.isdigit():
        # Ids are integers: those starting with the digits typed, smallest first.
        rows = conn.execute(
            "SELECT id, name FROM lead WHERE CAST(id AS TEXT) LIKE ? ORDER BY id LIMIT ?", (f"{text}%", limit)
        )
        return rows.fetchall()
    key = validate.name_key(text) if text else ""
    rows = conn.execute(
        f"SELECT id, name FROM lead WHERE {NAME_PREFIX} ORDER BY name_key, id LIMIT :limit",
        {"key": key, "key_end": key + "\U0010ffff", "limit": limit},
    )
    return rows.fetchall()
