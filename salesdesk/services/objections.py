"""The objection library: what customers say, the replies to it, and which replies win meetings.

The library is seeded with METHOD.md §3 by migration 0005, in Chinese too (and with the price
objection) by 0009: a seed row holds both wordings and ``[me] language`` picks the one shown;
the rep's own entries have one wording, shown in either language. An objection may have several
replies (variants to compare); a reply's number is its 1-based position within its
objection, which is how ``log-call --reply N`` names it. Stats are counted in SQL over the
touch indexes on ``objection`` and ``reply_id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, case, col, select

from salesdesk import objection_lookup, store, validate
from salesdesk.errors import InvalidInput, Refused
from salesdesk.models import Objection, ObjectionReply, Touch

# Below this many uses a reply's meeting rate is an anecdote, not evidence.
FEW_USES = 10


def wording(text: str, text_zh: str | None, language: str) -> str:
    """The words shown in ``language``: the Chinese where a seed row has it, else the one text."""
    return text_zh if language == "zh" and text_zh else text


@dataclass(frozen=True)
class ObjectionView:
    objection: Objection
    replies: list[ObjectionReply]
    language: str = "en"

    @property
    def text(self) -> str:
        return wording(self.objection.text, self.objection.text_zh, self.language)

    def reply_text(self, reply: ObjectionReply) -> str:
        return wording(reply.text, reply.text_zh, self.language)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.objection.key,
            "text": self.text,
            "replies": [{"id": r.id, "number": r.position, "text": self.reply_text(r)} for r in self.replies],
        }


def _unknown(session: Session, key: str) -> InvalidInput:
    return objection_lookup.unknown(store.dbapi(session), key)


def _replies(session: Session, key: str) -> list[ObjectionReply]:
    query = (
        select(ObjectionReply).where(col(ObjectionReply.objection_key) == key).order_by(col(ObjectionReply.position))
    )
    return list(session.execute(query).scalars())


def get(session: Session, key: str, language: str = "en") -> ObjectionView:
    """One objection and its replies, in number order; an unknown key names close matches."""
    clean = validate.key(key, "objection")
    found = session.get(Objection, clean) if clean else None
    if found is None:
        raise _unknown(session, clean or key)
    return ObjectionView(found, _replies(session, found.key), language)


def list_objections(session: Session, language: str = "en") -> list[ObjectionView]:
    """The whole library in its order, each objection with its replies, worded in ``language``."""
    objections = list(session.execute(select(Objection).order_by(col(Objection.position))).scalars())
    replies: dict[str, list[ObjectionReply]] = {o.key: [] for o in objections}
    for reply in session.execute(select(ObjectionReply).order_by(col(ObjectionReply.position))).scalars():
        replies[reply.objection_key].append(reply)
    return [ObjectionView(o, replies[o.key], language) for o in objections]


_numbers = objection_lookup.numbers


def resolve(session: Session, key: str | None, reply: int | None) -> tuple[str | None, int | None]:
    """The objection key and reply id a logged call records (see ``objection_lookup.resolve``,
    which the hot ``log-call`` calls over a bare sqlite3 connection)."""
    return objection_lookup.resolve(store.dbapi(session), key, reply)


def _reply_text(text: str | None) -> str:
    return validate.required(text, "reply", max_len=validate.TEXT_MAX)


def _add_reply(session: Session, key: str, text: str) -> ObjectionReply:
    last = session.execute(
        select(func.max(ObjectionReply.position)).where(ObjectionReply.objection_key == key)
    ).scalar_one()
    reply = ObjectionReply(objection_key=key, position=(last or 0) + 1, text=text)
    session.add(reply)
    session.flush()
    return reply


def _free_key(session: Session, text: str) -> str:
    """A key for an objection typed in a search: its ASCII words (``too_slow``), or ``own_N``
    for words with none (``太慢``), never one the library has."""
    base = re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:30].strip("_") or "own"
    keys = set(session.execute(select(Objection.key)).scalars())
    if base != "own" and base not in keys:
        return base
    return next(f"{base}_{n}" for n in range(1, len(keys) + 2) if f"{base}_{n}" not in keys)


def add_typed(session: Session, text: str, language: str = "en") -> ObjectionView:
    """An objection named as the customer said it (the call session's search): its key is
    made from the words, its replies come later (``objection edit KEY --add-reply``)."""
    clean = validate.required(text, "objection text", max_len=validate.SHORT_MAX)
    return replace(add(session, _free_key(session, clean), clean), language=language)


def add(session: Session, key: str, text: str, replies: list[str] | None = None) -> ObjectionView:
    """A new objection at the end of the library, with its replies in the order given."""
    clean = validate.key(key, "objection")
    if clean is None:
        raise InvalidInput("an objection needs a key like no_time (a-z, 0-9, _)")
    if session.get(Objection, clean) is not None:
        raise Refused(f"objection {clean} exists; add a reply with: salesdesk objection edit {clean} --add-reply TEXT")
    clean_text = validate.required(text, "objection text", max_len=validate.SHORT_MAX)
    clean_replies = [_reply_text(reply) for reply in replies or []]
    last = session.execute(select(func.max(Objection.position))).scalar_one()
    session.add(Objection(key=clean, text=clean_text, position=(last or 0) + 1))
    session.flush()
    for reply in clean_replies:
        _add_reply(session, clean, reply)
    return get(session, clean)


def edit(
    session: Session,
    key: str,
    *,
    text: str | None = None,
    add_reply: str | None = None,
    reply: int | None = None,
    reply_text: str | None = None,
    language: str = "en",
) -> ObjectionView:
    """Reword the objection, reword reply number ``reply``, or add a reply variant.

    Replies are never renumbered or removed, so the stats of past calls keep their meaning.
    In Chinese (``language``), a seed row's Chinese wording is the one reworded."""
    view = get(session, key, language)
    if text is None and add_reply is None and reply is None:
        raise InvalidInput("say what to change: --text, --add-reply, or --reply N with --reply-text")
    if (reply is None) != (reply_text is None):
        raise InvalidInput("rewording a reply needs both --reply N and --reply-text TEXT")
    zh = language == "zh"
    if text is not None:
        clean = validate.required(text, "objection text", max_len=validate.SHORT_MAX)
        if zh and view.objection.text_zh:
            view.objection.text_zh = clean
        else:
            view.objection.text = clean
        session.add(view.objection)
    if reply is not None:
        target = next((r for r in view.replies if r.position == reply), None)
        if target is None:
            raise InvalidInput(f"objection {view.objection.key} has {_numbers(len(view.replies))}, not reply {reply}")
        if zh and target.text_zh:
            target.text_zh = _reply_text(reply_text)
        else:
            target.text = _reply_text(reply_text)
        session.add(target)
    if add_reply is not None:
        _add_reply(session, view.objection.key, _reply_text(add_reply))
    session.flush()
    return get(session, view.objection.key, language)


@dataclass(frozen=True)
class ReplyStats:
    reply: ObjectionReply
    uses: int
    meetings: int
    text: str = ""  # the reply's words in the rep's language

    @property
    def meeting_rate(self) -> float | None:
        return self.meetings / self.uses if self.uses else None

    @property
    def few(self) -> bool:
        return self.uses < FEW_USES

    def as_dict(self) -> dict[str, Any]:
        rate = self.meeting_rate
        return {
            "id": self.reply.id,
            "number": self.reply.position,
            "uses": self.uses,
            "meetings": self.meetings,
            "meeting_rate": None if rate is None else round(rate, 4),
        }


@dataclass(frozen=True)
class ObjectionStats:
    objection: Objection
    met: int
    replies: list[ReplyStats]
    text: str = ""  # the objection's words in the rep's language

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.objection.key,
            "text": self.text or self.objection.text,
            "met": self.met,
            "replies": [r.as_dict() for r in self.replies],
        }


def stats(session: Session, language: str = "en") -> list[ObjectionStats]:
    """Per objection, the calls it came up on; per reply, its uses and the meetings booked on
    those calls. Most-met objections first; replies in number order."""
    met = dict(
        session.execute(
            select(Touch.objection, func.count()).where(col(Touch.objection).is_not(None)).group_by(Touch.objection)
        ).all()
    )
    used = {
        reply_id: (uses, meetings)
        for reply_id, uses, meetings in session.execute(
            select(Touch.reply_id, func.count(), func.count(case((Touch.meeting, 1))))
            .where(col(Touch.reply_id).is_not(None))
            .group_by(col(Touch.reply_id))
        ).all()
    }
    rows = [
        ObjectionStats(
            view.objection,
            met.get(view.objection.key, 0),
            [ReplyStats(reply, *used.get(reply.id, (0, 0)), view.reply_text(reply)) for reply in view.replies],
            view.text,
        )
        for view in list_objections(session, language)
    ]
    # A stable sort keeps the library's order among objections met equally often.
    return sorted(rows, key=lambda row: -row.met)
