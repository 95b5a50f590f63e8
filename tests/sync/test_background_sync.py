"""A desk's own sync thread carries its tickets to the call system, one desk at a time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from cscdesk.config import SyncSettings
from cscdesk.domain.models import SyncState
from cscdesk.sync.background import BackgroundTicketSync
from cscdesk.sync.worker import TICKETS_LEASE

from .conftest import make_port
from .desks import Desk, remote_snapshots

FAST = SyncSettings(interval_seconds=0.2, lease_seconds=5)


def _wait_until(condition: Any, *, attempts: int = 150) -> bool:
    for _ in range(attempts):
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_two_desks_one_syncer_and_the_ticket_reaches_the_call_system(
    sim: Any, store_path: Path
) -> None:
    desk = Desk(store_path, make_port(sim), "agent001@ccc-demo")
    ticket = desk.create("理赔进度查询")
    first = BackgroundTicketSync(desk.store, lambda: make_port(sim), FAST)
    second = BackgroundTicketSync(desk.store, lambda: make_port(sim), FAST)
    first.start()
    second.start()
    try:
        assert _wait_until(lambda: desk.get(ticket.id).sync_state is SyncState.SYNCED)

        def ran() -> list[BackgroundTicketSync]:
            return [s for s in (first, second) if s.last_round is not None and s.last_round.ran]

        assert _wait_until(lambda: len(ran()) >= 1)
        assert desk.store.leases.holder(TICKETS_LEASE) in {first.holder, second.holder}
        assert len(ran()) == 1  # the other desk waits: exactly one process syncs
    finally:
        first.stop()
        second.stop()
    remote = asyncio.run(remote_snapshots(make_port(sim)))
    assert ticket.id in remote
    assert desk.store.leases.holder(TICKETS_LEASE) is None  # released on exit: others take over
