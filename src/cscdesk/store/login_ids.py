"""Failed-login state of user ids that do not exist, kept only as a hash of the typed id.

Shared by every process, so that an unknown id locks exactly like a real one wherever the
attempts come from (``security.lockout``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cscdesk.store._codec import moment, when

if TYPE_CHECKING:
    from cscdesk.store.db import Store


class UnknownLoginIds:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, id_hash: str) -> tuple[int, datetime | None] | None:
        """(failures, locked_until) for the hashed id, or None when it has no record."""
        with self._store.reading() as db:
            row = db.execute(
                "SELECT failures, locked_until FROM login_unknown_ids WHERE id_hash = ?",
                [id_hash],
            ).fetchone()
        return None if row is None else (int(row[0]), moment(row[1]))

    def save(
        self,
        id_hash: str,
        failures: int,
        locked_until: datetime | None,
        now: datetime,
        *,
        drop_untouched_before: datetime,
    ) -> None:
        """Record the state and drop rows untouched since ``drop_untouched_before`` (unlocked)."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO login_unknown_ids (id_hash, failures, locked_until, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(id_hash) DO UPDATE SET"
                " failures = excluded.failures, locked_until = excluded.locked_until,"
                " updated_at = excluded.updated_at",
                [id_hash, failures, when(locked_until), when(now)],
            )
            db.execute(
                "DELETE FROM login_unknown_ids WHERE updated_at < ?"
                " AND (locked_until IS NULL OR locked_until < ?)",
                [when(drop_untouched_before), when(now)],
            )
