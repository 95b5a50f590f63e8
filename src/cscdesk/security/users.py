"""Managing the user directory: only admins, every change audited (等保二级 访问控制).

Accounts are personal (no shared or default account can be created: the id must name a person
and the first account must be an admin who then creates the others). Leavers are disabled, not
deleted, so the audit trail still names them. Passwords pass the complexity rule and are stored
as argon2id hashes only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cscdesk.domain.access import LoginState, Permission, Role, User, require
from cscdesk.security.events import AuditAction, AuditWriter
from cscdesk.security.passwords import PasswordRule, check_strength, hash_password
from cscdesk.store.users import UserRecord, UserRepository

Clock = Callable[[], datetime]

# Account names that stand for a role or a group rather than a person.
SHARED_NAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "agent",
        "agents",
        "lead",
        "auditor",
        "guest",
        "test",
        "demo",
        "user",
        "shared",
        "public",
        "csc",
        "kefu",
        "system",
    }
)


class InvalidUser(ValueError):
    """The account as described cannot be created; the message says why."""


def check_new_user(user: User) -> None:
    if not user.id or not user.id.strip() or user.id != user.id.strip():
        raise InvalidUser("a user id is needed, without leading or trailing spaces")
    if user.id.lower() in SHARED_NAMES:
        raise InvalidUser(
            f"{user.id!r} names a role, not a person: every account belongs to one named person"
        )
    if not user.name.strip():
        raise InvalidUser("the person's name is needed")
    if user.role is Role.SECONDED_AGENT and not user.insurer_id:
        raise InvalidUser("a seconded agent needs the insurer that seconded them (--insurer)")
    if user.role is not Role.SECONDED_AGENT and user.insurer_id:
        raise InvalidUser("only seconded agents belong to an insurer")


class UserDirectory:
    def __init__(
        self,
        repo: UserRepository,
        audit: AuditWriter,
        clock: Clock,
        rule: PasswordRule | None = None,
    ) -> None:
        self._repo = repo
        self._audit = audit
        self._clock = clock
        self._rule = rule or PasswordRule()

    def is_empty(self) -> bool:
        return self._repo.count() == 0

    def bootstrap_admin(self, user: User, password: str) -> None:
        """The very first account, made before anyone can sign in: must be an admin."""
        if not self.is_empty():
            raise InvalidUser("users exist already: sign in as an admin to add more")
        if user.role is not Role.ADMIN:
            raise InvalidUser("the first account must be an admin (--role admin)")
        self._create(user.id, user, password)

    def add(self, admin: User, user: User, password: str) -> None:
        require(admin, Permission.MANAGE_USERS)
        self._create(admin.id, user, password)

    def _create(self, actor: str, user: User, password: str) -> None:
        check_new_user(user)
        check_strength(password, self._rule)
        self._repo.add(user, hash_password(password), self._clock())
        self._audit(
            actor,
            AuditAction.USER_ADD,
            f"user:{user.id}",
            {"role": user.role.value, "insurer": user.insurer_id or ""},
        )

    def list(self, admin: User) -> list[UserRecord]:
        require(admin, Permission.MANAGE_USERS)
        return self._repo.all()

    def set_disabled(self, admin: User, user_id: str, disabled: bool) -> None:
        require(admin, Permission.MANAGE_USERS)
        if disabled and user_id == admin.id:
            raise InvalidUser("an admin cannot disable their own account")
        self._repo.set_disabled(user_id, disabled)
        action = AuditAction.USER_DISABLE if disabled else AuditAction.USER_ENABLE
        self._audit(admin.id, action, f"user:{user_id}", {})

    def set_password(self, actor: User, user_id: str, password: str) -> None:
        """An admin resets anyone's password; every user may change their own."""
        if actor.id != user_id:
            require(actor, Permission.MANAGE_USERS)
        check_strength(password, self._rule)
        self._repo.set_password(user_id, hash_password(password), self._clock())
        self._audit(actor.id, AuditAction.USER_PASSWORD, f"user:{user_id}", {})

    def unlock(self, admin: User, user_id: str) -> None:
        require(admin, Permission.MANAGE_USERS)
        self._repo.save_login_state(user_id, LoginState())
        self._audit(admin.id, AuditAction.USER_UNLOCK, f"user:{user_id}", {})
