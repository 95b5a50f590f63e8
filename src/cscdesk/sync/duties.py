"""Background duties that need no call-system client (hand-off delivery, webhook delivery).

Same lease, thread and stop behaviour as every other duty (``sync.background``); the work is
an object with ``run_once`` and ``aclose``, built inside the duty's own thread because its HTTP
clients belong to the event loop that made them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.sync.background import BackgroundDuty
from cscdesk.sync.lease import Lease
from cscdesk.sync.worker import run_forever

if TYPE_CHECKING:
    from cscdesk.store import Store


class RoundWork(Protocol):
    async def run_once(self) -> object: ...

    async def aclose(self) -> None: ...


def _no_port() -> CallCenterPort:
    raise RuntimeError("this duty does not use the call system")


class WorkDuty(BackgroundDuty):
    """A duty whose rounds are ``make_work().run_once`` under the lease ``lease_name``."""

    def __init__(self, store: Store, make_work: Callable[[], RoundWork], *, name: str,
                 lease_name: str, interval_seconds: float, lease_seconds: float) -> None:  # fmt: skip
        super().__init__(store, _no_port, interval_seconds=interval_seconds,
                         lease_seconds=lease_seconds)  # fmt: skip
        self._make_work = make_work
        self.name = name
        self.lease_name = lease_name

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        work = self._make_work()
        lease = Lease(self._store, self.lease_name, holder=self.holder,
                      ttl_seconds=self._lease_seconds)  # fmt: skip
        try:
            await run_forever(lease, work.run_once, interval_seconds=self._interval,
                              stop=self._stop, on_round=self._remember)  # fmt: skip
        finally:
            await work.aclose()
