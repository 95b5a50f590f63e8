"""``cscdesk sync``: push and pull ticket changes under the shared lease."""

from __future__ import annotations

import sys

import click

from cscdesk.cli.common import call_center, open_sync_store
from cscdesk.cli.errors import EXIT_FAILURE, EXIT_LEASE_HELD
from cscdesk.cli.root import Context, main, pass_ctx


@main.command("sync")
@click.option("--follow", is_flag=True, help="Keep pushing and pulling until Ctrl-C.")
@pass_ctx
def sync_tickets(ctx: Context, follow: bool) -> None:
    """Push local ticket changes to the call system and pull its changes (one holder at a time)."""
    import asyncio

    from cscdesk.sync.runs import ticket_sync
    from cscdesk.wiring import start_daemon_duties as daemon_duties
    from cscdesk.wiring import stop_background

    settings, _paths, store = open_sync_store(ctx)
    port, _instance, stop = call_center(settings)

    reports = []  # the last round's report decides the exit code

    def show(report) -> None:  # type: ignore[no-untyped-def]
        reports.append(report)
        click.echo(
            f"pushed {report.pushed}, created {report.created}, pulled {report.pulled}, "
            f"merged {report.merged}, conflicts {report.conflicts}, failed {report.failed}"
        )

    duties = daemon_duties(settings, store) if follow else []
    run = None
    try:
        run = asyncio.run(
            ticket_sync(port, store, settings, follow=follow, show=show, on_error=lambda _: None)
        )
    except KeyboardInterrupt:
        click.echo("stopped; unsent changes stay in the outbox")
    finally:
        stop_background(duties)
        stop()
    if run is None or follow:
        return
    if not run.ran:
        click.echo(f"ticket sync is running in {run.holder or 'another process'}; nothing to do here",
                   err=True)  # fmt: skip
        sys.exit(EXIT_LEASE_HELD)
    if run.error:
        click.echo(f"sync failed: {run.error}", err=True)
        sys.exit(EXIT_FAILURE)
    if reports and reports[-1].failed:
        click.echo(f"sync failed: {reports[-1].failed} change(s) not exchanged "
                   f"({'; '.join(reports[-1].errors)}); they are retried on the next run",
                   err=True)  # fmt: skip
        sys.exit(EXIT_FAILURE)
