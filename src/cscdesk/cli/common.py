"""Helpers several command groups share: the store, passwords, the call system, the clock."""

from __future__ import annotations

import sys

import click

from cscdesk.cli.root import EXIT_CONFIG, Context


def now():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.now().astimezone()


def ask_secret(prompt: str) -> str:
    """A password from a hidden prompt, or one line of stdin when piped; never from argv."""
    if sys.stdin.isatty():
        confirm = prompt.startswith("new password")
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm))
    return sys.stdin.readline().rstrip("\n")


def security_services(ctx: Context):  # type: ignore[no-untyped-def]
    """The store and its security services, for the admin and audit commands."""
    from cscdesk.security.commands import build_security, open_secure_store

    settings = ctx.settings()
    _data_dir_for(settings, ctx.paths())
    try:
        store = open_secure_store(settings, ctx.paths())
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    return settings, store, build_security(store, settings, now)


AS_USER = click.option(
    "--as-user", default=None, help="Your own admin/auditor account (its password is asked)."
)


def is_deployment(ctx: Context, settings) -> bool:  # type: ignore[no-untyped-def]
    """A config file is in use (or the call system is a real one): no demo shortcuts."""
    return (
        ctx.config_file is not None
        or ctx.paths().config_file is not None
        or settings.callcenter.mode != "embedded"
    )


def signed_in(ctx: Context, permission, as_user: str | None):  # type: ignore[no-untyped-def]
    """(settings, store, security, user) for a command that reads or moves personal data.

    ``user`` signed in with ``--as-user`` and their password and holds ``permission``; in the
    embedded demo without named users it is the demo operator. Otherwise the refusal is printed
    and the command exits 1 (as ``cscdesk users`` and ``cscdesk audit`` do).
    """
    from cscdesk.security.gate import acting_user

    settings, store, security = security_services(ctx)
    user = acting_user(security, permission, as_user=as_user,
                       deployment=is_deployment(ctx, settings), ask=ask_secret,
                       write=click.echo)  # fmt: skip
    if user is None:
        store.close()
        sys.exit(EXIT_REFUSED)
    return settings, store, security, user


EXIT_REFUSED = 1


def _data_dir_for(settings, paths):  # type: ignore[no-untyped-def]
    """The store's folder, created owner-only (700): it holds the store and the recordings."""
    from cscdesk.store.files import private_dir

    folder = (settings.store.path or paths.store).parent
    private_dir(folder)
    return folder


def open_store_or_exit(ctx: Context):  # type: ignore[no-untyped-def]
    """The configured store (SQLCipher when configured); exit 2 with a message when it cannot open."""
    from cscdesk.security.commands import open_secure_store

    settings = ctx.settings()
    paths = ctx.paths()
    _data_dir_for(settings, paths)
    try:
        return open_secure_store(settings, paths)
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


def open_sync_store(ctx: Context):  # type: ignore[no-untyped-def]
    """(settings, paths, store) for the archive and sync commands."""
    return ctx.settings(), ctx.paths(), open_store_or_exit(ctx)


def blob_store(settings, paths):  # type: ignore[no-untyped-def]
    from cscdesk.sync.blobstore import BlobStore

    return BlobStore(settings.archive.blob_dir or paths.recordings)


def call_center(settings):  # type: ignore[no-untyped-def]
    """(port, instance_id, stop) from the composition root; a wiring fault is one line, exit 1."""
    from cscdesk.wiring import WiringError, command_call_center

    try:
        return command_call_center(settings)
    except WiringError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
