"""A desk as the tests drive it: a store, the agent's workflow calls, and that store's sync."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.domain import workflow
from cscdesk.domain.models import Ticket, TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.store import open_location
from cscdesk.sync.codec import Snapshot
from cscdesk.sync.lease import Lease
from cscdesk.sync.storage import SyncStorage
from cscdesk.sync.tickets import SyncReport, TicketSync, TicketSyncPolicy
from cscdesk.sync.worker import TICKETS_LEASE

# Tests retry at once, and wait for an unanswered write a few times the simulator's injected
# hang (0.6 s), after which that write has either landed or never will. The simulator runs in
# the test's own process: on a loaded machine its hang can end well after 0.6 s, and a write
# landing after the grace overwrites a newer one (the vendor has no compare-and-set), which the
# fault campaign then reports as a lost edit. The product's grace is a minute.
FAST = TicketSyncPolicy(backoff=timedelta(0), inflight_grace=timedelta(seconds=3))
DRAIN_SECONDS = 60  # an outbox drains within a few graces; bounded all the same


def now() -> datetime:
    return datetime.now(UTC)


class Desk:
    def __init__(self, path: Path | str, port: CallCenterPort, agent: str) -> None:
        self.store = open_location(str(path))  # a SQLite file, or a PostgreSQL URL
        self.storage = SyncStorage(self.store)
        self.port = port
        self.agent = agent
        self.sync = TicketSync(port, self.storage, clock=now, policy=FAST)
        self.lease = Lease(self.store, TICKETS_LEASE, holder=agent, ttl_seconds=0.5)

    def create(self, title: str, type: TicketType = TicketType.ENQUIRY) -> Ticket:
        ticket, event = workflow.new_ticket(
            ticket_id=f"T-{uuid.uuid4().hex[:10]}",
            type=type,
            title=title,
            created_at=now(),
            created_by=self.agent,
            sla=SlaPolicy(),
        )
        self.store.tickets.save_new(ticket, event)
        return ticket

    def get(self, ticket_id: str) -> Ticket:
        ticket = self.store.tickets.get(ticket_id)
        assert ticket is not None, f"{ticket_id} missing at {self.agent}"
        return ticket

    def edit(self, ticket_id: str, **changes: Any) -> Ticket:
        current = self.get(ticket_id)
        ticket, event = workflow.edit(current, changes, at=now(), actor=self.agent)
        if event is not None:
            self.store.tickets.save_change(ticket, event, base_version=current.version)
        return ticket

    def note(self, ticket_id: str, text: str) -> Ticket:
        current = self.get(ticket_id)
        ticket, event = workflow.add_note(current, text, at=now(), actor=self.agent)
        self.store.tickets.save_change(ticket, event, base_version=current.version)
        return ticket

    def notes(self, ticket_id: str) -> list[str]:
        return sorted(
            e.note or "" for e in self.store.tickets.events(ticket_id) if e.kind == "note"
        )

    async def settle(self) -> list[SyncReport]:
        """Sync rounds until the outbox is empty: an unanswered write holds its ticket for
        the in-flight grace (3 s here), so this waits on the condition, boundedly."""
        reports = []
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            reports.append(await self.round())
            if self.storage.backlog() == 0:
                return reports
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.agent}: the outbox did not drain")

    async def round(self) -> SyncReport:
        """One sync round, only while this desk holds its store's ticket lease."""
        if not self.lease.acquire():
            return SyncReport()
        return await self.sync.run_once()


async def remote_snapshots(port: CallCenterPort) -> dict[str, list[Snapshot]]:
    """Every cscdesk ticket on the remote, grouped by local id (more than one = a duplicate)."""
    found: dict[str, list[Snapshot]] = {}
    cursor = None
    while True:
        page = await port.list_tickets(updated_since=None, cursor=cursor)
        for remote in page.items:
            snapshot = Snapshot.from_context(remote.context)
            if snapshot is not None:
                found.setdefault(snapshot.local_id, []).append(snapshot)
        cursor = page.next_cursor
        if cursor is None:
            return found
