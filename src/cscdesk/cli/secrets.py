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
    import keyring
    from keyring.errors import KeyringError

    from cscdesk.config import KEYRING_SERVICE

    if sys.stdin.isatty():
        value = click.prompt(f"value for {name}", hide_input=True, confirmation_prompt=True)
    else:
        value = sys.stdin.readline().rstrip("\n")
    if not value:
        raise click.UsageError("an empty secret was given; nothing stored")
    try:
        keyring.set_password(KEYRING_SERVICE, name, value)
    except KeyringError as exc:
        click.echo(f"keyring error: {exc}. Run `cscdesk doctor` for the options.", err=True)
        sys.exit(1)
    click.echo(f"stored secret {name!r} in the {keyring.get_keyring().name} keyring")


@secrets.command("delete")
@click.argument("name")
def secrets_delete(name: str) -> None:
    """Remove secret NAME from the keyring."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    from cscdesk.config import KEYRING_SERVICE

    try:
        keyring.delete_password(KEYRING_SERVICE, name)
    except PasswordDeleteError:
        click.echo(f"secret {name!r} is not in the keyring", err=True)
        sys.exit(1)
    except KeyringError as exc:
        click.echo(f"keyring error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"deleted secret {name!r}")
