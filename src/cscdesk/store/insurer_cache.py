"""The insurer gateway's answer cache: the last good answer per insurer and query (migration v4).

The payload is the gateway's own codec (JSON text of normalised policies and claims, never a raw
insurer payload); this repository stores and returns that text unchanged, with the answer's
as-of time and when it was fetched. Rows are keyed by a query hash, never an ID number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cscdesk.store._codec import when

if TYPE_CHECKING:
    from cscdesk.store.db import Store


@dataclass(frozen=True, slots=True)
class CachedPayload:
    payload: str
    as_of: datetime
    fetched_at: datetime


class InsurerCache:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, insurer_id: str, query_key: str) -> CachedPayload | None:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT payload, as_of, fetched_at FROM insurer_cache"
                " WHERE insurer_id = ? AND query_key = ?",
                (insurer_id, query_key),
            ).fetchone()
        if row is None:
            return None
        return CachedPayload(row[0], datetime.fromisoformat(row[1]), datetime.fromisoformat(row[2]))

    def put(
        self, insurer_id: str, query_key: str, payload: str, as_of: datetime, fetched_at: datetime
    ) -> None:
        """Insert or replace the answer of ``insurer_id`` to ``query_key``."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO insurer_cache"
                " (insurer_id, query_key, payload, as_of, fetched_at) VALUES (?, ?, ?, ?, ?)",
                (insurer_id, query_key, payload, when(as_of), when(fetched_at)),
            )
