"""What only the PostgreSQL store must show: SQLite-style migrations run there unchanged, two
hosts never migrate at once, a database whose LC_CTYPE breaks Chinese search is refused, the
audit chain has no gap after a rolled-back write, and history is append-only even for a role
that switches its triggers off. The shared behaviour is the whole store suite, run on both
engines (conftest.py)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

import postgres_db
from cscdesk.store import StoreError
from cscdesk.store.migrations import MIGRATIONS, Migration, _script, apply_migrations

from .helpers import T0, created, ticket

pytestmark = pytest.mark.usefixtures("postgres_server")


@pytest.fixture
def postgres_server() -> None:
    postgres_db.server_or_skip()


def _open(url: str, heads: Path, **extra: object):  # type: ignore[no-untyped-def]
    from cscdesk.store.postgres import open_postgres

    return open_postgres(url, pool_size=2, audit_head_file=heads, **extra)  # type: ignore[arg-type]


_SQLITE_STYLE = """
CREATE TABLE call_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id TEXT NOT NULL REFERENCES calls(contact_id),
    score REAL,
    note TEXT NOT NULL,
    UNIQUE (contact_id, note)
);
CREATE TRIGGER call_notes_no_update BEFORE UPDATE ON call_notes BEGIN
    SELECT RAISE(ABORT, 'call notes are append-only');
END
"""


def test_a_migration_written_for_sqlite_runs_unchanged_on_postgresql(tmp_path: Path) -> None:
    """What another part of cscdesk appends to MIGRATIONS (SQLite DDL, ?N parameters, INSERT
    OR IGNORE/REPLACE, a guard trigger) works on PostgreSQL without a second version."""

    def add_notes(db):  # type: ignore[no-untyped-def]
        _script(db, _SQLITE_STYLE)

    url = postgres_db.new_database()
    extended = [*MIGRATIONS, Migration("call notes", add_notes)]
    store = _open(url, tmp_path / "heads", migrate=lambda s: apply_migrations_of(s, extended))
    try:
        with store.transaction() as db:
            db.execute(
                "INSERT INTO calls (contact_id, direction, caller, callee, started_at, outcome)"
                " VALUES (?1, 'inbound', '138****0000', '4008', ?2, 'answered')",
                ["job-1", "2026-03-02T09:00:00+00:00"],
            )
            for _ in range(2):  # the second is ignored, as on SQLite
                db.execute(
                    "INSERT OR IGNORE INTO call_notes (contact_id, score, note) VALUES (?, ?, ?)",
                    ["job-1", 4.5, "客户询问理赔进度"],
                )
            db.execute(
                "INSERT OR REPLACE INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)",
                ["k", "2", "now"],
            )
        with store.reading() as db:
            rows = db.execute("SELECT id, score, note FROM call_notes").fetchall()
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'call_notes'")
            assert seq.fetchone()[0] == 1
        assert rows == [(1, 4.5, "客户询问理赔进度")]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.transaction() as db:
            db.execute("UPDATE call_notes SET note = 'changed'")
        assert store.sync_state.get("k") == "2"
    finally:
        store.close()


def apply_migrations_of(store, migrations):  # type: ignore[no-untyped-def]
    """apply_migrations over another list (the module's list is what ships)."""
    import cscdesk.store.migrations as module

    saved = module.MIGRATIONS
    module.MIGRATIONS = migrations
    try:
        return apply_migrations(store)
    finally:
        module.MIGRATIONS = saved


def _open_and_report(url: str, heads: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        store = _open(url, Path(heads))
        results.put(("ok", store.version()))
        store.close()
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))


def test_two_hosts_opening_a_new_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    url = postgres_db.new_database()
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    hosts = [
        context.Process(target=_open_and_report, args=(url, str(tmp_path / f"h{i}"), results))
        for i in range(3)
    ]
    for host in hosts:
        host.start()
    outcomes = [results.get(timeout=120) for _ in hosts]
    for host in hosts:
        host.join(timeout=30)
    assert outcomes == [("ok", len(MIGRATIONS))] * 3


def test_a_database_whose_ctype_cannot_tell_han_characters_is_refused(tmp_path: Path) -> None:
    url = postgres_db.new_database("cscdesk_c_ctype", ctype="C")
    with pytest.raises(StoreError, match="LC_CTYPE 'C'") as refused:
        _open(url, tmp_path / "heads")
    assert "CREATE DATABASE" in str(refused.value)
    assert "cscdesk store copy" in str(refused.value)


def test_two_hosts_appending_at_once_keep_one_gapless_audit_chain(tmp_path: Path) -> None:
    """Each append reads the chain's head and writes the next record under the write lock, so
    records from two hosts interleave into one chain; a write rolled back by its transaction
    leaves no hole that verify would call a deletion (ids are not taken from a sequence)."""
    import threading

    url = postgres_db.new_database()
    host_a = _open(url, tmp_path / "heads")
    host_b = _open(url, tmp_path / "heads")
    try:
        with pytest.raises(RuntimeError), host_a.transaction() as db:
            db.execute(
                "INSERT INTO audit (id, at, actor, action, outcome, prev_hash, hash)"
                " VALUES (1, ?, 'x', 'x', 'success', '', '')",
                [T0.isoformat()],
            )
            raise RuntimeError("rolled back")

        def append(store, who: str) -> None:  # type: ignore[no-untyped-def]
            for i in range(15):
                store.audit.append(who, "member.reveal", "member", f"M{i}", "success", at=T0)

        threads = [
            threading.Thread(target=append, args=(host_a, "agent-a")),
            threading.Thread(target=append, args=(host_b, "agent-b")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        entries = host_a.audit.list()
        assert [e.seq for e in entries] == list(range(1, 31))
        assert {e.actor for e in entries} == {"agent-a", "agent-b"}
        report = host_b.audit.verify()
        assert report.ok, report.problems
    finally:
        host_a.close()
        host_b.close()


def test_an_audit_record_is_written_while_another_host_holds_a_long_write(
    tmp_path: Path,
) -> None:
    """A screen pop's audit record queues on the audit chain only: it is in the chain while
    another host is still inside a long save, which then commits its own records after it."""
    import threading

    url = postgres_db.new_database()
    host_a = _open(url, tmp_path / "heads")
    host_b = _open(url, tmp_path / "heads")
    written = threading.Event()
    try:
        with host_a.transaction() as db:
            db.execute(
                "INSERT INTO sync_state (key, value, updated_at) VALUES ('long', 'save', 'now')"
            )

            def pop() -> None:
                host_b.audit.append("agent-b", "view_record", "member", "M1")
                written.set()

            threading.Thread(target=pop, daemon=True).start()
            assert written.wait(timeout=30), "the append waited for the other host's save"
            host_a.audit.append("agent-a", "ticket_change", "ticket", "T1")
        assert [e.actor for e in host_b.audit.list()] == ["agent-b", "agent-a"]
        report = host_b.audit.verify()
        assert report.ok, report.problems
    finally:
        host_a.close()
        host_b.close()


def test_history_is_append_only_even_for_a_role_that_disables_its_triggers(
    tmp_path: Path,
) -> None:
    """The app's own role owns the tables, so it could switch a trigger off; the revoked
    privileges still stop it from rewriting ticket history or audit records."""
    import psycopg

    role = f"cscdesk_app_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = postgres_db.new_database()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        admin.execute(f"GRANT ALL ON SCHEMA public TO {role}")
        name = url.rsplit("/", 1)[1]
        admin.execute(f"ALTER DATABASE {name} OWNER TO {role}")
    app_url = url.replace("postgres@", f"{role}@")
    store = _open(app_url, tmp_path / "heads")
    try:
        first = ticket("T1")
        store.tickets.save_new(first, created(first))
        store.audit.append("agent001", "member.reveal", "member", "M1", "success", at=T0)
        with store.transaction() as db:
            db.execute("ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_no_update")
            db.execute("ALTER TABLE audit DISABLE TRIGGER audit_no_update")
        for statement in (
            "UPDATE ticket_events SET actor = 'someone else'",
            "DELETE FROM ticket_events",
            "UPDATE audit SET actor = 'someone else'",
        ):
            refused = pytest.raises(sqlite3.DatabaseError, match="permission denied")
            with refused, store.transaction() as db:
                db.execute(statement)
        assert store.tickets.events("T1")[0].actor == first.created_by
        assert store.audit.verify().ok
    finally:
        store.close()
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {role}")


def test_old_audit_records_may_be_purged_young_ones_never(tmp_path: Path) -> None:
    """The 184-day guard (a SQLite trigger with strftime('now')) holds on PostgreSQL too."""
    store = _open(postgres_db.new_database(), tmp_path / "heads")
    try:
        from datetime import UTC, datetime

        now = datetime.now(UTC)
        store.audit.append("a", "x", at=now - timedelta(days=400))
        store.audit.append("a", "x", at=now - timedelta(days=10))
        with pytest.raises(sqlite3.IntegrityError, match="184 days"), store.transaction() as db:
            db.execute("DELETE FROM audit")
        assert store.audit.purge_before(now - timedelta(days=200)) == 1
        assert len(store.audit.list()) == 1
    finally:
        store.close()


def test_commands_keep_their_data_in_the_database_the_config_names(
    tmp_path: Path, data_dir: Path
) -> None:
    """``[store] url``: accounts made and listed from the command line live in PostgreSQL, and
    no SQLite file appears on this host; a password the keyring lacks is one line, exit 2."""
    import psycopg
    from click.testing import CliRunner

    from cscdesk.cli import main

    url = postgres_db.new_database()
    config = tmp_path / "site.toml"
    config.write_text(
        f'[store]\nurl = "{url}"\n[security]\naudit_head_file = "{tmp_path / "heads"}"\n',
        encoding="utf-8",
    )
    base = ["--config", str(config), "--data-dir", str(data_dir), "users"]
    added = CliRunner().invoke(
        main,
        [*base, "add", "wang.admin", "--name", "王管理", "--role", "admin"],
        input="Admin-2026-xyz\n",
    )
    assert added.exit_code == 0, added.output
    listed = CliRunner().invoke(
        main, [*base, "list", "--json", "--as-user", "wang.admin"], input="Admin-2026-xyz\n"
    )
    assert listed.exit_code == 0, listed.output
    assert "wang.admin" in listed.output
    assert not (data_dir / "cscdesk.db").exists()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT id, name FROM users").fetchall() == [("wang.admin", "王管理")]
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] >= 1

    config.write_text(
        f'[store]\nurl = "{url}"\npassword = "keyring:store-password"\n', encoding="utf-8"
    )
    refused = CliRunner().invoke(main, [*base, "list", "--as-user", "wang.admin"])
    assert refused.exit_code == 2, refused.output  # a setup problem, as a config error
    assert "store-password" in refused.output and "Traceback" not in refused.output


def test_doctor_and_status_look_at_the_database_the_config_names(
    tmp_path: Path, data_dir: Path
) -> None:
    from click.testing import CliRunner

    from cscdesk.cli import main

    url = postgres_db.new_database()
    config = tmp_path / "site.toml"
    config.write_text(
        f'[store]\nurl = "{url}"\n[security]\naudit_head_file = "{tmp_path / "heads"}"\n',
        encoding="utf-8",
    )
    base = ["--config", str(config), "--data-dir", str(data_dir)]
    doctor = CliRunner().invoke(main, [*base, "doctor"])
    store_line = next(line for line in doctor.output.splitlines() if " store " in line)
    assert store_line.startswith("✓"), doctor.output
    assert url.rsplit("/", 1)[1] in store_line and "schema up to date" in store_line
    status = CliRunner().invoke(main, [*base, "status"])
    assert "tickets lease" in status.output, status.output
    assert not (data_dir / "cscdesk.db").exists()


def test_ticket_search_takes_the_newest_matches_whichever_way_it_reads_the_index(
    tmp_path: Path,
) -> None:
    """Ticket search reads the newest tickets first and the word index for older ones
    (pg_search.ticket_candidates); whether a word is in nearly every ticket, in a few, in the
    old ones only or a number in one, it finds exactly the newest matches, as one plain
    query over the whole index does."""
    from cscdesk.store import pg_search, ticket_search

    url = postgres_db.new_database()
    store = _open(url, tmp_path / "heads")
    try:
        store.db.execute(  # 30,000 tickets: the newest fiftieth holds 580 with 理赔
            f"INSERT INTO {ticket_search.TABLE} (rowid, doc) SELECT n, CAST("
            " CASE WHEN n % 50 = 0 THEN '发票:1 票:2' ELSE '理赔:1 赔进:2 进度:3 度:4' END"
            " || CASE WHEN n < 300 THEN ' 旧单:6 单:7' ELSE '' END"
            " || ' r' || lpad(CAST(n AS text), 9, '0') || ':8' AS tsvector)"
            " FROM generate_series(1, 30000) AS n"
        )
        for text in ("理赔", "理赔进度", "发票", "旧单", f"R{24321:09d}", f"R{1:09d}", "没有"):
            sql, params = ticket_search.candidates(store.db, text)
            found = [r[0] for r in store.db.execute(sql, params).fetchall()]
            plain = store.db.execute(
                f"SELECT rowid FROM {ticket_search.TABLE} WHERE doc @@ CAST(? AS tsquery)"
                " ORDER BY rowid DESC LIMIT ?",
                [pg_search.ticket_query(ticket_search.match_terms(text)), 500],
            ).fetchall()
            assert sorted(found, reverse=True) == [r[0] for r in plain], text
    finally:
        store.close()


def test_rows_copied_in_bulk_come_back_as_written(tmp_path: Path) -> None:
    """``copy_rows`` (binary COPY): times given as ISO text or naive datetimes land as their
    instants, text with tabs, newlines and backslashes as written, absent values as NULL."""
    url = postgres_db.worker_database()
    postgres_db.empty(url)
    store = _open(url, tmp_path / "heads")
    columns = ("contact_id", "direction", "caller", "callee", "started_at", "answered_at",
               "outcome", "talk_seconds", "recorded", "skill_group")  # fmt: skip
    rows = [
        ("c-1", "inbound", "138****0001", "4008001234", "2026-03-02T09:00:00.000000+08:00",
         None, "answered", 12.5, True, "理赔\t二线\\组\n夜班"),
        ("c-2", "inbound", "138****0002", "4008001234", T0.replace(tzinfo=None),
         T0 + timedelta(seconds=30), "abandoned", 0, False, None),
    ]  # fmt: skip
    try:
        with store.transaction() as db:
            assert db.copy_rows("calls", columns, rows) == 2
        first, second = store.calls.get("c-1"), store.calls.get("c-2")
    finally:
        store.close()
    assert first.started_at == T0 - timedelta(hours=8)
    assert (first.answered_at, first.talk_seconds, first.recorded) == (None, 12.5, True)
    assert first.skill_group == "理赔\t二线\\组\n夜班"
    assert (second.started_at, second.answered_at) == (T0, T0 + timedelta(seconds=30))
    assert (second.recorded, second.skill_group) == (False, None)
