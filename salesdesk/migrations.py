"""The schema's history: named, ordered migrations, each frozen once released.

Never edit a released migration; add a new one at the end. Each runs in one transaction
together with its record in ``salesdesk_migration``, so a database is always at a named
version, never between two. The models in ``models.py`` must match the result (a test
checks), but the DDL here is the source of truth for what is on disk.
"""

from __future__ import annotations

from typing import NamedTuple


class Migration(NamedTuple):
    name: str
    statements: tuple[str, ...]


_INITIAL = (
    """CREATE TABLE meta (
        "key" VARCHAR NOT NULL PRIMARY KEY,
        value VARCHAR NOT NULL
    )""",
    """CREATE TABLE account (
        id INTEGER NOT NULL PRIMARY KEY,
        name VARCHAR NOT NULL,
        name_key VARCHAR NOT NULL UNIQUE,
        created_at DATETIME NOT NULL
    )""",
    """CREATE TABLE lead (
        id INTEGER NOT NULL PRIMARY KEY,
        name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
        name_key VARCHAR NOT NULL,
        account_id INTEGER REFERENCES account (id),
        title VARCHAR,
        phone VARCHAR,
        email VARCHAR,
        wechat VARCHAR,
        source VARCHAR NOT NULL
            CHECK (source IN ('inbound', 'outbound', 'referral', 'event', 'other')),
        grade VARCHAR CHECK (grade IN ('A', 'B', 'C', 'D')),
        status VARCHAR NOT NULL CHECK (status IN ('new', 'working', 'won', 'lost')),
        is_coach BOOLEAN NOT NULL DEFAULT 0 CHECK (is_coach IN (0, 1)),
        role VARCHAR,
        notes VARCHAR,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL,
        closed_at DATETIME,
        close_reason VARCHAR
    )""",
    "CREATE INDEX ix_lead_name_key ON lead (name_key)",
    "CREATE INDEX ix_lead_account_id ON lead (account_id)",
    "CREATE INDEX ix_lead_phone ON lead (phone)",
    "CREATE INDEX ix_lead_email ON lead (email)",
    "CREATE INDEX ix_lead_created_at ON lead (created_at)",
    "CREATE INDEX ix_lead_status_grade ON lead (status, grade)",
    """CREATE TABLE touch (
        id INTEGER NOT NULL PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        at DATETIME NOT NULL,
        channel VARCHAR NOT NULL,
        outcome VARCHAR,
        connected BOOLEAN NOT NULL DEFAULT 0 CHECK (connected IN (0, 1)),
        duration_s INTEGER CHECK (duration_s >= 0),
        note VARCHAR,
        benefit VARCHAR,
        objection VARCHAR,
        recorded_at DATETIME NOT NULL
    )""",
    "CREATE INDEX ix_touch_at ON touch (at)",
    "CREATE INDEX ix_touch_lead_at ON touch (lead_id, at)",
    """CREATE TABLE grade_change (
        id INTEGER NOT NULL PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        at DATETIME NOT NULL,
        old_grade VARCHAR,
        new_grade VARCHAR
    )""",
    "CREATE INDEX ix_grade_change_lead_at ON grade_change (lead_id, at)",
)

_FOLLOWUPS = (
    """CREATE TABLE followup (
        id INTEGER NOT NULL PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        channel VARCHAR NOT NULL,
        due_at DATETIME NOT NULL,
        rule VARCHAR NOT NULL,
        note VARCHAR,
        created_at DATETIME NOT NULL,
        source_touch_id INTEGER REFERENCES touch (id),
        done_at DATETIME,
        done_touch_id INTEGER REFERENCES touch (id)
    )""",
    "CREATE INDEX ix_followup_lead_id ON followup (lead_id)",
    # Open follow-ups have done_at NULL: this index serves "what is open, soonest first".
    "CREATE INDEX ix_followup_open_due ON followup (done_at, due_at)",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial", _INITIAL),
    Migration("0002_followups", _FOLLOWUPS),
)
