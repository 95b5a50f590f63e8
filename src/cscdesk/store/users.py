"""The local user directory (用户目录): named logins, their role, password hash and lockout state.

One row per person — there are no shared or default accounts, and a user who leaves is disabled
rather than deleted so that the audit trail keeps naming them. Only hashes are stored (argon2id
strings); the plain password never reaches this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlite_utils import Database

from cscdesk.domain.access import LoginState, Role, User
from cscdesk.store._codec import when

if TYPE_CHECKING:
    from cscdesk.store.db import Store

TABLE = "users"


def create_tables(db: Database) -> None:
    """The migration step for the user directory."""
    db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            insurer_id TEXT,
            ccc_user_id TEXT,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            password_changed_at TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(f"CREATE INDEX IF NOT EXISTS idx_{TABLE}_ccc ON {TABLE}(ccc_user_id)")


class UserExists(ValueError):
    """A second account with the same id: every login belongs to exactly one person."""


class UnknownUser(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as stored: the access ``User`` plus what login needs."""

    user: User
    password_hash: str
    login: LoginState
    password_changed_at: datetime
    created_at: datetime


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _record(row: tuple[object, ...]) -> UserRecord:
    (uid, name, role, insurer, ccc, pw_hash, disabled, failures, locked, changed, created) = row
    return UserRecord(
        user=User(
            id=str(uid),
            name=str(name),
            role=Role(str(role)),
            insurer_id=str(insurer) if insurer else None,
            ccc_user_id=str(ccc) if ccc else None,
            disabled=bool(disabled),
        ),
        password_hash=str(pw_hash),
        login=LoginState(failures=int(str(failures)), locked_until=_time(_opt(locked))),
        password_changed_at=datetime.fromisoformat(str(changed)),
        created_at=datetime.fromisoformat(str(created)),
    )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


_COLUMNS = (
    "id, name, role, insurer_id, ccc_user_id, password_hash, disabled, failures,"
    " locked_until, password_changed_at, created_at"
)


class UserRepository:
    """Typed access to ``users``; every write is one transaction."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, user: User, password_hash: str, now: datetime) -> None:
        with self._store.transaction() as db:
            if db.execute(f"SELECT 1 FROM {TABLE} WHERE id = ?", [user.id]).fetchone():
                raise UserExists(f"user {user.id!r} already exists")
            db.execute(
                f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)",
                [
                    user.id,
                    user.name,
                    user.role.value,
                    user.insurer_id,
                    user.ccc_user_id,
                    password_hash,
                    int(user.disabled),
                    when(now),
                    when(now),
                ],
            )

    def _one(self, where: str, value: str) -> UserRecord | None:
        with self._store.reading() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM {TABLE} WHERE {where} = ? ORDER BY id LIMIT 1", [value]
            ).fetchone()
        return _record(tuple(row)) if row else None

    def get(self, user_id: str) -> UserRecord | None:
        return self._one("id", user_id)

    def require(self, user_id: str) -> UserRecord:
        record = self.get(user_id)
        if record is None:
            raise UnknownUser(f"no user {user_id!r}")
        return record

    def by_ccc_user(self, ccc_user_id: str) -> UserRecord | None:
        return self._one("ccc_user_id", ccc_user_id)

    def all(self) -> list[UserRecord]:
        with self._store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY id").fetchall()
        return [_record(tuple(r)) for r in rows]

    def count(self) -> int:
        with self._store.reading() as db:
            return int(db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])

    def _update(self, user_id: str, assignments: str, values: list[object]) -> None:
        with self._store.transaction() as db:
            cursor = db.execute(
                f"UPDATE {TABLE} SET {assignments} WHERE id = ?", [*values, user_id]
            )
            if cursor.rowcount == 0:
                raise UnknownUser(f"no user {user_id!r}")

    def save_login_state(self, user_id: str, state: LoginState) -> None:
        locked = when(state.locked_until)
        self._update(user_id, "failures = ?, locked_until = ?", [state.failures, locked])

    def set_disabled(self, user_id: str, disabled: bool) -> None:
        self._update(user_id, "disabled = ?", [int(disabled)])

    def set_password(self, user_id: str, password_hash: str, now: datetime) -> None:
        self._update(
            user_id,
            "password_hash = ?, password_changed_at = ?",
            [password_hash, when(now)],
        )
