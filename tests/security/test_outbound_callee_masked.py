"""An outbound call's callee (the customer the center dialled) is masked at rest like an inbound
caller: no full mobile anywhere in ``calls`` after a CDR is archived, and screen pop still finds
the number's history through the member link. Migration 8 masks rows stored before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cscdesk.callcenter.port import CallRecord
from cscdesk.demo.seed import seed_demo
from cscdesk.domain.models import Call, CallDirection, CallOutcome
from cscdesk.store import Store, open_store
from cscdesk.store.migrations import MIGRATIONS, apply_migrations
from security.test_no_pii_outside_pii_tables import _personal_numbers, _table_leaks

HOTLINE = "4008001234"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "cscdesk.db")
    seed_demo(opened, members=40, seed=7)
    yield opened
    opened.close()


def _member_with_mobile(store: Store) -> tuple[str, str]:
    member = next(
        m for m in store.members.search("", limit=50) if m.mobile and m.relation == "self"
    )
    assert member.mobile
    return member.id, member.mobile


def _outbound_cdr(contact_id: str, mobile: str) -> CallRecord:
    """An outbound CDR as the CCC adapter maps it, the number also in the vendor's raw JSON."""
    return CallRecord(
        contact_id=contact_id, direction="outbound", caller=HOTLINE, callee=f"+86 {mobile}",
        start_time=START, established_time=START, release_time=START, skill_group_id=None,
        agent_ids=("agent-001",), queue_wait_seconds=None, ring_seconds=5.0, talk_seconds=60.0,
        hold_seconds=0.0, work_seconds=10.0, outcome="answered", release_initiator="agent",
        recording_available=False, satisfaction=None,
        raw={"ContactId": contact_id, "CalledNumber": mobile, "CallingNumber": HOTLINE},
    )  # fmt: skip


def test_an_archived_outbound_call_keeps_no_full_mobile_and_is_found_by_number(
    store: Store,
) -> None:
    member_id, mobile = _member_with_mobile(store)
    store.calls.upsert_many([_outbound_cdr("job-out-1", mobile)])
    dialled = Call(contact_id="job-out-2", direction=CallDirection.OUTBOUND, caller=HOTLINE,
                   callee=mobile, started_at=START, outcome=CallOutcome.ANSWERED)  # fmt: skip
    store.calls.upsert_many([dialled])

    assert _table_leaks(store, _personal_numbers(store)) == {}
    stored = store.calls.get("job-out-1")
    assert stored.callee == f"{mobile[:3]}****{mobile[-4:]}"
    assert stored.member_id == member_id
    found = {c.contact_id for c in store.calls.history_for_caller(mobile, limit=500)}
    assert {"job-out-1", "job-out-2"} <= found


def test_migration_masks_outbound_callees_stored_whole_before(tmp_path: Path) -> None:
    version = next(i for i, m in enumerate(MIGRATIONS, 1) if m.apply.__name__.startswith("_v8"))
    source = open_store(tmp_path / "seed.db")  # today's seed writes today's schema: copy its
    seed_demo(source, members=40, seed=7)  # people into a store stopped before migration 8
    old = open_store(tmp_path / "old.db", migrate=lambda s: apply_migrations(s, upto=version - 1))
    old.employers.put_many(source.employers.all())
    old.members.add_many(list(source.members.all()))
    source.close()
    member_id, mobile = _member_with_mobile(old)
    with old.transaction() as db:  # as the code before this fix wrote it: callee whole
        db.execute(
            "INSERT INTO calls (contact_id, direction, caller, callee, started_at, outcome,"
            " raw) VALUES ('job-old-1', 'outbound', ?, ?, ?, 'answered', '{}')",
            [HOTLINE, mobile, START.isoformat()],
        )
    assert "calls" in _table_leaks(old, _personal_numbers(old))
    old.close()

    store = open_store(tmp_path / "old.db")
    try:
        assert _table_leaks(store, _personal_numbers(store)) == {}
        assert store.calls.get("job-old-1").member_id == member_id
        assert "job-old-1" in {c.contact_id for c in store.calls.history_for_caller(mobile, 500)}
    finally:
        store.close()
