"""Ticket sync between our store and the rented call system: push the outbox, pull, merge.

Every remote ticket made by cscdesk carries a ``Snapshot`` in its context (see ``codec``). For
each ticket the store keeps the last snapshot both sides agreed on (the *base*). Reconciling a
ticket compares three states — base, local, remote — and:

* remote unchanged since base → push the local state (if it differs);
* remote changed → merge field by field; edits to different fields combine, and the result is
  written locally and pushed; the same field changed differently on both sides → the ticket goes
  to CONFLICT with both versions kept for the agent (``resolve_conflict``). Nothing is silently
  overwritten. Notes only accumulate (union by key), so they never conflict.

Lost responses: before an update is sent, the proposed snapshot is written ahead; if the remote
later shows that snapshot's change key, the update had been applied. A create whose response was
lost is found by the local id in the remote context before anything is created again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from cscdesk.callcenter.errors import (
    CallCenterError,
    NotFoundError,
    ThrottledError,
    UnavailableError,
)
from cscdesk.callcenter.port import CallCenterPort, RemoteTicket, TicketDraft
from cscdesk.domain.models import SyncState, Ticket
from cscdesk.sync.codec import (
    Snapshot,
    merge_notes,
    ticket_fields,
    ticket_from_fields,
)
from cscdesk.sync.merge import merge3, resolve
from cscdesk.sync.storage import BaseRecord, ConflictCopy, SyncStorage

log = logging.getLogger(__name__)

PULL_WATERMARK = "tickets.pull_watermark"


@dataclass(frozen=True, slots=True)
class TicketSyncPolicy:
    pull_overlap: timedelta = timedelta(minutes=5)
    batch: int = 200
    backoff: timedelta = timedelta(seconds=2)
    max_backoff: timedelta = timedelta(minutes=10)
    find_window: timedelta = timedelta(days=1)
    pull_horizon: timedelta = timedelta(days=90)  # tickets created longer ago are not pulled
    # After a write whose answer was lost, the request may still be applied later (a slow
    # gateway, a timeout on our side only); nothing is decided about the ticket until then.
    inflight_grace: timedelta = timedelta(seconds=60)


@dataclass(slots=True)
class SyncReport:
    pushed: int = 0
    created: int = 0
    adopted: int = 0  # creates whose lost response was found on the remote
    pulled: int = 0
    merged: int = 0
    conflicts: int = 0
    failed: int = 0
    deferred: int = 0  # tickets waiting for an unanswered write to land or lapse
    throttled: bool = False
    errors: list[str] = field(default_factory=list)


class InFlight(Exception):
    """A write to this ticket went unanswered and may still land; decide after ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"waiting until {until.isoformat()}")
        self.until = until


class TicketSync:
    """One site's push/pull against the remote. Run it only while holding the sync lease."""

    def __init__(
        self,
        port: CallCenterPort,
        storage: SyncStorage,
        *,
        clock: Callable[[], datetime],
        policy: TicketSyncPolicy | None = None,
    ) -> None:
        self.port = port
        self.storage = storage
        self.clock = clock
        self.policy = policy or TicketSyncPolicy()
        self.site = storage.site_id()

    async def run_once(self) -> SyncReport:
        report = SyncReport()
        await self.push(report)
        if not report.throttled:
            await self.pull(report)
        return report

    # ------------------------------------------------------------------ push

    async def push(self, report: SyncReport | None = None) -> SyncReport:
        """Push every due outbox entry, one ticket at a time, oldest change first."""
        report = report or SyncReport()
        entries = self.storage.due_outbox(self.clock(), self.policy.batch)
        order: dict[str, list[int]] = {}
        for entry in entries:
            order.setdefault(entry.ticket_id, []).append(entry.id)
        for ticket_id in order:
            try:
                version = await self._reconcile(ticket_id, None, report)
            except InFlight as wait:
                self.storage.outbox_retry_later(
                    ticket_id, "awaiting an unanswered write", wait.until
                )
                report.deferred += 1
                continue
            except CallCenterError as exc:
                self._failed(ticket_id, exc, report)
                if isinstance(exc, ThrottledError):
                    report.throttled = True
                    break
                continue
            self.storage.outbox_done_through(ticket_id, version)
        return report

    def _failed(self, ticket_id: str, exc: CallCenterError, report: SyncReport) -> None:
        report.failed += 1
        report.errors.append(f"{ticket_id}: {type(exc).__name__}")
        attempts = self.storage.outbox_attempts(ticket_id)
        delay = min(self.policy.backoff * (2 ** min(attempts, 16)), self.policy.max_backoff)
        self.storage.outbox_retry_later(ticket_id, type(exc).__name__, self.clock() + delay)
        log.warning("ticket %s not synced: %s", ticket_id, type(exc).__name__)

    # ------------------------------------------------------------------ pull

    async def pull(self, report: SyncReport | None = None) -> SyncReport:
        """Merge in remote tickets changed since the watermark (minus an overlap)."""
        report = report or SyncReport()
        watermark = self.storage.get_time(PULL_WATERMARK)
        changed_since = None if watermark is None else watermark - self.policy.pull_overlap
        # CCC filters ListTickets on creation time, so list every ticket created within the
        # horizon and keep those updated since the watermark (minus the overlap).
        created_since = self.clock() - self.policy.pull_horizon
        newest = watermark
        cursor: str | None = None
        while True:
            try:
                page = await self.port.list_tickets(updated_since=created_since, cursor=cursor)
            except CallCenterError as exc:
                report.failed += 1
                report.errors.append(f"pull: {type(exc).__name__}")
                report.throttled = isinstance(exc, ThrottledError)
                return report
            for remote in page.items:
                if (
                    changed_since is not None
                    and remote.updated_at is not None
                    and remote.updated_at < changed_since
                ):
                    continue
                try:
                    await self._pull_one(remote, report)
                except InFlight:
                    report.deferred += 1  # its outbox entry brings it back once the write settles
                except CallCenterError as exc:
                    report.failed += 1
                    report.errors.append(f"pull {remote.ticket_id}: {type(exc).__name__}")
                    return report  # the watermark stays; the next round repeats this page
                if remote.updated_at is not None and (newest is None or remote.updated_at > newest):
                    newest = remote.updated_at
            cursor = page.next_cursor
            if cursor is None:
                break
        if newest is not None:
            self.storage.set_time(PULL_WATERMARK, newest)
        return report

    async def _pull_one(self, remote: RemoteTicket, report: SyncReport) -> None:
        snapshot = Snapshot.from_context(remote.context)
        if snapshot is None:
            return  # made outside cscdesk (vendor console); not ours to mirror
        local = self.storage.get_ticket(snapshot.local_id)
        if local is None:
            ticket = ticket_from_fields(
                snapshot.local_id, snapshot.fields, self.clock(), remote.ticket_id
            )
            self.storage.import_remote(ticket, snapshot, remote.ticket_id)
            report.pulled += 1
            return
        base = self.storage.base(snapshot.local_id)
        if base is not None and base.remote_id and base.snapshot.change == snapshot.change:
            return
        report.pulled += 1
        version = await self._reconcile(snapshot.local_id, remote, report)
        self.storage.outbox_done_through(snapshot.local_id, version)

    # ------------------------------------------------------------------ reconcile

    def _key(self, ticket: Ticket) -> str:
        return f"{self.site}:{ticket.id}:{ticket.version}"

    async def _reconcile(
        self, ticket_id: str, remote: RemoteTicket | None, report: SyncReport
    ) -> int:
        """Bring one ticket to agreement; returns the local version now reflected remotely."""
        local = self.storage.get_ticket(ticket_id)
        if local is None:
            return 0
        if local.sync_state is SyncState.CONFLICT:
            return local.version  # the conflict copy holds this version; the agent decides
        settles = self.storage.get_time(_inflight_key(ticket_id))
        if settles is not None and self.clock() < settles:
            raise InFlight(settles)
        base = self.storage.base(ticket_id)
        if base is None or not base.remote_id:
            found = remote or await self._find_remote(local)
            if found is None:
                await self._create(local, report)
                return local.version
            # Our create had landed. What we sent (written ahead) is the agreed base; the
            # remote may have moved on since (another site edited it), which merges below.
            adopted = Snapshot.from_context(found.context)
            assert adopted is not None
            sent = base.snapshot if base is not None else adopted
            base = BaseRecord(found.ticket_id, sent, None, None, None)
            self.storage.set_base(ticket_id, base.remote_id, sent, None)
            report.adopted += 1
            remote = found
        if remote is None:
            try:
                remote = await self.port.get_ticket(base.remote_id)
            except NotFoundError:
                log.error("remote ticket of %s is gone; re-creating it", ticket_id)
                self.storage.forget_base(ticket_id)
                await self._create(local, report)
                return local.version
        theirs = Snapshot.from_context(remote.context)
        if theirs is None:
            raise_format(remote)
        if base.pending is not None and base.pending.change in (theirs.change, *theirs.history):
            # our unanswered update had landed
            base = BaseRecord(base.remote_id, base.pending, base.pending_parent, None, None)
            self.storage.set_base(ticket_id, base.remote_id, base.snapshot, base.parent)
        local_notes = self.storage.local_notes(ticket_id)
        ours = ticket_fields(local)
        if theirs.change == base.snapshot.change:
            notes = merge_notes(theirs.notes, local_notes)
            missing_notes = [n for n in theirs.notes if n not in local_notes]
            if missing_notes:  # e.g. the remote side of a resolved conflict
                local = self.storage.apply_remote(local, ours, missing_notes, self.clock())
            if ours == theirs.fields and notes == theirs.notes:
                self._agreed(local, base.remote_id, theirs, base.parent)
                return local.version
            await self._push(local, base.remote_id, theirs, ours, notes, report)
            return local.version
        merge_base = base.snapshot
        if base.snapshot.change not in theirs.history and base.parent is not None:
            # What we agreed on was overwritten by an older write that landed late (the vendor
            # has no compare-and-set): merge from the state our write was based on instead, so
            # the edits in our write are kept rather than taken back.
            merge_base = base.parent
        merged = merge3(merge_base.fields, ours, theirs.fields)
        if not merged.clean:
            self.storage.record_conflict(
                ConflictCopy(
                    ticket_id=ticket_id,
                    base=merge_base,
                    local_fields=ours,
                    remote=theirs,
                    fields=merged.conflicts,
                    detected_at=self.clock(),
                )
            )
            report.conflicts += 1
            log.info("ticket %s in conflict on %s", ticket_id, ", ".join(merged.conflicts))
            return local.version
        notes = merge_notes(theirs.notes, local_notes)
        missing_notes = [n for n in notes if n not in local_notes]
        if merged.fields != ours or missing_notes:
            local = self.storage.apply_remote(local, merged.fields, missing_notes, self.clock())
            report.merged += 1
        if merged.fields == theirs.fields and notes == theirs.notes:
            self._agreed(local, base.remote_id, theirs, None)
            return local.version
        await self._push(local, base.remote_id, theirs, merged.fields, notes, report)
        return local.version

    def _agreed(
        self, local: Ticket, remote_id: str, snapshot: Snapshot, parent: Snapshot | None
    ) -> None:
        self.storage.set_base(local.id, remote_id, snapshot, parent)
        self.storage.mark_synced(local, remote_id, snapshot.rev)

    async def _push(
        self,
        local: Ticket,
        remote_id: str,
        theirs: Snapshot,
        fields: Mapping[str, object],
        notes: tuple[dict[str, str], ...],
        report: SyncReport,
    ) -> None:
        proposal = theirs.successor(self._key(local), dict(fields), notes)
        self.storage.set_pending(local.id, proposal, theirs)  # a lost answer is recognised later
        async with self._unanswered(local.id):
            await self.port.update_ticket(
                remote_id,
                title=str(fields.get("title") or local.title),
                context=proposal.to_context(),
            )
        self._agreed(local, remote_id, proposal, theirs)
        report.pushed += 1

    async def _create(self, local: Ticket, report: SyncReport) -> None:
        key = self._key(local)
        snapshot = Snapshot(
            local_id=local.id,
            rev=1,
            change=key,
            fields=ticket_fields(local),
            notes=self.storage.local_notes(local.id),
            history=(key,),
        )
        self.storage.set_base(local.id, "", snapshot, None)  # written ahead: no remote id yet
        async with self._unanswered(local.id):
            created = await self.port.create_ticket(
                TicketDraft(
                    title=local.title, context=snapshot.to_context(), contact_id=local.contact_id
                )
            )
        self._agreed(local, created.ticket_id, snapshot, None)
        report.created += 1

    @asynccontextmanager
    async def _unanswered(self, ticket_id: str) -> AsyncIterator[None]:
        """Around a write: if its answer is lost, hold the ticket until the write has settled."""
        try:
            yield
        except UnavailableError as exc:
            if not exc.not_sent:
                self.storage.set_time(
                    _inflight_key(ticket_id), self.clock() + self.policy.inflight_grace
                )
            raise

    async def _find_remote(self, local: Ticket) -> RemoteTicket | None:
        """Look for a remote ticket carrying this local id: a create whose response was lost."""
        since = local.created_at - self.policy.find_window
        cursor: str | None = None
        while True:
            page = await self.port.list_tickets(updated_since=since, cursor=cursor)
            for remote in page.items:
                snapshot = Snapshot.from_context(remote.context)
                if snapshot is not None and snapshot.local_id == local.id:
                    return remote
            cursor = page.next_cursor
            if cursor is None:
                return None


def _inflight_key(ticket_id: str) -> str:
    return f"tickets.inflight:{ticket_id}"


def raise_format(remote: RemoteTicket) -> NoReturn:
    from cscdesk.callcenter.errors import ResponseFormatError

    raise ResponseFormatError(
        "GetTicket", "Context", f"ticket {remote.ticket_id} lost its cscdesk data"
    )


def resolve_conflict(
    storage: SyncStorage,
    ticket_id: str,
    choose: str | Mapping[str, str],
    *,
    actor: str,
    at: datetime,
) -> Ticket:
    """The agent's decision on a ticket in conflict: "local", "remote", or per field.

    Non-conflicting edits from both sides are kept either way. The result is saved locally as a
    new change (so it is pushed); the remote version seen at conflict time becomes the base, so
    if the remote moved again meanwhile, the next sync merges once more rather than overwriting.
    """
    copy = storage.conflict(ticket_id)
    if copy is None:
        raise ValueError(f"ticket {ticket_id} has no conflict to resolve")
    fields = resolve(copy.base.fields, copy.local_fields, copy.remote.fields, choose)
    local = storage.get_ticket(ticket_id)
    if local is None:
        raise ValueError(f"ticket {ticket_id} does not exist")
    return storage.resolve_conflict(local, copy, fields, actor=actor, at=at)
