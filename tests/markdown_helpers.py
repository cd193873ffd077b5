"""Reading markdown back the way a renderer does, for tests of the weekly page."""

from __future__ import annotations

from markdown_it.token import Token

from salesdesk.services.exports import LINK_BREAK


def inline_text(inline: Token) -> str:
    """What a reader sees: the invisible word joiner that keeps an '@' from linking dropped."""
    return "".join(child.content for child in inline.children or []).replace(LINK_BREAK, "")


def table_cells(tokens: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cell texts, the header row first."""
    found: list[list[list[str]]] = []
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            found[-1].append([])
        elif token.type in ("th_open", "td_open"):
            found[-1][-1].append(inline_text(tokens[index + 1]))
    return found
