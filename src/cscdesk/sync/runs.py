"""The ``archive sync`` and ``sync`` use cases: one run (or a ``--follow`` loop) under the lease.

Commands used to write this loop themselves; here it is written once, for any entry point. A run
returns what happened (``LeasedRun``) and hands each round's report to ``show``; it never
prints, so the command chooses the words and the exit code. The run owns the port it is given
and closes it when it ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cscdesk.config import Settings
from cscdesk.sync.lease import Lease, holder_id
from cscdesk.sync.service import ArchiveRound, archive_round
from cscdesk.sync.storage import SyncStorage
from cscdesk.sync.tickets import SyncReport, TicketSync, TicketSyncPolicy
from cscdesk.sync.worker import (
    ARCHIVE_LEASE,
    TICKETS_LEASE,
    RoundResult,
    run_forever,
    run_round,
)


@dataclass(frozen=True)
class LeasedRun:
    """What a run did: ``ran`` is False when another process held the lease (``holder`` says
    who, when known); ``failed`` when a round ended in an error (the last one in ``error``)."""

    ran: bool
    failed: bool = False
    error: str | None = None
    holder: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


async def _run(
    lease: Lease,
    work: Callable[[], Awaitable[object]],
    port: Any,
    *,
    follow: bool,
    interval_seconds: float,
    on_error: Callable[[str], None],
) -> LeasedRun:
    """One round (lease released after it) or rounds until cancelled; the port closed at the end."""
    errors: list[str] = []

    def failed(result: RoundResult) -> None:
        if result.error:
            errors.append(result.error)
            on_error(result.error)

    try:
        if follow:
            await run_forever(
                lease,
                work,
                interval_seconds=interval_seconds,
                stop=asyncio.Event(),
                on_round=failed,
            )
            return LeasedRun(ran=True, failed=bool(errors), error=errors[-1] if errors else None)
        result = await run_round(lease, work)
        holder = None
        if not result.ran:
            current = lease.current_holder()
            holder = current.describe() if current else None
        lease.release()
        return LeasedRun(
            ran=result.ran, failed=bool(result.error), error=result.error, holder=holder
        )
    finally:
        await port.aclose()


async def archive_sync(
    port: Any,
    instance_id: str,
    store: Any,
    blobs: Any,
    settings: Settings,
    *,
    follow: bool,
    restore_retry: timedelta,
    show: Callable[[ArchiveRound], None],
    on_error: Callable[[str], None],
    progress: Callable[[str, int, int | None], None] | None = None,
    clock: Callable[[], datetime] = _now,
) -> LeasedRun:
    """Copy new CDRs and recordings under the archive lease; each round's result to ``show``,
    each failed round's reason to ``on_error`` (as it happens, so ``--follow`` reports it),
    how far a round is to ``progress``; ``clock`` is the call system's time."""
    lease = Lease(store, ARCHIVE_LEASE, holder=holder_id(), ttl_seconds=settings.sync.lease_seconds)

    async def once() -> None:
        show(
            await archive_round(
                port,
                SyncStorage(store),
                blobs,
                instance_id=instance_id,
                settings=settings.archive,
                clock=clock,
                heartbeat=lease.keep,
                restore_retry=restore_retry,
                progress=progress,
            )
        )

    return await _run(
        lease,
        once,
        port,
        follow=follow,
        interval_seconds=settings.sync.interval_seconds,
        on_error=on_error,
    )


async def ticket_sync(
    port: Any,
    store: Any,
    settings: Settings,
    *,
    follow: bool,
    show: Callable[[SyncReport], None],
    on_error: Callable[[str], None],
) -> LeasedRun:
    """Push local ticket changes and pull the call system's under the tickets lease."""
    lease = Lease(store, TICKETS_LEASE, holder=holder_id(), ttl_seconds=settings.sync.lease_seconds)
    overlap = timedelta(seconds=settings.sync.pull_overlap_seconds)
    syncer = TicketSync(
        port, SyncStorage(store), clock=_now, policy=TicketSyncPolicy(pull_overlap=overlap)
    )

    async def once() -> None:
        show(await syncer.run_once())

    return await _run(
        lease,
        once,
        port,
        follow=follow,
        interval_seconds=settings.sync.interval_seconds,
        on_error=on_error,
    )
