"""commands.coercion: what it answers without pydantic, Typer's own adapter would answer the same."""

from __future__ import annotations

import pytest

from tests.cli_helpers import run

VALUES = ("0", "1", "5", "20", "999999", "1000000", "1000001", "007", " 7", "+3", "1_000", "3.0", "", "abc", "٣", "-0")


@pytest.mark.parametrize("value", VALUES)
def test_a_number_is_read_or_refused_as_typer_reads_it(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from salesdesk.commands import coercion

    assert run("lead", "add", "Emma Smith", "--source", "inbound").code == 0
    fast = run("due", "--limit", value, "--json")
    monkeypatch.setattr(coercion, "_DIGITS", coercion.re.compile(r"(?!)"))  # nothing answered here
    typer_own = run("due", "--limit", value, "--json")
    assert (fast.code, fast.out, fast.err) == (typer_own.code, typer_own.out, typer_own.err)
