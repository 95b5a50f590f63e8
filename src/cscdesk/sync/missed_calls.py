"""Lost inbound calls from the call records into the missed calls worklist (漏话回拨).

A background duty (one process at a time, under its own lease) reads the CDRs of a window that
reaches back ``overlap`` before where the last round stopped (a CDR appears when its call ends,
and the vendor may publish it late), keeps the inbound calls lost in the IVR, the queue, while
ringing or to voicemail (``domain.missed_calls``), and takes each into the worklist once. A
waiting entry whose customer called again after the last loss and was answered is closed
(``CALLED_IN``): nobody should call back a customer who has been served meanwhile.

One entry per number per day, while the store keeps numbers only masked: two misses are the
same number when the member link says so; for numbers of no member, whose masks can coincide,
the round compares the full numbers, fetching the earlier call's CDR (``GetCallDetailRecord``)
when that call is not in the round's own records. Full numbers live in memory for the round only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from cscdesk.callcenter.port import CallCenterPort, CallRecord
from cscdesk.domain.missed_calls import (
    CallbackEntry,
    CallbackState,
    MissedCall,
    missed_stage,
    worklist_day,
)
from cscdesk.domain.privacy import normalise_mobile
from cscdesk.store.calls import number_at_rest
from cscdesk.store.missed_calls import MissedCalls
from cscdesk.sync.background import BackgroundDuty

if TYPE_CHECKING:
    from cscdesk.store import Store

log = logging.getLogger(__name__)

MISSED_CALLS_LEASE = "callbacks.missed"
WATERMARK_KEY = "missed_calls.through"
OVERLAP = timedelta(minutes=30)
FIRST_LOOKBACK = timedelta(hours=24)
WAITING_LIMIT = 100_000


@dataclass(slots=True)
class IngestReport:
    records: int = 0
    missed: int = 0
    added: int = 0  # misses taken in (new entries or added to one)
    new_entries: int = 0
    answered_later: int = 0  # entries closed because the customer got through since


class MissedCallIngest:
    """Reads CDRs through the port and fills the worklist; safe to run again on the same window."""

    def __init__(self, port: CallCenterPort, store: Store, *, zone: tzinfo,
                 clock: Callable[[], datetime], overlap: timedelta = OVERLAP) -> None:  # fmt: skip
        self._port = port
        self._store = store
        self._worklist = MissedCalls(store)
        self._zone = zone
        self._clock = clock
        self._overlap = overlap

    async def run_once(self) -> IngestReport:
        """One round: from the watermark (less the overlap) to now; moves the watermark on."""
        now = self._clock()
        mark = await asyncio.to_thread(self._store.sync_state.get, WATERMARK_KEY)
        start = datetime.fromisoformat(mark) - self._overlap if mark else now - FIRST_LOOKBACK
        report = await self.ingest_window(start, now)
        await asyncio.to_thread(self._store.sync_state.set, WATERMARK_KEY, now.isoformat())
        return report

    async def ingest_window(self, start: datetime, end: datetime) -> IngestReport:
        report = IngestReport()
        records: list[CallRecord] = []
        cursor: str | None = None
        while True:
            page = await self._port.list_call_records(start, end, cursor=cursor)
            records.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        report.records = len(records)
        lost = [
            (r, stage)
            for r in records
            if (stage := missed_stage(r.direction, r.outcome, r.missed_stage)) is not None
        ]
        report.missed = len(lost)
        known = await asyncio.to_thread(self._worklist.known, [r.contact_id for r, _s in lost])
        numbers = {r.contact_id: normalise_mobile(r.caller) for r in records}
        for record, stage in sorted(lost, key=lambda item: item[0].start_time):
            if record.contact_id in known:
                continue
            number = numbers[record.contact_id]
            miss = MissedCall(
                contact_id=record.contact_id,
                missed_at=record.release_time or record.start_time,
                number_masked=number_at_rest(record.caller),
                member_id=await asyncio.to_thread(self._member_of, number),
                skill_group=record.skill_group_id,
                stage=stage,
            )
            day = worklist_day(miss.missed_at, self._zone)
            candidates = await asyncio.to_thread(self._worklist.same_day, day, miss.number_masked)
            entry = await self._same_number(miss, number, candidates, numbers)
            added = await asyncio.to_thread(self._worklist.add, miss, day, entry)
            if added is not None:
                report.added += 1
                report.new_entries += entry is None
        report.answered_later = await self._close_answered(records, numbers)
        return report

    async def _close_answered(self, records: list[CallRecord], numbers: dict[str, str]) -> int:
        """Waiting entries whose customer called in again after the last miss and was answered
        need no callback: close them (``CallbackOutcome.CALLED_IN``)."""
        answered = [r for r in records if r.direction == "inbound" and r.outcome == "answered"]
        if not answered:
            return 0
        waiting: dict[tuple[date, str], list[CallbackEntry]] = {}
        for entry in await asyncio.to_thread(self._worklist.waiting, None, WAITING_LIMIT):
            if entry.state is CallbackState.OPEN:
                waiting.setdefault((entry.day, entry.number_masked), []).append(entry)
        closed = 0
        for record in answered:
            key = (worklist_day(record.start_time, self._zone), number_at_rest(record.caller))
            number = numbers[record.contact_id]
            member = None
            for entry in waiting.get(key, []):
                if entry.last_missed_at >= record.start_time:
                    continue  # lost again after this call: still owed a callback
                if member is None:
                    member = await asyncio.to_thread(self._member_of, number) or ""
                if not await self._is_same(entry, member or None, number, numbers):
                    continue
                closed += await asyncio.to_thread(self._worklist.answered_later, entry.id,
                                                  record.contact_id, record.start_time)  # fmt: skip
        return closed

    def _member_of(self, number: str) -> str | None:
        if not number:
            return None
        members = self._store.members.by_mobile(number)  # the main insured first, as calls do
        return members[0].id if members else None

    async def _same_number(self, miss: MissedCall, number: str, candidates: list[CallbackEntry],
                           numbers: dict[str, str]) -> str | None:  # fmt: skip
        """The entry of this number today, if any (see the module docstring)."""
        for entry in candidates:
            if await self._is_same(entry, miss.member_id, number, numbers):
                return entry.id
        return None

    async def _is_same(self, entry: CallbackEntry, member_id: str | None, number: str,
                       numbers: dict[str, str]) -> bool:  # fmt: skip
        """Whether ``entry`` (same day, same mask) is this number's."""
        if member_id is not None or entry.member_id is not None:
            return entry.member_id == member_id
        if entry.number_masked == number:  # an unmasked non-mobile (a landline) compares as is
            return True
        theirs = numbers.get(entry.last_contact_id)
        if theirs is None:
            theirs = await self._number_of(entry.last_contact_id)
            numbers[entry.last_contact_id] = theirs
        return theirs == number

    async def _number_of(self, contact_id: str) -> str:
        record = await self._port.get_call_record(contact_id)
        return normalise_mobile(record.caller)


async def callback_number(port: CallCenterPort, contact_id: str) -> str:
    """The full number to dial for a worklist entry: the caller of its latest lost call, read from
    the call system (the store keeps it masked)."""
    record = await port.get_call_record(contact_id)
    if not record.caller:
        raise LookupError(f"call {contact_id} has no caller number in the call records")
    return record.caller


class BackgroundMissedCalls(BackgroundDuty):
    """The worklist's ingest as a background duty: every desk offers it, the lease picks one."""

    name = "missed-calls"
    lease_name = MISSED_CALLS_LEASE

    def __init__(self, store: Store, make_port: Callable[[], CallCenterPort], *, zone: tzinfo,
                 interval_seconds: float, lease_seconds: float,
                 clock: Callable[[], datetime]) -> None:  # fmt: skip
        super().__init__(store, make_port, interval_seconds=interval_seconds,
                         lease_seconds=lease_seconds)  # fmt: skip
        self._zone = zone
        self._clock = clock

    def work(self, port: CallCenterPort) -> Callable[[], Awaitable[object]]:
        return MissedCallIngest(port, self._store, zone=self._zone, clock=self._clock).run_once
