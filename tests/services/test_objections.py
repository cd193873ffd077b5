"""services.objections: the seeded library, replies in number order, stats, unknown keys;
and log_call recording the objection and the reply used."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from salesdesk.config import Config
from salesdesk.db import read_session, write_session
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Lead
from salesdesk.services import objections
from salesdesk.services.leads import add_lead
from salesdesk.services.touches import log_call

# METHOD.md §3, in its order.
SEED_KEYS = [
    "no_time", "busy_now", "send_materials", "not_interested", "no_money", "think_it_over",
    "no_need_yet", "consult_others", "will_call_you", "gatekeeper", "brush_off", "too_expensive",
]  # fmt: skip


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


@pytest.fixture
def lead(session: Session, now: datetime) -> Lead:
    return add_lead(session, now, name="Li Na", created_at=now - timedelta(days=10))


def test_a_new_database_holds_the_method_s_library(session: Session) -> None:
    views = objections.list_objections(session)
    assert [v.objection.key for v in views] == SEED_KEYS
    first = views[0].as_dict()
    assert first["text"] == "I don't have time."
    assert first["replies"] == [{
        "id": 1, "number": 1,
        "text": "I understand, time is short for me too. Give me three minutes and you'll see why this matters to you.",
    }]  # fmt: skip
    by_key = {v.objection.key: v for v in views}
    assert by_key["gatekeeper"].replies == []  # "prepare your own reply"
    assert all(len(v.replies) == 1 for k, v in by_key.items() if k != "gatekeeper")
    assert "Tuesday morning or Wednesday afternoon?" in by_key["busy_now"].replies[0].text


def test_replies_are_numbered_in_the_order_added_and_reworded_in_place(session: Session) -> None:
    objections.edit(session, "no_time", add_reply="Two minutes now, or Tuesday at ten?")
    view = objections.edit(session, "no_time", add_reply="What if I call back at 17:00?")
    assert [(r.position, r.text[:12]) for r in view.replies] == [
        (1, "I understand"), (2, "Two minutes "), (3, "What if I ca"),
    ]  # fmt: skip
    reworded = objections.edit(
        session, "no_time", reply=2, reply_text="Two minutes now, or Wednesday at ten?", text="No time."
    )
    assert reworded.objection.text == "No time." and reworded.replies[1].text.endswith("Wednesday at ten?")
    assert [r.id for r in reworded.replies] == [r.id for r in view.replies]  # ids never change
    with pytest.raises(InvalidInput, match="replies 1 to 3, not reply 4"):
        objections.edit(session, "no_time", reply=4, reply_text="x")
    with pytest.raises(InvalidInput, match="both --reply N and --reply-text"):
        objections.edit(session, "no_time", reply=1)
    with pytest.raises(InvalidInput, match="say what to change"):
        objections.edit(session, "no_time")


def test_adding_an_objection_appends_it_with_its_replies(session: Session) -> None:
    view = objections.add(session, "Has_Supplier", "We already have a supplier.", ["Compare us: Tue or Wed?", "Who?"])
    assert view.objection.key == "has_supplier" and [r.position for r in view.replies] == [1, 2]
    assert [v.objection.key for v in objections.list_objections(session)][-1] == "has_supplier"
    with pytest.raises(Refused, match="exists"):
        objections.add(session, "no_time", "again")
    with pytest.raises(InvalidInput, match="short key"):
        objections.add(session, "no time", "text")
    with pytest.raises(InvalidInput, match="empty"):
        objections.add(session, "blank", "  ")


def test_unknown_keys_name_close_matches(session: Session) -> None:
    with pytest.raises(InvalidInput, match="unknown objection 'no_tim'; did you mean no_time"):
        objections.get(session, "no_tim")
    with pytest.raises(InvalidInput, match="did you mean not_interested"):
        objections.resolve(session, "not_intrested", None)
    with pytest.raises(InvalidInput, match="known: no_time, busy_now"):
        objections.get(session, "zzz")


def test_log_call_records_the_objection_and_the_reply_used(
    session: Session, config: Config, lead: Lead, now: datetime
) -> None:
    variant = objections.edit(session, "no_time", add_reply="Tuesday at ten?").replies[1]
    logged = log_call(session, config, lead, now, outcome="busy", objection=" No_Time ", reply=2)
    assert (logged.touch.objection, logged.touch.reply_id) == ("no_time", variant.id)
    plain = log_call(session, config, lead, now, outcome="busy", objection="busy_now")
    assert (plain.touch.objection, plain.touch.reply_id) == ("busy_now", None)


@pytest.mark.parametrize(
    ("objection", "reply", "message"),
    [
        ("no_tim", None, "did you mean no_time"),
        (None, 1, "needs the objection"),
        ("no_time", 2, "only reply 1, not reply 2"),
        ("gatekeeper", 1, "no reply yet"),
    ],
)
def test_log_call_refuses_unknown_objections_and_replies(
    engine: Engine, config: Config, now: datetime, objection: str | None, reply: int | None, message: str
) -> None:
    with write_session(engine) as s:
        lead_id = add_lead(s, now, name="Li Na", created_at=now - timedelta(days=1)).id
    with pytest.raises(InvalidInput, match=message), write_session(engine) as s:
        found = s.get(Lead, lead_id)
        assert found is not None
        log_call(s, config, found, now, outcome="busy", objection=objection, reply=reply)
    with read_session(engine) as s:
        found = s.get(Lead, lead_id)
        assert found is not None and found.touch_count == 0  # nothing was written


def test_stats_count_met_uses_meetings_and_rate(session: Session, config: Config, lead: Lead, now: datetime) -> None:
    objections.edit(session, "no_time", add_reply="Tuesday at ten?")
    at = now - timedelta(days=2)
    calls = [
        # (objection, reply, outcome): no_time met 5 times, reply 1 used 3 times (1 meeting),
        # reply 2 once (1 meeting), once with no reply marked; send_materials twice, no meeting.
        ("no_time", 1, "meeting_booked"), ("no_time", 1, "not_interested"), ("no_time", 1, "callback"),
        ("no_time", 2, "meeting_booked"), ("no_time", None, "meeting_booked"),
        ("send_materials", 1, "not_interested"), ("send_materials", 1, "connected"),
        (None, None, "meeting_booked"),
    ]  # fmt: skip
    for i, (key, reply, outcome) in enumerate(calls):
        log_call(
            session, config, lead, now, outcome=outcome, objection=key, reply=reply, benefit="deck",
            at=at + timedelta(minutes=i), next_at=now + timedelta(days=1),
        )  # fmt: skip
    rows = objections.stats(session)
    assert [(r.objection.key, r.met) for r in rows][:3] == [("no_time", 5), ("send_materials", 2), ("busy_now", 0)]
    assert rows[0].as_dict() == {
        "key": "no_time", "text": "I don't have time.", "met": 5,
        "replies": [
            {"id": 1, "number": 1, "uses": 3, "meetings": 1, "meeting_rate": 0.3333},
            {"id": rows[0].replies[1].reply.id, "number": 2, "uses": 1, "meetings": 1, "meeting_rate": 1.0},
        ],
    }  # fmt: skip
    assert rows[0].replies[1].few  # 1 of 1 is not a law
    assert [(r.uses, r.meetings, r.meeting_rate) for r in rows[1].replies] == [(2, 0, 0.0)]
    assert rows[2].replies[0].meeting_rate is None
    # Objections never met keep the library's order after the ones that were.
    assert [r.objection.key for r in rows[2:]] == [k for k in SEED_KEYS if k not in ("no_time", "send_materials")]


def test_the_seed_speaks_chinese_too_and_keeps_the_reps_own_words(engine: Engine, now: datetime) -> None:
    """Migration 0009: each seed row has its Chinese wording; [me] language picks the one shown;
    in Chinese an edit rewords the Chinese, and a row the rep wrote reads the same in both."""
    with read_session(engine) as session:
        zh = {v.objection.key: v for v in objections.list_objections(session, "zh")}
    assert zh["no_time"].text == "我没时间！" and zh["too_expensive"].text == "太贵了。"
    assert zh["no_time"].reply_text(zh["no_time"].replies[0]).startswith("我理解。我也老是时间不够用")
    assert zh["gatekeeper"].replies == [] and zh["gatekeeper"].text == "秘书或前台挡驾。"
    with write_session(engine) as session:
        objections.edit(session, "no_time", reply=1, reply_text="我理解。两分钟就好。", language="zh")
        objections.add(session, "has_supplier", "We have a supplier.", ["Good: compare us."])
    with read_session(engine) as session:
        en = objections.get(session, "no_time")
        mine = objections.get(session, "has_supplier", "zh")
        chinese = objections.get(session, "no_time", "zh")
    assert en.reply_text(en.replies[0]).startswith("I understand, time is short for me too")
    assert chinese.reply_text(chinese.replies[0]) == "我理解。两分钟就好。"
    assert mine.text == "We have a supplier." and mine.reply_text(mine.replies[0]) == "Good: compare us."


def test_upgrading_adds_chinese_only_where_the_rep_kept_the_seed_and_the_price_objection_once(
    tmp_path: Path, now: datetime
) -> None:
    """A book made before 0009, with one seed reply reworded and the rep's own too_expensive:
    the upgrade leaves both as the rep wrote them."""
    from sqlalchemy import text

    from salesdesk.db import make_engine, migrate
    from salesdesk.migrations import MIGRATIONS

    engine = make_engine(tmp_path / "old.db")
    migrate(engine, now, upto=[m.name for m in MIGRATIONS].index("0009_objections_zh"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE objection_reply SET text = 'Two minutes now?' WHERE objection_key = 'no_time'"))
        conn.execute(text("INSERT INTO objection (key, text, position) VALUES ('too_expensive', 'Pricey!', 12)"))
    migrate(engine, now)
    with read_session(engine) as session:
        zh = {v.objection.key: v for v in objections.list_objections(session, "zh")}
    assert zh["no_time"].text == "我没时间！"  # the objection was the seed's: it has its Chinese
    assert zh["no_time"].reply_text(zh["no_time"].replies[0]) == "Two minutes now?"  # the rep's own words
    assert zh["too_expensive"].text == "Pricey!" and zh["too_expensive"].replies == []
    assert [v.objection.key for v in zh.values()].count("too_expensive") == 1
    engine.dispose()
