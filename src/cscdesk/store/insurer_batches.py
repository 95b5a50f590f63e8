"""Rows of insurers' daily extract files (migration v4), for insurers without an API.

``cscdesk.insurers.batch_import`` reads and validates the files; this repository records which
files were loaded (by SHA-256, so a re-run skips them) and keeps one row per record, a newer
extract replacing an older one record by record and never the other way round. Each row's
payload is the gateway codec's JSON text, stored and returned unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from cscdesk.store._codec import when

if TYPE_CHECKING:
    from cscdesk.store.db import Store


@dataclass(frozen=True, slots=True)
class BatchFile:
    sha256: str
    insurer_id: str
    kind: str  # policies / claims
    file_name: str
    extract_date: date
    rows: int
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class BatchRow:
    record_key: str
    member_id: str
    policy_no: str
    payload: str


@dataclass(frozen=True, slots=True)
class FoundRow:
    kind: str
    payload: str
    extract_date: date


class InsurerBatches:
    def __init__(self, store: Store) -> None:
        self._store = store

    def is_loaded(self, sha256: str) -> bool:
        with self._store.reading() as db:
            row = db.execute(
                "SELECT 1 FROM insurer_batch_files WHERE sha256 = ?", (sha256,)
            ).fetchone()
        return row is not None

    def load(self, file: BatchFile, rows: Iterable[BatchRow]) -> bool:
        """Record the file and upsert its rows, all in one transaction (the whole file or nothing).

        False when the file is recorded already: another desk on the same store imported it
        first, perhaps at the same moment (its insert wins, ours waits for it and does nothing).
        """
        day = file.extract_date.isoformat()
        with self._store.transaction() as db:
            recorded = db.execute(
                "INSERT INTO insurer_batch_files VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (sha256) DO NOTHING",
                (
                    file.sha256,
                    file.insurer_id,
                    file.kind,
                    file.file_name,
                    day,
                    file.rows,
                    when(file.imported_at),
                ),
            ).rowcount
            if not recorded:
                return False
            for r in rows:
                db.execute(
                    "INSERT INTO insurer_batch_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (insurer_id, kind, record_key) DO UPDATE SET"
                    " member_id = excluded.member_id, policy_no = excluded.policy_no,"
                    " extract_date = excluded.extract_date, file_sha256 = excluded.file_sha256,"
                    " payload = excluded.payload"
                    " WHERE excluded.extract_date >= insurer_batch_rows.extract_date",
                    (
                        file.insurer_id,
                        file.kind,
                        r.record_key,
                        r.member_id,
                        r.policy_no,
                        day,
                        file.sha256,
                        r.payload,
                    ),
                )
        return True

    def find(
        self,
        insurer_id: str,
        *,
        member_ids: tuple[str, ...],
        policy_no: str | None,
        claim_no: str | None,
    ) -> list[FoundRow]:
        """Rows of ``insurer_id`` about these members, this policy or this claim (none asked: [])."""
        clauses, params = [], [insurer_id]
        if member_ids:
            clauses.append(f"member_id IN ({','.join('?' * len(member_ids))})")
            params.extend(member_ids)
        if policy_no:
            clauses.append("policy_no = ?")
            params.append(policy_no)
        if claim_no:
            clauses.append("(kind = 'claims' AND record_key = ?)")
            params.append(claim_no)
        if not clauses:
            return []
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT kind, payload, extract_date FROM insurer_batch_rows"
                " WHERE insurer_id = ? AND ("
                + " OR ".join(clauses)
                + ") ORDER BY kind, record_key",
                params,
            ).fetchall()
        return [FoundRow(kind, payload, date.fromisoformat(day)) for kind, payload, day in rows]

    def latest_extract(self, insurer_id: str) -> date | None:
        """The newest extract date loaded for ``insurer_id``."""
        with self._store.reading() as db:
            day = db.execute(
                "SELECT max(extract_date) FROM insurer_batch_files WHERE insurer_id = ?",
                (insurer_id,),
            ).fetchone()[0]
        return date.fromisoformat(day) if day else None
