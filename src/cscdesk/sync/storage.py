"""What the sync and archive need from the store, in one place.

Sync speaks to the store only through this class, so the rest of ``sync/`` reads as the
business it does (push, pull, copy, purge) rather than as repository calls. It combines the
store's repositories (tickets, outbox, calls, recordings, sync_state, audit) with the three
tables sync owns (migrations appended in ``store/migrations.py``): ``recording_jobs`` (the queue
of recordings still to copy), ``ticket_sync_base`` (the last snapshot both sides agreed on, and a
written-ahead proposal) and ``ticket_conflicts`` (both versions of a ticket in conflict).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cscdesk.callcenter.port import CallRecord
from cscdesk.domain.models import Recording, SyncState, Ticket, TicketEvent
from cscdesk.domain.retention import PolicyTerm
from cscdesk.sync.codec import Note, Snapshot, apply_fields, event_of, note_of

SITE_KEY = "sync.site_id"

if TYPE_CHECKING:
    from cscdesk.store import Store
    from cscdesk.store.outbox import OutboxEntry


def iso(value: datetime) -> str:
    """UTC ISO text, so that stored times compare correctly as strings."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def from_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RecordingJob:
    contact_id: str
    call_started_at: datetime
    state: str  # pending / restoring
    attempts: int


@dataclass(frozen=True, slots=True)
class BaseRecord:
    """The last state both sides agreed on; ``parent`` is the remote state our own write was
    based on (None when the base came from the remote); ``pending`` a write not yet confirmed."""

    remote_id: str
    snapshot: Snapshot
    parent: Snapshot | None
    pending: Snapshot | None
    pending_parent: Snapshot | None


@dataclass(frozen=True, slots=True)
class ConflictCopy:
    ticket_id: str
    base: Snapshot
    local_fields: dict[str, Any]
    remote: Snapshot
    fields: tuple[str, ...]
    detected_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    ticket_id: str
    version: int


class SyncStorage:
    """The store as sync sees it. Safe to share between coroutines of one thread."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------------ small state

    def site_id(self) -> str:
        """A random id for this store, made once: it tells our change keys from other sites'."""
        existing = self.store.sync_state.get(SITE_KEY)
        if existing:
            return str(existing)
        site = uuid.uuid4().hex[:12]
        self.store.sync_state.set(SITE_KEY, site)
        return site

    def get_time(self, key: str) -> datetime | None:
        value = self.store.sync_state.get(key)
        return from_iso(str(value)) if value else None

    def set_time(self, key: str, value: datetime) -> None:
        self.store.sync_state.set(key, iso(value))

    # ------------------------------------------------------------------ CDRs and recordings

    def store_call_records(self, records: Sequence[CallRecord]) -> int:
        """Upsert CDRs and queue their recordings in one transaction; returns jobs queued."""
        with self.store.transaction() as db:
            self.store.calls.upsert_many(records)
            before = db.execute("SELECT total_changes()").fetchone()[0]
            db.executemany(
                "INSERT OR IGNORE INTO recording_jobs (contact_id, call_started_at, state,"
                " attempts, next_attempt_at) VALUES (?, ?, 'pending', 0, ?)",
                [
                    (r.contact_id, iso(r.start_time), iso(r.start_time))
                    for r in records
                    if r.recording_available
                ],
            )
            after = db.execute("SELECT total_changes()").fetchone()[0]
        return int(after - before)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.store.reading() as db:
            return list(db.execute(sql, params).fetchall())

    def due_recording_jobs(self, now: datetime, limit: int) -> list[RecordingJob]:
        rows = self._rows(
            "SELECT contact_id, call_started_at, state, attempts FROM recording_jobs"
            " WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (iso(now), limit),
        )
        return [RecordingJob(r[0], from_iso(r[1]), r[2], int(r[3])) for r in rows]

    def pending_recording_count(self) -> int:
        return int(self._rows("SELECT count(*) FROM recording_jobs")[0][0])

    def oldest_pending_recording(self) -> datetime | None:
        row = self._rows("SELECT min(call_started_at) FROM recording_jobs")[0]
        return from_iso(row[0]) if row[0] else None

    def recording_job_failed(self, contact_id: str, error: str, next_at: datetime) -> None:
        with self.store.transaction() as db:
            db.execute(
                "UPDATE recording_jobs SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ? WHERE contact_id = ?",
                (error, iso(next_at), contact_id),
            )

    def recording_jobs_restoring(self, contact_ids: Iterable[str], next_at: datetime) -> None:
        with self.store.transaction() as db:
            db.executemany(
                "UPDATE recording_jobs SET state = 'restoring', next_attempt_at = ?"
                " WHERE contact_id = ?",
                [(iso(next_at), cid) for cid in contact_ids],
            )

    def recording_stored(self, recording: Recording) -> None:
        """The manifest row and the end of the job, together."""
        with self.store.transaction() as db:
            self.store.recordings.put(recording)
            db.execute("DELETE FROM recording_jobs WHERE contact_id = ?", (recording.contact_id,))

    def recordings(self) -> list[Recording]:
        return list(self.store.recordings.list())

    def recording(self, contact_id: str) -> Recording | None:
        return self.store.recordings.get(contact_id)

    def set_legal_hold(self, contact_id: str, hold: bool, *, actor: str, reason: str) -> bool:
        current = self.store.recordings.get(contact_id)
        if current is None:
            return False
        with self.store.transaction():
            self.store.recordings.put(dataclasses.replace(current, legal_hold=hold))
            self.audit(
                actor,
                "recording.legal_hold" if hold else "recording.legal_hold_released",
                contact_id,
                {"reason": reason},
            )
        return True

    def purge_recording(self, recording: Recording, *, actor: str) -> None:
        with self.store.transaction():
            self.store.recordings.delete(recording.contact_id)
            self.audit(
                actor,
                "recording.purged",
                recording.contact_id,
                {"sha256": recording.sha256, "keep_until": recording.keep_until.isoformat()},
            )

    def audit(self, actor: str, action: str, subject: str, detail: Mapping[str, Any]) -> None:
        self.store.audit.append(actor=actor, action=action, subject=subject, detail=dict(detail))

    def policy_terms_for_call(self, contact_id: str) -> tuple[PolicyTerm, ...]:
        """The periods of the caller's policies in force on the day of the call: the policies
        the recording concerns, for the 5/10-years-after-the-contract rule."""
        from cscdesk.store.calls import UnknownCall

        try:
            call = self.store.calls.get(contact_id)
        except UnknownCall:
            return ()
        if call.member_id is None:
            return ()
        day = call.started_at.date()
        return tuple(
            PolicyTerm(policy.start, policy.end)
            for policy in self.store.policies.for_member(call.member_id)
            if policy.start <= day <= policy.end
        )

    def calls_between(self, start: datetime, end: datetime) -> list[Any]:
        return list(self.store.calls.between(start, end))

    # ------------------------------------------------------------------ tickets and outbox

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        return self.store.tickets.get(ticket_id)

    def local_notes(self, ticket_id: str) -> tuple[Note, ...]:
        return tuple(
            note_of(event) for event in self.store.tickets.events(ticket_id) if event.kind == "note"
        )

    def due_outbox(self, now: datetime, limit: int) -> list[OutboxItem]:
        return [
            OutboxItem(id=entry.id, ticket_id=entry.ticket_id, version=entry.seq)
            for entry in self.store.outbox.pending(limit, due_by=now)
        ]

    def _pending_for(self, ticket_id: str) -> list[OutboxEntry]:
        return [e for e in self.store.outbox.pending(1_000_000) if e.ticket_id == ticket_id]

    def outbox_done_through(self, ticket_id: str, version: int) -> None:
        """Entries up to ``version`` are reflected remotely (a push carries the whole state)."""
        with self.store.transaction():
            for entry in self._pending_for(ticket_id):
                if entry.seq <= version:
                    self.store.outbox.mark_done(entry.id)

    def outbox_attempts(self, ticket_id: str) -> int:
        return max((e.attempts for e in self._pending_for(ticket_id)), default=0)

    def outbox_retry_later(self, ticket_id: str, error: str, next_at: datetime) -> None:
        with self.store.transaction():
            for entry in self._pending_for(ticket_id):
                self.store.outbox.mark_failed(entry.id, error, next_at)

    def backlog(self) -> int:
        return int(self.store.outbox.backlog_count())

    def mark_synced(self, local: Ticket, remote_id: str, remote_rev: int) -> None:
        current = self.store.tickets.get(local.id)
        state = (
            SyncState.SYNCED
            if current is not None and current.version == local.version
            else SyncState.PENDING
        )
        self.store.tickets.set_sync_state(
            local.id, state, remote_id=remote_id, remote_version=remote_rev
        )

    def apply_remote(
        self, local: Ticket, fields: Mapping[str, Any], notes: Sequence[Note], at: datetime
    ) -> Ticket:
        """Write the remote side's edits and notes into our ticket as ordinary history."""
        ticket = local
        changed = {
            name: (str(old) if old is not None else None, str(new) if new is not None else None)
            for name, new in fields.items()
            if (old := _field_json(local, name)) != new
        }
        if changed:
            updated = apply_fields(ticket, fields, version=ticket.version + 1, updated_at=at)
            event = TicketEvent(ticket.id, at, "sync", "synced", changes=changed)
            self.store.tickets.save_change(updated, event, base_version=ticket.version)
            ticket = updated
        for note in notes:
            updated = dataclasses.replace(ticket, version=ticket.version + 1)
            self.store.tickets.save_change(
                updated, event_of(ticket.id, note), base_version=ticket.version
            )
            ticket = updated
        return ticket

    def import_remote(self, ticket: Ticket, snapshot: Snapshot, remote_id: str) -> None:
        """A ticket another site created: ours now, already in agreement with the remote."""
        created = TicketEvent(ticket.id, ticket.updated_at, "sync", "created")
        self.store.tickets.load_history([(ticket, created)])  # no outbox: nothing to push
        local = self.apply_remote(ticket, {}, snapshot.notes, ticket.updated_at)
        self.set_base(ticket.id, remote_id, snapshot, None)
        self.outbox_done_through(ticket.id, local.version)
        self.store.tickets.set_sync_state(
            ticket.id, SyncState.SYNCED, remote_id=remote_id, remote_version=snapshot.rev
        )

    # ------------------------------------------------------------------ base snapshots

    def base(self, ticket_id: str) -> BaseRecord | None:
        rows = self._rows(
            "SELECT remote_id, snapshot, parent, pending, pending_parent FROM ticket_sync_base"
            " WHERE ticket_id = ?",
            (ticket_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return BaseRecord(row[0], *(Snapshot.from_json(v) if v else None for v in row[1:]))  # type: ignore[arg-type]

    def set_base(
        self, ticket_id: str, remote_id: str, snapshot: Snapshot, parent: Snapshot | None
    ) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO ticket_sync_base (ticket_id, remote_id, snapshot, parent, pending,"
                " pending_parent) VALUES (?, ?, ?, ?, NULL, NULL) ON CONFLICT(ticket_id) DO UPDATE"
                " SET remote_id = excluded.remote_id, snapshot = excluded.snapshot,"
                " parent = excluded.parent, pending = NULL, pending_parent = NULL",
                (ticket_id, remote_id, snapshot.to_json(), _json_or_none(parent)),
            )

    def set_pending(self, ticket_id: str, proposal: Snapshot, parent: Snapshot) -> None:
        with self.store.transaction() as db:
            db.execute(
                "UPDATE ticket_sync_base SET pending = ?, pending_parent = ? WHERE ticket_id = ?",
                (proposal.to_json(), parent.to_json(), ticket_id),
            )

    def forget_base(self, ticket_id: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM ticket_sync_base WHERE ticket_id = ?", (ticket_id,))

    # ------------------------------------------------------------------ conflicts

    def record_conflict(self, copy: ConflictCopy) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO ticket_conflicts"
                " (ticket_id, base, local_fields, remote, fields, detected_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    copy.ticket_id,
                    copy.base.to_json(),
                    json.dumps(copy.local_fields, ensure_ascii=False, sort_keys=True),
                    copy.remote.to_json(),
                    json.dumps(list(copy.fields)),
                    iso(copy.detected_at),
                ),
            )
            self.store.tickets.set_sync_state(copy.ticket_id, SyncState.CONFLICT)

    def conflict(self, ticket_id: str) -> ConflictCopy | None:
        rows = self._rows(
            "SELECT ticket_id, base, local_fields, remote, fields, detected_at"
            " FROM ticket_conflicts WHERE ticket_id = ?",
            (ticket_id,),
        )
        return _conflict(rows[0]) if rows else None

    def conflicts(self) -> list[ConflictCopy]:
        rows = self._rows(
            "SELECT ticket_id, base, local_fields, remote, fields, detected_at"
            " FROM ticket_conflicts ORDER BY detected_at"
        )
        return [_conflict(row) for row in rows]

    def resolve_conflict(
        self,
        local: Ticket,
        copy: ConflictCopy,
        fields: Mapping[str, Any],
        *,
        actor: str,
        at: datetime,
    ) -> Ticket:
        with self.store.transaction() as db:
            changed = {
                name: (_text(_field_json(local, name)), _text(value))
                for name, value in fields.items()
                if _field_json(local, name) != value
            }
            resolved = apply_fields(
                local,
                fields,
                version=local.version + 1,
                updated_at=at,
                sync_state=SyncState.PENDING,
            )
            event = TicketEvent(
                local.id, at, actor, "conflict", changes=changed, note="conflict resolved"
            )
            self.store.tickets.save_change(resolved, event, base_version=local.version)
            base = self.base(local.id)
            remote_id = base.remote_id if base else (local.remote_id or "")
            db.execute(
                "UPDATE ticket_sync_base SET snapshot = ?, parent = NULL, pending = NULL,"
                " pending_parent = NULL WHERE ticket_id = ?",
                (copy.remote.to_json(), local.id),
            )
            db.execute("DELETE FROM ticket_conflicts WHERE ticket_id = ?", (local.id,))
            self.store.tickets.set_sync_state(
                local.id, SyncState.PENDING, remote_id=remote_id, remote_version=copy.remote.rev
            )
        return resolved


def _field_json(ticket: Ticket, name: str) -> Any:
    from cscdesk.sync.codec import ticket_fields

    return ticket_fields(ticket).get(name)


def _json_or_none(snapshot: Snapshot | None) -> str | None:
    return None if snapshot is None else snapshot.to_json()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _conflict(row: Sequence[Any]) -> ConflictCopy:
    return ConflictCopy(
        ticket_id=row[0],
        base=Snapshot.from_json(row[1]),
        local_fields=json.loads(row[2]),
        remote=Snapshot.from_json(row[3]),
        fields=tuple(json.loads(row[4])),
        detected_at=from_iso(row[5]),
    )
