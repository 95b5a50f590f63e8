"""The background loops: ticket sync and archive copy, each run only under its lease.

Every desk process may start a worker; the lease decides which one works. A round that fails
part-way leaves its state (outbox entries, watermarks, recording jobs) for the next round, so
stopping or killing the loop at any point loses nothing. A store fault (the file deleted, the
disk full, damage) is not retried: it stops the loop with a message for the operator. The loop
re-arms after each round finishes, so a slow round never stacks on another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from cscdesk.store.errors import StoreError
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
    """One round of ``work`` if we hold (or can take) the lease.

    The lease's heartbeat goes on while the round works, so a round longer than the lease's
    ttl does not let another process start the same duty beside it; if the lease is lost all
    the same, the round is stopped (its saved state lets the new holder carry on).
    """
    if not lease.acquire():
        log.debug("%s: round skipped, the lease is held by another process", lease.name)
        return RoundResult(ran=False)
    return await _round(lease, work)


async def _round(lease: Lease, work: Callable[[], Awaitable[object]]) -> RoundResult:
    """The round itself, logged with what it did and how long it took (the operations log)."""
    started = time.monotonic()
    round_task = asyncio.ensure_future(work())
    keeper = asyncio.ensure_future(_heartbeat(lease, round_task))
    try:
        await round_task
    except asyncio.CancelledError:
        if lease.held:
            raise  # we are being stopped from outside
        return RoundResult(ran=True, error="lost the lease to another process mid-round")
    except StoreError:
        raise  # the store itself is gone, full or damaged: retrying cannot help, a person must
    except Exception as exc:  # the loop must survive; the next round retries from saved state
        log.exception("background round failed")
        return RoundResult(ran=True, error=f"{type(exc).__name__}: {exc}")
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
    log.info("%s: round done in %.2f s%s", lease.name, time.monotonic() - started,
             _summary(round_task.result()))  # fmt: skip
    return RoundResult(ran=True)


def _summary(outcome: object) -> str:
    """A round's counts for the log line (a report's numeric fields; never its texts, which
    may name a person)."""
    fields = getattr(outcome, "__dataclass_fields__", None)
    if not fields:
        return ""
    counts = [f"{name} {value}" for name in fields
              if isinstance(value := getattr(outcome, name), int) and not isinstance(value, bool)]  # fmt: skip
    return f": {', '.join(counts)}" if counts else ""


async def _heartbeat(lease: Lease, round_task: asyncio.Future[object]) -> None:
    """Renew every third of the ttl. A renewal that fails for a moment (another process holds
    the write lock past the busy timeout) is tried again while the lease still has time left;
    only a lease taken by another process, or one about to run out unrenewed, stops the round."""
    loop = asyncio.get_running_loop()
    renewed_at = loop.time()
    while not round_task.done():
        await asyncio.sleep(lease.ttl / 3)
        try:
            kept = lease.keep()
        except Exception as exc:
            if loop.time() - renewed_at < lease.ttl * 2 / 3:
                log.warning("lease %s heartbeat failed (%s); trying again", lease.name, exc)
                continue
            log.warning("lease %s could not be renewed in time (%s)", lease.name, exc)
            kept = False
        if kept:
            renewed_at = loop.time()
            continue
        lease.held = False  # whoever holds it now, it is not us: the round must stop
        log.warning("lease %s lost mid-round; stopping the round", lease.name)
        round_task.cancel()
        return


async def run_forever(
    lease: Lease,
    work: Callable[[], Awaitable[object]],
    *,
    interval_seconds: float,
    stop: asyncio.Event,
    on_round: Callable[[RoundResult], None] | None = None,
) -> None:
    """Repeat rounds every ``interval_seconds`` until ``stop`` is set; release the lease at the end.

    While it waits for the next round the heartbeat goes on, so an interval longer than the
    lease's ttl never hands the duty to another process between two rounds.
    """
    loop = asyncio.get_running_loop()
    try:
        while not stop.is_set():
            result = await run_round(lease, work)
            if on_round is not None:
                on_round(result)
            next_round = loop.time() + interval_seconds
            while not stop.is_set() and (left := next_round - loop.time()) > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=min(left, lease.ttl / 3))
                if lease.held and not stop.is_set():
                    lease.keep()
    finally:
        try:
            lease.release()
        except StoreError:
            raise
        except Exception as exc:  # it lapses by itself within one ttl
            log.warning(
                "lease %s not released (%s); it lapses within %.0f s", lease.name, exc, lease.ttl
            )
