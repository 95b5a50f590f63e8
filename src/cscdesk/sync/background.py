"""Background duties inside a desk or daemon process: a thread with its own loop, under a lease.

Every desk on a host starts each duty (ticket sync, wallboard snapshots); only the holder of the
duty's lease does the work, and when it exits (or dies and its lease lapses) another process
takes over. The thread builds its own call-system client, because an httpx client belongs to
the event loop that created it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.config import SyncSettings
from cscdesk.domain.models import Agent
from cscdesk.store.wallboard import WallboardSnapshots
from cscdesk.sync.lease import Lease, holder_id
from cscdesk.sync.storage import SyncStorage
from cscdesk.sync.tickets import TicketSync, TicketSyncPolicy
from cscdesk.sync.wallboard import poll_snapshot, record_snapshot
from cscdesk.sync.worker import TICKETS_LEASE, RoundResult, run_forever

SNAPSHOTS_LEASE = "wallboard.snapshots"
# Five weeks covers the staffing forecast's four and a week of replay.
SNAPSHOT_KEEP = timedelta(days=35)
PURGE_EVERY = timedelta(hours=1)

if TYPE_CHECKING:
    from cscdesk.store import Store

log = logging.getLogger(__name__)


class BackgroundDuty:
    """One duty (ticket sync, wallboard snapshots…) in a thread with its own event loop.

    Every desk and the daemon start each duty; the lease lets exactly one process do the work,
    and when it exits (or dies and its lease lapses) another takes over.
    """

    name = "duty"
    lease_name = ""

    def __init__(self, store: Store, make_port: Callable[[], CallCenterPort], *,
                 interval_seconds: float, lease_seconds: float) -> None:  # fmt: skip
        self._store = store
        self._make_port = make_port
        self._interval = interval_seconds
        self._lease_seconds = lease_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self.holder = holder_id()
        self.last_round: RoundResult | None = None

    def work(self, port: CallCenterPort) -> Callable[[], Awaitable[object]]:
        """One round of the duty over this thread's own call-system client."""
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        port = self._make_port()
        lease = Lease(self._store, self.lease_name, holder=self.holder,
                      ttl_seconds=self._lease_seconds)  # fmt: skip
        try:
            await run_forever(lease, self.work(port), interval_seconds=self._interval,
                              stop=self._stop, on_round=self._remember)  # fmt: skip
        finally:
            await port.aclose()

    def _remember(self, result: RoundResult) -> None:
        self.last_round = result
        if result.error:
            log.warning("%s round failed: %s", self.name, result.error)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the current round, release the lease so another process takes over at once."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout)


class BackgroundTicketSync(BackgroundDuty):
    name = "ticket-sync"
    lease_name = TICKETS_LEASE

    def __init__(
        self,
        store: Store,
        make_port: Callable[[], CallCenterPort],
        settings: SyncSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(store, make_port, interval_seconds=settings.interval_seconds,
                         lease_seconds=settings.lease_seconds)  # fmt: skip
        self._settings = settings
        self._clock = clock

    def work(self, port: CallCenterPort) -> Callable[[], Awaitable[object]]:
        syncer = TicketSync(
            port,
            SyncStorage(self._store),
            clock=self._clock,
            policy=TicketSyncPolicy(
                pull_overlap=timedelta(seconds=self._settings.pull_overlap_seconds)
            ),
        )
        return syncer.run_once


class BackgroundSnapshots(BackgroundDuty):
    """Wallboard snapshots for the intraday history, replay and the occupancy report."""

    name = "wallboard-snapshots"
    lease_name = SNAPSHOTS_LEASE

    def __init__(self, store: Store, make_port: Callable[[], CallCenterPort], *,
                 roster: Mapping[str, Agent], interval_seconds: float, lease_seconds: float,
                 clock: Callable[[], datetime]) -> None:  # fmt: skip
        super().__init__(store, make_port, interval_seconds=interval_seconds,
                         lease_seconds=lease_seconds)  # fmt: skip
        self._roster = roster
        self._clock = clock

    def work(self, port: CallCenterPort) -> Callable[[], Awaitable[object]]:
        repository = WallboardSnapshots(self._store)
        purged: list[datetime] = []

        async def once() -> None:
            now = self._clock()
            snapshot = await poll_snapshot(port, now, self._roster)
            await asyncio.to_thread(record_snapshot, repository, snapshot)
            if not purged or now - purged[-1] >= PURGE_EVERY:  # the table grows by one row a round
                await asyncio.to_thread(repository.purge_before, now - SNAPSHOT_KEEP)
                purged.append(now)

        return once
