"""``cscdesk sync``: push and pull ticket changes under the shared lease."""

from __future__ import annotations

import sys
from typing import Any

import click

from cscdesk.cli.common import (
    JSON_OUTPUT,
    call_center,
    open_sync_store,
    print_json,
    stop_on_sigterm,
)
from cscdesk.cli.errors import EXIT_FAILURE, EXIT_LEASE_HELD
from cscdesk.cli.root import Context, main, pass_ctx

REPORT_KEYS = ("pushed", "created", "adopted", "pulled", "merged", "conflicts", "failed",
               "deferred")  # fmt: skip


def sync_json(report: Any, *, ran: bool = True, holder: str | None = None,
              error: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The documented ``sync --json`` object: the round's counts (zero when nothing ran)."""
    counts = {key: getattr(report, key) if report else 0 for key in REPORT_KEYS}
    return {"ran": ran, "holder": holder, "error": error, **counts,
            "errors": list(report.errors) if report else []}  # fmt: skip


@main.command("sync")
@click.option("--follow", is_flag=True, help="Keep pushing and pulling until Ctrl-C.")
@JSON_OUTPUT
@pass_ctx
def sync_tickets(ctx: Context, follow: bool, as_json: bool) -> None:
    """Push local ticket changes to the call system and pull its changes (one holder at a time)."""
    import asyncio

    from cscdesk.sync.runs import ticket_sync
    from cscdesk.wiring import start_daemon_duties as daemon_duties
    from cscdesk.wiring import stop_background

    settings, paths, store = open_sync_store(ctx)
    port, _instance, stop = call_center(settings, paths.data_dir)

    reports = []  # the last round's report decides the exit code

    def show(report) -> None:  # type: ignore[no-untyped-def]
        reports.append(report)
        if as_json:
            if follow:  # one JSON line per round
                print_json(sync_json(report))
            return
        click.echo(
            f"pushed {report.pushed}, created {report.created}, pulled {report.pulled}, "
            f"merged {report.merged}, conflicts {report.conflicts}, failed {report.failed}"
        )

    if follow:
        stop_on_sigterm()
    duties = daemon_duties(settings, store) if follow else []
    run = None
    try:
        run = asyncio.run(
            ticket_sync(port, store, settings, follow=follow, show=show, on_error=lambda _: None)
        )
    except KeyboardInterrupt:
        click.echo("stopped; unsent changes stay in the outbox", err=as_json)
    finally:
        stop_background(duties)
        stop()
    if run is None or follow:
        return
    last = reports[-1] if reports else None
    if as_json:
        print_json(sync_json(last, ran=run.ran, holder=run.holder, error=run.error))
    if not run.ran:
        click.echo(f"ticket sync is running in {run.holder or 'another process'}; nothing to do here",
                   err=True)  # fmt: skip
        sys.exit(EXIT_LEASE_HELD)
    if run.error:
        click.echo(f"sync failed: {run.error}", err=True)
        sys.exit(EXIT_FAILURE)
    if last is not None and last.failed:
        click.echo(f"sync failed: {last.failed} change(s) not exchanged "
                   f"({'; '.join(last.errors)}); they are retried on the next run",
                   err=True)  # fmt: skip
        sys.exit(EXIT_FAILURE)
