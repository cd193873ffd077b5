"""``plain``: a card or table printed without Rich is exactly what Rich prints, or Rich prints it."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesdesk import plain

# ASCII, CJK and full-width, Latin letters with accents, the ★ and … render uses, markup and
# emoji-code look-alikes, and a combining mark (width unknown: Rich prints those).
ALPHABET = st.sampled_from(list("ab Z09-:[]/\\#.,()") + list("王芳华为，。（）") + list("éßŁÄ★…·—") + ["\u0301"])
TEXT = st.text(ALPHABET, max_size=30)
CELL = st.text(st.sampled_from(list("ab 0:[]\\\n") + list("王芳★é")), max_size=20) | st.lists(
    st.tuples(TEXT, st.sampled_from([None, "dim"])), max_size=3
)
STYLE = st.sampled_from([None, "dim", "bold", "bold yellow", "red"])
LINE = st.lists(st.tuples(TEXT, STYLE), max_size=4)
TABLE = st.tuples(
    st.none() | TEXT,
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(TEXT, min_size=n, max_size=n), st.lists(st.lists(TEXT, min_size=n, max_size=n), max_size=4)
        )
    ),
)


@dataclass(frozen=True)
class _Hang:
    head: str
    text: list[tuple[str, str | None]]


# A label and its value, the value's wrapped lines hung under its first character.
HANG = st.builds(_Hang, TEXT, LINE)


def _doc(items: list) -> plain.Doc:  # type: ignore[type-arg]
    doc = plain.Doc()
    for item in items:
        if isinstance(item, list):
            doc.line(*item)
        elif isinstance(item, _Hang):
            doc.hang(item.head, *item.text)
        else:
            title, (columns, rows) = item
            doc.table(title, columns).rows.extend(rows)
    return doc


def _rich_text(doc: plain.Doc, width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    out = io.StringIO()
    with monkeypatch.context() as m, contextlib.redirect_stdout(out):
        m.setenv("COLUMNS", str(width))
        plain._rich(doc, width)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(items=st.lists(LINE | TABLE | HANG, max_size=5), width=st.integers(4, 60))
def test_plain_text_is_what_rich_prints(items, width) -> None:  # type: ignore[no-untyped-def]
    doc = _doc(items)
    text = plain._plain(doc, width)
    if text is not None:
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert text == _rich_text(doc, width, monkeypatch)


def test_a_simple_card_and_table_print_plain() -> None:
    doc = _doc(
        [
            [("#1 王芳 (华为)", "bold"), ("  ", None), ("★ coach", "bold yellow")],
            [],
            (None, (["id", "name"], [["1", "Li Na"]])),
        ]
    )
    assert plain._plain(doc, 80) == "#1 王芳 (华为)  ★ coach\n\nid  name \n1   Li Na\n"


@pytest.mark.parametrize(
    "items",
    [
        [[("x" * 81, None)]],  # folded
        [[("a few words " * 9, None)]],  # wrapped at a word
        [(None, (["a", "b"], [["x" * 50, "y" * 40]]))],  # too wide: the widest column narrowed first
        [(None, (["#", "why"], [["1", "inbound 2d21h ago — first contact was due within 5h, 2d16h over " * 2]]))],
    ],
)
def test_what_rich_would_wrap_is_wrapped_the_same(items, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    text = plain._plain(_doc(items), 80)
    assert text is not None and text == _rich_text(_doc(items), 80, monkeypatch)


def test_a_hung_value_wraps_under_its_first_character(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _doc([_Hang("  touches   ", [("3 touches on 2 days; closing as lost needs 6 touches", None)])])
    text = plain._plain(doc, 40)
    assert text.splitlines() == [
        "  touches   3 touches on 2 days; closing",
        "            as lost needs 6 touches     ",
    ]
    assert text == _rich_text(doc, 40, monkeypatch)


def test_a_tab_is_left_to_rich() -> None:
    assert plain._plain(_doc([(None, (["note"], [["a\tb"]]))]), 80) is None


def test_a_terminal_or_forced_colour_gets_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert plain._plain_width() is None
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert plain._plain_width() == plain.PIPE_WIDTH  # a pipe: never wrapped, whatever COLUMNS says


def test_a_pipe_gets_each_line_bare(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    _doc([(None, (["#", "why"], [["1", "first\nsecond reason"]]))]).print()
    assert out.getvalue() == "#  why\n1  first\n   second reason\n"


def test_a_row_with_a_line_break_is_as_tall_as_its_tallest_cell() -> None:
    doc = _doc([(None, (["#", "why"], [["1", "first\nsecond reason"], ["2", [("x", None), (" B", "dim")]]]))])
    assert plain._plain(doc, 80) == "#  why          \n1  first        \n   second reason\n2  x B          \n"


def test_what_was_typed_is_printed_as_typed_by_both(monkeypatch: pytest.MonkeyPatch) -> None:
    """No markup, emoji code or escape is read in a value, plain or through Rich."""
    doc = _doc([[("[bold]x[/] :smile: a\\", None)], (None, (["note"], [["[red]y :+1: b\\"]]))])
    text = plain._plain(doc, 80)
    assert text == "[bold]x[/] :smile: a\\\nnote          \n[red]y :+1: b\\\n"
    assert _rich_text(doc, 80, monkeypatch) == text
