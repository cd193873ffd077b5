"""services.scripts: the seeded three-step call script and voicemail templates, and edits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from salesdesk.db import write_session
from salesdesk.errors import InvalidInput
from salesdesk.services import scripts


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


def test_the_call_script_has_three_steps_then_both_voicemail_schools(session: Session) -> None:
    found = scripts.list_scripts(session)
    assert [(s.kind, s.key) for s in found] == [
        ("call", "intro"), ("call", "ask"), ("call", "brush_off"),
        ("voicemail", "no_message"), ("voicemail", "question"), ("voicemail", "thought_of_you"),
    ]  # fmt: skip
    intro = scripts.script_dict(found[0])
    assert intro["placeholders"] == ["lead", "my_name", "my_company", "lead_company"]
    assert "Tuesday morning or Wednesday afternoon" in found[1].body  # the either/or ask
    assert "leave no message" in found[3].body.lower()
    assert all("I'm in until 17:00" in s.body for s in found[4:])


def test_edit_checks_placeholders_and_keeps_the_rest(session: Session) -> None:
    edited = scripts.edit(session, "intro", body="Hi {lead}, {my_name} here.\nFrom {my_company}.")
    assert edited.body == "Hi {lead}, {my_name} here.\nFrom {my_company}." and edited.title == "1. Who you are"
    assert scripts.edit(session, "INTRO", title="Opening").title == "Opening"
    with pytest.raises(InvalidInput, match=r"unknown placeholder \{my_nmae\}; use \{my_name\}"):
        scripts.edit(session, "intro", body="Hi, {my_nmae} here")
    with pytest.raises(InvalidInput, match="no script 'outro'; scripts: intro, ask"):
        scripts.edit(session, "outro", body="x")
    with pytest.raises(InvalidInput, match="empty"):
        scripts.edit(session, "intro", body="   ")
    with pytest.raises(InvalidInput, match="say what to change"):
        scripts.edit(session, "intro")
