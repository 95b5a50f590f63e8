"""``cscdesk events serve``: receive the call system's pushed events (webhook) and archive the
CDR and recording each ``CDRReady`` / ``RecordingReady`` names within seconds. Polling
(``cscdesk archive sync``) stays the backstop. See ``cscdesk.sync.events`` for why the webhook
URL carries a shared token (the vendor documents no webhook signature). The copying runs under
the archive lease, like ``archive sync``, so the two never download side by side."""

from __future__ import annotations

import sys

import click

from cscdesk.cli.common import blob_store, call_center, open_sync_store, stop_on_sigterm
from cscdesk.cli.errors import EXIT_FAILURE, EXIT_USAGE
from cscdesk.cli.root import Context, main, pass_ctx


@main.group()
def events() -> None:
    """Pushed call-system events: the webhook receiver."""


@events.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8470, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--token-secret",
    default="ccc-webhook-token",
    show_default=True,
    help="Keyring name of the shared token the webhook URL carries.",
)
@click.option(
    "--subscribe",
    "public_url",
    default=None,
    help="Base URL the call system reaches us at (https://...); subscribe it with "
    "UpdateSubscription before serving.",
)
@pass_ctx
def events_serve(
    ctx: Context, host: str, port: int, token_secret: str, public_url: str | None
) -> None:
    """Serve POST /ccc/events?token=... until Ctrl-C; every event is stored once."""
    import asyncio
    from datetime import UTC, datetime

    import uvicorn

    from cscdesk.config import SECRET_PREFIX, SecretUnavailable, resolve_secret
    from cscdesk.store.events import CallEvents
    from cscdesk.sync.events import (
        PATH,
        SUBSCRIBED_EVENTS,
        EventArchiver,
        build_receiver,
        subscription_url,
    )
    from cscdesk.sync.lease import Lease, holder_id
    from cscdesk.sync.storage import SyncStorage
    from cscdesk.sync.worker import ARCHIVE_LEASE

    try:
        token = resolve_secret(SECRET_PREFIX + token_secret, what="webhook token")
    except SecretUnavailable as exc:  # configuration: `cscdesk secrets set` fixes it
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    settings, paths, store = open_sync_store(ctx)
    cc, _instance_id, stop = call_center(settings, paths.data_dir)

    def clock() -> datetime:
        return datetime.now(UTC)

    calls = CallEvents(store)
    lease = Lease(store, ARCHIVE_LEASE, holder=holder_id(), ttl_seconds=settings.sync.lease_seconds)
    archiver = EventArchiver(
        cc, SyncStorage(store), blob_store(settings, paths), calls,
        settings=settings.archive, clock=clock, lease=lease,
    )  # fmt: skip
    app = build_receiver(calls, token, archiver=archiver, clock=clock)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))

    async def run() -> None:
        if public_url:
            subscribe = getattr(cc, "update_subscription", None)
            if subscribe is None:
                click.echo("error: this call system cannot subscribe a webhook", err=True)
                sys.exit(EXIT_USAGE)
            await subscribe(subscription_url(public_url, token), SUBSCRIBED_EVENTS)
            click.echo(
                f"subscribed {public_url.rstrip('/')}{PATH} to {len(SUBSCRIBED_EVENTS)} events"
            )
        left = await archiver.drain()  # events a previous run stored but did not finish
        if left:
            click.echo(f"finished {left} stored event(s) left by a previous run")
        holder = lease.current_holder()
        if holder is not None and holder.holder != lease.holder:
            click.echo(
                f"the archive lease is held by {holder.describe()}: events are stored and "
                "copied when it is free (that process's polling copies the same calls)"
            )
        click.echo(f"receiving events on http://{host}:{port}{PATH} (Ctrl-C stops)")
        await server.serve()

    stop_on_sigterm()  # uvicorn re-raises the SIGTERM it caught once it has shut down
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:  # uvicorn exits 1 when it cannot listen (it logged why)
        if exc.code in (0, None) or server.started:
            raise
        click.echo(f"error: cannot listen on {host}:{port} (in use, or not an address here)",
                   err=True)  # fmt: skip
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # the boundary: one line, no traceback
        click.echo(f"error: events receiver stopped: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    finally:
        lease.release()
        stop()
        store.close()
