"""What several command groups share, as far as the command line goes: prompts, options, and
turning a builder's refusal into one printed line and an exit code. Everything is built by the
composition root (``cscdesk.wiring``), as for the desk."""

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
    """(settings, store, security) for the admin and audit commands, built by wiring."""
    from cscdesk.wiring import command_security

    settings = ctx.settings()
    store = open_store_or_exit(ctx)
    return settings, store, command_security(store, settings, now)


JSON_OUTPUT = click.option(
    "--json", "as_json", is_flag=True,
    help="Print one JSON object on stdout for monitoring (keys: README, Exit codes and "
         "machine-readable output); messages stay on stderr, the exit code is the same.",
)  # fmt: skip


def print_json(data: object) -> None:
    """One JSON object on one line of stdout: what a monitoring script parses."""
    import json

    click.echo(json.dumps(data, ensure_ascii=False, default=str))


def alarm(message: str) -> None:
    """``ALARM: message`` on stderr and in the day's log file: one ERROR record (so ``-q``
    still shows it), redacted, and a JSON line like every other record under ``--log-json``."""
    import logging

    logging.getLogger("cscdesk.alarm").error("ALARM: %s", message, extra={"alarm": True})


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


def open_store_or_exit(ctx: Context):  # type: ignore[no-untyped-def]
    """The configured store, opened by wiring; exit 2 with a message when it cannot open."""
    from cscdesk.wiring import WiringError, open_command_store

    try:
        return open_command_store(ctx.settings(), ctx.paths())
    except WiringError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


def stop_on_sigterm() -> None:
    """A service manager's SIGTERM stops a long-running command as Ctrl-C does: the round in
    hand finishes or is cancelled, leases are released, and the exit status is 0."""
    import signal

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def open_read_only_store(ctx: Context):  # type: ignore[no-untyped-def]
    """(settings, store) opened read-only for the monitoring commands (``status``, ``archive
    status``): looking never writes. No store: exit 2; one that will not open: exit 1."""
    from cscdesk.cli.errors import EXIT_FAILURE, EXIT_USAGE
    from cscdesk.wiring import read_only_store

    settings, paths = ctx.settings(), ctx.paths()
    path = settings.store.path or paths.store
    if not settings.store.url and not path.exists():  # a PostgreSQL store has no file here
        click.echo(f"error: no store at {path} (wrong --data-dir or store.path?)", err=True)
        sys.exit(EXIT_USAGE)
    try:
        return settings, read_only_store(path, settings, paths)  # with its key when encrypted
    except Exception as exc:  # a damaged or newer store, a missing key: one line; doctor says more
        # a PostgreSQL store's fault names its URL (password-free) itself; the SQLite path of
        # the data dir is not in use then and would send the person to the wrong place
        where = "the store" if settings.store.url else f"store {path}"
        click.echo(f"error: {where} cannot be opened read-only ({exc}); run `cscdesk doctor`",
                   err=True)  # fmt: skip
        sys.exit(EXIT_FAILURE)


def open_sync_store(ctx: Context):  # type: ignore[no-untyped-def]
    """(settings, paths, store) for the archive and sync commands."""
    return ctx.settings(), ctx.paths(), open_store_or_exit(ctx)


def blob_store(settings, paths):  # type: ignore[no-untyped-def]
    """The recordings' blob store, built by wiring."""
    from cscdesk import wiring

    return wiring.blob_store(settings, paths)


def call_center(settings, data_dir=None):  # type: ignore[no-untyped-def]
    """(port, instance_id, stop) from the composition root; a wiring fault is one line, exit 1.
    ``data_dir``: the demo's running center there is used when there is one."""
    from cscdesk.wiring import WiringError, command_call_center

    try:
        return command_call_center(settings, data_dir)
    except WiringError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
