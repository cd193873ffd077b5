"""Cleaning what people type: trimmed, bounded, normalised, or refused with a reason."""

from __future__ import annotations

import re
import unicodedata
from typing import overload

from salesdesk.errors import InvalidInput

NAME_MAX = 120
SHORT_MAX = 200  # titles, companies, roles, reasons
TEXT_MAX = 4_000  # notes and benefits: a paragraph, not a document
NOTES_MAX = 20_000

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9\s\-().]+$")
_TRUNK_ZERO = re.compile(r"^(\+\d{1,4})\s*\(0\)")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")


# Bidirectional overrides and isolates reorder what follows them on screen ("Trojan source"):
# a name or note holding one shows as something else than it is, in the terminal and in exports.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _has_control(value: str, allow_newlines: bool) -> bool:
    if value.isprintable():
        return False  # C speed: printable text has no Cc or Cf (bidi controls are Cf) characters
    allowed = {"\n", "\t"} if allow_newlines else set()
    return any((unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in _BIDI_CONTROLS for ch in value)


def text(value: str | None, field: str, *, max_len: int = SHORT_MAX, multiline: bool = False) -> str | None:
    """A trimmed optional text; ``None`` when empty. Control characters are refused."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if _has_control(value, multiline):
        raise InvalidInput(f"{field} contains control characters; type plain text")
    surrogate = next((i for i, ch in enumerate(value) if "\ud800" <= ch <= "\udfff"), None)
    if surrogate is not None:  # half of a UTF-16 pair: no text can hold it, nor SQLite store it
        raise InvalidInput(f"{field} is not valid text (a lone surrogate at character {surrogate + 1})")
    if len(value) > max_len:
        raise InvalidInput(f"{field} is {len(value):,} characters long; the limit is {max_len:,}")
    return value


def required(value: str | None, field: str, *, max_len: int = NAME_MAX) -> str:
    cleaned = text(value, field, max_len=max_len)
    if cleaned is None:
        article = "an" if field[:1].lower() in "aeiou" else "a"
        raise InvalidInput(f"{field} is empty; give {article} {field}", field=field)
    return cleaned


def phone(value: str | None) -> str | None:
    """``+86 138-0013 8000`` -> ``+8613800138000``: one form, so duplicates and searches match."""
    value = text(value, "phone", max_len=40)
    if value is None:
        return None
    # Chinese input methods type full-width digits (１３８): NFKC makes them ASCII, so the
    # stored form is one form. Digits of other scripts stay non-ASCII and are refused below.
    value = unicodedata.normalize("NFKC", value)
    # +44 (0)20 ...: the (0) is dialled only inside the country; after +44 it makes another number.
    value = _TRUNK_ZERO.sub(r"\1", value)
    digits = re.sub(r"[^0-9]", "", value)
    if not _PHONE_CHARS.match(value) or not 5 <= len(digits) <= 20:
        raise InvalidInput(
            f"phone {value!r} is not a phone number; use digits with optional +, spaces or dashes", field="phone"
        )
    return ("+" if value.startswith("+") else "") + digits


def email(value: str | None) -> str | None:
    value = text(value, "email", max_len=254)
    if value is None:
        return None
    if not _EMAIL.match(value):
        raise InvalidInput(f"email {value!r} is not an email address (name@example.com)", field="email")
    return value.lower()


def wechat(value: str | None) -> str | None:
    value = text(value, "wechat", max_len=64)
    if value is not None and re.search(r"\s", value):
        raise InvalidInput(f"wechat id {value!r} contains spaces; a WeChat id is one word", field="wechat")
    return value


@overload
def choice(value: str, field: str, options: tuple[str, ...], *, upper: bool = False) -> str: ...
@overload
def choice(value: str | None, field: str, options: tuple[str, ...], *, upper: bool = False) -> str | None: ...
def choice(value: str | None, field: str, options: tuple[str, ...], *, upper: bool = False) -> str | None:
    if value is None:
        return None
    norm = value.strip().upper() if upper else value.strip().lower()
    if norm not in options:
        raise InvalidInput(f"{field} {value!r} is not one of: {', '.join(options)}", field=field)
    return norm


def key(value: str | None, field: str) -> str | None:
    """A short machine key such as an objection key (``no_time``)."""
    if value is None or not value.strip():
        return None
    norm = value.strip().lower()
    if not _KEY.match(norm):
        raise InvalidInput(f"{field} {value!r} must be a short key like no_time (a-z, 0-9, _)")
    return norm


def name_key(name: str) -> str:
    """The form names are matched in: case-folded and NFKC-normalised (full-width -> ASCII)."""
    return unicodedata.normalize("NFKC", name).casefold()
