"""``cscdesk users``: named accounts, for admins."""

from __future__ import annotations

import sys

import click

from cscdesk.cli.common import AS_USER, JSON_OUTPUT, ask_secret, print_json, security_services
from cscdesk.cli.errors import EXIT_FAILURE
from cscdesk.cli.root import Context, main, pass_ctx


@main.group()
def users() -> None:
    """Named user accounts (admins only): add, list, disable, enable, passwd, unlock."""


@users.command("add")
@click.argument("user_id")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", required=True,
              type=click.Choice(["agent", "seconded_agent", "lead", "auditor", "admin",
                                 "business_staff"]))  # fmt: skip
@click.option("--insurer", default=None, help="For seconded agents: the insurer's id.")
@click.option("--ccc-user", default=None, help="The call-system user this login maps to.")
@AS_USER
@pass_ctx
def users_add(ctx: Context, user_id: str, name: str, role: str, insurer: str | None,
              ccc_user: str | None, as_user: str | None) -> None:  # fmt: skip
    """Create USER_ID; the very first account must be an admin and needs no --as-user."""
    from cscdesk.domain.access import Role, User
    from cscdesk.security import commands

    _settings, _store, security = security_services(ctx)
    user = User(user_id, name, Role(role), insurer_id=insurer, ccc_user_id=ccc_user)
    sys.exit(commands.users_add(security, as_user=as_user, user=user, ask=ask_secret,
                                write=click.echo))  # fmt: skip


@users.command("list")
@AS_USER
@JSON_OUTPUT
@pass_ctx
def users_list(ctx: Context, as_user: str | None, as_json: bool) -> None:
    """Every account with its role, insurer, state and last password change."""
    from cscdesk.domain.access import Permission
    from cscdesk.security import commands

    _settings, _store, security = security_services(ctx)
    if not as_json:
        sys.exit(commands.users_list(security, as_user=as_user, ask=ask_secret, write=click.echo))
    admin = commands.acting(security, as_user, ask_secret, lambda line: click.echo(line, err=True),
                            Permission.MANAGE_USERS)  # fmt: skip
    if admin is None:
        sys.exit(EXIT_FAILURE)
    print_json({"users": [_user_json(record) for record in security.directory.list(admin)]})


def _user_json(record) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The documented ``users list --json`` keys for one account (no password material)."""
    from datetime import datetime

    user = record.user
    locked = record.login.is_locked(datetime.now().astimezone())
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role.value,
        "insurer": user.insurer_id,
        "ccc_user": user.ccc_user_id,
        "state": "disabled" if user.disabled else ("locked" if locked else "active"),
        "password_changed_at": record.password_changed_at.isoformat(),
    }


_USER_CHANGES = {
    "disable": "Disable USER_ID (leavers are disabled, never deleted: the audit names them).",
    "enable": "Enable USER_ID again.",
    "passwd": "Set USER_ID's password (an admin, or the user themself with --as-user USER_ID).",
    "unlock": "Lift the lockout of USER_ID after too many failed logins.",
}


def _user_change(change: str):  # type: ignore[no-untyped-def]
    @users.command(change, help=_USER_CHANGES[change])
    @click.argument("user_id")
    @AS_USER
    @pass_ctx
    def command(ctx: Context, user_id: str, as_user: str | None) -> None:
        from cscdesk.security import commands

        _settings, _store, security = security_services(ctx)
        sys.exit(commands.users_change(security, as_user=as_user, user_id=user_id, change=change,
                                       ask=ask_secret, write=click.echo))  # fmt: skip

    return command


for _change in _USER_CHANGES:
    _user_change(_change)
