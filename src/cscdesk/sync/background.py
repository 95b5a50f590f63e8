"""Ticket sync inside a desk process: a thread with its own event loop, under the shared lease.

Every desk on a host starts one; only the holder of the ticket-sync lease pushes and pulls, and
when it exits (or dies and its lease lapses) another desk takes over. The thread builds its own
call-system client, because an httpx client belongs to the event loop that created it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.config import SyncSettings
from cscdesk.sync.lease import Lease, holder_id
from cscdesk.sync.storage import SyncStorage
from cscdesk.sync.tickets import TicketSync, TicketSyncPolicy
from cscdesk.sync.worker import TICKETS_LEASE, RoundResult, run_forever

if TYPE_CHECKING:
    from cscdesk.store import Store

log = logging.getLogger(__name__)


class BackgroundTicketSync:
    def __init__(
        self,
        store: Store,
        make_port: Callable[[], CallCenterPort],
        settings: SyncSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._make_port = make_port
        self._settings = settings
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self.holder = holder_id()
        self.last_round: RoundResult | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ticket-sync", daemon=True)
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
        lease = Lease(self._store, TICKETS_LEASE, holder=self.holder,
                      ttl_seconds=self._settings.lease_seconds)  # fmt: skip
        syncer = TicketSync(
            port,
            SyncStorage(self._store),
            clock=self._clock,
            policy=TicketSyncPolicy(
                pull_overlap=timedelta(seconds=self._settings.pull_overlap_seconds)
            ),
        )
        try:
            await run_forever(
                lease,
                syncer.run_once,
                interval_seconds=self._settings.interval_seconds,
                stop=self._stop,
                on_round=self._remember,
            )
        finally:
            await port.aclose()

    def _remember(self, result: RoundResult) -> None:
        self.last_round = result
        if result.error:
            log.warning("ticket sync round failed: %s", result.error)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the current round, release the lease so another desk takes over at once."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout)
