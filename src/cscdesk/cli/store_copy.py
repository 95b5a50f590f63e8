"""``cscdesk store copy --to LOCATION``: move a center's store (SQLite → PostgreSQL or back),
and its recordings into a bucket with ``--recordings-to``. Stop every desk and daemon first."""

from __future__ import annotations

import shutil
import sys

import click

from cscdesk.cli.common import blob_store, open_store_or_exit
from cscdesk.cli.errors import EXIT_FAILURE
from cscdesk.cli.root import Context, main, pass_ctx


@main.group("store")
def store_group() -> None:
    """The store itself: moving it to another database."""


@store_group.command("copy")
@click.option(
    "--to",
    "target_location",
    required=True,
    help="postgresql://user@host/db, or a SQLite file path: an empty store.",
)
@click.option(
    "--password-secret",
    default=None,
    help="Keyring name of the target database's password (cscdesk secrets set NAME).",
)
@click.option(
    "--recordings-to",
    default=None,
    help="s3://bucket/prefix: copy the recordings there too ([archive] s3_* keys).",
)
@click.option(
    "--batch",
    default=20_000,  # store.copying.DEFAULT_BATCH (not imported: the CLI starts without it)
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Rows committed together with the note of how far the copy got.",
)
@pass_ctx
def store_copy(ctx: Context, target_location: str, password_secret: str | None,
               recordings_to: str | None, batch: int) -> None:  # fmt: skip
    """Copy every table into an empty store and compare counts and checksums (resumable)."""
    from cscdesk.config import SecretUnavailable, resolve_secret
    from cscdesk.importing.progress import AUTO, reporting
    from cscdesk.store import StoreError, open_location
    from cscdesk.store.copying import TargetNotEmpty, copy_store

    settings, paths = ctx.settings(), ctx.paths()
    source = open_store_or_exit(ctx)
    options = {}
    if password_secret:
        try:
            options["password"] = resolve_secret(
                f"keyring:{password_secret}", what="--password-secret"
            )
        except SecretUnavailable as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_FAILURE)
    try:
        target = open_location(target_location, **options)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    try:
        with reporting(AUTO) as show:  # a bar per table on stderr when it is a terminal
            report = copy_store(source, target, batch=batch,
                                progress=lambda table, rows: show(table, rows, None))  # fmt: skip
    except TargetNotEmpty as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    finally:
        target.close()
    if report.resumed:
        click.echo("resumed an unfinished copy")
    for check in report.checks:
        verdict = "ok" if check.ok else "DIFFERENT"
        click.echo(
            f"{check.table:<28} {check.source_rows:>10} → {check.target_rows:>10}  {verdict}"
        )
    if source.audit.head_file.exists() and not target.audit.head_file.exists():
        target.audit.head_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(source.audit.head_file, target.audit.head_file)  # the chain's signed heads
        click.echo(f"audit heads copied to {target.audit.head_file}")
    ok = report.ok
    if recordings_to:
        ok = _copy_recordings(settings, paths, source, recordings_to) and ok
    source.close()
    click.echo("copy complete: counts and checksums match" if ok else "copy NOT complete")
    if not ok:
        sys.exit(EXIT_FAILURE)


def _copy_recordings(settings, paths, source, bucket: str) -> bool:  # type: ignore[no-untyped-def]
    from cscdesk.sync.blob_copy import copy_recordings

    target_settings = settings.model_copy(
        update={"archive": settings.archive.model_copy(update={"recordings": bucket})}
    )
    hashes = sorted({r.sha256 for r in source.recordings.list()})
    report = copy_recordings(
        hashes, blob_store(settings, paths), blob_store(target_settings, paths),
        paths.data_dir / "recordings-spool",
    )  # fmt: skip
    click.echo(f"recordings: {report.copied} copied, {report.present} already there,"
               f" {len(report.missing)} missing, {len(report.mismatched)} changed")  # fmt: skip
    return report.ok
