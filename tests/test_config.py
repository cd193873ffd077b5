"""config: the default dispositions and what a config.toml may change."""

from __future__ import annotations

from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest

from salesdesk.config import Config, load_config, rule_settings
from salesdesk.errors import InvalidInput
from salesdesk.paths import config_path
from salesdesk.rules import BusinessHours, Rules


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


# --- [rules] -------------------------------------------------------------------------------------


def _rules(tmp_path: Path, body: str) -> Config:
    return load_config(_write(tmp_path, body))


def test_no_rules_section_means_the_method_defaults(tmp_path: Path) -> None:
    config = _rules(tmp_path, '[outcomes.busy]\nlabel = "Line busy"\n')
    assert config.rules == Rules()
    assert config.from_file == frozenset()
    rules = config.rules
    assert (rules.first_contact_hours, rules.first_contact_sources, rules.business_hours) == (5.0, ("inbound",), None)
    assert (rules.min_touches_before_lost, rules.benefit) == (6, "require")
    assert rules.fallback_channels == ("wechat", "email")
    assert dict(rules.cadence_days) == {"A": 7, "B": 14, "C": 30, "D": 90, "-": 14}
    assert (rules.focus_after_reached, rules.review_after_reached, rules.review_quiet_days) == (3, 5, 21)
    assert (rules.min_touch_days_before_lost, rules.fallback_expiry_days, rules.hard_to_reach_after_calls) == (3, 3, 3)


@pytest.mark.parametrize(
    ("body", "name", "value"),
    [
        ("first_contact_hours = 2.5", "first_contact_hours", 2.5),
        ("first_contact_hours = 1", "first_contact_hours", 1.0),
        ('first_contact_sources = ["Inbound", " referral "]', "first_contact_sources", ("inbound", "referral")),
        ('first_contact_sources = ["all"]', "first_contact_sources", ("all",)),
        ("min_touches_before_lost = 8", "min_touches_before_lost", 8),
        ("min_touches_before_lost = 0", "min_touches_before_lost", 0),
        ('benefit = "warn"', "benefit", "warn"),
        ('benefit = "off"', "benefit", "off"),
        ('fallback_channels = ["Email"]', "fallback_channels", ("email",)),
        ("fallback_channels = []", "fallback_channels", ()),
        ("focus_after_reached = 4", "focus_after_reached", 4),
        ("review_after_reached = 7", "review_after_reached", 7),
        ("review_quiet_days = 30", "review_quiet_days", 30),
        ("min_touch_days_before_lost = 2", "min_touch_days_before_lost", 2),
        ("fallback_expiry_days = 5", "fallback_expiry_days", 5),
        ("hard_to_reach_after_calls = 4", "hard_to_reach_after_calls", 4),
        ("business_hours = false", "business_hours", None),
    ],
)
def test_each_rule_setting_is_read(tmp_path: Path, body: str, name: str, value: object) -> None:
    config = _rules(tmp_path, f"[rules]\n{body}\n")
    assert getattr(config.rules, name) == value
    assert config.from_file == {name}
    others = {f.name for f in fields(Rules)} - {name}
    assert all(getattr(config.rules, other) == getattr(Rules(), other) for other in others)


@pytest.mark.parametrize(
    ("body", "days"),
    [
        ('business_hours = "09:00-18:00"', range(5)),
        ('business_hours = "09:00-18:00"\nbusiness_days = ["mon", "tue", "wed", "thu", "fri", "sat"]', range(6)),
        ('business_hours = "09:00-18:00"\nbusiness_days = ["Sunday", "tuesday", "THU"]', (6, 1, 3)),
    ],
)
def test_business_hours_and_days(tmp_path: Path, body: str, days: range) -> None:
    config = _rules(tmp_path, f"[rules]\n{body}\n")
    assert config.rules.business_hours == BusinessHours(time(9), time(18), frozenset(days))
    assert config.from_file == {"business_hours"}


def test_business_hours_with_minutes(tmp_path: Path) -> None:
    hours = _rules(tmp_path, '[rules]\nbusiness_hours = "8:30-17:45"\n').rules.business_hours
    assert hours is not None and (hours.start, hours.end) == (time(8, 30), time(17, 45))


def test_cadence_days_merge_over_the_defaults(tmp_path: Path) -> None:
    config = _rules(tmp_path, '[rules.cadence_days]\nA = 3\n"-" = 21\n')
    assert dict(config.rules.cadence_days) == {"A": 3, "B": 14, "C": 30, "D": 90, "-": 21}
    assert config.from_file == {"cadence_days"}
    assert dict(Rules().cadence_days)["A"] == 7  # the defaults themselves are untouched


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("first_contact_hours = 0", "first_contact_hours"),
        ("first_contact_hours = -1", "first_contact_hours"),
        ('first_contact_hours = "5"', "first_contact_hours"),
        ("first_contact_hours = true", "first_contact_hours"),
        ("first_contact_hours = 10000", "first_contact_hours"),
        ("first_contact_sources = []", "first_contact_sources"),
        ('first_contact_sources = "inbound"', "first_contact_sources"),
        ('first_contact_sources = ["inbond"]', "first_contact_sources"),
        ('business_hours = "9-18"', "business_hours"),
        ('business_hours = "18:00-09:00"', "business_hours"),
        ('business_hours = "25:00-26:00"', "business_hours"),
        ("business_hours = true", "business_hours"),
        ('business_hours = "09:00-18:00"\nbusiness_days = ["funday"]', "business_days"),
        ('business_hours = "09:00-18:00"\nbusiness_days = ["monkey"]', "business_days"),
        ('business_hours = "09:00-18:00"\nbusiness_days = []', "business_days"),
        ('business_days = ["sat", "sun"]', "business_days needs rules.business_hours"),
        ('business_hours = false\nbusiness_days = ["sat"]', "business_days needs rules.business_hours"),
        ("min_touches_before_lost = -1", "min_touches_before_lost"),
        ("min_touches_before_lost = 6.5", "min_touches_before_lost"),
        ("min_touches_before_lost = true", "min_touches_before_lost"),
        ('focus_after_reached = "3"', "focus_after_reached"),
        ("review_after_reached = -5", "review_after_reached"),
        ('benefit = "maybe"', "benefit"),
        ("benefit = true", "benefit"),
        ('fallback_channels = ["fax"]', "fallback_channels: fax"),
        ('fallback_channels = ["call"]', "fallback_channels: call"),
        ('fallback_channels = "email"', "fallback_channels"),
        ("cadence_days = 7", "cadence_days"),
        ("[rules.cadence_days]\nE = 3", "cadence_days"),
        ("[rules.cadence_days]\nA = 0", "cadence_days"),
        ('[rules.cadence_days]\nA = "7"', "cadence_days"),
        ("[rules.cadence_days]\nA = true", "cadence_days"),
    ],
)
def test_invalid_rule_values_are_refused_with_the_path(tmp_path: Path, body: str, words: str) -> None:
    path = _write(tmp_path, f"[rules]\n{body}\n")
    with pytest.raises(InvalidInput) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert words in str(info.value)


def test_rules_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"\[rules\] must be a table"):
        load_config(_write(tmp_path, "rules = 5\n"))


def test_unknown_rule_setting_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[rules]\nfirst_contact_minutes = 30\nbenefit = "warn"\n')
    with pytest.raises(InvalidInput, match=r"unknown setting\(s\): first_contact_minutes") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_channels_and_fallbacks_are_configurable(tmp_path: Path) -> None:
    body = 'channels = ["call", "Email", "whatsapp", "other"]\n[rules]\nfallback_channels = ["whatsapp", "email"]\n'
    config = _rules(tmp_path, body)
    assert config.channels == ("call", "email", "whatsapp", "other")
    assert config.rules.fallback_channels == ("whatsapp", "email")


def test_a_fallback_channel_must_be_a_channel(tmp_path: Path) -> None:
    path = _write(tmp_path, '[rules]\nfallback_channels = ["whatsapp"]\n')
    with pytest.raises(InvalidInput, match="whatsapp is not a channel") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_channels_without_the_default_fallbacks_need_new_fallbacks(tmp_path: Path) -> None:
    path = _write(tmp_path, 'channels = ["call", "email", "whatsapp"]\n')
    with pytest.raises(InvalidInput, match=r"fallback channel.*wechat.*not in channels.*fallback_channels") as info:
        load_config(path)
    assert str(path) in str(info.value)
    fixed = _write(tmp_path, 'channels = ["call", "email", "whatsapp"]\n[rules]\nfallback_channels = ["whatsapp"]\n')
    assert load_config(fixed).rules.fallback_channels == ("whatsapp",)


@pytest.mark.parametrize("channels", ['["email", "wechat"]', "[]", '"call"'])
def test_channels_must_include_call(tmp_path: Path, channels: str) -> None:
    path = _write(tmp_path, f"channels = {channels}\n")
    with pytest.raises(InvalidInput, match="channels") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_rule_settings_say_where_each_value_came_from(tmp_path: Path) -> None:
    body = '[rules]\nmin_touches_before_lost = 8\nbusiness_hours = "09:00-18:00"\n[rules.cadence_days]\nA = 5\n'
    settings = {s["name"]: s for s in rule_settings(_rules(tmp_path, body))}
    assert list(settings) == [f.name for f in fields(Rules)]
    from_file = {name for name, s in settings.items() if s["source"] == "config file"}
    assert from_file == {"min_touches_before_lost", "business_hours", "cadence_days"}
    assert {s["source"] for name, s in settings.items() if name not in from_file} == {"default"}
    assert settings["min_touches_before_lost"]["value"] == 8
    assert settings["business_hours"]["value"] == "09:00-18:00 mon,tue,wed,thu,fri"
    assert settings["cadence_days"]["value"] == {"A": 5, "B": 14, "C": 30, "D": 90, "-": 14}
    assert settings["fallback_channels"]["value"] == ["wechat", "email"]
    assert settings["first_contact_hours"] == {
        "name": "first_contact_hours",
        "value": 5.0,
        "source": "default",
        "meaning": "a new lead is contacted within this many hours of arriving (any channel but other)",
    }
    assert all(s["meaning"] for s in settings.values())


def test_rule_settings_of_the_defaults(tmp_path: Path) -> None:
    settings = rule_settings(load_config(tmp_path / "absent.toml"))
    assert {s["source"] for s in settings} == {"default"}
    assert {s["name"]: s["value"] for s in settings}["business_hours"] is None


@pytest.mark.parametrize(
    ("setting", "hint"),
    [("focus_after_attempts", "hard_to_reach_after_calls"), ("review_after_touches", "review_after_reached")],
)
def test_a_setting_whose_meaning_changed_is_refused_with_its_successor(tmp_path: Path, setting: str, hint: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[rules]\n{setting} = 3\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=f"rules.{setting} is gone: .*{hint}"):
        load_config(path)
