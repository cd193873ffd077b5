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
    # A migration that rebuilds a table others reference runs with foreign keys off (they
    # can't be switched inside a transaction) and checks them all before it commits.
    rebuilds: bool = False


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

# --- call blocks, objections, scripts (migration 0005) ---
# A block is its first occurrence (start, minutes) plus an optional RFC 5545 RRULE, expanded
# in local wall time; a removed occurrence is an exception on its local day ('YYYY-MM-DD').
_BLOCKS = (
    """CREATE TABLE call_block (
        id INTEGER NOT NULL PRIMARY KEY,
        title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
        start DATETIME NOT NULL,
        minutes INTEGER NOT NULL CHECK (minutes > 0),
        rrule VARCHAR,
        goal_dials INTEGER CHECK (goal_dials >= 0),
        goal_meetings INTEGER CHECK (goal_meetings >= 0),
        protect BOOLEAN NOT NULL DEFAULT 1 CHECK (protect IN (0, 1)),
        created_at DATETIME NOT NULL
    )""",
    "CREATE INDEX ix_call_block_start ON call_block (start)",
    """CREATE TABLE block_exception (
        id INTEGER NOT NULL PRIMARY KEY,
        block_id INTEGER NOT NULL REFERENCES call_block (id),
        day VARCHAR NOT NULL
    )""",
    "CREATE UNIQUE INDEX ux_block_exception_day ON block_exception (block_id, day)",
    # The call list planned for one occurrence, and the rate it assumed (meetings per dials,
    # kept as a ratio so the block's result can be set against it exactly).
    """CREATE TABLE block_fill (
        id INTEGER NOT NULL PRIMARY KEY,
        block_id INTEGER NOT NULL REFERENCES call_block (id),
        start DATETIME NOT NULL,
        target_meetings INTEGER NOT NULL CHECK (target_meetings >= 1),
        rate_meetings INTEGER NOT NULL CHECK (rate_meetings >= 1),
        rate_dials INTEGER NOT NULL CHECK (rate_dials >= rate_meetings),
        rate_source VARCHAR NOT NULL CHECK (rate_source IN ('history', 'given', 'default')),
        list_size INTEGER NOT NULL CHECK (list_size >= 1),
        created_at DATETIME NOT NULL
    )""",
    "CREATE UNIQUE INDEX ux_block_fill_start ON block_fill (block_id, start)",
    """CREATE TABLE block_lead (
        id INTEGER NOT NULL PRIMARY KEY,
        fill_id INTEGER NOT NULL REFERENCES block_fill (id),
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        position INTEGER NOT NULL CHECK (position >= 1)
    )""",
    "CREATE UNIQUE INDEX ux_block_lead_position ON block_lead (fill_id, position)",
    "CREATE INDEX ix_block_lead_lead_id ON block_lead (lead_id)",
)

_OBJECTIONS = (
    """CREATE TABLE objection (
        "key" VARCHAR NOT NULL PRIMARY KEY,
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        position INTEGER NOT NULL
    )""",
    # A reply's position is its 1-based number within its objection (``log-call --reply N``).
    """CREATE TABLE objection_reply (
        id INTEGER NOT NULL PRIMARY KEY,
        objection_key VARCHAR NOT NULL REFERENCES objection ("key"),
        position INTEGER NOT NULL CHECK (position >= 1),
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0)
    )""",
    "CREATE UNIQUE INDEX ux_objection_reply_position ON objection_reply (objection_key, position)",
    # Which reply was used on a call; stats count uses and meetings per reply over this index.
    "ALTER TABLE touch ADD COLUMN reply_id INTEGER REFERENCES objection_reply (id)",
    "CREATE INDEX ix_touch_reply_id ON touch (reply_id)",
    "CREATE INDEX ix_touch_objection ON touch (objection)",
    """CREATE TABLE script (
        "key" VARCHAR NOT NULL PRIMARY KEY,
        kind VARCHAR NOT NULL CHECK (kind IN ('call', 'voicemail')),
        position INTEGER NOT NULL,
        title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
        body VARCHAR NOT NULL CHECK (length(trim(body)) > 0)
    )""",
)

# The seed library is data of this migration, frozen with it: METHOD.md §3, in its order.
# Seeding here rather than on first read means reads never write, and two processes can't
# both seed. The gatekeeper has no reply on purpose: the method says to prepare your own.
_SEED_OBJECTIONS = (
    ("no_time", "I don't have time.",
     "I understand, time is short for me too. Give me three minutes and you'll see why this matters to you."),
    ("busy_now", "I'm busy right now.",
     "I'll be near your office Tuesday and Wednesday. Tuesday morning or Wednesday afternoon?"),
    ("send_materials", "Just send me some material.",
     "Our material is an outline that needs explaining and tailoring to you. Better I come by: "
     "Tuesday or Wednesday, morning or afternoon?"),
    ("not_interested", "Not interested.",
     "That's natural: it's hard to be interested before you know the benefit. That's exactly why I'd like "
     "to show you in person. Monday or Tuesday?"),
    ("no_money", "We have no budget.",
     "Only you know your finances, but planning the whole picture now pays off later. May I come Tuesday, "
     "or at the weekend?"),
    ("think_it_over", "I need to think it over.",
     "Haven't we covered the key points? May I ask frankly what your concern is?"),
    ("no_need_yet", "Not sure we need it yet.",
     "Don't worry about later for now; just see whether our strengths fit. Monday or Tuesday?"),
    ("consult_others", "I must consult others first.", "Of course. When can we all talk together?"),
    ("will_call_you", "We'll contact you.",
     "You may not need it today, but I'd still like you to see how it would help you."),
    ("gatekeeper", "A secretary or receptionist blocks you.", None),
    ("brush_off", "Not convenient to talk.", "Ask for one or two minutes; never hang up first."),
)  # fmt: skip

# METHOD.md §2: the three steps of a call, and both schools of what to do when nobody answers.
# {my_name}, {my_company}, {lead} and {lead_company} stand for what the call session fills in.
_SEED_SCRIPTS = (
    ("intro", "call", "1. Who you are",
     "Hello {lead}, this is {my_name} from {my_company}. We help companies like {lead_company} "
     "[what you offer, in one sentence]."),
    ("ask", "call", "2. Purpose and the ask",
     "I'm calling because [the benefit to {lead_company}]. I'd like to show you in person, it takes "
     "twenty minutes. Would Tuesday morning or Wednesday afternoon suit you better?"),
    ("brush_off", "call", "3. The brush-off",
     "I understand. Could you give me just one or two minutes? [the one point that matters to them] "
     "Then you decide whether a meeting is worth it. (Never hang up first.)"),
    ("no_message", "voicemail", "Leave no message",
     "Leave no message: hang up, and call back yourself at another time of day."),
    ("question", "voicemail", "A question only you can answer",
     "Hello {lead}, this is {my_name} from {my_company}. I have a question that only you can answer. "
     "Please call me back; I'm in until 17:00."),
    ("thought_of_you", "voicemail", "Something made me think of you",
     "Hello {lead}, this is {my_name} from {my_company}. Something today made me think of you. "
     "Please call me back; I'm in until 17:00."),
)  # fmt: skip


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_SEED = (
    *(
        f'INSERT INTO objection ("key", text, position) VALUES ({_quote(key)}, {_quote(text)}, {index})'
        for index, (key, text, _) in enumerate(_SEED_OBJECTIONS, 1)
    ),
    *(
        f"INSERT INTO objection_reply (objection_key, position, text) VALUES ({_quote(key)}, 1, {_quote(reply)})"
        for key, _, reply in _SEED_OBJECTIONS
        if reply is not None
    ),
    *(
        f'INSERT INTO script ("key", kind, position, title, body) VALUES '
        f"({_quote(key)}, {_quote(kind)}, {index}, {_quote(title)}, {_quote(body)})"
        for index, (key, kind, title, body) in enumerate(_SEED_SCRIPTS, 1)
    ),
)

# --- deals, goals, plans, reviews, problems (migration 0006) ---
# Local calendar days are stored as 'YYYY-MM-DD' text: a plan or a review belongs to the
# rep's day, not to an instant, and the text sorts and compares like the dates it names.
_PDCA = (
    # Opportunities, separate from leads (METHOD.md §6: the funnel tracks opportunities, not
    # people). Stages are configurable, so only the two closing stages are fixed here.
    """CREATE TABLE deal (
        id INTEGER NOT NULL PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
        value INTEGER CHECK (value >= 0),
        stage VARCHAR NOT NULL CHECK (length(trim(stage)) > 0),
        expected_close DATETIME,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL,
        closed_at DATETIME,
        reason VARCHAR,
        CHECK ((stage IN ('won', 'lost')) = (closed_at IS NOT NULL))
    )""",
    "CREATE INDEX ix_deal_lead_id ON deal (lead_id)",
    "CREATE INDEX ix_deal_stage ON deal (stage)",
    # Every stage a deal entered, creation included (from_stage NULL): the funnel is counted
    # from these rows, so history survives a deal moving on.
    """CREATE TABLE deal_stage_change (
        id INTEGER NOT NULL PRIMARY KEY,
        deal_id INTEGER NOT NULL REFERENCES deal (id),
        at DATETIME NOT NULL,
        from_stage VARCHAR,
        to_stage VARCHAR NOT NULL
    )""",
    "CREATE INDEX ix_deal_stage_change_at ON deal_stage_change (at)",
    "CREATE INDEX ix_deal_stage_change_deal_id ON deal_stage_change (deal_id, id)",
    # A month's goal per metric ('2026-12'); spread over the working days when read.
    """CREATE TABLE goal (
        month VARCHAR NOT NULL,
        metric VARCHAR NOT NULL CHECK (metric IN ('meetings', 'dials', 'deals_won', 'new_leads')),
        value INTEGER NOT NULL CHECK (value >= 0),
        set_at DATETIME NOT NULL,
        PRIMARY KEY (month, metric)
    )""",
    # A day's own targets; NULL means "the month goal's share" (goal), decided when read.
    """CREATE TABLE day_plan (
        day VARCHAR NOT NULL PRIMARY KEY,
        dials INTEGER CHECK (dials >= 0),
        connects INTEGER CHECK (connects >= 0),
        meetings INTEGER CHECK (meetings >= 0),
        new_leads INTEGER CHECK (new_leads >= 0),
        updated_at DATETIME NOT NULL
    )""",
    """CREATE TABLE problem (
        id INTEGER NOT NULL PRIMARY KEY,
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        opened_day VARCHAR NOT NULL,
        opened_at DATETIME NOT NULL,
        solved_at DATETIME,
        solution VARCHAR
    )""",
    "CREATE INDEX ix_problem_solved_at ON problem (solved_at)",
    # One review per day; its problem is the day's one problem, and the reviews that name a
    # problem are the days it was worked on.
    """CREATE TABLE review (
        day VARCHAR NOT NULL PRIMARY KEY,
        problem_id INTEGER REFERENCES problem (id),
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
    )""",
    "CREATE INDEX ix_review_problem_id ON review (problem_id)",
    # The reflection pairs, the act items and the deviation reasons (one per missed target).
    """CREATE TABLE review_entry (
        id INTEGER NOT NULL PRIMARY KEY,
        day VARCHAR NOT NULL REFERENCES review (day),
        kind VARCHAR NOT NULL CHECK (kind IN (
            'finished', 'unfinished', 'well', 'not_well', 'did', 'didnt', 'act', 'deviation')),
        target VARCHAR,
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        position INTEGER NOT NULL,
        CHECK ((kind = 'deviation') = (target IS NOT NULL))
    )""",
    "CREATE INDEX ix_review_entry_day ON review_entry (day, position)",
    # At most 7 a day (METHOD.md §7), enforced by the service; carried items point at the
    # unfinished item or the act item they came from.
    """CREATE TABLE plan_item (
        id INTEGER NOT NULL PRIMARY KEY,
        day VARCHAR NOT NULL,
        position INTEGER NOT NULL CHECK (position >= 1),
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        kind VARCHAR NOT NULL CHECK (kind IN ('key', 'routine', 'adhoc')),
        created_at DATETIME NOT NULL,
        done_at DATETIME,
        carried_from INTEGER REFERENCES plan_item (id),
        act_entry_id INTEGER REFERENCES review_entry (id)
    )""",
    "CREATE UNIQUE INDEX ix_plan_item_day_position ON plan_item (day, position)",
    # Follow-up compliance counts the follow-ups due in each day, met or not: by due time alone.
    "CREATE INDEX ix_followup_due_at ON followup (due_at)",
    # A one-line reflection on a connected call: how it landed, what to change.
    """CREATE TABLE touch_reflection (
        touch_id INTEGER NOT NULL PRIMARY KEY REFERENCES touch (id),
        text VARCHAR NOT NULL CHECK (length(trim(text)) > 0),
        recorded_at DATETIME NOT NULL
    )""",
)

# The lead lifecycle (issue 9): one explicit state per lead, every change recorded with its
# cause; meetings as records; follow-ups that say how they ended; counters for "reached" and
# "attempted". SQLite can't widen a CHECK in place, so ``lead`` is rebuilt (the 12-step
# procedure of the SQLite docs); the touch triggers name ``lead`` and are rebuilt with it.
# Frozen here: ``lifecycle.STATES`` may grow, this migration's CHECK may not (a test compares).
_STATES_V7 = ("new", "working", "meeting", "deal", "won", "lost", "nurture", "do_not_contact")
_STATES_SQL = ", ".join(f"'{state}'" for state in _STATES_V7)

# Reached, for the method's focus and review flags: a conversation (a connected call, a visit,
# or any touch that booked a meeting); a message sent is not a visit (METHOD.md §4).
# Attempted: every channel but "other"; the first attempt stops the first-contact clock.
_REACHED = "((NEW.channel = 'call' AND NEW.connected) OR NEW.channel = 'visit' OR NEW.meeting)"
_RECOUNT_V2 = """
    UPDATE lead SET
        touch_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id),
        call_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id AND channel = 'call'),
        connect_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id AND channel = 'call' AND connected),
        meeting_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id AND meeting),
        reach_count = (SELECT count(*) FROM touch WHERE lead_id = lead.id
                       AND ((channel = 'call' AND connected) OR channel = 'visit' OR meeting)),
        first_touch_at = (SELECT min(at) FROM touch WHERE lead_id = lead.id),
        first_attempt_at = (SELECT min(at) FROM touch WHERE lead_id = lead.id AND channel != 'other'),
        last_touch_at = (SELECT max(at) FROM touch WHERE lead_id = lead.id)"""

_LIFECYCLE = (
    "DROP TRIGGER touch_counts_insert",
    "DROP TRIGGER touch_counts_delete",
    "DROP TRIGGER touch_counts_update",
    f"""CREATE TABLE lead_v7 (
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
        status VARCHAR NOT NULL CHECK (status IN ({_STATES_SQL})),
        is_coach BOOLEAN NOT NULL DEFAULT 0 CHECK (is_coach IN (0, 1)),
        role VARCHAR,
        notes VARCHAR,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL,
        closed_at DATETIME,
        close_reason VARCHAR,
        touch_count INTEGER NOT NULL DEFAULT 0,
        call_count INTEGER NOT NULL DEFAULT 0,
        connect_count INTEGER NOT NULL DEFAULT 0,
        meeting_count INTEGER NOT NULL DEFAULT 0,
        first_touch_at DATETIME,
        last_touch_at DATETIME,
        reach_count INTEGER NOT NULL DEFAULT 0,
        first_attempt_at DATETIME,
        nurture_until DATETIME,
        CHECK ((status = 'nurture') = (nurture_until IS NOT NULL))
    )""",
    """INSERT INTO lead_v7 (id, name, name_key, account_id, title, phone, email, wechat, source, grade, status,
        is_coach, role, notes, created_at, updated_at, closed_at, close_reason, touch_count, call_count,
        connect_count, meeting_count, first_touch_at, last_touch_at)
    SELECT id, name, name_key, account_id, title, phone, email, wechat, source, grade, status,
        is_coach, role, notes, created_at, updated_at, closed_at, close_reason, touch_count, call_count,
        connect_count, meeting_count, first_touch_at, last_touch_at FROM lead""",
    "DROP TABLE lead",
    "ALTER TABLE lead_v7 RENAME TO lead",
    "CREATE INDEX ix_lead_name_key ON lead (name_key)",
    "CREATE INDEX ix_lead_account_id ON lead (account_id)",
    "CREATE INDEX ix_lead_phone ON lead (phone)",
    "CREATE INDEX ix_lead_email ON lead (email)",
    "CREATE INDEX ix_lead_created_at ON lead (created_at)",
    "CREATE INDEX ix_lead_status_grade ON lead (status, grade)",
    "CREATE INDEX ix_lead_status_first_touch ON lead (status, first_touch_at)",
    "CREATE INDEX ix_lead_status_last_touch ON lead (status, last_touch_at)",
    _RECOUNT_V2,
    f"""CREATE TRIGGER touch_counts_insert AFTER INSERT ON touch BEGIN
        UPDATE lead SET
            touch_count = touch_count + 1,
            call_count = call_count + (NEW.channel = 'call'),
            connect_count = connect_count + (NEW.channel = 'call' AND NEW.connected),
            meeting_count = meeting_count + NEW.meeting,
            reach_count = reach_count + {_REACHED},
            first_touch_at = CASE WHEN first_touch_at IS NULL OR NEW.at < first_touch_at
                             THEN NEW.at ELSE first_touch_at END,
            first_attempt_at = CASE WHEN NEW.channel != 'other'
                               AND (first_attempt_at IS NULL OR NEW.at < first_attempt_at)
                               THEN NEW.at ELSE first_attempt_at END,
            last_touch_at = CASE WHEN last_touch_at IS NULL OR NEW.at > last_touch_at
                            THEN NEW.at ELSE last_touch_at END
        WHERE id = NEW.lead_id;
    END""",
    f"""CREATE TRIGGER touch_counts_delete AFTER DELETE ON touch BEGIN
        {_RECOUNT_V2.strip()} WHERE id = OLD.lead_id;
    END""",
    f"""CREATE TRIGGER touch_counts_update AFTER UPDATE ON touch BEGIN
        {_RECOUNT_V2.strip()} WHERE id IN (OLD.lead_id, NEW.lead_id);
    END""",
    # Existing leads take the state their history says: an open deal, a do-not-call answer.
    """UPDATE lead SET status = 'deal' WHERE status IN ('new', 'working')
        AND EXISTS (SELECT 1 FROM deal WHERE deal.lead_id = lead.id AND deal.closed_at IS NULL)""",
    """UPDATE lead SET status = 'do_not_contact' WHERE status IN ('new', 'working', 'deal')
        AND EXISTS (SELECT 1 FROM touch WHERE touch.lead_id = lead.id AND touch.outcome = 'do_not_call')""",
    # A lead is "new" until its first attempt; a note on channel "other" isn't one.
    "UPDATE lead SET status = 'new' WHERE status = 'working' AND first_attempt_at IS NULL",
    "UPDATE lead SET status = 'working' WHERE status = 'new' AND first_attempt_at IS NOT NULL",
    f"""CREATE TABLE lead_state_change (
        id INTEGER NOT NULL PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        at DATETIME NOT NULL,
        from_state VARCHAR CHECK (from_state IN ({_STATES_SQL})),
        to_state VARCHAR NOT NULL CHECK (to_state IN ({_STATES_SQL})),
        cause VARCHAR NOT NULL,
        touch_id INTEGER REFERENCES touch (id)
    )""",
    "CREATE INDEX ix_lead_state_change_lead_id ON lead_state_change (lead_id, id)",
    # How each follow-up ended: kept (a touch on its channel), satisfied (the customer was
    # reached another way), superseded (a newer next step), lapsed (a fallback left too long),
    # cancelled (the lead closed). NULL while open.
    """ALTER TABLE followup ADD COLUMN resolution VARCHAR
        CHECK (resolution IN ('kept', 'satisfied', 'superseded', 'lapsed', 'cancelled'))""",
    "UPDATE followup SET resolution = 'kept' WHERE done_at IS NOT NULL AND done_touch_id IS NOT NULL",
    "UPDATE followup SET resolution = 'cancelled' WHERE done_at IS NOT NULL AND done_touch_id IS NULL",
    """CREATE TABLE meeting (
        id INTEGER NOT NULL PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES lead (id),
        at DATETIME NOT NULL,
        place VARCHAR,
        status VARCHAR NOT NULL CHECK (status IN ('booked', 'held', 'no_show', 'moved', 'cancelled')),
        touch_id INTEGER REFERENCES touch (id),
        moved_from INTEGER REFERENCES meeting (id),
        note VARCHAR,
        created_at DATETIME NOT NULL,
        updated_at DATETIME NOT NULL
    )""",
    # A touch reads its lead's open follow-ups: this serves it without walking the lead's history.
    "CREATE INDEX ix_followup_lead_open ON followup (lead_id, done_at, due_at)",
    "CREATE INDEX ix_meeting_lead_id ON meeting (lead_id)",
    "CREATE INDEX ix_meeting_at ON meeting (at)",
)

# When to call (issue 14): the lead's own time zone (IANA name) for the connect-rate map,
# the hours the customer prefers (seed 002: each customer's own preferred contact time),
# and whether the phone is a private number (METHOD.md §1: no dinner-time calls to those).
_TIMING = (
    "ALTER TABLE lead ADD COLUMN timezone VARCHAR",
    "ALTER TABLE lead ADD COLUMN best_time VARCHAR",
    "ALTER TABLE lead ADD COLUMN private_phone BOOLEAN NOT NULL DEFAULT 0 CHECK (private_phone IN (0, 1))",
)

# The seed library in Chinese (issue 12): METHOD.md §3's objections and replies in the wording of
# its Chinese sources (the widely circulated list "准客户说……推销员应该说……"), the call script and
# voicemail templates, and the price objection the seed lacked, in both languages. Each seed row
# gets a second wording (``text_zh``, ``title_zh``, ``body_zh``); ``[me] language`` picks which
# one is shown. A row the rep has reworded keeps their words in both languages: the Chinese
# is added only where the English is still the seed's. The rep's own objections and replies
# have no second wording and read the same in either language.
_ZH_OBJECTIONS = (
    ("no_time", "我没时间！",
     "我理解。我也老是时间不够用。不过只要3分钟，您就会相信，这是个对您绝对重要的议题……"),
    ("busy_now", "我现在没空！",
     "我星期一和星期二都会在贵公司附近，所以可以在星期一上午或者星期二下午来拜访您一下！"),
    ("send_materials", "请你把资料寄过来给我怎么样？",
     "我们的资料都是精心设计的纲要和草案，必须配合人员的说明，而且要对每一位客户分别按个人情况再做修订，"
     "等于是量体裁衣。所以最好是我星期一或者星期二过来看您。您看上午还是下午比较好？"),
    ("not_interested", "我没兴趣。",
     "我非常理解，要您对不晓得有什么好处的东西感兴趣实在是强人所难。正因为如此，我才想向您亲自报告或说明。"
     "星期一或者星期二过来看您，行吗？"),
    ("no_money", "抱歉，我没有钱！",
     "我了解。只有您才最了解自己的财务状况。不过，现在告诉我们整盘计划，对将来才会最有利！"
     "我可以在星期二或者周末来拜见您吗？"),
    ("think_it_over", "我要先好好想想。",
     "其实相关的重点我们不是已经讨论过吗？容我直率地问一问：您顾虑的是什么？"),
    ("no_need_yet", "目前我们还无法确定业务发展会如何。",
     "我们先不要担心这项业务日后的发展，您先参考一下，看看我们的方案优点在哪里，是不是可行。"
     "我星期一过来还是星期二比较好？"),
    ("consult_others", "要做决定的话，我得先跟合伙人谈谈！",
     "我完全理解。我们什么时候可以跟您的合伙人一起谈？"),
    ("will_call_you", "我们会再跟你联络！",
     "也许您目前不会有什么太大的意愿，不过，我还是很乐意让您了解，要是能参与这项业务，对您会大有裨益！"),
    ("gatekeeper", "秘书或前台挡驾。", None),
    ("brush_off", "现在不方便讲话。", "请对方给一两分钟；千万不要在失望中先挂电话。"),
)  # fmt: skip

_PRICE = (
    "too_expensive",
    "It's too expensive.", "太贵了。",
    "I understand, price matters. Too expensive compared with what? Let me show you in person what you get "
    "for it, then you judge: Tuesday morning or Wednesday afternoon?",
    "我理解，价格确实重要。请问您是和什么比较觉得贵呢？让我当面给您算一算您能得到什么，再由您来判断："
    "星期二上午还是星期三下午方便？",
)  # fmt: skip

_ZH_SCRIPTS = (
    ("intro", "1. 介绍自己",
     "您好，{lead}，我是{my_company}的{my_name}。我们帮助像{lead_company}这样的公司[用一句话说明你提供什么]。"),
    ("ask", "2. 说明目的，提出约见",
     "我打电话给您，是因为[对{lead_company}的好处]。我想当面向您介绍，只需要二十分钟。"
     "您看星期二上午还是星期三下午比较方便？"),
    ("brush_off", "3. 应对推托",
     "我理解。能不能只给我一两分钟？[对他们最重要的那一点] 然后由您决定值不值得见一面。（永远不要先挂电话。）"),
    ("no_message", "不留言", "不留言：挂断，换个时段自己再打过去。"),
    ("question", "只有您能回答的问题",
     "您好，{lead}，我是{my_company}的{my_name}。我有一个问题，只有您能回答。请给我回个电话，我17:00之前都在。"),
    ("thought_of_you", "今天想到了您",
     "您好，{lead}，我是{my_company}的{my_name}。今天有件事让我想到了您。请给我回个电话，我17:00之前都在。"),
)  # fmt: skip

_SEED_EN = {key: (text, reply) for key, text, reply in _SEED_OBJECTIONS}
_SCRIPT_EN = {key: (title, body) for key, _, title, body in _SEED_SCRIPTS}
_price_key, _price_en, _price_zh, _price_reply_en, _price_reply_zh = _PRICE

_OBJECTIONS_ZH = (
    "ALTER TABLE objection ADD COLUMN text_zh VARCHAR",
    "ALTER TABLE objection_reply ADD COLUMN text_zh VARCHAR",
    "ALTER TABLE script ADD COLUMN title_zh VARCHAR",
    "ALTER TABLE script ADD COLUMN body_zh VARCHAR",
    *(
        f"UPDATE objection SET text_zh = {_quote(text)} "
        f'WHERE "key" = {_quote(key)} AND text = {_quote(_SEED_EN[key][0])}'
        for key, text, _ in _ZH_OBJECTIONS
    ),
    *(
        f"UPDATE objection_reply SET text_zh = {_quote(reply)} WHERE objection_key = {_quote(key)} "
        f"AND position = 1 AND text = {_quote(_SEED_EN[key][1] or '')}"
        for key, _, reply in _ZH_OBJECTIONS
        if reply is not None
    ),
    *(
        f'UPDATE script SET title_zh = {_quote(title)} WHERE "key" = {_quote(key)} '
        f"AND title = {_quote(_SCRIPT_EN[key][0])}"
        for key, title, _ in _ZH_SCRIPTS
    ),
    *(
        f'UPDATE script SET body_zh = {_quote(body)} WHERE "key" = {_quote(key)} '
        f"AND body = {_quote(_SCRIPT_EN[key][1])}"
        for key, _, body in _ZH_SCRIPTS
    ),
    # The price objection, at the end of the library, unless the rep already keeps one by that key.
    # (The aggregate is in a subquery: an aggregate query returns its one row whatever its WHERE.)
    f'INSERT INTO objection ("key", text, text_zh, position) '
    f"SELECT {_quote(_price_key)}, {_quote(_price_en)}, {_quote(_price_zh)}, next_position "
    f"FROM (SELECT coalesce(max(position), 0) + 1 AS next_position FROM objection) "
    f'WHERE NOT EXISTS (SELECT 1 FROM objection WHERE "key" = {_quote(_price_key)})',
    f"INSERT INTO objection_reply (objection_key, position, text, text_zh) "
    f"SELECT {_quote(_price_key)}, 1, {_quote(_price_reply_en)}, {_quote(_price_reply_zh)} "
    f'WHERE EXISTS (SELECT 1 FROM objection WHERE "key" = {_quote(_price_key)} AND text = {_quote(_price_en)}) '
    f"AND NOT EXISTS (SELECT 1 FROM objection_reply WHERE objection_key = {_quote(_price_key)})",
)

# The hot reads (issue 13). Leads never attempted, by arrival: first contact (the queue's
# head, the status line's breaches: a range of created_at) and the prospect pool read
# these few thousand rows, not the book.
# Open follow-ups by rule: every logged touch first lapses the open fallbacks past their
# expiry, which by (done_at, due_at) alone read every overdue scheduled follow-up too (2.3 ms
# a touch on the 50k book, 0.01 ms with this; a 100,000-call batch spent minutes there).
_HOT_INDEXES = (
    "CREATE INDEX ix_lead_unattempted ON lead (created_at) WHERE first_attempt_at IS NULL",
    "CREATE INDEX ix_followup_rule_open_due ON followup (rule, done_at, due_at)",
    # Touches with no benefit written down, by time, with what says whether they reached the
    # customer: `rules check` counts them and the daily figures count a day's (a third of
    # the touches; a scan of all of them took 40 ms on the 50k book, this 8 ms).
    "CREATE INDEX ix_touch_no_benefit ON touch (at, channel, connected, outcome) "
    "WHERE (touch.benefit IS NULL OR touch.benefit = '')",
)

# Calls by time with what the connect-rate map adds up (connected, meeting) and the lead it
# joins for the lead's time zone: the map reads 12 weeks of calls for `export week`, `summary`
# (dials in the best hours) and `stats hours`; through ix_touch_at each call was a table
# lookup (80 ms on the 50k book), from this index alone 20 ms.
_CALL_INDEX = ("CREATE INDEX ix_touch_call_at ON touch (at, connected, meeting, lead_id) WHERE channel = 'call'",)

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial", _INITIAL),
    Migration("0002_followups", _FOLLOWUPS),
    Migration("0003_lead_activity", _LEAD_ACTIVITY),
    Migration("0004_lead_closes", _LEAD_CLOSES),
    Migration("0005_blocks_objections", (*_BLOCKS, *_OBJECTIONS, *_SEED)),
    Migration("0006_pdca", _PDCA),
    Migration("0007_lifecycle", _LIFECYCLE, rebuilds=True),
    Migration("0008_timing", _TIMING),
    Migration("0009_objections_zh", _OBJECTIONS_ZH),
    Migration("0010_hot_indexes", _HOT_INDEXES),
    Migration("0011_call_index", _CALL_INDEX),
)
