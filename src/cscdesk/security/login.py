"""Signing in to the desk: named users, argon2 passwords, lockout after repeated failures.

等保二级 身份鉴别: unique user ids, password complexity and periodic change, limited failed
attempts, and every attempt audited with its outcome. Messages never tell a stranger whether a
user id exists: an unknown id, a disabled account and a wrong password all read the same, and an
unknown id locks after the same number of failures with the same "locked until" message (its
state kept by ``cscdesk.security.lockout``). Every attempt, locked or not, known id or not, costs
exactly one argon2 verification, so timing does not tell them apart either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from cscdesk.domain.access import (
    LockoutRule,
    LoginState,
    User,
    after_failure,
    after_success,
)
from cscdesk.security.events import AuditAction, AuditWriter
from cscdesk.security.lockout import MemoryUnknownIds, UnknownIdAttempts
from cscdesk.security.passwords import hash_password, needs_rehash, verify_password
from cscdesk.security.reveal import scrub
from cscdesk.store.users import UserRepository

Clock = Callable[[], datetime]


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user id is unknown, so that a miss costs as long as a hit.

    Made on first use, not at import: hashing takes ~0.2 s, which every desk start paid.
    """
    return hash_password("cscdesk-no-such-user-Aa1!")


class LoginFailed(Exception):
    """Wrong user id or password (deliberately not saying which)."""

    def __init__(self, message: str = "wrong user id or password") -> None:
        super().__init__(message)


class AccountLocked(LoginFailed):
    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(
            f"too many failed attempts: the account is locked until {until:%Y-%m-%d %H:%M}"
        )


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    password_expired: bool  # the desk asks for a new password before going on


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    lockout: LockoutRule = field(default_factory=LockoutRule)
    password_max_age: timedelta | None = timedelta(days=90)


class LoginService:
    """Checks credentials against the local user directory and keeps the lockout state."""

    def __init__(
        self,
        users: UserRepository,
        audit: AuditWriter,
        policy: LoginPolicy,
        clock: Clock,
        unknown_ids: UnknownIdAttempts | None = None,
    ) -> None:
        self._users = users
        self._audit = audit
        self._policy = policy
        self._clock = clock
        self._unknown = unknown_ids if unknown_ids is not None else MemoryUnknownIds()

    def login(self, user_id: str, password: str) -> LoginResult:
        """The signed-in user, or LoginFailed / AccountLocked; every attempt is audited."""
        now = self._clock()
        record = self._users.get(user_id)
        state = record.login if record is not None else self._unknown.get(user_id)
        shown = user_id if record is not None else scrub(user_id)  # a mistyped phone or ID
        if state.is_locked(now):
            assert state.locked_until is not None
            verify_password(_dummy_hash(), password)  # the same cost as every other attempt
            self._audit(
                shown,
                AuditAction.LOGIN,
                f"user:{shown}",
                {"reason": "locked" if record is not None else "unknown user, locked"},
                success=False,
            )
            raise AccountLocked(state.locked_until)
        if record is None:
            verify_password(_dummy_hash(), password)
            self._audit(
                shown, AuditAction.LOGIN, f"user:{shown}", {"reason": "unknown user"}, success=False
            )
            self._lock_after(user_id, shown, after_failure(state, now, self._policy.lockout), now,
                             unknown=True)  # fmt: skip
        if not verify_password(record.password_hash, password):
            self._failed(user_id, now)
        if record.user.disabled:
            self._audit(
                user_id, AuditAction.LOGIN, f"user:{user_id}", {"reason": "disabled"}, success=False
            )
            raise LoginFailed()
        self._users.save_login_state(user_id, after_success())
        if needs_rehash(record.password_hash):
            self._users.set_password(user_id, hash_password(password), record.password_changed_at)
        max_age = self._policy.password_max_age
        expired = max_age is not None and now - record.password_changed_at > max_age
        self._audit(
            user_id,
            AuditAction.LOGIN,
            f"user:{user_id}",
            {"role": record.user.role.value, "password_expired": expired},
        )
        return LoginResult(record.user, expired)

    def _failed(self, user_id: str, now: datetime) -> NoReturn:
        record = self._users.require(user_id)
        state = after_failure(record.login, now, self._policy.lockout)
        self._audit(
            user_id,
            AuditAction.LOGIN,
            f"user:{user_id}",
            {"reason": "wrong password"},
            success=False,
        )
        self._lock_after(user_id, user_id, state, now, unknown=False)

    def _lock_after(self, user_id: str, shown: str, state: LoginState, now: datetime, *,
                    unknown: bool) -> NoReturn:  # fmt: skip
        """Save the failure; the same message for a known and an unknown id once locked."""
        if unknown:
            self._unknown.save(user_id, state, now)
        else:
            self._users.save_login_state(user_id, state)
        if state.locked_until is not None and state.is_locked(now):
            detail: dict[str, object] = {
                "until": state.locked_until.isoformat(),
                "attempts": self._policy.lockout.attempts,
            }
            if unknown:
                detail["unknown_user"] = True
            self._audit(shown, AuditAction.ACCOUNT_LOCKED, f"user:{shown}", detail)
            raise AccountLocked(state.locked_until)
        raise LoginFailed()

    def logout(self, user: User, *, reason: str = "user") -> None:
        self._audit(user.id, AuditAction.LOGOUT, f"user:{user.id}", {"reason": reason})
