"""Times on PostgreSQL are ``timestamptz``: the server compares and orders instants whatever
offset they were written with, repositories read back the UTC text SQLite gives them, a store
copy proves equal across engines, and a database made by an earlier cscdesk (times as text)
upgrades in place."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import postgres_db
from cscdesk.store import Store, open_store
from cscdesk.store.copying import copy_store
from cscdesk.store.migrations import (
    MIGRATIONS,
    TEXT_TIME_COLUMNS,
    _v19_postgres_timestamptz,
    apply_migrations,
)
from cscdesk.store.pg_times import TIMESTAMPTZ

from .helpers import T0

# one instant, written three ways: Beijing time, UTC, and UTC without an offset
NINE_BEIJING = "2026-03-02T09:00:00+08:00"
ONE_UTC = "2026-03-02T01:00:00.000000+00:00"
HALF_PAST_ONE_UTC = "2026-03-02T01:30:00+00:00"


def _pg(tmp_path: Path, **extra: object) -> Store:
    from cscdesk.store.postgres import open_postgres

    url = postgres_db.new_database("cscdesk_times")
    return open_postgres(url, pool_size=2, audit_head_file=tmp_path / "heads", **extra)  # type: ignore[arg-type]


def _call(db: object, contact_id: str, started_at: str) -> None:
    db.execute(  # type: ignore[attr-defined]
        "INSERT INTO calls (contact_id, direction, caller, callee, started_at, outcome)"
        " VALUES (?, 'inbound', '138****0000', '4008', ?, 'answered')",
        [contact_id, started_at],
    )


def _column_types(store: Store) -> dict[tuple[str, str], str]:
    with store.reading() as db:
        rows = db.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        ).fetchall()
    return {(str(t), str(c)): str(kind) for t, c, kind in rows}


def test_every_time_column_is_timestamptz_and_dates_stay_text(tmp_path: Path) -> None:
    store = _pg(tmp_path)
    try:
        types = _column_types(store)
        for table, columns in TEXT_TIME_COLUMNS.items():
            for column in columns:
                assert types[(table, column)] == TIMESTAMPTZ, f"{table}.{column}"
        assert types[("members", "birth_date")] == "text"
        # a later migration that names a time ..._at but declares it TEXT shows here
        named_as_times = {
            (table, column)
            for (table, column), kind in types.items()
            if kind == "text" and (column == "at" or column.endswith(("_at", "_until")))
        }
        assert named_as_times == {  # a date, and a wall-clock spelling: see TEXT_TIME_COLUMNS
            ("recordings", "keep_until"),
            ("wallboard_snapshots", "taken_at"),
        }
    finally:
        store.close()


def test_one_instant_written_with_two_offsets_is_one_time_on_postgresql(tmp_path: Path) -> None:
    store = _pg(tmp_path)
    try:
        with store.transaction() as db:
            _call(db, "beijing", NINE_BEIJING)
            _call(db, "later-utc", HALF_PAST_ONE_UTC)
        with store.reading() as db:
            same = db.execute("SELECT contact_id FROM calls WHERE started_at = ?", [ONE_UTC])
            assert [r[0] for r in same.fetchall()] == ["beijing"]
        # as text "2026-03-02T09..." sorts after "2026-03-02T01:30...": as times it is first
        found = store.calls.between(T0 - timedelta(hours=9), T0 - timedelta(hours=7))
        assert [c.contact_id for c in found] == ["beijing", "later-utc"]
        assert found[0].started_at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        with store.reading() as db:
            text = db.execute("SELECT started_at FROM calls WHERE contact_id = 'beijing'")
            assert text.fetchone()[0] == ONE_UTC  # what SQLite holds for it, to the letter
    finally:
        store.close()


def test_every_spelling_of_a_time_reads_back_as_the_stores_text(tmp_path: Path) -> None:
    store = _pg(tmp_path)
    written = {
        NINE_BEIJING: ONE_UTC,
        "2026-03-02T01:00:00.5+00:00": "2026-03-02T01:00:00.500000+00:00",
        "2026-03-02T09:00:00.123456+08:00": "2026-03-02T01:00:00.123456+00:00",
        "2026-03-02T01:00:00.000010Z": "2026-03-02T01:00:00.000010+00:00",
        "infinity": "infinity",
    }
    try:
        for text, expected in written.items():
            with store.reading() as db:
                assert db.execute("SELECT CAST(? AS timestamptz)", [text]).fetchone()[0] == expected
            with store.transaction() as db:  # a session in another zone reads the same
                db.execute("SET LOCAL TIME ZONE 'Asia/Shanghai'")
                assert db.execute("SELECT CAST(? AS timestamptz)", [text]).fetchone()[0] == expected
    finally:
        store.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_new_time_column_is_text_on_sqlite_and_timestamptz_on_postgresql(
    engine: str, tmp_path: Path
) -> None:
    """``TIMESTAMPTZ_TEXT`` is how a migration declares a time: SQLite's affinity rules read
    the TEXT in it (a digit-only value stays text), PostgreSQL gets an instant."""
    store = open_store(tmp_path / "marks.db") if engine == "sqlite" else _pg(tmp_path)
    try:
        with store.transaction() as db:
            db.execute("CREATE TABLE call_marks (id TEXT PRIMARY KEY, at TIMESTAMPTZ_TEXT)")
            db.execute("ALTER TABLE call_marks ADD COLUMN seen_at TIMESTAMPTZ_TEXT")
            db.execute("INSERT INTO call_marks (id, at) VALUES (?, ?)", ["m1", NINE_BEIJING])
        with store.reading() as db:
            at = db.execute("SELECT at FROM call_marks").fetchone()[0]
        if engine == "postgresql":
            assert at == ONE_UTC
            types = _column_types(store)
            assert types[("call_marks", "at")] == types[("call_marks", "seen_at")] == TIMESTAMPTZ
        else:
            assert at == NINE_BEIJING
            with store.transaction() as db:
                db.execute("INSERT INTO call_marks (id, at) VALUES ('m2', '20260302')")
            with store.reading() as db:
                kind = db.execute("SELECT typeof(at) FROM call_marks WHERE id = 'm2'").fetchone()
            assert kind[0] == "text"
    finally:
        store.close()


def test_a_store_with_other_offsets_copies_to_postgresql_and_back_with_equal_sums(
    tmp_path: Path,
) -> None:
    postgres_db.server_or_skip()
    source = open_store(tmp_path / "source.db")
    target = _pg(tmp_path)
    back = open_store(tmp_path / "back.db")
    try:
        with source.transaction() as db:
            _call(db, "beijing", NINE_BEIJING)
            _call(db, "utc", HALF_PAST_ONE_UTC)
        there = copy_store(source, target)
        assert there.ok, [c for c in there.checks if not c.ok]
        assert target.calls.get("beijing").started_at == source.calls.get("beijing").started_at
        again = copy_store(target, back)
        assert again.ok, [c for c in again.checks if not c.ok]
        assert [c.contact_id for c in back.calls.between(T0 - timedelta(hours=9), T0)] == [
            "beijing",
            "utc",
        ]
    finally:
        for store in (source, target, back):
            store.close()


def test_a_database_with_text_times_upgrades_in_place(tmp_path: Path) -> None:
    before = next(i for i, m in enumerate(MIGRATIONS) if m.postgres is _v19_postgres_timestamptz)
    old = _pg(tmp_path, migrate=lambda s: apply_migrations(s, upto=before))
    url = old.url  # type: ignore[attr-defined]
    try:
        assert _column_types(old)[("calls", "started_at")] == "text"
        with old.transaction() as db:
            _call(db, "beijing", NINE_BEIJING)
            _call(db, "no-offset", "2026-03-02T01:30:00")  # the store's convention: UTC
            db.execute(
                "INSERT INTO sync_state (key, value, updated_at)"
                " VALUES ('store_copy.source', 'x', 'store copy')"
            )
        old.audit.append("agent-1", "reveal", "member:M1", detail={"reason": "核对身份"}, at=T0)
        young = old.audit.append("agent-1", "sign_in")
    finally:
        old.close()

    from cscdesk.store.postgres import open_postgres

    upgraded = open_postgres(url, pool_size=2, audit_head_file=tmp_path / "heads")
    try:
        assert upgraded.version() == len(MIGRATIONS)
        assert _column_types(upgraded)[("calls", "started_at")] == TIMESTAMPTZ
        found = upgraded.calls.between(T0 - timedelta(hours=9), T0)
        assert [(c.contact_id, c.started_at.hour, c.started_at.minute) for c in found] == [
            ("beijing", 1, 0),
            ("no-offset", 1, 30),
        ]
        assert upgraded.audit.verify().ok  # the chain hashes the same text it was written with
        assert [e.action for e in upgraded.audit.list(start=T0, end=T0 + timedelta(hours=1))] == [
            "reveal"
        ]
        guard = pytest.raises(sqlite3.IntegrityError, match="184 days")  # it came back
        with guard, upgraded.transaction() as db:
            db.execute("DELETE FROM audit WHERE id = ?", [young.id])
    finally:
        upgraded.close()
