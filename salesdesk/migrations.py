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

# Per-lead activity, kept by triggers so the queue and lists read one row per lead instead of
# aggregating every touch (500,000 of them in a year). Triggers run in the writer's own
# transaction, so the counters are right whichever process (TUI, script, import) writes.
_RECOUNT = """
    UPDATE lead SET
        touch_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id),
        call_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id AND channel = 'call'),
        connect_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id AND channel = 'call' AND connected),
        meeting_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id AND meeting),
        first_touch_at = (SELECT min(at) FROM touch WHERE lead_id = lead.id),
        last_touch_at = (SELECT max(at) FROM touch WHERE lead_id = lead.id)"""

_LEAD_ACTIVITY = (
    # Copied from the outcome's flag when logged, like ``connected``.
    "ALTER TABLE touch ADD COLUMN meeting BOOLEAN NOT NULL DEFAULT 0 CHECK (meeting IN (0, 1))",
    "UPDATE touch SET meeting = 1 WHERE outcome = 'meeting_booked'",
    "ALTER TABLE lead ADD COLUMN touch_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE lead ADD COLUMN call_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE lead ADD COLUMN connect_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE lead ADD COLUMN meeting_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE lead ADD COLUMN first_touch_at DATETIME",
    "ALTER TABLE lead ADD COLUMN last_touch_at DATETIME",
    _RECOUNT,
    """CREATE TRIGGER touch_counts_insert AFTER INSERT ON touch BEGIN
        UPDATE lead SET
            touch_count = touch_count + 1,
            call_count = call_count + (NEW.channel = 'call'),
            connect_count = connect_count + (NEW.channel = 'call' AND NEW.connected),
            meeting_count = meeting_count + NEW.meeting,
            first_touch_at = CASE WHEN first_touch_at IS NULL OR NEW.at < first_touch_at
                             THEN NEW.at ELSE first_touch_at END,
            last_touch_at = CASE WHEN last_touch_at IS NULL OR NEW.at > last_touch_at
                            THEN NEW.at ELSE last_touch_at END
        WHERE id = NEW.lead_id;
    END""",
    # Deletes and edits are rare: recount the lead(s) concerned from scratch.
    f"""CREATE TRIGGER touch_counts_delete AFTER DELETE ON touch BEGIN
        {_RECOUNT.strip()} WHERE id = OLD.lead_id;
    END""",
    f"""CREATE TRIGGER touch_counts_update AFTER UPDATE ON touch BEGIN
        {_RECOUNT.strip()} WHERE id IN (OLD.lead_id, NEW.lead_id);
    END""",
    # The queue's candidates: open leads never touched (first contact), by last touch (cadence).
    "CREATE INDEX ix_lead_status_first_touch ON lead (status, first_touch_at)",
    "CREATE INDEX ix_lead_status_last_touch ON lead (status, last_touch_at)",
)

_LEAD_CLOSES = (
    # Every close and its circumstances, so overrides of the minimum-touches rule can be
    # counted and reported, and a reopen doesn't erase the history.
    """CREATE TABLE lead_close (
        id INTEGER NOT NULL PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        at DATETIME NOT NULL,
        result VARCHAR NOT NULL CHECK (result IN ('won', 'lost')),
        reason VARCHAR,
        touch_count INTEGER NOT NULL,
        min_touches INTEGER NOT NULL,
        forced BOOLEAN NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),
        reopened_at DATETIME
    )""",
    "CREATE INDEX ix_lead_close_lead_id ON lead_close (lead_id)",
    "CREATE INDEX ix_lead_close_at ON lead_close (at)",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial", _INITIAL),
    Migration("0002_followups", _FOLLOWUPS),
    Migration("0003_lead_activity", _LEAD_ACTIVITY),
    Migration("0004_lead_closes", _LEAD_CLOSES),
)
