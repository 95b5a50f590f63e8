"""Settling a sync conflict with chosen or merged values keeps every value somewhere."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from cscdesk.domain.models import Priority, SyncState, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.store import Store
from cscdesk.sync.codec import Snapshot, ticket_fields
from cscdesk.sync.conflicts import field_conflicts, settle
from cscdesk.sync.storage import ConflictCopy, SyncStorage

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def storage(tmp_path: object) -> SyncStorage:
    from pathlib import Path

    from cscdesk.store import open_store

    return SyncStorage(open_store(Path(str(tmp_path)) / "s.db"))


def _conflicted(store: Store) -> Ticket:
    ticket = Ticket(id="T1", type=TicketType.ENQUIRY, status=TicketStatus.OPEN,
                    priority=Priority.NORMAL, title="咨询", created_at=AT, updated_at=AT,
                    created_by="agent001", owner="agent001", description="原描述")  # fmt: skip
    ticket = store.tickets.save_new(ticket, TicketEvent("T1", AT, "agent001", "created"))
    base = ticket_fields(ticket)
    local = dict(base, description="本地描述", priority="high")
    remote = dict(base, description="远端描述", title="咨询（保险公司已回复）")
    snap = Snapshot("T1", 1, "c1", base)
    edited = dataclasses.replace(ticket, description="本地描述", priority=Priority.HIGH, version=2)
    store.tickets.save_change(edited, TicketEvent("T1", AT, "agent001", "field"), base_version=1)
    SyncStorage(store).record_conflict(ConflictCopy(
        "T1", snap, local, snap.successor("c2", remote, ()), ("description",), AT,
    ))  # fmt: skip
    return store.tickets.require("T1")


def test_a_merged_value_is_saved_and_both_sides_values_stay_in_the_history(
    storage: SyncStorage,
) -> None:
    store = storage.store
    ticket = _conflicted(store)
    assert ticket.sync_state is SyncState.CONFLICT
    copy = storage.conflict("T1")
    assert copy is not None
    (item,) = field_conflicts(copy)
    assert (item.field, item.local, item.remote) == ("description", "本地描述", "远端描述")
    later = AT + timedelta(minutes=5)
    saved = settle(storage, "T1", {"description": "本地描述；远端描述"}, actor="agent001", at=later)
    assert saved.description == "本地描述；远端描述"
    assert saved.priority is Priority.HIGH  # our other edit kept
    assert saved.title == "咨询（保险公司已回复）"  # theirs too
    assert saved.sync_state is SyncState.PENDING
    note = store.tickets.events("T1")[-1].note or ""
    assert "本地描述" in note and "远端描述" in note
    assert storage.conflict("T1") is None
    store.close()


def test_a_missing_choice_changes_nothing(storage: SyncStorage) -> None:
    store = storage.store
    before = _conflicted(store)
    with pytest.raises(ValueError, match="no value chosen for description"):
        settle(storage, "T1", {}, actor="agent001", at=AT)
    assert store.tickets.require("T1") == before
    assert storage.conflict("T1") is not None
    store.close()
