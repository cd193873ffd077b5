"""services.leads: adding, resolving, listing and editing leads against a real database file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from salesdesk import validate
from salesdesk.config import Config
from salesdesk.db import open_store, read_session, write_session
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Account, GradeChange, Lead
from salesdesk.services.leads import (
    add_lead,
    count_leads,
    edit_lead,
    grade_history,
    lead_view,
    list_leads,
    resolve_lead,
)
from salesdesk.services.touches import log_call, log_touch


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """One unit of work, committed at the end of the test."""
    with write_session(engine) as session:
        yield session


def _count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


# --- add_lead ----------------------------------------------------------------------------------


def test_add_lead_stores_clean_values(session: Session, now: datetime) -> None:
    lead = add_lead(
        session,
        now,
        name="  Li Na ",
        company=" ACME Corp ",
        title="Head of IT",
        phone="+86 138-0013 8000",
        email="Li.Na@Example.COM",
        wechat="wx_lina",
        source="Inbound",
        grade="b",
        notes="met at the fair\nwants pricing",
    )
    assert lead.id is not None
    assert (lead.name, lead.name_key) == ("Li Na", "li na")
    assert (lead.phone, lead.email, lead.wechat) == ("+8613800138000", "li.na@example.com", "wx_lina")
    assert (lead.source, lead.grade, lead.status, lead.is_coach) == ("inbound", "B", "new", False)
    assert lead.created_at == now and lead.updated_at == now
    assert lead.notes == "met at the fair\nwants pricing"
    account = session.get(Account, lead.account_id)
    assert account is not None and account.name == "ACME Corp"


def test_add_lead_defaults(session: Session, now: datetime) -> None:
    lead = add_lead(session, now, name="Wang Wei")
    assert (lead.source, lead.grade, lead.account_id, lead.phone, lead.email) == ("outbound", None, None, None, None)
    assert session.execute(select(GradeChange)).scalars().all() == []


def test_account_is_shared_case_insensitively(session: Session, now: datetime) -> None:
    first = add_lead(session, now, name="Li Na", company="ACME")
    second = add_lead(session, now, name="Wang Wei", company="Acme")
    third = add_lead(session, now, name="Zhang San", company="ａｃｍｅ")  # full-width
    other = add_lead(session, now, name="Chen Jie", company="Globex")
    assert first.account_id == second.account_id == third.account_id != other.account_id
    accounts = session.execute(select(Account).order_by(Account.id)).scalars().all()
    assert [a.name for a in accounts] == ["ACME", "Globex"]  # the first spelling is kept


def test_grade_is_recorded_when_the_lead_arrives(session: Session, now: datetime) -> None:
    arrived = now - timedelta(days=2)
    lead = add_lead(session, now, name="Li Na", grade="a", created_at=arrived)
    changes = session.execute(select(GradeChange)).scalars().all()
    assert [(c.lead_id, c.old_grade, c.new_grade, c.at) for c in changes] == [(lead.id, None, "A", arrived)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"phone": "+86 138-0013 8000"}, {"phone": "+8613800138000"}),
        ({"phone": "138 0013 8000"}, {"phone": "13800138000", "email": "new@example.com"}),
        ({"email": "li.na@example.com"}, {"email": "LI.NA@EXAMPLE.COM"}),
        ({"email": "li.na@example.com", "phone": "1111111"}, {"email": "li.na@example.com", "phone": "2222222"}),
    ],
)
def test_duplicates_by_phone_or_email_are_refused(engine: Engine, now: datetime, first: dict, second: dict) -> None:
    with write_session(engine) as session:
        original = add_lead(session, now, name="Li Na", **first)
    with pytest.raises(Refused) as info, write_session(engine) as session:
        add_lead(session, now, name="Li Na (2)", company="New Co", **second)
    assert info.value.exit_code == 1
    assert f"#{original.id}" in str(info.value) and "allow-duplicate" in str(info.value)
    assert _count(engine, Lead) == 1
    assert _count(engine, Account) == 0


def test_allow_duplicate_adds_a_second_record(session: Session, now: datetime) -> None:
    add_lead(session, now, name="Li Na", phone="13800138000")
    again = add_lead(session, now, name="Li Na", phone="138-0013-8000", allow_duplicate=True)
    assert again.phone == "13800138000"
    assert session.execute(select(func.count()).select_from(Lead)).scalar_one() == 2


def test_created_at_in_the_future_is_refused(engine: Engine, now: datetime) -> None:
    with pytest.raises(InvalidInput, match="future"), write_session(engine) as session:
        add_lead(session, now, name="Li Na", company="Acme", created_at=now + timedelta(minutes=1))
    assert _count(engine, Lead) == 0
    assert _count(engine, Account) == 0


def test_created_at_in_the_past_is_kept(session: Session, now: datetime) -> None:
    arrived = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    lead = add_lead(session, now, name="Li Na", created_at=arrived)
    assert (lead.created_at, lead.updated_at) == (arrived, now)


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_name_is_refused(engine: Engine, now: datetime, name: str) -> None:
    with pytest.raises(InvalidInput, match="name"), write_session(engine) as session:
        add_lead(session, now, name=name)
    assert _count(engine, Lead) == 0


@pytest.mark.parametrize(
    "bad",
    [{"source": "cold"}, {"grade": "E"}, {"phone": "call me"}, {"email": "nope"}, {"wechat": "two words"},
     {"name": "x" * 121}, {"company": "a\x00b"}],
)  # fmt: skip
def test_bad_fields_are_refused(engine: Engine, now: datetime, bad: dict) -> None:
    fields = {"name": "Li Na", **bad}
    with pytest.raises(InvalidInput), write_session(engine) as session:
        add_lead(session, now, **fields)
    assert _count(engine, Lead) == 0


def test_chinese_names(session: Session, now: datetime) -> None:
    wang = add_lead(session, now, name="王伟", company="华为")
    add_lead(session, now, name="李娜", company="华为")
    assert wang.name == "王伟"
    assert resolve_lead(session, "王伟").id == wang.id
    assert resolve_lead(session, "王").id == wang.id
    assert [v.lead.name for v in list_leads(session, search="华为")] == ["李娜", "王伟"]


# --- resolve_lead ------------------------------------------------------------------------------


@pytest.fixture
def people(session: Session, now: datetime) -> dict[str, int]:
    """A small book: two names where one is a prefix of the other, plus phones and emails."""
    leads = {
        "Li Na": add_lead(session, now, name="Li Na", phone="+86 138 0013 8000", email="lina@acme.cn"),
        "Li Nan": add_lead(session, now, name="Li Nan", phone="+86 139 1111 2222", email="nan.li@globex.com"),
        "Wang Wei": add_lead(session, now, name="Wang Wei", email="ww@initech.com"),
        "Zhang Sanfeng": add_lead(session, now, name="Zhang Sanfeng"),
    }
    return {name: lead.id for name, lead in leads.items()}  # type: ignore[misc]


@pytest.mark.parametrize("ref", ["{id}", "#{id}", " #{id} "])
def test_resolve_by_id(session: Session, people: dict[str, int], ref: str) -> None:
    lead_id = people["Wang Wei"]
    assert resolve_lead(session, ref.format(id=lead_id)).name == "Wang Wei"


def test_unknown_hash_id_is_an_error(session: Session, people: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="no lead has id 99"):
        resolve_lead(session, "#99")


def test_unknown_bare_number_is_no_match(session: Session, people: dict[str, int]) -> None:
    with pytest.raises(InvalidInput, match="no lead matches '99'"):
        resolve_lead(session, "99")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("Li Na", "Li Na"),  # exact wins over the prefix of "Li Nan"
        ("li na", "Li Na"),
        ("LI NAN", "Li Nan"),
        ("Wan", "Wang Wei"),  # unique prefix
        ("sanf", "Zhang Sanfeng"),  # unique substring
        ("ｗａｎｇ", "Wang Wei"),  # full-width
        ("+86 138-0013 8000", "Li Na"),  # phone in any format
        ("13800138000", "Li Na"),
        ("138 0013 8000", "Li Na"),
        ("１３８００１３８０００", "Li Na"),
        ("1111 2222", "Li Nan"),
        ("LINA@ACME.CN", "Li Na"),  # email, any case
        ("nan.li@", "Li Nan"),  # email prefix
        ("initech", "Wang Wei"),  # email substring
    ],
)
def test_resolve_by_name_phone_or_email(session: Session, people: dict[str, int], ref: str, expected: str) -> None:
    assert resolve_lead(session, ref).id == people[expected]


def test_ambiguous_lists_candidates_with_ids(session: Session, people: dict[str, int]) -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_lead(session, "li n")
    message = str(info.value)
    assert "matches 2 leads" in message
    assert f"#{people['Li Na']} Li Na" in message and f"#{people['Li Nan']} Li Nan" in message
    assert "and 0 more" not in message and not message.endswith("more")
    assert "Wang" not in message


def test_ambiguous_with_many_says_how_many_more(session: Session, now: datetime) -> None:
    ids = [add_lead(session, now, name=f"Chen {i}").id for i in range(11)]
    with pytest.raises(InvalidInput) as info:
        resolve_lead(session, "chen")
    message = str(info.value)
    assert "matches 11 leads" in message
    assert all(f"#{i} " in message for i in ids[:8])
    assert f"#{ids[8]} " not in message
    assert message.endswith("and 3 more")


@pytest.mark.parametrize("ref", ["Nobody", "%", "_", "li%na", "", "   "])
def test_no_match_is_invalid_input(session: Session, people: dict[str, int], ref: str) -> None:
    with pytest.raises(InvalidInput):
        resolve_lead(session, ref)


# --- list_leads / count_leads ------------------------------------------------------------------


@pytest.fixture
def book(engine: Engine, now: datetime, config: Config) -> dict[str, int]:
    """Five leads arriving on different days, some touched."""
    day = timedelta(days=1)
    with write_session(engine) as s:
        a = add_lead(s, now, name="Li Na", company="ACME Corp", phone="13800138000", grade="A",
                     source="inbound", created_at=now - 5 * day)  # fmt: skip
        b = add_lead(s, now, name="Wang Wei", company="Globex", email="wang@globex.com", grade="B",
                     source="referral", created_at=now - 4 * day)  # fmt: skip
        c = add_lead(s, now, name="Zhang San", company="acme corp", wechat="wx_zs", grade="A",
                     created_at=now - 3 * day)  # fmt: skip
        d = add_lead(s, now, name="Chen Jie", grade="C", created_at=now - 2 * day)
        e = add_lead(s, now, name="Zhao Lei", created_at=now - 1 * day)
        log_call(s, config, a, now, outcome="no_answer", at=now - 4 * day)
        log_call(s, config, a, now, outcome="connected", at=now - 2 * day, benefit="pricing sheet")
        log_touch(s, config, a, now, channel="email", at=now - 3 * day, benefit="case study")
        log_call(s, config, c, now, outcome="busy", at=now - 1 * day)
        return {lead.name: lead.id for lead in (a, b, c, d, e)}  # type: ignore[misc]


def _names(views: list) -> list[str]:
    return [v.lead.name for v in views]


def test_list_is_newest_arrival_first(session: Session, book: dict[str, int]) -> None:
    assert _names(list_leads(session)) == ["Zhao Lei", "Chen Jie", "Zhang San", "Wang Wei", "Li Na"]


def test_touch_count_and_last_touch(session: Session, book: dict[str, int], now: datetime) -> None:
    views = {v.lead.name: v for v in list_leads(session)}
    assert views["Li Na"].touch_count == 3
    assert views["Li Na"].last_touch_at == now - timedelta(days=2)  # latest by time, not by entry
    assert views["Zhang San"].touch_count == 1
    assert (views["Wang Wei"].touch_count, views["Wang Wei"].last_touch_at) == (0, None)
    assert views["Li Na"].company == "ACME Corp" and views["Zhang San"].company == "ACME Corp"
    assert views["Chen Jie"].company is None
    single = lead_view(session, book["Li Na"])
    assert (single.touch_count, single.last_touch_at) == (3, now - timedelta(days=2))
    as_dict = single.as_dict()
    assert as_dict["touch_count"] == 3 and as_dict["company"] == "ACME Corp"
    assert as_dict["last_touch_at"] == "2026-11-21T15:00:00+08:00"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"grade": "a"}, ["Zhang San", "Li Na"]),
        ({"grade": "B"}, ["Wang Wei"]),
        ({"status": "working"}, ["Zhang San", "Li Na"]),
        ({"status": "new"}, ["Zhao Lei", "Chen Jie", "Wang Wei"]),
        ({"source": "inbound"}, ["Li Na"]),
        ({"source": "outbound"}, ["Zhao Lei", "Chen Jie", "Zhang San"]),
        ({"search": "zhang"}, ["Zhang San"]),  # name
        ({"search": "ACME"}, ["Zhang San", "Li Na"]),  # company, case-insensitively
        ({"search": "0013 8000"}, ["Li Na"]),  # phone, as typed
        ({"search": "globex.com"}, ["Wang Wei"]),  # email
        ({"search": "wx_zs"}, ["Zhang San"]),  # wechat
        ({"search": "%"}, []),  # wildcards are literal
        ({"grade": "A", "status": "working", "search": "li"}, ["Li Na"]),
        ({"grade": "D"}, []),
    ],
)
def test_filters(session: Session, book: dict[str, int], filters: dict, expected: list[str]) -> None:
    assert _names(list_leads(session, **filters)) == expected
    assert count_leads(session, **filters) == len(expected)


def test_paging(session: Session, book: dict[str, int]) -> None:
    everyone = _names(list_leads(session))
    pages = [_names(list_leads(session, limit=2, offset=o)) for o in (0, 2, 4, 6)]
    assert pages == [everyone[0:2], everyone[2:4], everyone[4:5], []]
    assert count_leads(session) == len(everyone) == 5


@pytest.mark.parametrize("filters", [{"grade": "E"}, {"status": "open"}, {"source": "cold"}])
def test_bad_filters_are_refused(session: Session, book: dict[str, int], filters: dict) -> None:
    with pytest.raises(InvalidInput):
        list_leads(session, **filters)
    with pytest.raises(InvalidInput):
        count_leads(session, **filters)


# --- edit_lead ---------------------------------------------------------------------------------


def test_grade_change_is_recorded_with_time(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        lead_id = add_lead(s, now, name="Li Na", grade="A", created_at=now - timedelta(days=3)).id
    later = now + timedelta(hours=2)
    with write_session(engine) as s:
        lead = resolve_lead(s, f"#{lead_id}")
        edit_lead(s, lead, later, grade="c")
    with read_session(engine) as s:
        history = grade_history(s, lead_id)  # type: ignore[arg-type]
        assert [(h.old_grade, h.new_grade, h.at) for h in history] == [
            ("A", "C", later),
            (None, "A", now - timedelta(days=3)),
        ]
        lead = s.get(Lead, lead_id)
        assert lead is not None and (lead.grade, lead.updated_at) == ("C", later)


def test_unchanged_grade_records_nothing(session: Session, now: datetime) -> None:
    lead = add_lead(session, now, name="Li Na", grade="A")
    edit_lead(session, lead, now, grade="a", title="CTO")
    assert len(grade_history(session, lead.id)) == 1  # type: ignore[arg-type]
    assert lead.title == "CTO"


def test_clearing_fields_with_empty_string(session: Session, now: datetime) -> None:
    lead = add_lead(session, now, name="Li Na", company="Acme", title="CTO", phone="13800138000",
                    email="li@acme.cn", wechat="wx_li", grade="B", role="user", notes="n")  # fmt: skip
    edit_lead(session, lead, now, company="", title="", phone="", email="", wechat="", grade="", role="", notes="")
    stored = session.get(Lead, lead.id)
    assert stored is not None
    assert (stored.account_id, stored.title, stored.phone, stored.email) == (None, None, None, None)
    assert (stored.wechat, stored.grade, stored.role, stored.notes) == (None, None, None, None)
    latest = grade_history(session, lead.id)[0]  # type: ignore[arg-type]
    assert (latest.old_grade, latest.new_grade) == ("B", None)


def test_none_leaves_fields_alone(session: Session, now: datetime) -> None:
    lead = add_lead(session, now, name="Li Na", title="CTO", grade="B")
    edit_lead(session, lead, now, title=None, grade=None, phone=None)
    assert (lead.title, lead.grade) == ("CTO", "B")
    assert len(grade_history(session, lead.id)) == 1  # type: ignore[arg-type]


def test_rename_updates_matching(session: Session, now: datetime) -> None:
    lead = add_lead(session, now, name="Li Na")
    edit_lead(session, lead, now, name="Li Nana", company="Globex")
    assert resolve_lead(session, "li nana").id == lead.id
    assert lead_view(session, lead.id).company == "Globex"  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        edit_lead(session, lead, now, name="  ")


def test_duplicate_phone_on_edit_is_refused(engine: Engine, now: datetime) -> None:
    with write_session(engine) as s:
        add_lead(s, now, name="Li Na", phone="+86 138 0013 8000")
        other_id = add_lead(s, now, name="Wang Wei", phone="13900000000", title="CTO").id
    with pytest.raises(Refused), write_session(engine) as s:
        other = s.get(Lead, other_id)
        assert other is not None
        edit_lead(s, other, now, title="CEO", phone="+8613800138000")
    with read_session(engine) as s:
        other = s.get(Lead, other_id)
        assert other is not None and (other.phone, other.title) == ("13900000000", "CTO")


def test_keeping_own_phone_is_not_a_duplicate(session: Session, now: datetime) -> None:
    lead = add_lead(session, now, name="Li Na", phone="13800138000", email="li@acme.cn")
    edit_lead(session, lead, now, phone="138-0013-8000", email="LI@ACME.CN")
    assert (lead.phone, lead.email) == ("13800138000", "li@acme.cn")


def test_unknown_field_is_refused(session: Session, now: datetime) -> None:
    lead = add_lead(session, now, name="Li Na")
    with pytest.raises(InvalidInput, match="status"):
        edit_lead(session, lead, now, status="won")
    with pytest.raises(InvalidInput, match="touch_count"):
        edit_lead(session, lead, now, touch_count=9)  # kept by triggers, never edited
    assert (lead.status, lead.touch_count) == ("new", 0)


def test_arrival_time_can_be_corrected_but_not_past_the_first_touch(session: Session, now: datetime) -> None:
    config = Config()
    lead = add_lead(session, now, name="Li Na", created_at=now - timedelta(days=3))
    edit_lead(session, lead, now, created_at=now - timedelta(days=5))
    assert lead.created_at == now - timedelta(days=5)
    with pytest.raises(InvalidInput, match="future"):
        edit_lead(session, lead, now, created_at=now + timedelta(minutes=1))
    # A touch logged in this same session counts: the lead's first touch is read fresh.
    log_call(session, config, lead, now, outcome="no_answer", at=now - timedelta(days=2))
    with pytest.raises(InvalidInput, match="after its first touch"):
        edit_lead(session, lead, now, created_at=now - timedelta(days=1))
    edit_lead(session, lead, now, created_at=now - timedelta(days=2))  # the same minute is fine
    assert lead.created_at == now - timedelta(days=2)


# --- property: an exact name always finds its lead -----------------------------------------------

_ID_LIKE = re.compile(r"#?\d{1,9}")  # a bare number names an id (the contract), never a name
_names_strategy = st.lists(
    st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=16).filter(
        lambda n: n.strip() and not _ID_LIKE.fullmatch(n.strip())
    ),
    min_size=1,
    max_size=8,
    unique=True,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=_names_strategy)
def test_exact_name_resolves_when_its_key_is_unique(names: list[str]) -> None:
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    engine = open_store(":memory:", now)
    try:
        with write_session(engine) as session:
            leads = [add_lead(session, now, name=name) for name in names]
            keys = [validate.name_key(lead.name) for lead in leads]
            for lead, key in zip(leads, keys, strict=True):
                if keys.count(key) == 1:
                    assert resolve_lead(session, lead.name).id == lead.id, lead.name
                    assert resolve_lead(session, f"#{lead.id}").id == lead.id
    finally:
        engine.dispose()
