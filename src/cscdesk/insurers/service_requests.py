"""Service requests to an insurer's own system (客服转办): submit, status, broker message.

The neutral face (``ServiceRequestPort``) is what the hand-off delivery uses; the one adapter
here speaks the JSON-over-OAuth2 contract of the simulated REST insurers
(``insurers.sim.service_requests``), reusing the lookup adapter's token source. Every failure
is an ``InsurerError`` whose kind says whether a retry can help.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from cscdesk.config import InsurerSettings
from cscdesk.domain.service_requests import (
    OutgoingRequest,
    RequestStatus,
    ServiceRequestFailed,
    ServiceRequestPort,
)
from cscdesk.insurers.adapters.base import Clock, check_status, utc_now
from cscdesk.insurers.adapters.rest_oauth import TOKEN_PATH, TokenSource
from cscdesk.insurers.port import ErrorKind, InsurerError, PayloadError

PATH = "/api/v1/service-requests"
STATES = {"RECEIVED": "received", "PROCESSING": "in_progress", "ANSWERED": "answered"}


def _time(data: dict[str, Any], name: str) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise PayloadError(f"data.{name}", f"not a time: {value!r}") from None


def parse_status(payload: object) -> RequestStatus:
    """The insurer's answer as a ``RequestStatus``; ``PayloadError`` names the field that broke."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise PayloadError("data", "missing")
    data = payload["data"]
    number = data.get("requestNo")
    if not isinstance(number, str) or not number:
        raise PayloadError("data.requestNo", "missing")
    state = STATES.get(str(data.get("status")))
    if state is None:
        raise PayloadError("data.status", f"unknown status {data.get('status')!r}")
    answer = data.get("answer") or {}
    if not isinstance(answer, dict):
        raise PayloadError("data.answer", "not an object")
    return RequestStatus(
        number=number,
        state=state,
        received_at=_time(data, "receivedTime"),
        accepted_at=_time(data, "acceptTime"),
        answered_at=_time(data, "answerTime"),
        answer=answer.get("content"),
        handler=answer.get("handler"),
    )


class RestServiceRequests:
    """The REST/OAuth insurers' service-request API."""

    def __init__(self, insurer_id: str, *, client: httpx.AsyncClient, base_url: str,
                 client_id: str, client_secret: str, clock: Clock = utc_now) -> None:  # fmt: skip
        self.insurer_id = insurer_id
        self._client = client
        self._base = base_url.rstrip("/")
        self.tokens = TokenSource(client, self._base + TOKEN_PATH, client_id, client_secret,
                                  clock=clock)  # fmt: skip

    async def submit(self, key: str, request: OutgoingRequest) -> RequestStatus:
        body = {
            "externalRef": request.external_ref,
            "category": request.category,
            "subject": request.subject,
            "detail": request.detail,
            "policyNo": request.policy_no,
            "claimNo": request.claim_no,
            "brokerMemberRef": request.member_ref,
            "dueTime": request.due_at.isoformat() if request.due_at else None,
        }
        return await self._call("POST", PATH, body=body, key=key)

    async def status(self, number: str) -> RequestStatus:
        return await self._call("GET", f"{PATH}/{number}")

    async def message(self, number: str, key: str, text: str) -> RequestStatus:
        return await self._call("POST", f"{PATH}/{number}/messages", body={"content": text},
                                key=key)  # fmt: skip

    async def _call(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                    key: str | None = None) -> RequestStatus:  # fmt: skip
        """One call; every failure leaves as ``ServiceRequestFailed`` saying if a retry helps."""
        try:
            return await self._exchange(method, path, body, key)
        except InsurerError as exc:
            raise ServiceRequestFailed(f"{self.insurer_id}: {exc}",
                                       transient=exc.kind.transient) from None  # fmt: skip

    async def _exchange(self, method: str, path: str, body: dict[str, Any] | None,
                        key: str | None) -> RequestStatus:  # fmt: skip
        try:
            token = await self.tokens.get()
            response = await self._send(method, path, body, key, token)
            if response.status_code == 401:
                token = await self.tokens.invalidate(token)
                response = await self._send(method, path, body, key, token)
        except httpx.TimeoutException:
            raise InsurerError(ErrorKind.TIMEOUT, f"{self.insurer_id}: timed out") from None
        except httpx.HTTPError as exc:
            raise InsurerError(ErrorKind.UNAVAILABLE,
                               f"{self.insurer_id}: unreachable ({type(exc).__name__})") from None  # fmt: skip
        check_status(response)
        try:
            payload = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise PayloadError("$", "not JSON") from None
        return parse_status(payload)

    async def _send(self, method: str, path: str, body: dict[str, Any] | None, key: str | None,
                    token: str) -> httpx.Response:  # fmt: skip
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return await self._client.request(method, self._base + path, json=body, headers=headers)

    async def aclose(self) -> None:
        await self._client.aclose()


SecretResolver = Callable[[str | None, str], str]


def build_service_request_clients(
    insurers: list[InsurerSettings], secrets: SecretResolver, *, clock: Clock = utc_now
) -> dict[str, ServiceRequestPort]:
    """A client for each configured insurer whose system takes service requests (the REST/OAuth
    ones with an endpoint); the others take hand-offs through their seconded agents."""
    clients: dict[str, ServiceRequestPort] = {}
    for settings in insurers:
        if settings.kind != "rest_oauth" or not settings.base_url or not settings.client_id:
            continue
        secret = secrets(settings.client_secret, f"insurers.{settings.id}.client_secret")
        client = httpx.AsyncClient(timeout=settings.timeout_seconds, follow_redirects=False)
        clients[settings.id] = RestServiceRequests(
            settings.id, client=client, base_url=settings.base_url,
            client_id=settings.client_id, client_secret=secret, clock=clock,
        )  # fmt: skip
    return clients
