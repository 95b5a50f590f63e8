"""``cscdesk audit``: create the key, verify, export and purge the tamper-evident audit log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cscdesk.cli.common import (
    AS_USER,
    JSON_OUTPUT,
    ask_secret,
    now,
    print_json,
    security_services,
)
from cscdesk.cli.root import Context, main, pass_ctx


@main.group()
def audit() -> None:
    """The tamper-evident audit log: its key, verify the chain, export for auditors, purge."""


@audit.command("init-key")
@pass_ctx
def audit_init_key(ctx: Context) -> None:
    """Create the audit key in the OS keyring (once; an existing key is never replaced)."""
    from cscdesk.security import commands

    sys.exit(commands.audit_init_key(ctx.settings(), click.echo))


def _moment(text: str | None, option: str):  # type: ignore[no-untyped-def]
    from datetime import datetime

    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (2026-03-02) or date-time", param_hint=option
        ) from None
    return value if value.tzinfo else value.astimezone()


@audit.command("verify")
@click.option("--export", "exports", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Also hold the log against the signed head of this export (repeatable).")  # fmt: skip
@AS_USER
@JSON_OUTPUT
@pass_ctx
def audit_verify(ctx: Context, exports: tuple[Path, ...], as_user: str | None,
                 as_json: bool) -> None:  # fmt: skip
    """Recompute the keyed chain and hold it against the signed heads: exit 1 and name every
    wipe, cut tail, rewrite, forged purge anchor and changed, removed or moved record."""
    from cscdesk.security import commands

    def say(line: str) -> None:  # with --json, stdout is the JSON object alone
        click.echo(line, err=as_json)

    _settings, store, security = security_services(ctx)
    sys.exit(commands.audit_verify(store, security, as_user=as_user, ask=ask_secret,
                                   write=say, exports=exports,
                                   report_json=print_json if as_json else None))  # fmt: skip


@audit.command("export")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--from", "start", default=None, help="First moment (2026-03-02 or a date-time).")
@click.option("--to", "end", default=None, help="End moment (excluded).")
@AS_USER
@pass_ctx
def audit_export(ctx: Context, target: Path, start: str | None, end: str | None,
                 as_user: str | None) -> None:  # fmt: skip
    """Write audit records (JSON Lines, with their chain hashes) to TARGET for an auditor."""
    from cscdesk.security import commands

    begin, finish = _moment(start, "--from"), _moment(end, "--to")
    _settings, store, security = security_services(ctx)
    sys.exit(commands.audit_export(store, security, as_user=as_user, target=target, start=begin,
                                   end=finish, ask=ask_secret, write=click.echo))  # fmt: skip


@audit.command("purge")
@AS_USER
@pass_ctx
def audit_purge(ctx: Context, as_user: str | None) -> None:
    """Remove records older than [security] audit_retention_days (never under 183 days)."""
    from cscdesk.security import commands

    settings, store, security = security_services(ctx)
    sys.exit(commands.audit_purge(store, security, as_user=as_user,
                                  retention_days=settings.security.audit_retention_days,
                                  now=now(), ask=ask_secret, write=click.echo))  # fmt: skip
