"""The lead's ticket board: the center's unfinished tickets counted by what a lead acts on.

Buckets: all open, unassigned, due within the hour, overdue, waiting on the customer, escalated
to each insurer, each group's queue, each agent's. Each bucket is one of the team views'
``TicketQuery`` (``domain.ticket_views``), so the ticket list a lead drills into is the very
query the count stands for; the store counts every bucket in a few grouped reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from cscdesk.domain.models import TicketStatus
from cscdesk.domain.ticket_views import TicketQuery

DUE_WITHIN = timedelta(hours=1)


class BucketKind(StrEnum):
    ALL = "all"
    UNASSIGNED = "unassigned"
    DUE_WITHIN_HOUR = "due_within_hour"
    OVERDUE = "overdue"
    WAITING_CUSTOMER = "waiting_customer"
    ESCALATED = "escalated"  # per insurer
    GROUP = "group"  # per skill group's queue
    AGENT = "agent"  # per owner


@dataclass(frozen=True, slots=True)
class Bucket:
    kind: BucketKind
    key: str | None  # the insurer, group or agent; None for the center-wide buckets
    count: int


@dataclass(frozen=True, slots=True)
class BoardCounts:
    """What the store counted over the unfinished tickets."""

    open: int = 0
    unassigned: int = 0
    due_within_hour: int = 0
    overdue: int = 0
    waiting_customer: int = 0
    escalated: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    agents: dict[str, int] = field(default_factory=dict)


def bucket_query(kind: BucketKind, key: str | None, now: datetime,
                 due_within: timedelta = DUE_WITHIN) -> TicketQuery:  # fmt: skip
    """The team view behind a bucket (the same filters the counts use)."""
    match kind:
        case BucketKind.ALL:
            return TicketQuery()
        case BucketKind.UNASSIGNED:
            return TicketQuery(unassigned=True)
        case BucketKind.DUE_WITHIN_HOUR:
            return TicketQuery(due_from=now, due_before=now + due_within)
        case BucketKind.OVERDUE:
            return TicketQuery(due_before=now)
        case BucketKind.WAITING_CUSTOMER:
            return TicketQuery(statuses=(TicketStatus.PENDING_CUSTOMER,))
        case BucketKind.ESCALATED:
            return TicketQuery(statuses=(TicketStatus.ESCALATED,), insurer_id=key)
        case BucketKind.GROUP:
            return TicketQuery(groups=(key or "",))
        case BucketKind.AGENT:
            return TicketQuery(owners=(key or "",))
    raise ValueError(f"unknown ticket board bucket {kind!r}")


def buckets(counts: BoardCounts, *, groups: tuple[str, ...], agents: tuple[str, ...],
            insurers: tuple[str, ...]) -> list[Bucket]:  # fmt: skip
    """The board's rows in reading order: the center-wide figures, then every insurer, group and
    agent of the directory (zero included: an empty queue is news too), then any the directory
    does not know but tickets name."""
    rows = [
        Bucket(BucketKind.ALL, None, counts.open),
        Bucket(BucketKind.UNASSIGNED, None, counts.unassigned),
        Bucket(BucketKind.DUE_WITHIN_HOUR, None, counts.due_within_hour),
        Bucket(BucketKind.OVERDUE, None, counts.overdue),
        Bucket(BucketKind.WAITING_CUSTOMER, None, counts.waiting_customer),
    ]
    for kind, known, counted in (
        (BucketKind.ESCALATED, insurers, counts.escalated),
        (BucketKind.GROUP, groups, counts.groups),
        (BucketKind.AGENT, agents, counts.agents),
    ):
        extra = tuple(sorted(k for k in counted if k not in known))
        rows.extend(Bucket(kind, key, counted.get(key, 0)) for key in (*known, *extra))
    return rows
