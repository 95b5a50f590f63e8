"""Opening the store: file permissions, pragmas, threads, transactions, migrations."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from cscdesk.store import Store, open_store
from cscdesk.store.migrations import MIGRATIONS, apply_migrations, schema_version

from .helpers import created, employer, member, ticket


def test_new_store_file_is_owner_only_and_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cscdesk.db"
    store = open_store(path)
    store.employers.put_many([employer()])
    for suffix in ("", "-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        assert companion.exists()
        assert stat.S_IMODE(companion.stat().st_mode) == 0o600, companion
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):  # a member of an unknown employer
        store.members.add_many([member("M1", "张三", "11010519491231002X", "13812345678",
                                       employer_id="NOPE")])  # fmt: skip
    store.close()


def test_each_thread_gets_its_own_connection_and_sees_committed_writes(tmp_path: Path) -> None:
    """SQLite's connection per thread (a PostgreSQL store borrows from its pool instead)."""
    store = open_store(tmp_path / "cscdesk.db")
    store.employers.put_many([employer()])
    seen: dict[str, object] = {}

    def worker() -> None:
        seen["conn"] = store.conn
        seen["names"] = [e.name for e in store.employers.all()]

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["conn"] is not store.conn
    assert seen["names"] == ["演示单位E1"]


def test_a_finished_threads_connection_is_released(store: Store) -> None:
    """Textual starts a new thread per worker: their connections must not pile up."""
    import gc

    store.employers.all()
    for _ in range(5):
        thread = threading.Thread(target=store.employers.all)
        thread.start()
        thread.join()
    gc.collect()
    assert store.open_connections() == 1  # this thread's only
    assert store.employers.all() == []


def test_transaction_is_all_or_nothing_and_nests(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.employers.put_many([employer("E1")])
        raise RuntimeError("boom")
    assert store.employers.all() == []
    with store.transaction():
        store.employers.put_many([employer("E1")])
        with pytest.raises(ValueError), store.transaction():  # inner savepoint rolls back alone
            store.employers.put_many([employer("E2")])
            raise ValueError("inner")
    assert [e.id for e in store.employers.all()] == ["E1"]


def test_two_stores_on_one_file_share_data(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "s.db"), open_store(tmp_path / "s.db")
    first.employers.put_many([employer()])
    assert [e.id for e in second.employers.all()] == ["E1"]
    first.close()
    second.close()


def test_upgrade_from_version_1_keeps_data_and_adds_new_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Store(path)
    assert apply_migrations(old, upto=1) == 1
    old.employers.put_many([employer()])
    old.members.add_many([member("M1", "欧阳娜娜", "11010519491231002X", "13812345678",
                                 employee_no="E0042")])  # fmt: skip
    saved = ticket("T1", "投诉理赔时效过长")
    old.tickets.save_new(saved, created(saved))
    tables = {r[0] for r in old.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "members_fts" not in tables
    old.close()

    store = open_store(path)
    assert schema_version(store) == len(MIGRATIONS)
    assert store.members.get("M1").name == "欧阳娜娜"
    assert [m.id for m in store.members.search("欧阳")] == ["M1"]  # FTS filled from old rows
    assert [m.id for m in store.members.search("E0042")] == ["M1"]
    assert [t.id for t in store.tickets.search("理赔时效")] == ["T1"]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM ticket_events")
    store.close()
