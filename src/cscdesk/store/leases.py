"""Leases: which process runs a background duty (ticket sync, archive) right now.

Each operation is one SQL statement, so two desks racing for a lease cannot both win: the
upsert only replaces a row that is ours already or has expired.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cscdesk.store.db import Store


@dataclass(frozen=True, slots=True)
class LeaseRow:
    name: str
    holder: str
    expires_at: float  # epoch seconds


class Leases:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def try_acquire(self, name: str, holder: str, ttl: float) -> bool:
        """Take the lease if it is free, expired or already ours; True when we hold it."""
        now = self._clock()
        with self._store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder,"
                " expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
                [name, holder, now + ttl, now],
            )
        return cursor.rowcount == 1

    def take_from(self, name: str, dead_holder: str, holder: str, ttl: float) -> bool:
        """Take the lease from ``dead_holder`` (a process known to have died) if it still has it."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?",
                [holder, self._clock() + ttl, name, dead_holder],
            )
        return cursor.rowcount == 1

    def current(self, name: str) -> LeaseRow | None:
        """The lease row as it stands, expired or not."""
        with self._store.reading() as db:
            row = db.execute(
                "SELECT name, holder, expires_at FROM leases WHERE name = ?", [name]
            ).fetchone()
        return None if row is None else LeaseRow(str(row[0]), str(row[1]), float(row[2]))

    def renew(self, name: str, holder: str, ttl: float) -> bool:
        """Extend our lease; False when another holder has taken it meanwhile."""
        now = self._clock()
        with self._store.transaction() as db:
            cursor = db.execute(
                "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?",
                [now + ttl, name, holder],
            )
        return cursor.rowcount == 1

    def release(self, name: str, holder: str) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])

    def holder(self, name: str) -> str | None:
        """The current, unexpired holder."""
        with self._store.reading() as db:
            row = db.execute(
                "SELECT holder FROM leases WHERE name = ? AND expires_at > ?",
                [name, self._clock()],
            ).fetchone()
        return None if row is None else str(row[0])
