"""The webhook receiver: call-system events in, stored once, archive copy driven within seconds.

CCC pushes events to the ``AccessPoint`` URL set with ``UpdateSubscription`` (``MqType=webhook``;
api-ccc-2020-07-01-updatesubscription). How a receiver should authenticate a push is not
documented: the page names no signature, header or token for webhooks, and we found none on the
event-format page either. Our choice, therefore: the URL we subscribe carries a shared secret,
``/ccc/events?token=SECRET``, with SECRET kept in the OS keyring (``cscdesk secrets set
ccc-webhook-token``). A request without the right token is refused (401) before its body is
read; the token is compared in constant time and never logged. Serve it behind TLS in
production, so the URL (and token) are not readable on the wire.

Each event is stored once (``store.events``: keyed by the SHA-256 of its canonical JSON, as no
event id is documented), then the ``EventArchiver`` copies what ``CDRReady`` / ``RecordingReady``
name, reusing the archive code (``SyncStorage.store_call_records`` queues the recording job in
the same transaction as the CDR; ``sync.recordings.fetch_recordings`` copies due recordings).
Polling (``sync.service.archive_round``) stays the backstop: it upserts by ContactId, so a CDR
copied here is never duplicated there, and after the receiver was down it catches up.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cscdesk.callcenter.port import CallCenterPort
from cscdesk.config import ArchiveSettings
from cscdesk.domain.privacy import mask_numbers_in_text
from cscdesk.store.events import CallEvents
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.lease import Lease
from cscdesk.sync.recordings import fetch_recordings
from cscdesk.sync.service import recording_policy
from cscdesk.sync.storage import SyncStorage

log = logging.getLogger(__name__)

PATH = "/ccc/events"
TOKEN_SECRET_NAME = "ccc-webhook-token"  # keyring name, our convention
ARCHIVE_EVENTS = frozenset({"CDRReady", "RecordingReady"})
# What cscdesk subscribes to: the archive's two, and the call and agent events kept for audit.
SUBSCRIBED_EVENTS: tuple[str, ...] = (
    "CDRReady", "RecordingReady", "Established", "Released", "Abandoned",
    "AgentCheckIn", "AgentReady", "AgentBreak",
)  # fmt: skip
MAX_BODY_BYTES = 256 * 1024  # our bound; CCC documents no event size


def event_key(event: dict[str, Any]) -> str:
    """The identity of an event: SHA-256 of its canonical JSON (a redelivery is byte-equal in
    content, if not in key order or spacing)."""
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def subscription_url(base_url: str, token: str) -> str:
    """The AccessPoint to subscribe: our path with the shared token."""
    from urllib.parse import quote

    return f"{base_url.rstrip('/')}{PATH}?token={quote(token, safe='')}"


class EventArchiver:
    """Copies the CDR and recording that an archive event names; one drain at a time.

    With a ``lease`` (the archive lease, ``sync.worker.ARCHIVE_LEASE``) a drain copies only while
    it holds that lease, so an event receiver never downloads beside ``cscdesk archive sync`` or a
    desk's background archive: when another process holds it, the events stay stored and
    unhandled (that process's polling copies the same calls; a later drain finishes the events).
    The lease is renewed after every event and released when the drain ends, so polling can run
    between pushes.
    """

    def __init__(
        self,
        port: CallCenterPort,
        storage: SyncStorage,
        blobs: BlobStore,
        events: CallEvents,
        *,
        settings: ArchiveSettings,
        clock: Callable[[], datetime],
        lease: Lease | None = None,
    ) -> None:
        self._lease = lease
        self._port = port
        self._storage = storage
        self._blobs = blobs
        self._events = events
        self._settings = settings
        self._clock = clock
        self._lock = asyncio.Lock()

    async def drain(self) -> int:
        """Handle every stored event not handled yet (also those a previous process left);
        returns how many were handled."""
        async with self._lock:
            lease = self._lease
            if lease is not None and not lease.acquire():
                holder = lease.current_holder()
                log.info(
                    "archive lease held by %s; pushed events left to it",
                    holder.describe() if holder else "another process",
                )
                return 0
            try:
                return await self._drain_held()
            finally:
                if lease is not None:
                    lease.release()

    async def _drain_held(self) -> int:
        done = 0
        while batch := self._events.unhandled(limit=50):
            for event in batch:
                if self._lease is not None and not self._lease.keep():
                    log.warning("lost the archive lease mid-drain; %d event(s) handled", done)
                    return done
                error = None
                if event.event_type in ARCHIVE_EVENTS and event.job_id:
                    error = await self._copy(event.job_id)
                self._events.handled(event.key, self._clock(), error)
                done += 1
        return done

    async def _copy(self, contact_id: str) -> str | None:
        """CDR then due recordings; a failure is noted on the event and left to polling."""
        try:
            record = await self._port.get_call_record(contact_id)
            self._storage.store_call_records([record])
            report = await fetch_recordings(
                self._port,
                self._storage,
                self._blobs,
                clock=self._clock,
                policy=recording_policy(self._settings),
                due_by=self._clock(),
                policies_for=self._storage.policy_terms_for_call,
            )
        except Exception as exc:  # one event must not stop the receiver; polling catches up
            log.warning("event copy of %s failed: %s: %s", contact_id, type(exc).__name__, exc)
            return f"{type(exc).__name__}: {exc}"[:500]
        return "; ".join(report.errors)[:500] or None


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _events_of(raw: bytes) -> list[dict[str, Any]]:
    """One event object or a list of them; anything else is a ValueError naming the fault."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the body is not JSON ({exc})") from None
    items: Sequence[Any] = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("EventType"), str):
            raise ValueError("each event must be a JSON object with an EventType")
    return list(items)


def build_receiver(
    events: CallEvents,
    token: str,
    *,
    archiver: EventArchiver | None,
    clock: Callable[[], datetime],
) -> Starlette:
    """The Starlette app: ``POST /ccc/events?token=...``."""
    if not token:
        raise ValueError("the webhook token is empty; set it with `cscdesk secrets set`")
    expected = token.encode()

    async def receive(request: Request) -> JSONResponse:
        given = request.query_params.get("token", "").encode()
        if not hmac.compare_digest(given, expected):
            return _refuse(401, "missing or wrong token in the webhook URL")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _refuse(413, f"event body over {MAX_BODY_BYTES} bytes")
        raw = b""
        async for chunk in request.stream():  # read no more than the bound, whatever is sent
            raw += chunk
            if len(raw) > MAX_BODY_BYTES:
                return _refuse(413, f"event body over {MAX_BODY_BYTES} bytes")
        try:
            items = _events_of(raw)
        except ValueError as exc:
            return _refuse(400, str(exc))
        stored = 0
        now = clock()
        for item in items:
            job = item.get("JobId") or item.get("ContactId")
            # stored masked: call events carry callers' and callees' numbers (personal data)
            body = mask_numbers_in_text(json.dumps(item, ensure_ascii=False))
            if events.add(event_key(item), item["EventType"], str(job) if job else None, now, body):
                stored += 1
        task = BackgroundTask(archiver.drain) if archiver is not None and stored else None
        reply = {"stored": stored, "duplicates": len(items) - stored}
        return JSONResponse(reply, background=task)

    return Starlette(routes=[Route(PATH, receive, methods=["POST"])])
