"""When to call one lead: preferred hours, what their answers suggest, the queue's hint, and
the two better slots offered when a call or block is put at a poor time (all pure, fixed times)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from salesdesk.errors import InvalidInput
from salesdesk.timing import Timing
from salesdesk.timing_advice import (
    LeadTiming,
    advice,
    better_slots,
    call_hint,
    learn_best_time,
    parse_best_time,
    slots_for,
    when_to_call,
)

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=SH)  # Monday afternoon, as in conftest
WEEKDAYS = frozenset(range(5))


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = SH) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("tue-thu 14:00-17:00", "tue-thu 14:00-17:00", "Tue–Thu 14:00–17:00"),
        (
            "mon,wed 9-11; FRI 14:00–16:30",
            "mon,wed 09:00-11:00; fri 14:00-16:30",
            "Mon,Wed 09:00–11:00; Fri 14:00–16:30",
        ),
        ("14:00-17:00", "14:00-17:00", "14:00–17:00"),
        ("周二-周四 14:00-17:00", "tue-thu 14:00-17:00", "Tue–Thu 14:00–17:00"),
        ("星期一、星期三 9:30至11:00", "mon,wed 09:30-11:00", "Mon,Wed 09:30–11:00"),
        ("fri-mon", "fri-mon", "Fri–Mon"),
        ("tuesday thursday", "tue,thu", "Tue,Thu"),
        ("mon-sun", "mon-sun", "Mon–Sun"),
    ],
)
def test_best_time_is_read_and_stored_in_one_form(typed: str, stored: str, shown: str) -> None:
    best = parse_best_time(typed)
    assert (str(best), best.display()) == (stored, shown)
    assert parse_best_time(str(best)) == best  # the stored form reads back the same


@pytest.mark.parametrize("bad", ["", "  ", "17:00-14:00", "someday 10-11", "25:00-26:00", "tue-thu 14:00-17:00 x"])
def test_bad_best_time_says_what_would_work(bad: str) -> None:
    with pytest.raises(InvalidInput, match="tue-thu 14:00-17:00"):
        parse_best_time(bad)


def test_best_time_contains_and_next_start() -> None:
    best = parse_best_time("tue-thu 14:00-17:00")
    assert best.contains(at(24, 14)) and not best.contains(at(24, 17)) and not best.contains(at(23, 15))
    assert best.next_start(at(23, 15))[0] == at(24, 14)  # type: ignore[index]
    assert best.next_start(at(24, 15, 30))[0] == at(24, 15, 30)  # type: ignore[index]
    assert best.next_start(at(26, 18))[0] == datetime(2026, 12, 1, 14, tzinfo=SH)  # type: ignore[index]


def test_call_hint_says_when_now_is_outside_their_hours() -> None:
    assert call_hint(parse_best_time("16:00-17:00"), NOW) == "after 16:00"
    assert call_hint(parse_best_time("tue-thu 14:00-17:00"), NOW) == "Tue 14:00"
    assert call_hint(parse_best_time("tue-thu"), NOW) == "Tue"
    assert call_hint(parse_best_time("14:00-17:00"), NOW) is None  # inside: just call
    # Their 09:00-10:00 in Berlin is 16:00-17:00 in Shanghai: said in the rep's own time.
    assert call_hint(parse_best_time("09:00-10:00"), NOW, BERLIN) == "after 16:00"


Moment = tuple[int, int, int]


def _calls(*moments: Moment, missed: tuple[Moment, ...] = ()) -> list[tuple[datetime, bool]]:
    return [(at(d, h, m), True) for d, h, m in moments] + [(at(d, h, m), False) for d, h, m in missed]


def test_learned_best_time_from_connected_calls() -> None:
    # Tue 3, Wed 4, Wed 11, Thu 12 Nov in the afternoon, one stray morning answer.
    calls = _calls((3, 14, 10), (4, 14, 20), (11, 15, 5), (12, 15, 40), (16, 10, 0), missed=((10, 11, 0),))
    learned = learn_best_time(calls)
    assert learned is not None
    assert (str(learned.best), learned.covered, learned.connects) == ("tue-thu 14:00-16:00", 4, 5)
    assert learned.text() == "answers Tue–Thu 14:00–16:00 (4 of 5 connects)"


def test_nothing_is_learned_from_too_few_or_scattered_answers() -> None:
    assert learn_best_time(_calls((3, 14, 0), (4, 15, 0), missed=((5, 14, 0),) * 5)) is None  # 2 connects
    assert learn_best_time(_calls((3, 9, 0), (4, 12, 0), (5, 15, 0), (6, 18, 0))) is None  # no window holds 3


def test_lunch_warns_with_two_slots_not_at_lunch_not_in_blocks() -> None:
    slots = slots_for(Timing(), WEEKDAYS, None, at(24, 12, 30))
    warning = advice(at(24, 12, 30), NOW, slots)
    assert warning == (
        "Tue 24 Nov 12:30 — 12:00-13:30 is lunch: avoid calling then unless it is urgent; "
        'offer "Tuesday 11:00 or Wednesday 09:30?" instead'
    )
    # A protected block on Tuesday morning pushes the first slot to the afternoon.
    busy = [(at(24, 9), at(24, 11, 30))]
    assert better_slots(at(24, 12, 30), NOW, slots, busy) == [at(24, 14), at(25, 9, 30)]
    assert advice(at(24, 12, 30), NOW, slots_for(Timing(advice=False), WEEKDAYS, None, NOW)) is None
    assert advice(at(24, 14, 0), NOW, slots) is None


def test_dinner_only_for_a_private_number_and_in_their_zone() -> None:
    evening = at(24, 18, 30)
    company = slots_for(Timing(), WEEKDAYS, None, evening)
    private = slots_for(Timing(), WEEKDAYS, None, evening, LeadTiming(private_phone=True))
    assert advice(evening, NOW, company) is None
    assert "is dinner time: avoid calling a private number" in advice(evening, NOW, private)  # type: ignore[operator]
    # 01:30 in Shanghai is 18:30 the evening before in Berlin: checked in their time, said so.
    berlin = slots_for(Timing(), WEEKDAYS, None, at(25, 1, 30), LeadTiming("Europe/Berlin", None, True))
    warning = advice(at(25, 1, 30), NOW, berlin)
    assert warning is not None and warning.startswith("Wed 25 Nov 01:30 (Tue 18:30 their time, Europe/Berlin) —")
    assert "(their time) instead" in warning


def test_first_morning_after_a_holiday() -> None:
    timing = Timing(holidays=frozenset({date(2026, 11, 27)}))  # a Friday off
    monday = datetime(2026, 11, 30, 9, 30, tzinfo=SH)
    slots = slots_for(timing, WEEKDAYS, None, monday)
    warning = advice(monday, NOW, slots)
    assert warning is not None and "first morning after a holiday" in warning
    assert better_slots(monday, NOW, slots)[0] == datetime(2026, 11, 30, 14, tzinfo=SH)
    friday = slots_for(timing, WEEKDAYS, None, at(27, 10))
    assert "Fri 27 Nov is a holiday" in advice(at(27, 10), NOW, friday)  # type: ignore[operator]


def test_outside_their_preferred_hours_warns_and_offers_inside_them() -> None:
    lead = LeadTiming(best_time="tue-thu 14:00-17:00")
    slots = slots_for(Timing(), WEEKDAYS, None, at(24, 10), lead)
    warning = advice(at(24, 10), NOW, slots)
    assert warning is not None and "their preferred hours are Tue–Thu 14:00–17:00" in warning
    assert better_slots(at(24, 10), NOW, slots) == [at(24, 14), at(25, 14)]


def test_a_block_at_lunch_is_offered_a_block_sized_gap() -> None:
    slots = slots_for(Timing(), WEEKDAYS, None, at(24, 12))
    warning = advice(at(24, 12), NOW, slots, length=timedelta(minutes=90), scheduled="block")
    assert warning is not None and warning.startswith("Tue 24 Nov 12:00-13:30 — 12:00-13:30 is lunch")
    assert 'try "' in warning
    for slot in better_slots(at(24, 12), NOW, slots, length=timedelta(minutes=90)):
        local = slot.astimezone(SH)
        assert local.hour + local.minute / 60 + 1.5 <= 12 or local.hour + local.minute / 60 >= 13.5


def test_past_times_and_unreadable_stored_values_say_nothing() -> None:
    assert advice(at(23, 12, 30), NOW, slots_for(Timing(), WEEKDAYS, None, NOW)) is None
    # A best time or zone edited by hand into nonsense must not stop a call being logged.
    slots = slots_for(Timing(), WEEKDAYS, None, NOW, LeadTiming("Mars/Base", "whenever", False))
    assert slots.zone is None and slots.best is None


def test_when_to_call_lines() -> None:
    lead = LeadTiming("Europe/Berlin", "tue-thu 14:00-17:00", True)
    learned = learn_best_time(_calls((3, 14, 10), (4, 14, 20), (11, 15, 5)))
    lines = dict(when_to_call(lead, learned, NOW, Timing(), 7))
    assert lines["best time"] == "Tue–Thu 14:00–17:00 (their time)"
    assert lines["time zone"] == "Europe/Berlin (now Mon 08:00 there)"
    assert lines["private"] == "a private number: not at dinner time (18:00-20:00)"
    assert lines["learned"] == (
        "answers Tue,Wed 14:00–16:00 (3 of 3 connects); to keep it: lead edit 7 --best-time learned"
    )
    assert when_to_call(LeadTiming(), None, NOW, Timing()) == []
