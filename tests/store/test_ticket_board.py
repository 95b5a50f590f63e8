"""The lead's ticket board counts: every bucket holds exactly the tickets its drill-down lists (the
team view's query), finished tickets count nowhere, due and overdue follow the clock."""

from __future__ import annotations

from datetime import timedelta

from cscdesk.domain.models import TicketStatus
from cscdesk.domain.ticket_board import BucketKind, bucket_query, buckets
from cscdesk.store import Store
from cscdesk.store.ticket_board import board_counts

from .helpers import T0, created, ticket

NOW = T0 + timedelta(hours=1)


def _save(store: Store, tid: str, **fields: object) -> None:
    item = ticket(tid, **fields)
    store.tickets.save_new(item, created(item))


def _center(store: Store) -> None:
    _save(store, "A-SOON", owner="agent001", group_id="claims", due_at=NOW + timedelta(minutes=40))
    _save(store, "A-LATER", owner="agent001", due_at=NOW + timedelta(hours=3))
    _save(store, "A-LATE", owner="agent002", group_id="claims", due_at=NOW - timedelta(minutes=5))
    _save(store, "Q-NOBODY", owner=None, group_id="enquiries", due_at=NOW + timedelta(minutes=59))
    _save(store, "ESC-PA", owner="agent002", status=TicketStatus.ESCALATED, insurer_id="pingan")
    _save(store, "ESC-RA", owner="agent001", status=TicketStatus.ESCALATED, insurer_id="ruian")
    _save(store, "ESC-RA2", owner=None, status=TicketStatus.ESCALATED, insurer_id="ruian")
    _save(store, "WAIT", owner="agent003", status=TicketStatus.PENDING_CUSTOMER)
    _save(store, "DONE", owner="agent001", status=TicketStatus.RESOLVED,
          due_at=NOW - timedelta(days=1))  # fmt: skip
    _save(store, "GONE", owner=None, group_id="claims", status=TicketStatus.CANCELLED)


def test_each_count_is_the_number_of_tickets_its_drill_down_lists(store: Store) -> None:
    _center(store)
    counts = board_counts(store, NOW)
    rows = buckets(counts, groups=("claims", "enquiries", "complaints"),
                   agents=("agent001", "agent002"), insurers=("ruian", "pingan", "anhe"))  # fmt: skip

    seen = {(b.kind, b.key): b.count for b in rows}
    assert seen == {
        (BucketKind.ALL, None): 8,
        (BucketKind.UNASSIGNED, None): 2,
        (BucketKind.DUE_WITHIN_HOUR, None): 2,
        (BucketKind.OVERDUE, None): 1,
        (BucketKind.WAITING_CUSTOMER, None): 1,
        (BucketKind.ESCALATED, "ruian"): 2,
        (BucketKind.ESCALATED, "pingan"): 1,
        (BucketKind.ESCALATED, "anhe"): 0,
        (BucketKind.GROUP, "claims"): 2,
        (BucketKind.GROUP, "enquiries"): 1,
        (BucketKind.GROUP, "complaints"): 0,
        (BucketKind.AGENT, "agent001"): 3,
        (BucketKind.AGENT, "agent002"): 2,
        (BucketKind.AGENT, "agent003"): 1,  # not in the directory, but owns a ticket
    }
    for bucket in rows:
        listed = store.tickets.view(bucket_query(bucket.kind, bucket.key, NOW))
        assert len(listed) == bucket.count, bucket
        assert all(t.status.value not in ("resolved", "cancelled") for t in listed)

    soon = store.tickets.view(bucket_query(BucketKind.DUE_WITHIN_HOUR, None, NOW))
    assert [t.id for t in soon] == ["A-SOON", "Q-NOBODY"]
    later = board_counts(store, NOW + timedelta(hours=1))  # an hour on, both are overdue
    assert (later.due_within_hour, later.overdue) == (0, 3)


def test_an_empty_center_counts_zero_everywhere(store: Store) -> None:
    counts = board_counts(store, NOW)
    rows = buckets(counts, groups=("claims",), agents=("agent001",), insurers=("ruian",))
    assert [b.count for b in rows] == [0] * 8
