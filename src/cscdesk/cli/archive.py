"""``cscdesk archive``: the broker's own five-year copy of CDRs and recordings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cscdesk.cli.common import (
    AS_USER,
    EXIT_REFUSED,
    JSON_OUTPUT,
    alarm,
    ask_secret,
    blob_store,
    call_center,
    is_deployment,
    now,
    open_read_only_store,
    open_sync_store,
    print_json,
    security_services,
    signed_in,
    stop_on_sigterm,
)
from cscdesk.cli.errors import EXIT_ALARM, EXIT_FAILURE, EXIT_LEASE_HELD
from cscdesk.cli.root import Context, main, pass_ctx


@main.group()
def archive() -> None:
    """The broker's own copy of CDRs and recordings: sync, verify, export, import, purge."""


def archive_json(result: Any, *, ran: bool = True, holder: str | None = None,
                 error: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The documented ``archive sync --json`` object (counts zero, lag null when nothing ran)."""
    return {
        "ran": ran,
        "holder": holder,
        "error": error,
        "alarm": bool(result and result.lag.alarm),
        "lag_seconds": result.lag.lag.total_seconds() if result else None,
        "cdr_records": result.cdr.records if result else 0,
        "cdr_windows": result.cdr.windows if result else 0,
        "recordings_stored": result.recordings.stored if result else 0,
        "recordings_restoring": result.recordings.restoring if result else 0,
        "recordings_failed": result.recordings.failed if result else 0,
        "waiting_for_restore": result.waiting_for_restore if result else 0,
        "notes": list(result.cdr.notes) if result else [],
    }


@archive.command("sync")
@click.option("--follow", is_flag=True, help="Keep copying every sync interval until Ctrl-C.")
@click.option("--restore-retry-seconds", type=click.FloatRange(0, 86_400), default=300.0,
              show_default=True,
              help="How long to wait before asking again for audio the call system is restoring "
                   "from its cold archive.")  # fmt: skip
@JSON_OUTPUT
@pass_ctx
def archive_sync(ctx: Context, follow: bool, restore_retry_seconds: float, as_json: bool) -> None:
    """Copy new CDRs and recordings (resumable: safe to interrupt at any point)."""
    import asyncio
    from datetime import timedelta

    from cscdesk.importing.progress import AUTO, reporting
    from cscdesk.sync.runs import archive_sync as run_archive_sync
    from cscdesk.wiring import command_clock

    settings, paths, store = open_sync_store(ctx)
    blobs = blob_store(settings, paths)
    port, instance_id, stop = call_center(settings, paths.data_dir)
    clock = command_clock(settings, paths.data_dir)

    rounds: list[Any] = []  # the last round's alarm decides the exit code

    def show(result) -> None:  # type: ignore[no-untyped-def]
        rounds.append(result)
        if follow:  # one line per round as it ends (no bar: nothing to draw over)
            report(result)

    def report(result) -> None:  # type: ignore[no-untyped-def]
        if as_json and follow:  # one JSON line per round
            print_json(archive_json(result))
        elif not as_json:
            click.echo(
                f"CDRs {result.cdr.records} in {result.cdr.windows} window(s); recordings stored "
                f"{result.recordings.stored}, awaiting restore {result.recordings.restoring}, "
                f"failed {result.recordings.failed}, still queued {result.waiting_for_restore}; "
                f"lag {result.lag.lag}"
            )
        for note in result.cdr.notes:
            click.echo(f"! {note}", err=True)
        if result.lag.alarm:
            alarm(
                f"archive lags {result.lag.lag} (alarm after "
                f"{settings.archive.lag_alarm_days} day(s); the vendor keeps CDRs 180 days)"
            )

    def failed(error: str) -> None:
        click.echo(f"archive sync failed: {error}", err=True)

    if follow:
        stop_on_sigterm()
    run = None
    try:
        # bars on stderr when a person watches a terminal; a one-shot run prints its round
        # after the bar is gone (a line written under a live bar was cut off and left bar
        # debris on the screen), and --follow draws none: its rounds print as they end
        with reporting(None if follow else AUTO) as progress:
            run = asyncio.run(
                run_archive_sync(
                    port,
                    instance_id,
                    store,
                    blobs,
                    settings,
                    follow=follow,
                    restore_retry=timedelta(seconds=restore_retry_seconds),
                    clock=clock,
                    show=show,
                    on_error=failed,
                    progress=progress,
                )
            )
    except KeyboardInterrupt:
        click.echo("stopped; the next run resumes where this one left off", err=as_json)
    finally:
        stop()
    if not follow:
        for result in rounds:
            report(result)
    if run is None or follow:
        return
    last = rounds[-1] if rounds else None
    if as_json:
        print_json(archive_json(last, ran=run.ran, holder=run.holder, error=run.error))
    if not run.ran:
        click.echo(f"the archive is being copied by {run.holder or 'another desk or daemon'}; "
                   "nothing to do here", err=True)  # fmt: skip
        sys.exit(EXIT_LEASE_HELD)
    if run.error:
        failed(run.error)
        sys.exit(EXIT_FAILURE)
    if last is not None and last.lag.alarm:
        sys.exit(EXIT_ALARM)


def archive_status_json(lag: Any, *, alarm_days: int, pending: int,
                        holder: str | None) -> dict[str, Any]:  # fmt: skip
    """The documented ``archive status --json`` object."""
    return {
        "lag_seconds": lag.lag.total_seconds(),
        "alarm": lag.alarm,
        "alarm_days": alarm_days,
        "cdr_watermark": None if lag.cdr_watermark is None else lag.cdr_watermark.isoformat(),
        "oldest_pending_recording": None if lag.oldest_pending_recording is None
        else lag.oldest_pending_recording.isoformat(),
        "pending_recordings": pending,
        "holder": holder,
    }  # fmt: skip


@archive.command("status")
@JSON_OUTPUT
@pass_ctx
def archive_status(ctx: Context, as_json: bool) -> None:
    """How far the archive trails the call system, recordings still to copy, who is copying
    (read-only; exit 4 while the lag is past its alarm, as ``archive sync`` does)."""
    from datetime import UTC, datetime

    from cscdesk.sync.archive import archive_lag
    from cscdesk.sync.lease import live_holder
    from cscdesk.sync.storage import SyncStorage
    from cscdesk.sync.worker import ARCHIVE_LEASE

    settings, store = open_read_only_store(ctx)
    try:
        storage = SyncStorage(store)
        lag = archive_lag(storage, datetime.now(UTC), instance_id=settings.callcenter.instance_id,
                          alarm_days=settings.archive.lag_alarm_days)  # fmt: skip
        pending = storage.pending_recording_count()
        holder = live_holder(store, ARCHIVE_LEASE)
    finally:
        store.close()
    never = " (never synced)" if lag.cdr_watermark is None else ""
    if as_json:
        print_json(archive_status_json(lag, alarm_days=settings.archive.lag_alarm_days,
                                       pending=pending,
                                       holder=None if holder is None else holder.holder))  # fmt: skip
    else:
        click.echo(f"archive lag         {lag.lag}{never}, alarm after "
                   f"{settings.archive.lag_alarm_days} day(s)")  # fmt: skip
        click.echo(f"CDRs copied up to   {lag.cdr_watermark or 'never'}")
        click.echo(f"recordings waiting  {pending} (oldest from "
                   f"{lag.oldest_pending_recording or '-'})")  # fmt: skip
        click.echo(f"copied by           {holder.describe() if holder else 'nobody right now'}")
    if lag.alarm:
        alarm(f"archive lags {lag.lag}{never}")
        sys.exit(EXIT_ALARM)


@archive.command("verify")
@JSON_OUTPUT
@pass_ctx
def archive_verify(ctx: Context, as_json: bool) -> None:
    """Recompute every recording's SHA-256; report missing or corrupt files."""
    from cscdesk.sync.retention_ops import verify_recordings
    from cscdesk.sync.storage import SyncStorage

    settings, paths, store = open_sync_store(ctx)
    report = verify_recordings(SyncStorage(store), blob_store(settings, paths))
    if as_json:
        print_json({"ok": report.ok, "checked": report.checked, "missing": report.missing,
                    "corrupt": report.corrupt, "orphans": report.orphans})  # fmt: skip
    else:
        for contact_id in report.missing:
            click.echo(f"missing  {contact_id}")
        for contact_id in report.corrupt:
            click.echo(f"corrupt  {contact_id}")
        click.echo(
            f"checked {report.checked}: {len(report.missing)} missing, {len(report.corrupt)} "
            f"corrupt, {len(report.orphans)} file(s) without a manifest row"
        )
        if report.re_read is not None:  # a bucket: stored checksums, plus a sample re-read
            click.echo(f"re-read in full: {report.re_read} (the rest by stored checksum)")
    if not report.ok:
        sys.exit(EXIT_FAILURE)


@archive.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what is past its keep-until date.")
@AS_USER
@pass_ctx
def archive_purge(ctx: Context, dry_run: bool, as_user: str | None) -> None:
    """Delete recordings past keep-until (never one on legal hold); every deletion is audited.

    Needs your own account with the purge permission (--as-user; the password is asked)."""
    from datetime import date

    from cscdesk.domain.access import Permission
    from cscdesk.sync.archive_admin import purge_archive

    settings, store, security, user = signed_in(ctx, Permission.PURGE_ARCHIVE, as_user)
    blobs = blob_store(settings, ctx.paths())
    report = purge_archive(store, blobs, security, user.id, today=date.today(), dry_run=dry_run)
    for recording in report.due:
        click.echo(
            f"{'would purge' if dry_run else 'purged'}  {recording.contact_id}  kept until {recording.keep_until}"
        )
    for recording in report.held:
        click.echo(f"legal hold   {recording.contact_id}  kept until {recording.keep_until}")
    click.echo(
        f"{len(report.due)} past keep-until, {len(report.held)} on legal hold"
        + (" (dry run)" if dry_run else "")
    )


@archive.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@AS_USER
@pass_ctx
def archive_export(ctx: Context, directory: Path, as_user: str | None) -> None:
    """Write a portable bundle: JSON Lines per entity, recordings, manifest with SHA-256.

    Needs your own account with the export permission (--as-user; the password is asked)."""
    from cscdesk.domain.access import Permission
    from cscdesk.sync.archive_admin import export_archive
    from cscdesk.sync.bundle import BundleError

    settings, store, security, user = signed_in(ctx, Permission.EXPORT_ARCHIVE, as_user)
    try:
        report = export_archive(store, blob_store(settings, ctx.paths()), security, user.id,
                                directory)  # fmt: skip
    except BundleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"exported {sum(report.entities.values())} rows in {len(report.entities)} entities and "
        f"{report.recordings} recordings to {directory}; personal data is only in members.jsonl"
    )


@archive.command("import")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@AS_USER
@pass_ctx
def archive_import(ctx: Context, directory: Path, as_user: str | None) -> None:
    """Load a bundle into an empty store (checksums are checked before anything is written).

    Nobody can sign in to an empty store, so you sign in (--as-user; the password is asked)
    with your own account from the bundle, which must hold the import permission."""
    from cscdesk.domain.access import Permission
    from cscdesk.security.gate import acting_from_accounts
    from cscdesk.sync.archive_admin import import_archive
    from cscdesk.sync.bundle import BundleError, read_manifest
    from cscdesk.sync.bundle_accounts import bundle_accounts

    settings, store, security = security_services(ctx)
    try:
        accounts = bundle_accounts(directory, read_manifest(directory))
    except BundleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    user = acting_from_accounts(settings, accounts, Permission.IMPORT_ARCHIVE, as_user=as_user,
                                deployment=is_deployment(ctx, settings), ask=ask_secret,
                                write=click.echo, clock=now)  # fmt: skip
    if user is None:
        click.echo("nothing was imported", err=True)
        sys.exit(EXIT_REFUSED)
    try:
        report = import_archive(store, blob_store(settings, ctx.paths()), security, user.id,
                                directory)  # fmt: skip
    except BundleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"imported {sum(report.entities.values())} rows and {report.recordings} recordings")
