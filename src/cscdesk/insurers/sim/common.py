"""Pieces every simulated insurer service shares: OAuth tokens, counters, fault handling."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cscdesk.insurers.sim.profile import FaultProfile, MalformedKind

CHINA = ZoneInfo("Asia/Shanghai")


def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str | None:
    return value.astimezone(CHINA).strftime(fmt) if value else None


def iso(value: datetime | None) -> str | None:
    return value.astimezone(CHINA).isoformat(timespec="seconds") if value else None


def epoch_ms(value: datetime | None) -> int | None:
    return round(value.timestamp() * 1000) if value else None


@dataclass
class ServiceStats:
    """What a service saw, so tests can tell whether the gateway asked at all."""

    requests: int = 0
    lookups: int = 0
    tokens_issued: int = 0
    rejected_auth: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bump(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


class TokenIssuer:
    """OAuth2 client-credentials token endpoint state: issued tokens and when they expire."""

    def __init__(self, client_id: str, client_secret: str, profile: FaultProfile) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self._profile = profile
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> tuple[str, float]:
        token = secrets.token_urlsafe(24)
        ttl = self._profile.token_ttl_seconds
        with self._lock:
            self._tokens[token] = time.monotonic() + ttl
        return token, ttl

    def valid(self, token: str) -> bool:
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and time.monotonic() < expires

    def revoke_all(self) -> None:
        with self._lock:
            self._tokens.clear()

    async def token_endpoint(self, request: Request, stats: ServiceStats) -> Response:
        stats.bump("requests")
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if not self._client_ok(request.headers.get("authorization", "")):
            stats.bump("rejected_auth")
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token, ttl = self.issue()
        stats.bump("tokens_issued")
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": ttl})

    def _client_ok(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user, self.client_id) and secrets.compare_digest(
            password, self.client_secret
        )

    def bearer_ok(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.valid(token)


async def with_faults(
    profile: FaultProfile,
    stats: ServiceStats,
    answer: Callable[[MalformedKind | None], Awaitable[Response]],
) -> Response:
    """Apply latency, errors and broken bodies around a service's normal answer."""
    stats.bump("lookups")
    await profile.delay()
    if profile.fail_now():
        return Response("internal error", status_code=500, media_type="text/plain")
    return await answer(profile.malformed_now())


def truncate(body: bytes) -> bytes:
    return body[: max(1, len(body) // 2)]


Asked = Mapping[str, Any]


def oauth_json_service(
    *,
    path: str,
    method: str,
    issuer: TokenIssuer,
    profile: FaultProfile,
    stats: ServiceStats,
    unauthorized: dict[str, Any],
    read_query: Callable[[Request], Awaitable[Asked | Response]],
    payload: Callable[[Asked, MalformedKind | None], Any],
) -> Starlette:
    """An OAuth2 client-credentials JSON service: ``/oauth/token`` plus one query endpoint.

    The endpoint checks the bearer token (``unauthorized`` is the 401 body in the insurer's
    dialect), reads the question with ``read_query`` (a ``Response`` there is a refusal), and
    answers ``payload(question, malformed)`` as JSON under the profile's faults: a truncated
    body for ``truncate``/``entity``, the profile's fixed body when it has one.
    """

    async def token(request: Request) -> Response:
        return await issuer.token_endpoint(request, stats)

    async def query(request: Request) -> Response:
        stats.bump("requests")
        if not issuer.bearer_ok(request):
            stats.bump("rejected_auth")
            return JSONResponse(unauthorized, status_code=401)
        asked = await read_query(request)
        if isinstance(asked, Response):
            return asked

        async def answer(malformed: MalformedKind | None) -> Response:
            if profile.body_override is not None:
                return Response(profile.body_override, media_type="application/json")
            body = json.dumps(payload(asked, malformed), ensure_ascii=False).encode()
            if malformed in ("truncate", "entity"):
                body = truncate(body)
            return Response(body, media_type="application/json")

        return await with_faults(profile, stats, answer)

    return Starlette(
        routes=[
            Route("/oauth/token", token, methods=["POST"]),
            Route(path, query, methods=[method]),
        ]
    )
