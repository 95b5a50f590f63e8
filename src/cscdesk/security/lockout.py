"""Lockout state for user ids that do not exist, so that they lock exactly like real ones.

Without it, "account locked" appears only for ids that exist, and five wrong passwords tell a
stranger which ids are real. The typed id is kept only as its SHA-256 (a mistyped field may hold
a phone or ID number); rows untouched for a day are dropped as new ones are written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Protocol

from cscdesk.domain.access import LoginState

STALE_AFTER = timedelta(days=1)


def _id_hash(user_id: str) -> str:
    return hashlib.sha256(("cscdesk-login-id\n" + user_id).encode("utf-8")).hexdigest()


class UnknownIdAttempts(Protocol):
    def get(self, user_id: str) -> LoginState: ...

    def save(self, user_id: str, state: LoginState, now: datetime) -> None: ...


class MemoryUnknownIds:
    """In one process only: for a login service built without a store (tests, tools)."""

    def __init__(self) -> None:
        self._states: dict[str, LoginState] = {}

    def get(self, user_id: str) -> LoginState:
        return self._states.get(_id_hash(user_id), LoginState())

    def save(self, user_id: str, state: LoginState, now: datetime) -> None:
        self._states[_id_hash(user_id)] = state


class StoreUnknownIds:
    """In the store (table ``login_unknown_ids``, migration 7): shared by every process."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def get(self, user_id: str) -> LoginState:
        found = self._store.login_ids.get(_id_hash(user_id))
        if found is None:
            return LoginState()
        failures, locked_until = found
        return LoginState(failures=failures, locked_until=locked_until)

    def save(self, user_id: str, state: LoginState, now: datetime) -> None:
        self._store.login_ids.save(
            _id_hash(user_id), state.failures, state.locked_until, now,
            drop_untouched_before=now - STALE_AFTER,
        )  # fmt: skip
