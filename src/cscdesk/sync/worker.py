"""The background loops: ticket sync and archive copy, each run only under its lease.

Every desk process may start a worker; the lease decides which one works. A round that fails
part-way leaves its state (outbox entries, watermarks, recording jobs) for the next round, so
stopping or killing the loop at any point loses nothing. The loop re-arms after each round
finishes, so a slow round never stacks on another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from cscdesk.sync.lease import Lease

log = logging.getLogger(__name__)

T = TypeVar("T")

TICKETS_LEASE = "sync.tickets"
ARCHIVE_LEASE = "sync.archive"


@dataclass(slots=True)
class RoundResult:
    ran: bool  # False when another process holds the lease
    error: str | None = None


async def run_round(lease: Lease, work: Callable[[], Awaitable[object]]) -> RoundResult:
    """One round of ``work`` if we hold (or can take) the lease."""
    if not lease.acquire():
        return RoundResult(ran=False)
    try:
        await work()
    except Exception as exc:  # the loop must survive; the next round retries from saved state
        log.exception("background round failed")
        return RoundResult(ran=True, error=f"{type(exc).__name__}: {exc}")
    return RoundResult(ran=True)


async def run_forever(
    lease: Lease,
    work: Callable[[], Awaitable[object]],
    *,
    interval_seconds: float,
    stop: asyncio.Event,
    on_round: Callable[[RoundResult], None] | None = None,
) -> None:
    """Repeat rounds every ``interval_seconds`` until ``stop`` is set; release the lease at the end."""
    try:
        while not stop.is_set():
            result = await run_round(lease, work)
            if on_round is not None:
                on_round(result)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
    finally:
        lease.release()
