"""Ticket and task events to the broker's business system: a signed POST per event, in order.

Each request carries the event as canonical JSON and these headers:

* ``Idempotency-Key``: the event's stable id (a resend after a lost answer is recognisable);
* ``X-CSCDesk-Event``: its kind; ``X-CSCDesk-Timestamp``: Unix seconds of this attempt;
* ``X-CSCDesk-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``timestamp + "." + body`` under
  the shared secret (from the keyring), so the receiver can check origin and freshness.

A 2xx marks the event delivered. Anything else (or no answer) is a failed attempt: the event
waits out an exponential backoff and the round stops there, so events reach the receiver in
feed order and a receiver that is down is not hammered. After the last attempt the event is a
dead letter (``doctor`` lists them; ``cscdesk feed resend-dead`` puts them back in line).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from cscdesk.config import WebhookSettings
from cscdesk.domain.handoffs import RetryPolicy
from cscdesk.store.business_feed import BusinessEvent, BusinessFeed

WEBHOOKS_LEASE = "sync.webhooks"
SIGNATURE_HEADER = "X-CSCDesk-Signature"
TIMESTAMP_HEADER = "X-CSCDesk-Timestamp"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def encode(event: BusinessEvent) -> bytes:
    return json.dumps(event.body(), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()  # fmt: skip


@dataclass(slots=True)
class WebhookReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0


class WebhookDelivery:
    def __init__(self, feed: BusinessFeed, url: str, secret: bytes, *,
                 settings: WebhookSettings, clock: Callable[[], datetime],
                 client: httpx.AsyncClient | None = None) -> None:  # fmt: skip
        self._feed = feed
        self._url = url
        self._secret = secret
        self._clock = clock
        self._client = client or httpx.AsyncClient(timeout=settings.timeout_seconds,
                                                   follow_redirects=False)  # fmt: skip
        self._retry = RetryPolicy(base=timedelta(seconds=settings.retry_base_seconds),
                                  cap=timedelta(seconds=settings.retry_cap_seconds),
                                  max_attempts=settings.max_attempts)  # fmt: skip

    async def run_once(self) -> WebhookReport:
        report = WebhookReport()
        await asyncio.to_thread(self._feed.catch_up)
        for event in await asyncio.to_thread(self._feed.due, self._clock()):
            if not await self._deliver(event, report):
                break  # keep the order; the next round starts with this one
        return report

    async def _deliver(self, event: BusinessEvent, report: WebhookReport) -> bool:
        now = self._clock()
        body = encode(event)
        stamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": event.event_id,
            "X-CSCDesk-Event": event.kind,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self._secret, stamp, body),
        }
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
            problem = None if response.is_success else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if problem is None:
            await asyncio.to_thread(self._feed.delivered, event.seq, now)
            report.delivered += 1
            return True
        attempts = event.attempts + 1
        retry_at = None if self._retry.exhausted(attempts) else now + self._retry.delay(attempts)
        await asyncio.to_thread(self._feed.failed, event.seq, f"{self._url}: {problem}",
                                retry_at=retry_at, at=now)  # fmt: skip
        if retry_at is None:
            report.dead += 1
            return True  # given up on: the ones after it go on
        report.failed += 1
        return False

    async def aclose(self) -> None:
        await self._client.aclose()
