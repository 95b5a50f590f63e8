"""``cscdesk sync``: push and pull ticket changes under the shared lease."""

from __future__ import annotations

import sys

import click

from cscdesk.cli.common import call_center, open_sync_store
from cscdesk.cli.root import Context, main, pass_ctx


@main.command("sync")
@click.option("--follow", is_flag=True, help="Keep pushing and pulling until Ctrl-C.")
@pass_ctx
def sync_tickets(ctx: Context, follow: bool) -> None:
    """Push local ticket changes to the call system and pull its changes (one holder at a time)."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from cscdesk.sync.lease import Lease, holder_id
    from cscdesk.sync.storage import SyncStorage
    from cscdesk.sync.tickets import TicketSync, TicketSyncPolicy
    from cscdesk.sync.worker import TICKETS_LEASE, run_forever, run_round
    from cscdesk.wiring import start_daemon_duties as daemon_duties
    from cscdesk.wiring import stop_background

    settings, _paths, store = open_sync_store(ctx)
    port, _instance, stop = call_center(settings)
    lease = Lease(store, TICKETS_LEASE, holder=holder_id(), ttl_seconds=settings.sync.lease_seconds)
    syncer = TicketSync(
        port,
        SyncStorage(store),
        clock=lambda: datetime.now(UTC),
        policy=TicketSyncPolicy(pull_overlap=timedelta(seconds=settings.sync.pull_overlap_seconds)),
    )

    async def work() -> None:
        report = await syncer.run_once()
        click.echo(
            f"pushed {report.pushed}, created {report.created}, pulled {report.pulled}, "
            f"merged {report.merged}, conflicts {report.conflicts}, failed {report.failed}"
        )

    failed = False

    async def run() -> None:
        nonlocal failed
        try:
            if follow:
                await run_forever(
                    lease,
                    work,
                    interval_seconds=settings.sync.interval_seconds,
                    stop=asyncio.Event(),
                )
            else:
                result = await run_round(lease, work)
                if not result.ran:
                    holder = lease.current_holder()
                    who = holder.describe() if holder else "another process"
                    click.echo(f"ticket sync is running in {who}; nothing to do here", err=True)
                elif result.error:
                    click.echo(f"sync failed: {result.error}", err=True)
                    failed = True
                lease.release()
        finally:
            await port.aclose()

    duties = daemon_duties(settings, store) if follow else []
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        click.echo("stopped; unsent changes stay in the outbox")
    finally:
        stop_background(duties)
        stop()
    if failed:
        sys.exit(1)
