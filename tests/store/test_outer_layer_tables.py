"""The repositories that hold sync's and the insurer gateway's tables, and whole-table access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cscdesk.store import Store
from cscdesk.store.bundle_tables import UnknownTable
from cscdesk.store.insurer_batches import BatchFile, BatchRow
from cscdesk.store.sync_records import ConflictRow

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_recording_jobs_queue_each_call_once_and_come_due_in_order(store: Store) -> None:
    assert store.recording_jobs.queue([("c2", T0 + timedelta(minutes=5)), ("c1", T0)]) == 2
    assert store.recording_jobs.queue([("c1", T0), ("c3", T0 + timedelta(hours=1))]) == 1
    assert store.recording_jobs.count() == 3
    assert store.recording_jobs.oldest_call() == T0

    due = store.recording_jobs.due(T0 + timedelta(minutes=10), limit=10)
    assert [(j.contact_id, j.state, j.attempts) for j in due] == [
        ("c1", "pending", 0),
        ("c2", "pending", 0),
    ]

    store.recording_jobs.failed("c1", "timeout", T0 + timedelta(days=1))
    store.recording_jobs.restoring(["c2"], T0 + timedelta(minutes=7))
    due = store.recording_jobs.due(T0 + timedelta(minutes=10), limit=10)
    assert [(j.contact_id, j.state) for j in due] == [("c2", "restoring")]
    (later,) = [
        j for j in store.recording_jobs.due(T0 + timedelta(days=2), 10) if j.contact_id == "c1"
    ]
    assert later.attempts == 1

    store.recording_jobs.done("c1")
    assert store.recording_jobs.count() == 2


def test_a_new_sync_base_drops_the_pending_proposal(store: Store) -> None:
    bases = store.ticket_sync_bases
    assert bases.get("T1") is None
    bases.set("T1", "R1", '{"rev": 1}', None)
    bases.set_pending("T1", '{"rev": 2}', '{"rev": 1}')
    row = bases.get("T1")
    assert row is not None and (row.pending, row.pending_parent) == ('{"rev": 2}', '{"rev": 1}')

    bases.set("T1", "R1", '{"rev": 3}', '{"rev": 2}')
    row = bases.get("T1")
    assert row is not None
    assert (row.snapshot, row.parent, row.pending) == ('{"rev": 3}', '{"rev": 2}', None)

    bases.settle("T1", '{"rev": 4}')
    row = bases.get("T1")
    assert row is not None and (row.snapshot, row.parent) == ('{"rev": 4}', None)
    bases.forget("T1")
    assert bases.get("T1") is None


def test_conflicts_are_listed_oldest_first_and_replaced_per_ticket(store: Store) -> None:
    def copy(ticket: str, at: datetime, remote: str = "{}") -> ConflictRow:
        return ConflictRow(ticket, "{}", '{"status": "closed"}', remote, '["status"]', at)

    store.ticket_conflicts.put(copy("T2", T0 + timedelta(hours=1)))
    store.ticket_conflicts.put(copy("T1", T0))
    store.ticket_conflicts.put(copy("T1", T0, remote='{"rev": 9}'))
    assert [c.ticket_id for c in store.ticket_conflicts.list()] == ["T1", "T2"]
    assert store.ticket_conflicts.get("T1") == copy("T1", T0, remote='{"rev": 9}')
    store.ticket_conflicts.delete("T1")
    assert store.ticket_conflicts.get("T1") is None


def test_insurer_cache_returns_the_payload_text_and_times_it_was_given(store: Store) -> None:
    assert store.insurer_cache.get("ruian", "q1") is None
    store.insurer_cache.put("ruian", "q1", '{"policies": []}', T0, T0 + timedelta(seconds=3))
    cached = store.insurer_cache.get("ruian", "q1")
    assert cached is not None
    assert (cached.payload, cached.as_of, cached.fetched_at) == (
        '{"policies": []}',
        T0,
        T0 + timedelta(seconds=3),
    )
    assert store.insurer_cache.get("huaying", "q1") is None


def _file(sha: str, day: date) -> BatchFile:
    return BatchFile(sha, "anhe", "claims", f"anhe_claims_{day:%Y%m%d}.csv", day, 1, T0)


def test_an_older_extract_never_overwrites_a_newer_row(store: Store) -> None:
    batches = store.insurer_batches
    newer, older = date(2026, 3, 2), date(2026, 3, 1)
    batches.load(_file("b", newer), [BatchRow("CL1", "M1", "P1", '"new"')])
    batches.load(_file("a", older), [BatchRow("CL1", "M1", "P1", '"old"')])
    assert batches.is_loaded("a") and batches.is_loaded("b") and not batches.is_loaded("c")

    found = batches.find("anhe", member_ids=("M1",), policy_no=None, claim_no=None)
    assert [(r.kind, r.payload, r.extract_date) for r in found] == [("claims", '"new"', newer)]
    assert batches.find("anhe", member_ids=(), policy_no=None, claim_no="CL1") == found
    assert batches.find("anhe", member_ids=(), policy_no=None, claim_no=None) == []
    assert batches.latest_extract("anhe") == newer
    assert batches.latest_extract("ruian") is None


def test_bundle_tables_round_trip_rows_and_refuse_unknown_tables(store: Store) -> None:
    tables = store.bundle_tables.content_tables()
    assert "tickets" in tables and "leases" not in tables
    assert not any(t.startswith("sqlite_") for t in tables)
    assert not store.bundle_tables.has_rows("sync_state")

    with store.bundle_tables.loading() as loader:
        loader.insert(
            "sync_state", {"key": "k", "value": "v", "updated_at": "2026-03-02T08:00:00+00:00"}
        )
        with pytest.raises(UnknownTable):
            loader.insert('sync_state" ; DROP TABLE tickets; --', {"key": "x"})
    assert [r["value"] for r in store.bundle_tables.rows("sync_state")] == ["v"]
    with pytest.raises(UnknownTable):
        list(store.bundle_tables.rows("leases"))
