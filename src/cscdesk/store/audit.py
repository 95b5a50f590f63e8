"""The tamper-evident audit log (审计日志): every record carries the hash of the one before it.

``hash = sha256(prev_hash + canonical JSON of the record)``, the record including its id, so an
edited, deleted or reordered row breaks the chain and ``verify`` names where. Ids come from an
AUTOINCREMENT sequence, so removing the newest rows shows too. A purge removes the oldest rows
and stores the last removed hash as the anchor the remaining chain starts from.

Details are scrubbed before hashing: anything that looks like a mainland mobile or a resident ID
number is masked, so the log never holds one whole.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cscdesk.domain.privacy import mask_id_number, mask_mobile
from cscdesk.store._codec import as_json, moment, when

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

GENESIS = "0" * 64
SUCCESS, FAILURE = "success", "failure"
_COLUMNS = "id, at, actor, action, target_type, target_id, outcome, detail, prev_hash, hash"
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def scrub(value: Any) -> Any:
    """Mask mobiles and ID numbers anywhere inside a JSON-like value."""
    if isinstance(value, str):
        value = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), value)
        return _MOBILE.sub(lambda m: mask_mobile(m.group(0)), value)
    if isinstance(value, Mapping):
        return {str(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    outcome: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def id(self) -> int:
        return self.seq

    @property
    def subject(self) -> str:
        return ":".join(p for p in (self.target_type, self.target_id) if p)

    @property
    def success(self) -> bool:
        return self.outcome == SUCCESS


@dataclass
class AuditReport:
    checked: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def record_hash(prev_hash: str, record: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + as_json(record)).encode("utf-8")).hexdigest()


def _record(row: Sequence[Any]) -> dict[str, Any]:
    """The hashed part of a row: everything but the two hashes."""
    keys = ("id", "at", "actor", "action", "target_type", "target_id", "outcome", "detail")
    return dict(zip(keys, row[:8], strict=True))


def _entry(r: Sequence[Any]) -> AuditEntry:
    at = moment(r[1])
    assert at is not None
    return AuditEntry(int(r[0]), at, r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9])


class AuditLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _anchor(self, db: StoreDatabase) -> tuple[str, int]:
        row = db.execute("SELECT hash, through_id FROM audit_anchor WHERE id = 1").fetchone()
        return (GENESIS, 0) if row is None else (str(row[0]), int(row[1]))

    def append(
        self,
        actor: str,
        action: str,
        target_type: str = "",
        target_id: str = "",
        outcome: str = SUCCESS,
        detail: Mapping[str, Any] | None = None,
        *,
        subject: str | None = None,
        success: bool | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Write one record. ``subject``/``success`` are the short spelling some callers use."""
        if subject is not None and not target_type and not target_id:
            target_type, _, target_id = subject.partition(":")
            if not target_id:
                target_type, target_id = "", subject
        if success is not None:
            outcome = SUCCESS if success else FAILURE
        if outcome not in (SUCCESS, FAILURE):
            raise ValueError(f"audit outcome must be success or failure, not {outcome!r}")
        moment_ = when(at or datetime.now(UTC))
        body = as_json(scrub(dict(detail or {})))
        with self._store.transaction() as db:
            last = db.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            seq_row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
            anchor_hash, anchor_id = self._anchor(db)
            prev_hash = str(last[1]) if last else anchor_hash
            next_id = max(int(seq_row[0]) if seq_row else 0, anchor_id) + 1
            record = {
                "id": next_id, "at": moment_, "actor": actor, "action": action,
                "target_type": target_type, "target_id": target_id, "outcome": outcome,
                "detail": body,
            }  # fmt: skip
            digest = record_hash(prev_hash, record)
            db.execute(
                f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*record.values(), prev_hash, digest],
            )
        return _entry([*record.values(), prev_hash, digest])

    def list(
        self, start: datetime | None = None, end: datetime | None = None, limit: int | None = None
    ) -> list[AuditEntry]:
        """Records with ``start <= at < end``, in chain order."""
        sql = f"SELECT {_COLUMNS} FROM audit WHERE at >= ? AND at < ? ORDER BY id"
        params: list[Any] = [when(start) or "", when(end) or "\uffff"]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._store.reading() as db:
            rows = db.execute(sql, params).fetchall()
        return [_entry(r) for r in rows]

    def verify(self) -> AuditReport:
        """Recompute the chain from the anchor; every break is named by record id."""
        report = AuditReport()
        with self._store.reading() as db:
            expected_prev, last_id = self._anchor(db)
            seq_row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
            cursor = db.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY id")
            for row in cursor:
                rid = int(row[0])
                if rid != last_id + 1:
                    report.problems.append(
                        f"record(s) {last_id + 1}..{rid - 1} missing before record {rid}"
                    )
                if row[8] != expected_prev:
                    report.problems.append(
                        f"record {rid}: previous-hash link broken (removed or reordered records)"
                    )
                if record_hash(row[8], _record(row)) != row[9]:
                    report.problems.append(
                        f"record {rid}: content does not match its hash (edited)"
                    )
                expected_prev, last_id = row[9], rid
                report.checked += 1
        newest = int(seq_row[0]) if seq_row else 0
        if newest > last_id:
            report.problems.append(f"record(s) {last_id + 1}..{newest} missing at the end")
        report.head = expected_prev
        return report

    def purge_before(self, cutoff: datetime) -> int:
        """Remove the oldest records written before ``cutoff``; the chain stays verifiable."""
        with self._store.transaction() as db:
            first_kept = db.execute(
                "SELECT min(id) FROM audit WHERE at >= ?", [when(cutoff)]
            ).fetchone()[0]
            bound = db.execute(
                "SELECT max(id) FROM audit" + ("" if first_kept is None else " WHERE id < ?"),
                [] if first_kept is None else [first_kept],
            ).fetchone()[0]
            if bound is None:
                return 0
            last_hash = db.execute("SELECT hash FROM audit WHERE id = ?", [bound]).fetchone()[0]
            cursor = db.execute("DELETE FROM audit WHERE id <= ?", [bound])
            db.execute(
                "INSERT INTO audit_anchor (id, hash, through_id, purged_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET hash = excluded.hash,"
                " through_id = excluded.through_id, purged_at = excluded.purged_at",
                [last_hash, bound, when(datetime.now(UTC))],
            )
        return int(cursor.rowcount)

    def purge_older_than(self, days: int, now: datetime | None = None) -> int:
        from datetime import timedelta

        return self.purge_before((now or datetime.now(UTC)) - timedelta(days=days))
