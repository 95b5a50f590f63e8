"""Wallboard snapshots (大屏快照): every lead poll, kept so the day can be replayed.

Each row holds the handful of totals the intraday chart needs (so a restart rebuilds interval
history without decoding anything) and the whole snapshot as zlib-compressed JSON for replay
and for the occupancy estimate of the indicator report. ``purge_before`` keeps the table bounded.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

TABLE = "wallboard_snapshots"


def create_tables(db: StoreDatabase) -> None:
    """The migration step: one table, indexed by time."""
    db.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
            id INTEGER PRIMARY KEY,
            taken_ts REAL NOT NULL,
            taken_at TEXT NOT NULL,
            offered INTEGER NOT NULL,
            answered INTEGER NOT NULL,
            signed_in INTEGER NOT NULL,
            waiting INTEGER NOT NULL,
            payload BLOB NOT NULL
        )
        """
    )
    db.execute(f"CREATE INDEX IF NOT EXISTS idx_{TABLE}_ts ON {TABLE}(taken_ts)")


@dataclass(frozen=True, slots=True)
class StoredSummary:
    taken_at: datetime
    offered: int
    answered: int
    signed_in: int
    waiting: int


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    taken_at: datetime
    payload: dict[str, Any]


def _encode(payload: Mapping[str, Any]) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return zlib.compress(text.encode("utf-8"), 6)


def _decode(blob: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(zlib.decompress(blob).decode("utf-8"))
    return data


class WallboardSnapshots:
    """Repository over ``wallboard_snapshots``; any thread may call it (the store's rule)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(
        self,
        taken_at: datetime,
        *,
        offered: int,
        answered: int,
        signed_in: int,
        waiting: int,
        payload: Mapping[str, Any],
    ) -> None:
        with self._store.transaction() as db:
            db.execute(
                f"INSERT INTO {TABLE} (taken_ts, taken_at, offered, answered, signed_in,"
                " waiting, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    taken_at.timestamp(),
                    taken_at.isoformat(),
                    offered,
                    answered,
                    signed_in,
                    waiting,
                    _encode(payload),
                ],
            )

    def summaries_between(self, start: datetime, end: datetime) -> list[StoredSummary]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT taken_at, offered, answered, signed_in, waiting FROM {TABLE}"
                " WHERE taken_ts >= ? AND taken_ts < ? ORDER BY taken_ts",
                [start.timestamp(), end.timestamp()],
            ).fetchall()
        return [StoredSummary(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def snapshots_between(self, start: datetime, end: datetime) -> Iterator[StoredSnapshot]:
        with self._store.reading() as db:
            rows = db.execute(
                f"SELECT taken_at, payload FROM {TABLE}"
                " WHERE taken_ts >= ? AND taken_ts < ? ORDER BY taken_ts",
                [start.timestamp(), end.timestamp()],
            ).fetchall()
        for taken_at, blob in rows:
            yield StoredSnapshot(datetime.fromisoformat(taken_at), _decode(blob))

    def neighbour(self, moment: datetime, step: int) -> StoredSnapshot | None:
        """The snapshot ``step`` places before (negative) or after (positive) ``moment``."""
        if step == 0:
            return None
        if step < 0:
            sql = f"SELECT taken_at, payload FROM {TABLE} WHERE taken_ts < ? ORDER BY taken_ts DESC"
        else:
            sql = f"SELECT taken_at, payload FROM {TABLE} WHERE taken_ts > ? ORDER BY taken_ts"
        with self._store.reading() as db:
            row = db.execute(
                f"{sql} LIMIT 1 OFFSET ?", [moment.timestamp(), abs(step) - 1]
            ).fetchone()
        if row is None:
            return None
        return StoredSnapshot(datetime.fromisoformat(row[0]), _decode(row[1]))

    def count(self) -> int:
        with self._store.reading() as db:
            row = db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
        return int(row[0])

    def purge_before(self, moment: datetime) -> int:
        """Drop snapshots older than ``moment``; returns how many went."""
        with self._store.transaction() as db:
            cursor = db.execute(f"DELETE FROM {TABLE} WHERE taken_ts < ?", [moment.timestamp()])
        return int(cursor.rowcount)
