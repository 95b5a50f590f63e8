"""The team's ticket views: which tickets "mine", "my groups'", "overdue"… mean, as one query.

A view is a ``TicketQuery`` (plain filters the store turns into one indexed SELECT), so the
agent's search screen, the lead's ticket board and the missed-call worklist ask the same
questions the same way. Only unfinished tickets appear unless a query says otherwise.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cscdesk.domain.models import TicketStatus

OPEN_STATUSES: tuple[TicketStatus, ...] = (
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.PENDING_CUSTOMER,
    TicketStatus.ESCALATED,
)
DUE_SOON = timedelta(hours=4)  # "due soon": within half a working day
VIEW_LIMIT = 200


class TicketView(StrEnum):
    MINE = "mine"
    MY_GROUPS = "my_groups"
    UNASSIGNED = "unassigned"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ESCALATED = "escalated"  # handed to an insurer, per insurer
    WAITING_CUSTOMER = "waiting_customer"


@dataclass(frozen=True, slots=True)
class TicketQuery:
    """Filters ANDed together; ``owners`` and ``groups`` together mean "owned by one of these
    or in one of these groups' queues"."""

    statuses: tuple[TicketStatus, ...] = OPEN_STATUSES
    owners: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    unassigned: bool = False
    insurer_id: str | None = None
    due_from: datetime | None = None
    due_before: datetime | None = None
    limit: int = VIEW_LIMIT


def query_for(view: TicketView, *, agent_id: str, groups: Collection[str], now: datetime,
              insurer_id: str | None = None, soon: timedelta = DUE_SOON) -> TicketQuery:  # fmt: skip
    """The query behind a view as one agent sees it: clocks (due soon, overdue) and waiting
    tickets are the agent's own and their groups'; escalations are the center's, per insurer."""
    own = (agent_id,)
    team = tuple(sorted(groups))
    match view:
        case TicketView.MINE:
            return TicketQuery(owners=own)
        case TicketView.MY_GROUPS:
            return TicketQuery(groups=team or ("",))  # no group: an empty view, not everything
        case TicketView.UNASSIGNED:
            return TicketQuery(unassigned=True)
        case TicketView.DUE_SOON:
            return TicketQuery(owners=own, groups=team, due_from=now, due_before=now + soon)
        case TicketView.OVERDUE:
            return TicketQuery(owners=own, groups=team, due_before=now)
        case TicketView.ESCALATED:
            return TicketQuery(statuses=(TicketStatus.ESCALATED,), insurer_id=insurer_id)
        case TicketView.WAITING_CUSTOMER:
            return TicketQuery(statuses=(TicketStatus.PENDING_CUSTOMER,), owners=own, groups=team)
    raise ValueError(f"unknown ticket view {view!r}")
