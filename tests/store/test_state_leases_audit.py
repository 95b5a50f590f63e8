"""Sync bookkeeping, leases between processes, recordings manifest, the hash-chained audit log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cscdesk.domain.models import Recording
from cscdesk.store import Store
from cscdesk.store.leases import Leases
from postgres_db import reopen

from .helpers import T0


def test_sync_state_round_trip(store: Store) -> None:
    assert store.sync_state.get("cdr.watermark") is None
    store.sync_state.set("cdr.watermark", "2026-03-02T00:00:00+00:00")
    store.sync_state.set("cdr.watermark", "2026-03-03T00:00:00+00:00")
    assert store.sync_state.get("cdr.watermark") == "2026-03-03T00:00:00+00:00"
    assert store.sync_state.items("cdr.") == {"cdr.watermark": "2026-03-03T00:00:00+00:00"}


def test_lease_has_one_holder_until_it_expires(store: Store) -> None:
    clock = [1000.0]
    a_store, b_store = store, reopen(store)  # two desks, or two hosts on PostgreSQL
    a, b = Leases(a_store, lambda: clock[0]), Leases(b_store, lambda: clock[0])
    assert a.try_acquire("sync.tickets", "desk-a", 30)
    assert not b.try_acquire("sync.tickets", "desk-b", 30)
    assert a.try_acquire("sync.tickets", "desk-a", 30)  # re-acquire by the holder
    clock[0] += 20
    assert a.renew("sync.tickets", "desk-a", 30)
    clock[0] += 29
    assert not b.try_acquire("sync.tickets", "desk-b", 30)  # renewed: still desk-a's
    clock[0] += 2
    assert b.try_acquire("sync.tickets", "desk-b", 30)  # expired: desk-b takes over
    assert not a.renew("sync.tickets", "desk-a", 30)
    assert a.holder("sync.tickets") == "desk-b"
    b.release("sync.tickets", "desk-b")
    assert a.holder("sync.tickets") is None
    a_store.close()
    b_store.close()


def test_recording_manifest(store: Store) -> None:
    rec = Recording("job-1", "ab" * 32, 1234, "audio/wav", T0, date(2031, 3, 2))
    store.recordings.put(rec, blob_path="ab/abab.wav")
    store.recordings.put(Recording("job-1", "ab" * 32, 1234, "audio/wav", T0, date(2031, 3, 2),
                                   legal_hold=True))  # fmt: skip
    stored = store.recordings.get("job-1")
    assert stored is not None and stored.legal_hold
    assert store.recordings.blob_path("job-1") == "ab/abab.wav"
    assert store.recordings.list() == [stored]
    assert store.recordings.delete("job-1") and store.recordings.get("job-1") is None


def _log(store: Store, n: int) -> None:
    for i in range(n):
        store.audit.append("agent001", "member.reveal", "member", f"M{i}", "success",
                           {"reason": "客户来电核实"}, at=T0 + timedelta(days=i))  # fmt: skip


def _as_attacker(store: Store) -> None:
    """Someone with file access first drops the database's own guards (migration 5)."""
    store.db.execute("DROP TRIGGER IF EXISTS audit_no_update")
    store.db.execute("DROP TRIGGER IF EXISTS audit_keep_six_months")


def test_intact_chain_verifies(store: Store) -> None:
    _log(store, 5)
    report = store.audit.verify()
    assert report.ok and report.checked == 5
    assert report.head == store.audit.list()[-1].hash


def test_edited_record_is_detected(store: Store) -> None:
    _log(store, 5)
    _as_attacker(store)
    store.db.execute("UPDATE audit SET actor = 'intruder' WHERE id = 3")
    problems = store.audit.verify().problems
    assert len(problems) == 1 and problems[0].startswith("record 3: HMAC does not match")


def test_deleted_record_is_detected(store: Store) -> None:
    _log(store, 5)
    _as_attacker(store)
    store.db.execute("DELETE FROM audit WHERE id = 3")
    report = store.audit.verify()
    assert not report.ok
    assert any("3" in p and "missing" in p for p in report.problems)


def test_deleted_newest_record_is_detected(store: Store) -> None:
    _log(store, 5)
    _as_attacker(store)
    store.db.execute("DELETE FROM audit WHERE id = 5")
    problems = store.audit.verify().problems
    assert problems[0] == "record(s) 5..5 missing at the end"
    assert problems[1].startswith("CUT TAIL") and problems[1].endswith(
        "record 5 removed from the end"
    )


def test_swapped_records_are_detected(store: Store) -> None:
    _log(store, 4)
    _as_attacker(store)
    rows = store.db.execute("SELECT * FROM audit WHERE id IN (2, 3) ORDER BY id").fetchall()
    columns = [c[1] for c in store.db.execute("PRAGMA table_info(audit)")]
    with store.transaction() as db:
        db.execute("DELETE FROM audit WHERE id IN (2, 3)")
        for new_id, row in zip((3, 2), rows, strict=True):
            values = dict(zip(columns, row, strict=True)) | {"id": new_id}
            db.execute(f"INSERT INTO audit ({', '.join(values)}) VALUES"
                       f" ({', '.join('?' for _ in values)})", list(values.values()))  # fmt: skip
    assert not store.audit.verify().ok


def test_purge_keeps_the_rest_verifiable_and_tampering_still_shows(store: Store) -> None:
    _log(store, 6)
    assert store.audit.purge_before(T0 + timedelta(days=3)) == 3
    assert [e.seq for e in store.audit.list()] == [4, 5, 6]
    assert store.audit.verify().ok
    store.audit.append("admin", "audit_purge", subject="audit", detail={"removed": 3})
    assert store.audit.verify().ok
    _as_attacker(store)
    store.db.execute("DELETE FROM audit WHERE id = 4")
    assert not store.audit.verify().ok


def test_audit_detail_never_holds_a_whole_mobile_or_id_number(store: Store) -> None:
    entry = store.audit.append(
        "agent001", "note", subject="ticket:T1",
        detail={"text": "客户 13812345678 身份证 11010519491231002X"}, success=False,
    )  # fmt: skip
    stored = store.audit.list()[-1]
    assert stored == entry and stored.subject == "ticket:T1" and not stored.success
    assert "13812345678" not in stored.detail["text"]
    assert "11010519491231002X" not in stored.detail["text"]
    assert "138****5678" in stored.detail["text"]
    assert store.audit.verify().ok


def test_a_record_rolled_back_with_its_callers_transaction_leaves_no_head_behind(
    store: Store,
) -> None:
    """A head is signed only once the record is committed: a record written inside a caller's
    transaction that then fails must not leave a head naming it (verify would call that a
    rewrite of the record that takes its number next)."""
    _log(store, 2)
    with pytest.raises(RuntimeError), store.transaction():
        store.audit.append("agent001", "ticket.update", subject="ticket:T1")
        raise RuntimeError("the caller's own write failed")
    assert [e.seq for e in store.audit.list()] == [1, 2]
    store.audit.append("agent001", "ticket.update", subject="ticket:T2")
    report = store.audit.verify()
    assert report.ok, report.problems
    assert report.checked == 3


def test_records_appended_inside_one_callers_transaction_are_all_kept_in_order(
    store: Store,
) -> None:
    """Several records of one change (on PostgreSQL each insert is sent with its block's end):
    each is chained onto the one before it, and the caller's own write commits with them."""
    with store.transaction():
        store.audit.append("agent001", "ticket.update", subject="ticket:T1")
        store.audit.append("agent001", "ticket.escalate", subject="ticket:T1")
        store.sync_state.set("k", "v")
    store.audit.append("agent002", "view_record", subject="member:M1")
    assert [(e.seq, e.action) for e in store.audit.list()] == [
        (1, "ticket.update"), (2, "ticket.escalate"), (3, "view_record")
    ]  # fmt: skip
    assert store.sync_state.get("k") == "v"
    report = store.audit.verify()
    assert report.ok, report.problems


def test_a_whole_store_write_cannot_open_inside_an_audit_append(store: Store) -> None:
    """An append holds only the audit chain's lock; a write elsewhere inside it would take the
    store's lock second, the other order from every other writer (a deadlock on PostgreSQL)."""
    from cscdesk.store.audit import AUDIT_LOCK

    with (
        pytest.raises(RuntimeError, match="whole-store"),
        store.transaction(lock=AUDIT_LOCK),
        store.transaction() as db,
    ):
        db.execute("INSERT INTO sync_state (key, value, updated_at) VALUES ('k', 'v', 'now')")
    assert store.sync_state.get("k") is None


def test_desks_appending_at_once_each_get_their_own_record_in_one_gapless_chain(
    store: Store,
) -> None:
    """Twenty desks of one process looking people up at once (on PostgreSQL their records are
    committed together, store.group_commit): every desk gets back the record it wrote, the
    chain has no gap, every record has its signed head, and the first records, written at once
    into an empty head file, are not taken for a head file begun again."""
    import threading

    start = threading.Barrier(20)
    got: dict[str, list[int]] = {}

    def desk(k: int) -> None:
        start.wait()
        got[f"agent{k:03d}"] = [
            store.audit.append(f"agent{k:03d}", "view_record", "member", f"M{k}-{i}").seq
            for i in range(5)
        ]

    threads = [threading.Thread(target=desk, args=(k,)) for k in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = store.audit.list()
    assert [e.seq for e in entries] == list(range(1, 101))
    for entry in entries:
        assert entry.seq in got[entry.actor]
        assert entry.target_id.startswith(f"M{int(entry.actor[5:])}-")
    heads, damaged = store.audit.read_heads()
    assert not damaged
    appended = sorted(int(head["seq"]) for _, head in heads if head["event"] == "append")
    assert appended == list(range(1, 101))
    report = store.audit.verify()
    assert report.ok, report.problems
