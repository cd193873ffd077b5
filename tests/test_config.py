"""config: the default dispositions and what a config.toml may change."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesdesk.config import Config, load_config
from salesdesk.errors import InvalidInput
from salesdesk.paths import config_path


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _flagged(config: Config, flag: str) -> set[str]:
    return {name for name, o in config.outcomes.items() if getattr(o, flag)}


def test_defaults_have_twelve_outcomes_with_their_flags() -> None:
    config = Config()
    assert list(config.outcomes) == [
        "no_answer", "busy", "voicemail", "gatekeeper", "bad_number", "connected",
        "meeting_booked", "callback", "not_interested", "not_qualified", "referred", "do_not_call",
    ]  # fmt: skip
    assert _flagged(config, "connected") == {
        "connected", "meeting_booked", "callback", "not_interested", "not_qualified", "referred", "do_not_call"
    }  # fmt: skip
    assert _flagged(config, "meeting") == {"meeting_booked"}
    assert _flagged(config, "terminal") == {"bad_number", "do_not_call"}
    assert _flagged(config, "requires_next") == {"callback"}
    keys = [o.key for o in config.outcomes.values()]
    assert len(set(keys)) == len(keys) == 12
    assert all(len(k) == 1 for k in keys)
    assert config.outcome("voicemail").label == "Voicemail"


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config.outcomes == Config().outcomes


def test_config_path_lives_under_salesdesk_home(isolated_home: Path) -> None:
    assert config_path() == isolated_home / "config.toml"
    assert load_config(config_path()).outcomes == Config().outcomes


def test_unknown_outcome_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidInput) as info:
        Config().outcome("maybe")
    assert "maybe" in str(info.value)
    assert "no_answer" in str(info.value) and "do_not_call" in str(info.value)


def test_override_a_label_keeps_the_other_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, '[outcomes.voicemail]\nlabel = "Left a message"\n')
    config = load_config(path)
    voicemail = config.outcome("voicemail")
    assert voicemail.label == "Left a message"
    assert (voicemail.key, voicemail.connected, voicemail.terminal) == ("v", False, False)
    assert config.path == path
    assert len(config.outcomes) == 12


def test_override_a_flag(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "[outcomes.referred]\nmeeting = true\n"))
    assert config.outcome("referred").meeting is True
    assert config.outcome("meeting_booked").meeting is True


def test_add_a_new_outcome(tmp_path: Path) -> None:
    path = _write(tmp_path, '[outcomes.left_message]\nconnected = false\nkey = "l"\n')
    config = load_config(path)
    added = config.outcome("left_message")
    assert (added.label, added.connected, added.key) == ("Left message", False, "l")
    assert (added.meeting, added.terminal, added.requires_next) == (False, False, False)
    assert len(config.outcomes) == 13


def test_new_outcome_needs_connected_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, '[outcomes.left_message]\nlabel = "Left message"\nkey = "l"\n')
    with pytest.raises(InvalidInput, match="needs connected and key"):
        load_config(path)


def test_disable_an_outcome(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "[outcomes.gatekeeper]\nenabled = false\n"))
    assert "gatekeeper" not in config.outcomes
    assert len(config.outcomes) == 11
    with pytest.raises(InvalidInput, match="gatekeeper"):
        config.outcome("gatekeeper")


def test_disabling_frees_its_key_for_a_new_outcome(tmp_path: Path) -> None:
    body = '[outcomes.gatekeeper]\nenabled = false\n[outcomes.assistant]\nconnected = false\nkey = "g"\n'
    config = load_config(_write(tmp_path, body))
    assert config.outcome("assistant").key == "g"


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[outcomes.busy]\nkey = "n"\n')  # "n" is no_answer's
    with pytest.raises(InvalidInput) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "no_answer" in str(info.value) and "busy" in str(info.value)


def test_key_must_be_one_character(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="single character"):
        load_config(_write(tmp_path, '[outcomes.busy]\nkey = "bb"\n'))


def test_bad_toml_is_refused_with_the_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "[outcomes.busy\nlabel = \n")
    with pytest.raises(InvalidInput, match="not valid TOML") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_duplicate_toml_table_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[outcomes.busy]\nlabel = "A"\n[outcomes.busy]\nlabel = "B"\n')
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_config(path)


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[outcomes.busy]\nlabel = "\xff"\n')
    with pytest.raises(InvalidInput, match=r"config\.toml"):
        load_config(path)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[outcomes.busy]\ncolour = "red"\n')
    with pytest.raises(InvalidInput, match=r"unknown field.*colour") as info:
        load_config(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        '[outcomes.busy]\nconnected = "yes"\n',
        '[outcomes.busy]\nenabled = "no"\n',
        "[outcomes.busy]\nlabel = 3\n",
        'outcomes = "all"\n',
        "[outcomes]\nbusy = 1\n",
    ],
)
def test_wrong_types_are_refused(tmp_path: Path, body: str) -> None:
    with pytest.raises(InvalidInput) as info:
        load_config(_write(tmp_path, body))
    assert str(tmp_path) in str(info.value)


def test_unknown_sections_are_left_for_later_versions(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[goals]\ndials = 60\n[outcomes.busy]\nlabel = "Line busy"\n'))
    assert config.outcome("busy").label == "Line busy"
