"""Who runs a command that reads or moves personal data: the archive's export, import and purge,
and the reports with a row per person.

The person signs in with their own account (``--as-user``, password asked; the same sign-in,
lockout and audit as ``cscdesk users`` and ``cscdesk audit``), their role must carry the
permission, and the command writes an audit record naming them. The actor is never a name typed
on the command line.

The embedded demo is the one exception: with no config file and no named user in the store, there
is nobody to sign in as, so the command runs as the demo operator (``demo.operator``) and is still
audited under that name. As soon as the store holds one named account, or a config file is in use
(a deployment), a login is required.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from cscdesk.domain.access import ROLE_PERMISSIONS, Permission, Role, User
from cscdesk.security.commands import Security, acting

DEMO_OPERATOR_ID = "demo.operator"

Write = Callable[[str], None]
AskSecret = Callable[[str], str]


def demo_operator(permission: Permission) -> User:
    """The embedded demo's operator, with a role that carries ``permission``."""
    role = next(r for r in Role if permission in ROLE_PERMISSIONS[r])
    return User(DEMO_OPERATOR_ID, "demo operator", role)


def demo_may_skip_login(security: Security, *, deployment: bool, as_user: str | None) -> bool:
    """True for the embedded demo without named users, when nobody asked to sign in."""
    return not deployment and not as_user and security.directory.is_empty()


def acting_user(
    security: Security,
    permission: Permission,
    *,
    as_user: str | None,
    deployment: bool,
    ask: AskSecret,
    write: Write,
) -> User | None:
    """The signed-in person allowed ``permission``, or None (the refusal already written and,
    for a wrong role, audited)."""
    if demo_may_skip_login(security, deployment=deployment, as_user=as_user):
        return demo_operator(permission)
    return acting(security, as_user, ask, write, permission)


def acting_from_accounts(
    settings: Any,
    accounts: Iterable[Mapping[str, Any]],
    permission: Permission,
    *,
    as_user: str | None,
    deployment: bool,
    ask: AskSecret,
    write: Write,
    clock: Callable[[], datetime],
) -> User | None:
    """Sign in against user rows that are not in the store yet (an export bundle's, for an
    import into an empty store), with the same login service and checks as ``acting_user``.

    The rows go into a throwaway store in a temporary folder, with its own audit head file: the
    sign-in's own audit records stay there, and nothing touches the store being restored until
    the person is allowed. With no account in the rows, outside a deployment, that is the demo
    operator.
    """
    import sqlite3
    import tempfile
    from pathlib import Path

    from cscdesk.security.commands import build_security, configure_audit
    from cscdesk.store import open_store

    with tempfile.TemporaryDirectory(prefix="cscdesk-signin-") as folder:
        scratch = open_store(Path(folder) / "signin.db")
        try:
            configure_audit(scratch, settings)
            scratch.audit.configure(head_file=Path(folder) / "signin.db.audit-head")
            try:
                with scratch.bundle_tables.loading() as loader:
                    for row in accounts:
                        loader.insert("users", row)
            except sqlite3.Error as exc:
                write(f"refused: the accounts to sign in with cannot be read ({exc})")
                return None
            security = build_security(scratch, settings, clock)
            return acting_user(security, permission, as_user=as_user, deployment=deployment,
                               ask=ask, write=write)  # fmt: skip
        finally:
            scratch.close()
