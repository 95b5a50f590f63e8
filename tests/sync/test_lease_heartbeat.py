"""A moment of lock contention must not kill a background loop (review finding).

Another process holding the write lock past the busy timeout made the heartbeat's renewal
raise; the round was cancelled while the lease still counted as held, and the CancelledError
escaped ``run_forever`` (a traceback from ``sync --follow``, a dead sync thread in the desk).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from cscdesk.store import open_store
from cscdesk.sync.lease import Lease, holder_id
from cscdesk.sync.worker import RoundResult, run_forever


def _hold_write_lock(path: Path, after: float, seconds: float) -> threading.Thread:
    def hold() -> None:
        time.sleep(after)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    return thread


def test_a_heartbeat_that_meets_a_held_write_lock_keeps_the_round_going(tmp_path: Path) -> None:
    path = tmp_path / "cscdesk.db"
    store = open_store(path, busy_timeout_ms=200)  # the lock outlasts the busy timeout
    lease = Lease(store, "sync.tickets", holder=holder_id(), ttl_seconds=1.5)
    rounds: list[RoundResult] = []
    stop = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(2.0)  # long enough for renewals to meet the lock

    def remember(result: RoundResult) -> None:
        rounds.append(result)
        stop.set()

    blocker = _hold_write_lock(path, after=0.3, seconds=0.45)
    with contextlib.closing(store):
        asyncio.run(run_forever(lease, work, interval_seconds=5, stop=stop, on_round=remember))
        blocker.join()
        assert rounds == [RoundResult(ran=True)]  # the round finished, nothing escaped
        assert store.leases.current("sync.tickets") is None  # and the lease was let go
