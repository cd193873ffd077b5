"""validate: what people type is trimmed, bounded and normalised, or refused with a reason."""

from __future__ import annotations

import pytest

from salesdesk import validate
from salesdesk.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+86 138-0013 8000", "+8613800138000"),
        ("138 0013 8000", "13800138000"),
        ("(020) 8888.6666", "02088886666"),
        ("  +44 20 7946 0958  ", "+442079460958"),
        # Full-width digits from a Chinese input method are the same number.
        ("＋８６ １３８-００１３ ８０００", "+8613800138000"),
    ],
)
def test_phone_is_normalised(typed: str, stored: str) -> None:
    assert validate.phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["call me", "138-0013-800O", "1234", "1" * 21, "+86 138 0013 8000 ext 5", "86+13800138000", "١٣٨٠٠١٣٨٠٠٠"],
)
def test_bad_phones_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="phone"):
        validate.phone(typed)


def test_phone_length_limit_counts_the_typed_text() -> None:
    with pytest.raises(InvalidInput, match="limit is 40"):
        validate.phone("1 " * 25)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_phone_and_email_are_none(value: str | None) -> None:
    assert validate.phone(value) is None
    assert validate.email(value) is None
    assert validate.wechat(value) is None


def test_email_is_lowercased_and_trimmed() -> None:
    assert validate.email("  Li.Na@Example.COM ") == "li.na@example.com"


@pytest.mark.parametrize(
    "typed", ["li.na", "li@na", "li na@example.com", "@example.com", "li@@example.com", "li@example."]
)
def test_bad_emails_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="email"):
        validate.email(typed)


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1b[31mb", "a\rb", "a\nb", "a\x7fb"])
def test_control_characters_are_refused_in_single_line_text(bad: str) -> None:
    with pytest.raises(InvalidInput, match="control characters"):
        validate.text(bad, "title")
    with pytest.raises(InvalidInput, match="control characters"):
        validate.required(bad, "name")


def test_multiline_text_allows_newlines_and_tabs_only() -> None:
    assert validate.text("line one\n\tline two", "note", multiline=True) == "line one\n\tline two"
    with pytest.raises(InvalidInput, match="control characters"):
        validate.text("line one\x00", "note", multiline=True)


def test_text_is_trimmed_and_empty_is_none() -> None:
    assert validate.text("  Head of IT  ", "title") == "Head of IT"
    assert validate.text("", "title") is None
    assert validate.text(" \t ", "title") is None
    assert validate.text(None, "title") is None


def test_length_limits() -> None:
    assert validate.required("a" * validate.NAME_MAX, "name") == "a" * validate.NAME_MAX
    with pytest.raises(InvalidInput, match="name is 121 characters long; the limit is 120"):
        validate.required("a" * (validate.NAME_MAX + 1), "name")
    assert validate.text("b" * validate.SHORT_MAX, "title") is not None
    with pytest.raises(InvalidInput, match="title"):
        validate.text("b" * (validate.SHORT_MAX + 1), "title")
    # The limit applies after trimming.
    assert validate.text("  " + "c" * validate.SHORT_MAX + "  ", "title") == "c" * validate.SHORT_MAX


@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_refuses_empty(value: str | None) -> None:
    with pytest.raises(InvalidInput, match="name is empty"):
        validate.required(value, "name")


def test_wechat_is_one_word() -> None:
    assert validate.wechat(" wx_lina88 ") == "wx_lina88"
    with pytest.raises(InvalidInput, match="spaces"):
        validate.wechat("wx lina")


def test_choice_normalises_case_and_lists_options() -> None:
    assert validate.choice(" Inbound ", "source", ("inbound", "outbound")) == "inbound"
    assert validate.choice("b", "grade", ("A", "B"), upper=True) == "B"
    assert validate.choice(None, "grade", ("A", "B"), upper=True) is None
    with pytest.raises(InvalidInput, match="A, B"):
        validate.choice("E", "grade", ("A", "B"), upper=True)


def test_key() -> None:
    assert validate.key(" No_Time ", "objection") == "no_time"
    assert validate.key("  ", "objection") is None
    for bad in ("no time", "_x", "no-time", "x" * 41):
        with pytest.raises(InvalidInput, match="no_time"):
            validate.key(bad, "objection")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ACME", "acme"),
        ("ＡＣＭＥ", "acme"),  # full-width letters
        ("Li Na", "li na"),
        ("Straße", "STRASSE"),  # casefold, not just lower
        ("王伟", "王伟"),
    ],
)
def test_name_key_matches_equivalent_spellings(a: str, b: str) -> None:
    assert validate.name_key(a) == validate.name_key(b)


def test_name_key_keeps_different_names_apart() -> None:
    assert validate.name_key("Li Na") != validate.name_key("Li Nan")
    assert validate.name_key("ＡＣＭＥ") == "acme"
