"""Counted nouns, said one way everywhere: ``1 lead``, ``2 leads``, ``1 touch``, ``3 touches``."""

from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
_IRREGULAR = {"touch": "touches", "reply": "replies", "breach": "breaches", "entry": "entries", "match": "matches"}


def plural(count: int, one: str, many: str | None = None) -> str:
    """``count`` and the noun in the number it takes; thousands are separated (``1,200 leads``)."""
    return f"{count:,} {one if count == 1 else many or _IRREGULAR.get(one, one + 's')}"
