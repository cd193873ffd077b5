"""Rep-typed text makes no link in the markdown salesdesk writes (issue 10, item 5), read by
two renderers: markdown-it-py with linkify (which links even bare domains) and GitHub's own
cmark-gfm (URLs, www. names, e-mail addresses, mailto: and xmpp:)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import cmarkgfm
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from salesdesk.services.exports import LINK_BREAK, md
from tests.cli_helpers import run_process
from tests.conftest import NOW, TZ_NAME

LINKIFY = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(["table", "linkify"])
LINKABLE = [
    "see http://evil.example/a_b_c now",
    "www.a_b_c.com",
    "HTTPS://WWW.EVIL.COM/x?y=1",
    "mail li.na@acme.com",
    "mailto:x@y.org",
    "xmpp:foo@bar.baz",
    "example.com",
    "ftp://files.example.net",
    "<http://angle.example>",
    "[click](http://x.example)",
    "王芳@华为.中国",
]


def _html_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page)).replace(LINK_BREAK, "")


def _renders(markdown: str) -> list[str]:
    return [LINKIFY.render(markdown), cmarkgfm.github_flavored_markdown_to_html(markdown)]


@pytest.mark.parametrize("text", LINKABLE)
def test_linkable_text_is_shown_as_typed_and_links_nowhere(text: str) -> None:
    for page in _renders(md(text)):
        assert "<a " not in page, page
        assert _html_text(page).strip() == text


@settings(max_examples=200, deadline=None)
@example("1@.a")  # found by CI's profile: an '@' before a '.' is still an address to cmark-gfm
@given(st.text(st.sampled_from("htpswfxmaio.:/@_-~#<>[]() 1王"), min_size=1, max_size=40))
def test_no_rep_text_makes_a_link(text: str) -> None:
    one_line = " ".join(text.split())
    if not one_line:
        return
    for page in _renders(md(one_line)):
        assert "<a " not in page, (one_line, page)


def test_the_weekly_page_links_nowhere(isolated_home: Path, tmp_path: Path) -> None:
    env = {"SALESDESK_HOME": str(isolated_home), "SALESDESK_NOW": NOW.isoformat(), "TZ": TZ_NAME}
    steps = [
        ("lead", "add", "www.evil_name.com", "--company", "http://evil.example", "--grade", "A", "--at", "-1h"),
        ("lead", "add", "Li Na", "--company", "li.na@acme.com", "--grade", "A", "--at", "-1h"),
        ("review", "--problem", "mailto:boss@acme.com", "--act", "read example.com/a_b"),
    ]
    for args in steps:
        made = run_process(*args, env=env)
        assert made.code == 0, made
    page = tmp_path / "week.md"
    assert run_process("export", "week", "-o", str(page), env=env).code == 0
    text = page.read_text(encoding="utf-8")
    for rendered in _renders(text):
        assert "<a " not in rendered, rendered
        shown = _html_text(rendered)
        for typed in ("www.evil_name.com", "http://evil.example", "li.na@acme.com", "mailto:boss@acme.com"):
            assert typed in shown, (typed, shown)
