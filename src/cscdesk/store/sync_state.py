"""Small named values for sync: cursors, watermarks, the site id. Never personal data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cscdesk.store._codec import when

if TYPE_CHECKING:
    from cscdesk.store.db import Store


class SyncStateRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> str | None:
        with self._store.reading() as db:
            row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
        return None if row is None else row[0]

    def set(self, key: str, value: str | None) -> None:
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at",
                [key, value, when(datetime.now(UTC))],
            )

    def items(self, prefix: str = "") -> dict[str, str | None]:
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT key, value FROM sync_state WHERE key >= ? AND key < ? ORDER BY key",
                [prefix, prefix + "\U0010ffff"],
            ).fetchall()
        return {str(k): v for k, v in rows}
