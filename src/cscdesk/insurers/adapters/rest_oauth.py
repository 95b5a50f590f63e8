"""JSON REST insurers behind OAuth2 client credentials (e.g. 瑞安, 华盈).

The access token is cached until shortly before it expires, refreshed once when the insurer
answers 401 (a revoked or rotated token), and only one refresh runs at a time however many
lookups are waiting for it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from cscdesk.insurers.adapters.base import Clock, HttpAdapter, check_status, utc_now
from cscdesk.insurers.adapters.json_dialects import JsonDialect, Request
from cscdesk.insurers.adapters.parsed import Parsed
from cscdesk.insurers.port import ErrorKind, InsurerError, LookupQuery, PayloadError

TOKEN_PATH = "/oauth/token"
EXPIRY_MARGIN = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires_at: datetime


class TokenSource:
    """OAuth2 client-credentials grant with a cached token and a single-flight refresh."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._client = client
        self._url = token_url
        self._auth = (client_id, client_secret)
        self._clock = clock
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.refreshes = 0

    async def get(self) -> str:
        token = self._token
        if token is not None and self._clock() < token.expires_at - EXPIRY_MARGIN:
            return token.value
        return await self._refresh(stale=token.value if token else None)

    async def invalidate(self, rejected: str) -> str:
        """The insurer refused ``rejected``: fetch a new token unless another task already did."""
        return await self._refresh(stale=rejected, force=True)

    async def _refresh(self, *, stale: str | None, force: bool = False) -> str:
        async with self._lock:
            current = self._token
            if current is not None and current.value != stale:
                return current.value  # someone refreshed while we waited
            if (
                not force
                and current is not None
                and self._clock() < current.expires_at - EXPIRY_MARGIN
            ):
                return current.value
            response = await self._client.post(
                self._url, data={"grant_type": "client_credentials"}, auth=self._auth
            )
            if response.status_code in (400, 401):
                raise InsurerError(ErrorKind.AUTH, "client credentials refused by token endpoint")
            check_status(response)
            try:
                body = response.json()
                value = body["access_token"]
                lifetime = float(body["expires_in"])
            except (ValueError, KeyError, TypeError):
                raise PayloadError("token.access_token", "token response unreadable") from None
            if not isinstance(value, str) or not value or lifetime <= 0:
                raise PayloadError("token.expires_in", "token response unreadable")
            self._token = Token(value, self._clock() + timedelta(seconds=lifetime))
            self.refreshes += 1
            return value


class RestOAuthAdapter(HttpAdapter):
    def __init__(
        self,
        insurer_id: str,
        name: str,
        *,
        client: httpx.AsyncClient,
        base_url: str,
        client_id: str,
        client_secret: str,
        dialect: JsonDialect,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(insurer_id, name, clock=clock)
        self._client = client
        self._base = base_url.rstrip("/")
        self._dialect = dialect
        self.tokens = TokenSource(
            client, self._base + TOKEN_PATH, client_id, client_secret, clock=clock
        )

    async def fetch(self, query: LookupQuery) -> Parsed:
        request = self._dialect.request(query)
        token = await self.tokens.get()
        response = await self._send(request, token)
        if response.status_code == 401:
            token = await self.tokens.invalidate(token)
            response = await self._send(request, token)
        check_status(response)
        try:
            payload = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise PayloadError("$", "not JSON") from None
        return self._dialect.parse(payload, self.id)

    async def _send(self, request: Request, token: str) -> httpx.Response:
        return await self._client.request(
            request.method,
            self._base + request.path,
            params=request.params,
            json=request.json,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
