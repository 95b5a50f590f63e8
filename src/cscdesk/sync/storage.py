"""What the sync and archive need from the store, in one place.

Sync speaks to the store only through this class, so the rest of ``sync/`` reads as the
business it does (push, pull, copy, purge) rather than as repository calls. It combines the
store's repositories (tickets, outbox, calls, recordings, sync_state, audit) with the three
tables sync owns, reached through ``store/sync_records.py``: ``recording_jobs`` (the queue of
recordings still to copy), ``ticket_sync_base`` (the last snapshot both sides agreed on, and a
written-ahead proposal) and ``ticket_conflicts`` (both versions of a ticket in conflict). Those
repositories hold snapshots as JSON text; the ``Snapshot`` codec stays here in sync.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cscdesk.callcenter.port import CallRecord
from cscdesk.domain.models import Recording, SyncState, Ticket, TicketEvent
from cscdesk.domain.retention import PolicyTerm
from cscdesk.store.sync_records import ConflictRow, RecordingJob, from_iso, iso
from cscdesk.sync.codec import Note, Snapshot, apply_fields, event_of, note_of

SITE_KEY = "sync.site_id"

if TYPE_CHECKING:
    from cscdesk.store import Store
    from cscdesk.store.outbox import OutboxEntry

__all__ = [
    "BaseRecord",
    "ConflictCopy",
    "OutboxItem",
    "RecordingJob",
    "SyncStorage",
    "from_iso",
    "iso",
]


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
        with self.store.transaction():
            self.store.calls.upsert_many(records)
            return self.store.recording_jobs.queue(
                (r.contact_id, r.start_time) for r in records if r.recording_available
            )

    def due_recording_jobs(self, now: datetime, limit: int) -> list[RecordingJob]:
        return self.store.recording_jobs.due(now, limit)

    def pending_recording_count(self) -> int:
        return self.store.recording_jobs.count()

    def oldest_pending_recording(self) -> datetime | None:
        return self.store.recording_jobs.oldest_call()

    def recording_job_failed(self, contact_id: str, error: str, next_at: datetime) -> None:
        self.store.recording_jobs.failed(contact_id, error, next_at)

    def recording_jobs_restoring(self, contact_ids: Iterable[str], next_at: datetime) -> None:
        self.store.recording_jobs.restoring(contact_ids, next_at)

    def recording_stored(self, recording: Recording) -> None:
        """The manifest row and the end of the job, together."""
        with self.store.transaction():
            self.store.recordings.put(recording)
            self.store.recording_jobs.done(recording.contact_id)

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
            PolicyTerm(policy.start, policy.end, self.store.policies.contract_end(policy.policy_no))
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
        row = self.store.ticket_sync_bases.get(ticket_id)
        if row is None:
            return None
        return BaseRecord(
            row.remote_id,
            Snapshot.from_json(row.snapshot),
            _snapshot_or_none(row.parent),
            _snapshot_or_none(row.pending),
            _snapshot_or_none(row.pending_parent),
        )

    def set_base(
        self, ticket_id: str, remote_id: str, snapshot: Snapshot, parent: Snapshot | None
    ) -> None:
        self.store.ticket_sync_bases.set(
            ticket_id, remote_id, snapshot.to_json(), _json_or_none(parent)
        )

    def set_pending(self, ticket_id: str, proposal: Snapshot, parent: Snapshot) -> None:
        self.store.ticket_sync_bases.set_pending(ticket_id, proposal.to_json(), parent.to_json())

    def forget_base(self, ticket_id: str) -> None:
        self.store.ticket_sync_bases.forget(ticket_id)

    # ------------------------------------------------------------------ conflicts

    def record_conflict(self, copy: ConflictCopy) -> None:
        with self.store.transaction():
            self.store.ticket_conflicts.put(
                ConflictRow(
                    ticket_id=copy.ticket_id,
                    base=copy.base.to_json(),
                    local_fields=json.dumps(copy.local_fields, ensure_ascii=False, sort_keys=True),
                    remote=copy.remote.to_json(),
                    fields=json.dumps(list(copy.fields)),
                    detected_at=copy.detected_at,
                )
            )
            self.store.tickets.set_sync_state(copy.ticket_id, SyncState.CONFLICT)

    def conflict(self, ticket_id: str) -> ConflictCopy | None:
        row = self.store.ticket_conflicts.get(ticket_id)
        return None if row is None else _conflict(row)

    def conflicts(self) -> list[ConflictCopy]:
        return [_conflict(row) for row in self.store.ticket_conflicts.list()]

    def resolve_conflict(
        self,
        local: Ticket,
        copy: ConflictCopy,
        fields: Mapping[str, Any],
        *,
        actor: str,
        at: datetime,
        note: str = "conflict resolved",
    ) -> Ticket:
        with self.store.transaction():
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
            event = TicketEvent(local.id, at, actor, "conflict", changes=changed, note=note)
            self.store.tickets.save_change(resolved, event, base_version=local.version)
            base = self.base(local.id)
            remote_id = base.remote_id if base else (local.remote_id or "")
            self.store.ticket_sync_bases.settle(local.id, copy.remote.to_json())
            self.store.ticket_conflicts.delete(local.id)
            self.store.tickets.set_sync_state(
                local.id, SyncState.PENDING, remote_id=remote_id, remote_version=copy.remote.rev
            )
        return resolved


def _field_json(ticket: Ticket, name: str) -> Any:
    from cscdesk.sync.codec import ticket_fields

    return ticket_fields(ticket).get(name)


def _json_or_none(snapshot: Snapshot | None) -> str | None:
    return None if snapshot is None else snapshot.to_json()


def _snapshot_or_none(text: str | None) -> Snapshot | None:
    return Snapshot.from_json(text) if text else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _conflict(row: ConflictRow) -> ConflictCopy:
    return ConflictCopy(
        ticket_id=row.ticket_id,
        base=Snapshot.from_json(row.base),
        local_fields=json.loads(row.local_fields),
        remote=Snapshot.from_json(row.remote),
        fields=tuple(json.loads(row.fields)),
        detected_at=row.detected_at,
    )
