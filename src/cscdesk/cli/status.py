"""``cscdesk status``: what monitoring polls, in one cheap read-only look at the store.

Archive lag, ticket outbox backlog, conflicts and who holds each background lease: the same
figures ``doctor`` checks, without the slow probes, so a cron job or a monitoring agent can run
it every minute. The store is opened read-only: looking never writes.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from cscdesk.cli.common import JSON_OUTPUT, alarm, open_read_only_store, print_json
from cscdesk.cli.errors import EXIT_ALARM
from cscdesk.cli.root import Context, main, pass_ctx

if TYPE_CHECKING:
    from cscdesk.sync.lease import HolderInfo


def status_json(status: Any, alarm_days: int) -> dict[str, Any]:
    """The documented ``status --json`` object."""
    lag = status.archive
    return {
        "archive": {
            "lag_seconds": lag.lag.total_seconds(),
            "alarm": lag.alarm,
            "alarm_days": alarm_days,
            "cdr_watermark": _iso(lag.cdr_watermark),
            "oldest_pending_recording": _iso(lag.oldest_pending_recording),
        },
        "outbox_backlog": status.outbox_backlog,
        "conflicts": status.conflicts,
        "leases": {"tickets": _raw(status.tickets_holder), "archive": _raw(status.archive_holder)},
    }


def _raw(holder: HolderInfo | None) -> str | None:
    """The lease row's holder as stored (``host:pid:tag``): the documented JSON value."""
    return None if holder is None else holder.holder


def _who(holder: HolderInfo | None) -> str:
    """The holder as ``sync`` words it when it finds the lease taken."""
    return "nobody" if holder is None else holder.describe()


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@main.command("status")
@JSON_OUTPUT
@pass_ctx
def status(ctx: Context, as_json: bool) -> None:
    """Archive lag, ticket backlog, conflicts and lease holders (read-only; exit 4 on alarm)."""
    from cscdesk.sync.service import sync_status

    settings, store = open_read_only_store(ctx)
    try:
        now = sync_status(store, settings, datetime.now(UTC))
    finally:
        store.close()
    alarm_days = settings.archive.lag_alarm_days
    lag = now.archive
    never = " (never synced)" if lag.cdr_watermark is None else ""
    if as_json:
        print_json(status_json(now, alarm_days))
    else:
        click.echo(f"archive lag     {lag.lag}{never}, alarm after {alarm_days} day(s)")
        click.echo(f"ticket outbox   {now.outbox_backlog} change(s) waiting, "
                   f"{now.conflicts} ticket(s) in conflict")  # fmt: skip
        click.echo(f"tickets lease   {_who(now.tickets_holder)}")
        click.echo(f"archive lease   {_who(now.archive_holder)}")
    if lag.alarm:
        alarm(f"archive lags {lag.lag}{never}")
        sys.exit(EXIT_ALARM)
