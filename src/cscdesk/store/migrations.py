"""Versioned schema migrations, applied in order when the store opens.

HOW TO ADD ONE (other parts of cscdesk do this): write a function ``def _vN_what(db) -> None``
that runs its DDL through ``db.execute`` (no commits: the runner wraps each migration in one
``BEGIN IMMEDIATE`` transaction together with the ``PRAGMA user_version`` bump), then APPEND
``Migration("what", _vN_what)`` to the END of ``MIGRATIONS``. Write SQLite: on PostgreSQL the
same function runs with each statement translated (``store.dialect``: types, ``?``,
``INSERT OR IGNORE/REPLACE``, guard triggers with ``RAISE``); what has no translation (an FTS5
table, a trigger that keeps an index) needs ``Migration("what", _vN_what, _vN_postgres)``. Never edit, reorder or remove an
entry that has shipped: a migration's version is its position in the list (1-based), and stores
in the field remember the last version they ran in ``PRAGMA user_version``.

Conventions: times are ISO-8601 text in UTC (``store._codec.when``), declared
``TIMESTAMPTZ_TEXT`` (text on SQLite, ``timestamptz`` on PostgreSQL: ``store.pg_times``; the
columns made before migration 19 are listed in ``TEXT_TIME_COLUMNS``); dates are ISO text
(``TEXT``), money is Decimal text, booleans are 0/1, small structures are JSON text. Mobiles and
ID numbers live only in ``members``; other tables refer to ``member_id``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cscdesk.store._codec import when

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase


@dataclass(frozen=True, slots=True)
class Migration:
    """``apply`` runs on SQLite, and on PostgreSQL too (each statement translated by
    ``store.dialect``) unless the migration gives its own ``postgres`` step for what has no
    translation (FTS5 tables, triggers that keep an index)."""

    name: str
    apply: Callable[[StoreDatabase], None]
    postgres: Callable[[StoreDatabase], None] | None = None

    def step(self, db: StoreDatabase) -> Callable[[StoreDatabase], None]:
        if self.postgres is not None and db.dialect == "postgresql":
            return self.postgres
        return self.apply


def _script(db: StoreDatabase, sql: str) -> None:
    """Run several statements one by one (``executescript`` would commit our transaction)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer)
            buffer = ""
    if buffer.strip():
        db.execute(buffer)


_V1_CORE = """
CREATE TABLE employers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id TEXT REFERENCES employers(id),
    credit_code TEXT
);
CREATE TABLE members (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    mobile TEXT,
    employer_id TEXT NOT NULL REFERENCES employers(id),
    employee_no TEXT,
    relation TEXT NOT NULL DEFAULT 'self',
    main_member_id TEXT REFERENCES members(id),
    plan_tier TEXT,
    flags TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX idx_members_id_number ON members(id_number, id_type);
CREATE INDEX idx_members_mobile ON members(mobile);
CREATE INDEX idx_members_employer ON members(employer_id);
CREATE INDEX idx_members_main ON members(main_member_id);
CREATE TABLE insurers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT
);
CREATE TABLE policies (
    policy_no TEXT NOT NULL,
    sub_policy_no TEXT NOT NULL,
    insurer_id TEXT NOT NULL REFERENCES insurers(id),
    employer_id TEXT NOT NULL REFERENCES employers(id),
    member_id TEXT NOT NULL REFERENCES members(id),
    product TEXT NOT NULL,
    plan_tier TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (policy_no, sub_policy_no)
);
CREATE INDEX idx_policies_member ON policies(member_id);
CREATE TABLE coverages (
    policy_no TEXT NOT NULL,
    plan_tier TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    limit_amount TEXT NOT NULL,
    deductible TEXT NOT NULL DEFAULT '0',
    ratio TEXT NOT NULL DEFAULT '1',
    PRIMARY KEY (policy_no, plan_tier, code)
);
CREATE TABLE claims (
    claim_no TEXT PRIMARY KEY,
    insurer_id TEXT NOT NULL REFERENCES insurers(id),
    policy_no TEXT NOT NULL,
    member_id TEXT NOT NULL REFERENCES members(id),
    accident_date TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    stage TEXT NOT NULL,
    amount_claimed TEXT NOT NULL,
    amount_paid TEXT,
    hospital TEXT,
    case_no TEXT,
    settlement_no TEXT,
    refusal_reason TEXT,
    stage_changed_at TEXT,
    decided_at TEXT,
    paid_at TEXT,
    reopened INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_claims_member ON claims(member_id);
CREATE INDEX idx_claims_policy ON claims(policy_no);
CREATE TABLE skill_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    routing TEXT NOT NULL,
    insurer_id TEXT,
    wrap_up_required INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    insurer_id TEXT,
    skill_groups TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE calls (
    contact_id TEXT PRIMARY KEY,
    direction TEXT NOT NULL,
    caller TEXT NOT NULL,
    callee TEXT NOT NULL,
    started_at TEXT NOT NULL,
    queued_at TEXT,
    answered_at TEXT,
    ended_at TEXT,
    skill_group TEXT,
    agent_id TEXT,
    outcome TEXT NOT NULL,
    wait_seconds REAL,
    ring_seconds REAL NOT NULL DEFAULT 0,
    talk_seconds REAL NOT NULL DEFAULT 0,
    hold_seconds REAL NOT NULL DEFAULT 0,
    acw_seconds REAL NOT NULL DEFAULT 0,
    wrap_up_code TEXT,
    notes TEXT,
    member_id TEXT,
    transferred_to TEXT,
    recorded INTEGER NOT NULL DEFAULT 0,
    satisfaction INTEGER,
    resolved_first_contact INTEGER,
    raw TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_calls_caller_start ON calls(caller, started_at);
CREATE INDEX idx_calls_member ON calls(member_id, started_at);
CREATE INDEX idx_calls_start ON calls(started_at);
CREATE TABLE recordings (
    contact_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    blob_path TEXT,
    content_type TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    keep_until TEXT NOT NULL,
    legal_hold INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    owner TEXT,
    member_id TEXT,
    contact_id TEXT,
    policy_no TEXT,
    claim_no TEXT,
    insurer_id TEXT,
    complexity TEXT NOT NULL DEFAULT 'normal',
    due_at TEXT,
    first_response_due_at TEXT,
    first_response_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    csat INTEGER,
    remote_id TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    remote_version INTEGER,
    sync_state TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX idx_tickets_owner_status ON tickets(owner, status);
CREATE INDEX idx_tickets_status_due ON tickets(status, due_at);
CREATE INDEX idx_tickets_member ON tickets(member_id);
CREATE INDEX idx_tickets_contact ON tickets(contact_id);
CREATE INDEX idx_tickets_created ON tickets(created_at);
CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}',
    note TEXT
);
CREATE INDEX idx_ticket_events_ticket ON ticket_events(ticket_id, id);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    base_version INTEGER,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    done_at TEXT
);
CREATE INDEX idx_outbox_pending ON outbox(next_attempt_at) WHERE done_at IS NULL;
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX idx_audit_at ON audit(at)
"""


def _v1_core(db: StoreDatabase) -> None:
    """The first schema: every business table and the indexes the desk polls."""
    _script(db, _V1_CORE)


_V2_SEARCH_AND_GUARDS = """
CREATE VIRTUAL TABLE members_fts USING fts5(
    name, employee_no, content='members', content_rowid='rowid', tokenize='unicode61'
);
INSERT INTO members_fts(members_fts) VALUES ('rebuild');
CREATE TRIGGER members_fts_ai AFTER INSERT ON members BEGIN
    INSERT INTO members_fts(rowid, name, employee_no)
    VALUES (new.rowid, new.name, new.employee_no);
END;
CREATE TRIGGER members_fts_ad AFTER DELETE ON members BEGIN
    INSERT INTO members_fts(members_fts, rowid, name, employee_no)
    VALUES ('delete', old.rowid, old.name, old.employee_no);
END;
CREATE TRIGGER members_fts_au AFTER UPDATE OF name, employee_no ON members BEGIN
    INSERT INTO members_fts(members_fts, rowid, name, employee_no)
    VALUES ('delete', old.rowid, old.name, old.employee_no);
    INSERT INTO members_fts(rowid, name, employee_no)
    VALUES (new.rowid, new.name, new.employee_no);
END;
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    ticket_id UNINDEXED, title, description, notes, tokenize='trigram'
);
INSERT INTO tickets_fts(ticket_id, title, description, notes)
    SELECT t.id, t.title, t.description,
           coalesce((SELECT group_concat(e.note, ' ') FROM ticket_events e
                     WHERE e.ticket_id = t.id AND e.note IS NOT NULL), '')
    FROM tickets t;
CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts(ticket_id, title, description, notes)
    VALUES (new.id, new.title, new.description, '');
END;
CREATE TRIGGER tickets_fts_au AFTER UPDATE OF title, description ON tickets BEGIN
    UPDATE tickets_fts SET title = new.title, description = new.description
    WHERE ticket_id = new.id;
END;
CREATE TRIGGER tickets_fts_note AFTER INSERT ON ticket_events
WHEN new.note IS NOT NULL AND new.note != '' BEGIN
    UPDATE tickets_fts SET notes = notes || ' ' || new.note WHERE ticket_id = new.ticket_id;
END
"""
_V2_GUARDS = """
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
CREATE TABLE audit_anchor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hash TEXT NOT NULL,
    through_id INTEGER NOT NULL,
    purged_at TEXT NOT NULL
)
"""


def _v2_search_and_guards(db: StoreDatabase) -> None:
    """FTS5 over member names and ticket text (filled from existing rows), append-only
    ticket history, and the audit purge anchor."""
    _script(db, _V2_SEARCH_AND_GUARDS)
    _script(db, _V2_GUARDS)


def _v2_postgres(db: StoreDatabase) -> None:
    """PostgreSQL: the guards and the anchor (its search indexes come with migrations 9 and
    10), and no role may change or delete ticket history, whatever the triggers."""
    _script(db, _V2_GUARDS)
    db.execute("REVOKE UPDATE, DELETE, TRUNCATE ON ticket_events FROM PUBLIC, CURRENT_USER")


def _v3_users_and_wallboard(db: StoreDatabase) -> None:
    """The user directory (security) and the lead's wallboard snapshots, from their modules."""
    from cscdesk.store import users, wallboard

    users.create_tables(db)
    wallboard.create_tables(db)


_V4_INSURER_GATEWAY = """
CREATE TABLE insurer_cache (
    insurer_id TEXT NOT NULL,
    query_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    as_of TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (insurer_id, query_key)
);
CREATE TABLE insurer_batch_files (
    sha256 TEXT PRIMARY KEY,
    insurer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    extract_date TEXT NOT NULL,
    rows INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE insurer_batch_rows (
    insurer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_key TEXT NOT NULL,
    member_id TEXT NOT NULL,
    policy_no TEXT NOT NULL,
    extract_date TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (insurer_id, kind, record_key)
);
CREATE INDEX insurer_batch_rows_member ON insurer_batch_rows (member_id);
CREATE INDEX insurer_batch_rows_policy ON insurer_batch_rows (policy_no)
"""


def _v4_insurer_gateway(db: StoreDatabase) -> None:
    """The insurer gateway's answer cache (keyed by a query hash, never the ID number) and the
    rows of imported daily batch extracts (cscdesk.insurers.batch_import)."""
    _script(db, _V4_INSURER_GATEWAY)


_V5_AUDIT_GUARDS = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
    SELECT RAISE(ABORT, 'audit is append-only: records are never changed');
END;
CREATE TRIGGER audit_keep_six_months BEFORE DELETE ON audit
WHEN old.at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', '-183 days') BEGIN
    SELECT RAISE(ABORT, 'audit records are kept at least 183 days (网络安全法 第21条)');
END
"""


def _v5_audit_guards(db: StoreDatabase) -> None:
    """等保二级: the audit log is append-only inside the database too, and no record younger
    than six months can be deleted, whatever code (or person with the app's access) asks."""
    _script(db, _V5_AUDIT_GUARDS)


_V6_SYNC = """
CREATE TABLE recording_jobs (
    contact_id TEXT PRIMARY KEY,
    call_started_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT
);
CREATE INDEX idx_recording_jobs_due ON recording_jobs(next_attempt_at);
CREATE TABLE ticket_sync_base (
    ticket_id TEXT PRIMARY KEY,
    remote_id TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    parent TEXT,
    pending TEXT,
    pending_parent TEXT
);
CREATE TABLE ticket_conflicts (
    ticket_id TEXT PRIMARY KEY,
    base TEXT NOT NULL,
    local_fields TEXT NOT NULL,
    remote TEXT NOT NULL,
    fields TEXT NOT NULL,
    detected_at TEXT NOT NULL
)
"""


def _v6_sync(db: StoreDatabase) -> None:
    """Sync's own tables (cscdesk.sync.storage): the queue of recordings still to copy, the
    last ticket state both sides agreed on (with a written-ahead proposal), and both versions
    of a ticket in conflict for the agent to choose."""
    _script(db, _V6_SYNC)


_V7_UNKNOWN_LOGINS = """
CREATE TABLE login_unknown_ids (
    id_hash TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    updated_at TEXT NOT NULL
);
ALTER TABLE audit_anchor ADD COLUMN mac TEXT
"""


def _v7_unknown_logins(db: StoreDatabase) -> None:
    """Failed sign-ins for user ids that do not exist, keyed by the id's SHA-256 (never the
    typed text), so that an unknown id locks exactly like a real one and the lockout message
    does not tell a stranger which ids exist (cscdesk.security.lockout); and the audit purge
    anchor's HMAC (cscdesk.store.audit: an anchor nobody signed is a forgery)."""
    _script(db, _V7_UNKNOWN_LOGINS)


def _v5_postgres(db: StoreDatabase) -> None:
    """The same guards; and audit records cannot be changed by the role itself."""
    _script(db, _V5_AUDIT_GUARDS)
    db.execute("REVOKE UPDATE, TRUNCATE ON audit FROM PUBLIC, CURRENT_USER")


def _v8_mask_outbound_callees(db: StoreDatabase) -> None:
    """Mask the mobiles kept whole in ``calls.callee`` (the customer of an outbound call) as
    ``caller`` always was, linking each outbound call to its member first so that the number's
    history is still found (PIPL: mobiles live only in ``members``)."""
    import re

    from cscdesk.domain.privacy import mask_mobile, normalise_mobile

    mobile = re.compile(r"1[3-9]\d{9}")
    rows = db.execute(
        "SELECT contact_id, direction, callee FROM calls WHERE callee GLOB '*1[3-9]*'"
    ).fetchall()
    for contact_id, direction, callee in rows:
        normal = normalise_mobile(callee)
        if not mobile.fullmatch(normal):
            continue
        db.execute(
            "UPDATE calls SET callee = ?, member_id = coalesce(member_id, CASE WHEN ? THEN"
            " (SELECT m.id FROM members m WHERE m.mobile = ? ORDER BY m.relation != 'self'"
            " LIMIT 1) END) WHERE contact_id = ?",
            [mask_mobile(normal), int(direction == "outbound"), normal, contact_id],
        )


def _nothing_stored_before(db: StoreDatabase) -> None:
    """PostgreSQL stores begin at today's schema (new, or filled by ``store copy`` from a store
    already migrated), so a data fix for rows written before it has nothing to fix."""


def _v9_member_search(db: StoreDatabase) -> None:
    """People search by any part of a name (one token per character) and by fragments of a
    mobile, ID or employee number (trigram, external content: no copy of the numbers)."""
    from cscdesk.store import members

    members.create_search_index(db)


def _v10_ticket_word_index(db: StoreDatabase) -> None:
    """Ticket search by two-character words and several words at once: the bigram index of
    cscdesk.store.ticket_search, filled from the tickets and notes already stored, replaces
    the trigram index of migration 2."""
    from cscdesk.store import ticket_search

    ticket_search.create(db)
    ticket_search.index_all(db)


def _v11_complaints(db: StoreDatabase) -> None:
    """Complaint records beside the tickets (channel, category, notices, extensions, appraisal
    pauses, 核查) and their append-only step history: cscdesk.store.complaints."""
    from cscdesk.store import complaints

    complaints.create(db)


_AUDIT_KEEP_184_DAYS = """
CREATE TRIGGER audit_keep_six_months BEFORE DELETE ON audit
WHEN old.at >= strftime('%Y-%m-%dT%H:%M:%f', 'now', '-184 days') BEGIN
    SELECT RAISE(ABORT, 'audit records are kept at least 184 days (网络安全法 第21条 六个月; 183 days do not cover every six-month span)');
END
"""
_V12_AUDIT_184_DAYS = "DROP TRIGGER audit_keep_six_months;" + _AUDIT_KEEP_184_DAYS


def _v12_audit_184_days(db: StoreDatabase) -> None:
    """网络安全法 §21 "不少于六个月": 184 days covers every six-month span (183 does not)."""
    _script(db, _V12_AUDIT_184_DAYS)


def _v13_ccc_events(db: StoreDatabase) -> None:
    """Webhook events from the call system, each stored once (cscdesk.store.events)."""
    from cscdesk.store import events

    events.create(db)


_V14_CLAIM_MILESTONES = """
ALTER TABLE claims ADD COLUMN documents_complete_at TEXT;
ALTER TABLE claims ADD COLUMN agreed_at TEXT;
ALTER TABLE claims ADD COLUMN document_requests TEXT NOT NULL DEFAULT '[]';
"""


def _v14_claim_milestones(db: StoreDatabase) -> None:
    """The moments the insurer's claim duties count from (保险法 §23–25): documents complete,
    the amount agreed, and the 补材料 rounds (JSON [[requested, received], ...])."""
    _script(db, _V14_CLAIM_MILESTONES)


def _v15_member_pinyin(db: StoreDatabase) -> None:
    """People search by a name typed in pinyin or initials (lihua, lh): the members table keeps
    both spellings of each name, filled here for the members already stored, indexed by
    cscdesk.store.members."""
    from cscdesk.store import members

    members.create_pinyin_index(db)


def _v16_handoffs(db: StoreDatabase) -> None:
    """Hand-offs to insurers and business staff, the feed of events for the broker's business
    system with its delivery log, and the tracked "tell the customer" steps (告知):
    cscdesk.store.handoffs, .business_feed, .customer_notices."""
    from cscdesk.store import business_feed, customer_notices, handoffs

    business_feed.create(db)
    handoffs.create(db)
    customer_notices.create(db)


def _v17_missed_callbacks(db: StoreDatabase) -> None:
    """The missed calls worklist (漏话回拨) and the lost calls it took in (store.missed_calls)."""
    from cscdesk.store import missed_calls

    missed_calls.create(db)


def _v18_ticket_numbers_and_queues(db: StoreDatabase) -> None:
    """Ticket numbers a person can read out (GD-20261130-0042, given to the tickets already
    stored in the order they were opened, by the center's calendar day) and the group queue a
    ticket waits in (cscdesk.store.ticket_numbers)."""
    from cscdesk.store import ticket_numbers
    from cscdesk.store.tickets import NUMBER_ZONE

    ticket_numbers.create(db)
    ticket_numbers.number_existing(db, NUMBER_ZONE)


# Every column that holds an instant, as the migrations before 19 made them (TEXT); dates
# (birth_date, keep_until, day, ...) stay text. wallboard_snapshots.taken_at is not one: it
# keeps the offset a snapshot was taken in, for the replay's wall clock; taken_ts is its instant.
TEXT_TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    "audit": ("at",),
    "audit_anchor": ("purged_at",),
    "business_events": ("at", "next_attempt_at", "delivered_at", "dead_at"),
    "calls": ("started_at", "queued_at", "answered_at", "ended_at"),
    "ccc_events": ("received_at", "handled_at"),
    "claims": ("reported_at", "stage_changed_at", "decided_at", "paid_at",
               "documents_complete_at", "agreed_at"),
    "complaint_steps": ("at",),
    "complaints": ("received_at", "updated_at"),
    "customer_notices": ("created_at", "done_at"),
    "handoffs": ("created_at", "due_at", "sent_at", "acknowledged_at", "answered_at",
                 "closed_at", "next_attempt_at"),
    "insurer_batch_files": ("imported_at",),
    "insurer_cache": ("as_of", "fetched_at"),
    "login_unknown_ids": ("locked_until", "updated_at"),
    "missed_callback_calls": ("missed_at",),
    "missed_callbacks": ("first_missed_at", "last_missed_at", "claimed_at", "last_attempt_at",
                         "closed_at"),
    "outbox": ("created_at", "next_attempt_at", "done_at"),
    "recording_jobs": ("call_started_at", "next_attempt_at"),
    "recordings": ("archived_at",),
    "sync_state": ("updated_at",),
    "ticket_conflicts": ("detected_at",),
    "ticket_events": ("at",),
    "tickets": ("created_at", "updated_at", "due_at", "first_response_due_at",
                "first_response_at", "resolved_at", "closed_at"),
    "users": ("locked_until", "password_changed_at", "created_at"),
}  # fmt: skip


def _sqlite_keeps_text(db: StoreDatabase) -> None:
    """SQLite has no time type: its times stay ISO-8601 text in UTC (``store._codec``)."""


def _v19_postgres_timestamptz(db: StoreDatabase) -> None:
    """PostgreSQL: every instant column becomes ``timestamptz`` (``store.pg_times``), in place,
    so a center made by an earlier version upgrades where it stands. A text time without an
    offset is read as UTC (the store's convention); the audit retention guard, which names
    ``audit.at``, is made again around the change."""
    db.execute("SET LOCAL TIME ZONE 'UTC'")
    db.execute(
        "UPDATE sync_state SET updated_at = ? WHERE updated_at = 'store copy'",
        [when(datetime.now(UTC))],
    )  # the notes of an unfinished store copy (store.copying) were stamped with that text
    db.execute("DROP TRIGGER IF EXISTS audit_keep_six_months")
    for table, columns in TEXT_TIME_COLUMNS.items():
        changes = ", ".join(
            f"ALTER COLUMN {column} TYPE timestamptz USING {column}::timestamptz"
            for column in columns
        )
        db.execute(f"ALTER TABLE {table} {changes}")
    _script(db, _AUDIT_KEEP_184_DAYS)


def _sqlite_has_rowid_keys(db: StoreDatabase) -> None:
    """On SQLite the rowid is every table's key already."""


def _v20_rowid_keys(db: StoreDatabase) -> None:
    """Ticket and member search find rowids in their word indexes and then the rows by rowid
    (``WHERE rowid IN (...)``); on PostgreSQL a rowid is a plain column, so each search read
    the whole table (0.7 s of a ticket search on a million tickets) until it had an index."""
    for table in ("tickets", "members"):
        db.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_rowid ON {table} (rowid)")


MIGRATIONS: list[Migration] = [
    Migration("core tables", _v1_core),
    Migration("search, append-only history, audit anchor", _v2_search_and_guards, _v2_postgres),
    Migration("users and wallboard snapshots", _v3_users_and_wallboard),
    Migration("insurer answer cache and batch extracts", _v4_insurer_gateway),
    Migration("audit append-only and six-month retention guards", _v5_audit_guards, _v5_postgres),
    Migration("sync: recording jobs, ticket sync bases, conflict copies", _v6_sync),
    Migration("lockout state for unknown login ids, signed audit anchor", _v7_unknown_logins),
    Migration(
        "mask outbound callee mobiles at rest", _v8_mask_outbound_callees, _nothing_stored_before
    ),
    Migration("member search by name characters and number fragments", _v9_member_search),
    Migration("ticket word index (bigrams), multi-word search", _v10_ticket_word_index),
    Migration("complaint records and their step history", _v11_complaints),
    Migration("audit records kept at least 184 days", _v12_audit_184_days),
    Migration("call-system events received on the webhook", _v13_ccc_events),
    Migration("claim milestones: documents complete, agreement, 补材料", _v14_claim_milestones),
    Migration("member search by pinyin and initials of the name", _v15_member_pinyin),
    Migration("hand-offs, business event feed, customer notices", _v16_handoffs),
    Migration("missed calls worklist (漏话回拨)", _v17_missed_callbacks),
    Migration("ticket numbers and group queues", _v18_ticket_numbers_and_queues),
    Migration("times as timestamptz on PostgreSQL", _sqlite_keeps_text, _v19_postgres_timestamptz),
    Migration("rowid indexes for search on PostgreSQL", _sqlite_has_rowid_keys, _v20_rowid_keys),
    # APPEND new migrations here, at the end.
]


def schema_version(store: Store) -> int:
    with store.reading() as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(store: Store, *, upto: int | None = None) -> int:
    """Run every migration newer than the file's ``user_version``; returns the version reached.

    Each migration runs in its own ``BEGIN IMMEDIATE`` transaction and re-reads the version
    inside it, so two processes opening a new file at once do not both migrate.
    """
    target = len(MIGRATIONS) if upto is None else upto
    if schema_version(store) >= target:
        return schema_version(store)  # the usual open: nothing to do, no write lock taken
    for version in range(1, target + 1):
        with store.transaction() as db:
            current = int(db.execute("PRAGMA user_version").fetchone()[0])
            if current >= version:
                continue
            migration = MIGRATIONS[version - 1]
            migration.step(db)(db)
            db.execute(f"PRAGMA user_version = {version}")
    return schema_version(store)
