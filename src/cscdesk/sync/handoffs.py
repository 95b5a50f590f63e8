"""Hand-off delivery, a background duty under its own lease: escalations out, answers back.

Each round:

1. every new escalation becomes a hand-off (``Handoffs.open_for_escalations``);
2. API hand-offs due for delivery are submitted under their idempotency key; a failure waits
   out an exponential backoff, and after the last attempt the hand-off is ``failed`` for a
   person to see (the ticket keeps its escalation);
3. requests the insurer holds are polled; its acceptance and answer (with the insurer's own
   times, which the scorecard measures) move the hand-off on;
4. every answer or hand-back not yet in its ticket is written there (note, ticket re-opened).

A round killed at any point loses nothing: each step is stored before the next, a resend
carries the same key, and step 4 is one transaction per hand-off.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cscdesk.config import HandoffSettings, InsurerSettings
from cscdesk.domain.handoffs import Channel, Handoff, HandoffState, RetryPolicy, step
from cscdesk.domain.service_requests import (
    OutgoingRequest,
    RequestStatus,
    ServiceRequestFailed,
    ServiceRequestPort,
)
from cscdesk.store.handoffs import Handoffs, StaleHandoff

if TYPE_CHECKING:
    from cscdesk.store import Store

log = logging.getLogger(__name__)

HANDOFFS_LEASE = "sync.handoffs"


@dataclass(slots=True)
class HandoffReport:
    opened: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    answered: int = 0
    applied: int = 0
    errors: list[str] = field(default_factory=list)


def channel_chooser(settings: HandoffSettings, insurers: list[InsurerSettings]) -> Callable[[str], Channel]:  # fmt: skip
    """How each insurer takes hand-offs: as configured, else its API when it has one."""
    with_api = {i.id for i in insurers if i.kind == "rest_oauth" and i.base_url}

    def choose(insurer_id: str) -> Channel:
        named = settings.channels.get(insurer_id)
        if named is not None:
            return Channel(named)
        return Channel.API if insurer_id in with_api else Channel.SECONDED

    return choose


def retry_policy(settings: HandoffSettings) -> RetryPolicy:
    return RetryPolicy(base=timedelta(seconds=settings.retry_base_seconds),
                       cap=timedelta(seconds=settings.retry_cap_seconds),
                       max_attempts=settings.max_attempts)  # fmt: skip


class HandoffDelivery:
    def __init__(self, store: Store, handoffs: Handoffs, clients: Mapping[str, ServiceRequestPort],
                 *, settings: HandoffSettings, channel_for: Callable[[str], Channel],
                 names: Mapping[str, str], clock: Callable[[], datetime]) -> None:  # fmt: skip
        self._store = store
        self._handoffs = handoffs
        self._clients = clients
        self._settings = settings
        self._channel_for = channel_for
        self._names = names
        self._clock = clock
        self._retry = retry_policy(settings)

    def _due(self, insurer_id: str) -> datetime | None:
        terms = self._settings.terms.get(insurer_id, self._settings.default_terms)
        return self._clock() + timedelta(hours=terms.answer_hours)

    async def run_once(self) -> HandoffReport:
        report = HandoffReport()
        opened = await asyncio.to_thread(
            self._handoffs.open_for_escalations, self._channel_for, at=self._clock(),
            due_at=self._due,
        )  # fmt: skip
        report.opened = len(opened)
        for handoff in await asyncio.to_thread(self._handoffs.due_for_delivery, self._clock()):
            await self._send(handoff, report)
        for handoff in await asyncio.to_thread(self._handoffs.awaiting_insurer):
            await self._poll(handoff, report)
        for handoff in await asyncio.to_thread(self._handoffs.not_applied):
            who = self._names.get(handoff.insurer_id or "", handoff.replied_by or "")
            if handoff.channel is Channel.STAFF or not who:
                who = handoff.replied_by or "?"
            try:
                await asyncio.to_thread(self._handoffs.bring_back, handoff, who=who,
                                        at=self._clock())  # fmt: skip
                report.applied += 1
            except StaleHandoff:
                continue  # another process (a desk answering it) got there first
        return report

    def _request(self, handoff: Handoff) -> OutgoingRequest:
        ticket = self._store.tickets.require(handoff.ticket_id)
        return OutgoingRequest(
            external_ref=handoff.id, category=ticket.type.value, subject=ticket.title,
            detail=handoff.request, policy_no=ticket.policy_no, claim_no=ticket.claim_no,
            member_ref=ticket.member_id, due_at=handoff.due_at,
        )  # fmt: skip

    async def _send(self, handoff: Handoff, report: HandoffReport) -> None:
        now = self._clock()
        client = self._clients.get(handoff.insurer_id or "")
        if client is None:
            name = self._names.get(handoff.insurer_id or "", handoff.insurer_id)
            await self._save(step(handoff, HandoffState.FAILED, now, last_error=(
                f"no service-request API configured for insurer {name}")), handoff, report)  # fmt: skip
            report.failed += 1
            return
        request = await asyncio.to_thread(self._request, handoff)
        try:
            answer = await client.submit(handoff.idempotency_key, request)
        except ServiceRequestFailed as exc:
            attempts = handoff.attempts + 1
            if self._retry.exhausted(attempts):
                failed = step(handoff, HandoffState.FAILED, now, attempts=attempts,
                              last_error=f"{exc} (gave up after {attempts} attempts)")  # fmt: skip
                report.failed += 1
                await self._save(failed, handoff, report)
                return
            later = replace(handoff, attempts=attempts, last_error=str(exc),
                            next_attempt_at=now + self._retry.delay(attempts))  # fmt: skip
            report.retried += 1
            await self._save(later, handoff, report)
            return
        sent = step(handoff, HandoffState.SENT, now, remote_ref=answer.number,
                    attempts=handoff.attempts + 1, last_error=None, next_attempt_at=None,
                    sent_at=answer.received_at or now)  # fmt: skip
        report.sent += 1
        await self._save(self._progress(sent, answer, now), handoff, report)

    async def _poll(self, handoff: Handoff, report: HandoffReport) -> None:
        client = self._clients.get(handoff.insurer_id or "")
        if client is None or handoff.remote_ref is None:
            return
        try:
            answer = await client.status(handoff.remote_ref)
        except ServiceRequestFailed as exc:  # asked again next round; nothing changes meanwhile
            report.errors.append(f"{handoff.id}: {exc}")
            return
        moved = self._progress(handoff, answer, self._clock())
        if moved != handoff:
            await self._save(moved, handoff, report)

    def _progress(self, handoff: Handoff, answer: RequestStatus, now: datetime) -> Handoff:
        """The hand-off as the insurer's status says, with the insurer's own times."""
        current = handoff
        if answer.state in ("in_progress", "answered") and current.state is HandoffState.SENT:
            current = step(current, HandoffState.ACKNOWLEDGED, answer.accepted_at or now)
        if answer.state == "answered" and current.state is HandoffState.ACKNOWLEDGED:
            current = step(current, HandoffState.ANSWERED, answer.answered_at or now,
                           reply=answer.answer or "", replied_by=answer.handler)  # fmt: skip
        return current

    async def _save(self, changed: Handoff, read: Handoff, report: HandoffReport) -> None:
        try:
            await asyncio.to_thread(self._handoffs.save, changed, base_version=read.version,
                                    at=self._clock())  # fmt: skip
            if changed.state is HandoffState.ANSWERED and read.state is not HandoffState.ANSWERED:
                report.answered += 1
        except StaleHandoff:
            report.errors.append(f"{read.id}: changed by another process meanwhile")

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
