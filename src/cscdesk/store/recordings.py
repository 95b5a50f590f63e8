"""The recording manifest: which archived recording is where, its checksum and how long it stays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cscdesk.domain.models import Recording
from cscdesk.store._codec import day, moment, to_day, when

if TYPE_CHECKING:
    from cscdesk.store.db import Store

_COLUMNS = "contact_id, sha256, size, content_type, archived_at, keep_until, legal_hold, blob_path"


def _to_recording(r: Sequence[Any]) -> Recording:
    archived, keep = moment(r[4]), to_day(r[5])
    assert archived is not None and keep is not None
    return Recording(r[0], r[1], int(r[2]), r[3], archived, keep, bool(r[6]))


class Recordings:
    def __init__(self, store: Store) -> None:
        self._store = store

    def put(self, recording: Recording, *, blob_path: str | None = None) -> None:
        """Insert or replace the manifest row (a known blob path is kept when none is given)."""
        with self._store.transaction() as db:
            db.execute(
                f"INSERT INTO recordings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(contact_id) DO UPDATE SET sha256 = excluded.sha256,"
                " size = excluded.size, content_type = excluded.content_type,"
                " archived_at = excluded.archived_at, keep_until = excluded.keep_until,"
                " legal_hold = excluded.legal_hold,"
                " blob_path = coalesce(excluded.blob_path, recordings.blob_path)",
                [
                    recording.contact_id,
                    recording.sha256,
                    recording.size,
                    recording.content_type,
                    when(recording.archived_at),
                    day(recording.keep_until),
                    int(recording.legal_hold),
                    blob_path,
                ],
            )

    def get(self, contact_id: str) -> Recording | None:
        with self._store.reading() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM recordings WHERE contact_id = ?", [contact_id]
            ).fetchone()
        return None if row is None else _to_recording(row)

    def blob_path(self, contact_id: str) -> str | None:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT blob_path FROM recordings WHERE contact_id = ?", [contact_id]
            ).fetchone()
        return None if row is None else row[0]

    def list(self) -> list[Recording]:
        with self._store.reading() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM recordings ORDER BY contact_id").fetchall()
        return [_to_recording(r) for r in rows]

    def delete(self, contact_id: str) -> bool:
        with self._store.transaction() as db:
            cursor = db.execute("DELETE FROM recordings WHERE contact_id = ?", [contact_id])
        return cursor.rowcount > 0
