"""Counts for the lead's ticket board (``domain.ticket_board``) in four grouped reads.

A board with every insurer, group and agent would be dozens of ``Tickets.view_count`` calls per
refresh; grouping by owner, queue and insurer answers them all at once, with the same filters
as the views (``domain.ticket_views.OPEN_STATUSES``; due times compared as stored UTC text).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cscdesk.domain.models import TicketStatus
from cscdesk.domain.ticket_board import DUE_WITHIN, BoardCounts
from cscdesk.domain.ticket_views import OPEN_STATUSES
from cscdesk.store._codec import when

if TYPE_CHECKING:
    from cscdesk.store.db import Store

_OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)


def board_counts(store: Store, now: datetime, due_within: timedelta = DUE_WITHIN) -> BoardCounts:
    """The unfinished tickets counted for every bucket of the board at ``now``."""
    with store.reading() as db:
        total, unassigned, due_soon, overdue, waiting = db.execute(
            "SELECT count(*), coalesce(sum(owner IS NULL), 0),"
            " coalesce(sum(due_at >= ?1 AND due_at < ?2), 0), coalesce(sum(due_at < ?1), 0),"
            " coalesce(sum(status = ?3), 0)"
            f" FROM tickets WHERE status IN ({_OPEN})",
            [when(now), when(now + due_within), TicketStatus.PENDING_CUSTOMER.value],
        ).fetchone()

        def grouped(column: str, where: str = "") -> dict[str, int]:
            rows = db.execute(
                f"SELECT {column}, count(*) FROM tickets WHERE status IN ({_OPEN})"
                f" AND {column} IS NOT NULL {where} GROUP BY {column}"
            ).fetchall()
            return {str(key): int(n) for key, n in rows}

        escalated = grouped("insurer_id", f"AND status = '{TicketStatus.ESCALATED.value}'")
        return BoardCounts(
            open=int(total), unassigned=int(unassigned), due_within_hour=int(due_soon),
            overdue=int(overdue), waiting_customer=int(waiting), escalated=escalated,
            groups=grouped("group_id"), agents=grouped("owner"),
        )  # fmt: skip
