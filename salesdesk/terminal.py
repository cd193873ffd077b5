"""Text echoed to a terminal, made visible: every character a terminal would obey rather than
show is written as an escape (``\\x1b``, ``\\u202e``) instead.

A CSV header, a file name, a config label or anything else typed into an error message can
hold ESC sequences (set the window title, clear the screen, hide what follows) or bidi
controls (show text reversed). Escaping, not stripping, shows the user what is really there.
Newlines still separate lines and tabs still align; everything else below space, DEL, the C1
controls, the bidi and line-separator characters and lone surrogates is escaped.

One function for every front end: errors (``SalesdeskError``) are made visible when raised,
so the CLI's stderr and the TUI's notifications show the same safe text; the CLI's own
output passes through it in ``render``.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but tab and newline), DEL, C1 (a lone 0x9b is CSI)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u2028\u2029"  # line and paragraph separators: a new line some terminals and editors obey
    "\ud800-\udfff]"  # lone surrogates: not characters, can't even be encoded to the terminal
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    return _HIDDEN.sub(_escape, text)
