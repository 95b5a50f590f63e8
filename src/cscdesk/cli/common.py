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
    try:
        store = open_secure_store(settings, ctx.paths())
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    return settings, store, build_security(store, settings, now)


AS_USER = click.option(
    "--as-user", default=None, help="Your own admin/auditor account (its password is asked)."
)


def open_store_or_exit(ctx: Context):  # type: ignore[no-untyped-def]
    """The configured store (SQLCipher when configured); exit 2 with a message when it cannot open."""
    from cscdesk.security.commands import open_secure_store

    settings = ctx.settings()
    paths = ctx.paths()
    (settings.store.path or paths.store).parent.mkdir(parents=True, exist_ok=True)
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
    """The configured call system, or for the embedded demo an in-process simulator with six
    hours of history. Returns (port, instance_id, stop)."""
    if settings.callcenter.mode == "aliyun":
        from cscdesk.callcenter.aliyun.adapter import build_aliyun_call_center
        from cscdesk.config import SecretUnavailable, resolve_secret

        try:
            key_id = resolve_secret(
                settings.callcenter.access_key_id, what="callcenter.access_key_id"
            )
            secret = resolve_secret(
                settings.callcenter.access_key_secret, what="callcenter.access_key_secret"
            )
        except SecretUnavailable as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        port = build_aliyun_call_center(
            settings.callcenter, access_key_id=key_id, access_key_secret=secret
        )
        return port, settings.callcenter.instance_id, lambda: None
    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient
    from cscdesk.callcenter.sim.server import start_simulator

    sim = settings.simulator
    handle = start_simulator(
        host=sim.host, port=sim.port, speed=sim.speed, seed=sim.seed, prefill_days=0.25
    )
    client = AliyunRpcClient(
        handle.endpoint, handle.access_key_id, handle.access_key_secret, scheme="http"
    )
    return AliyunCallCenter(client, handle.instance_id), handle.instance_id, handle.stop
