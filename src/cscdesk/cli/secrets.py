"""``cscdesk secrets``: secrets live only in the OS keyring."""

from __future__ import annotations

import sys

import click

from cscdesk.cli.root import main


@main.group()
def secrets() -> None:
    """Manage secrets in the OS keyring (never in a file)."""


@secrets.command("set")
@click.argument("name")
def secrets_set(name: str) -> None:
    """Store secret NAME in the keyring; the value is read from a hidden prompt or stdin."""
    from keyring.errors import KeyringError

    from cscdesk.security.keyring_secrets import store_secret

    if sys.stdin.isatty():
        value = click.prompt(f"value for {name}", hide_input=True, confirmation_prompt=True)
    else:
        value = sys.stdin.readline().rstrip("\n")
    if not value:
        raise click.UsageError("an empty secret was given; nothing stored")
    try:
        backend = store_secret(name, value)
    except KeyringError as exc:
        click.echo(f"keyring error: {exc}. Run `cscdesk doctor` for the options.", err=True)
        sys.exit(1)
    click.echo(f"stored secret {name!r} in the {backend} keyring")


@secrets.command("delete")
@click.argument("name")
def secrets_delete(name: str) -> None:
    """Remove secret NAME from the keyring."""
    from keyring.errors import KeyringError

    from cscdesk.security.keyring_secrets import delete_secret

    try:
        deleted = delete_secret(name)
    except KeyringError as exc:
        click.echo(f"keyring error: {exc}", err=True)
        sys.exit(1)
    if not deleted:
        click.echo(f"secret {name!r} is not in the keyring", err=True)
        sys.exit(1)
    click.echo(f"deleted secret {name!r}")
