"""The CCC RPC wire: sign, send, type the errors, retry only where a retry cannot double an effect.

One ``AliyunRpcClient`` per desk process wraps one ``httpx.AsyncClient`` (connection pooling, TLS
verification on). Requests look like the official SDK's: ``POST /`` (or GET) with the action and
version in ``x-acs-action`` / ``x-acs-version``, every parameter in the query string, a form body
only for the few operations that take one, and an ACS3-HMAC-SHA256 ``Authorization``.

Retry policy: throttling is always retried (the vendor refused the request before applying it), as
is a failure to connect at all (nothing was sent). Server errors, resets and timeouts are retried
only when the caller says the call is ``retry_safe`` (reads): a call-control or create request may
have been applied even though its response was lost. Backoff is exponential with full jitter.

Logs carry the action, HTTP status, vendor code, request id and attempt, never parameter values
(they hold phone numbers and names) and never the AccessKey secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from cscdesk.callcenter.aliyun import signing
from cscdesk.callcenter.errors import (
    AuthError,
    CallCenterError,
    InstanceNotFoundError,
    InvalidParameterError,
    NotFoundError,
    NoVoiceDeviceError,
    ResponseFormatError,
    StateConflictError,
    ThrottledError,
    UnavailableError,
)

API_VERSION = "2020-07-01"
LOCAL_HOSTS = frozenset({"127.0.0.1"})
_log = logging.getLogger(__name__)

_AUTH_CODES = (
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidTimeStamp",
    "SignatureNonceUsed",
    "Forbidden.RAM",
    "Forbidden.NoPermission",
    "Forbidden.AccessKey",
    "NoPermission",
    "InvalidSecurityToken",
)
_THROTTLE_CODES = ("Throttling", "ServiceUnavailable.Throttl")
_PARAMETER_CODES = ("Parameter", "InvalidParameter", "MissingParameter", "Missing", "Invalid")
_UNAVAILABLE_CODES = (
    "ServiceUnavailable",
    "InternalError",
    "InternalServerError",
    "ServiceTimeout",
)


def error_class_for(code: str | None, http_status: int | None) -> type[CallCenterError]:
    """Pick the typed error from the vendor code first, the HTTP status second."""
    code = code or ""
    if code == "NotExists.InstanceId":
        return InstanceNotFoundError
    if code == "InvalidOperation.DeviceState":  # UNVERIFIED code, see NoVoiceDeviceError
        return NoVoiceDeviceError
    if code.startswith("InvalidOperation"):
        return StateConflictError
    if code.startswith(_AUTH_CODES) or code == "Forbidden" or http_status == 401:
        return AuthError
    if code.startswith(_THROTTLE_CODES) or http_status == 429:
        return ThrottledError
    if code.startswith(_UNAVAILABLE_CODES) or (http_status is not None and http_status >= 500):
        return UnavailableError
    if (
        code.startswith("NotExists")
        or code.endswith(("NotFound", "NotExist"))
        or http_status == 404
    ):
        return NotFoundError
    if code.startswith(_PARAMETER_CODES) or http_status == 400:
        return InvalidParameterError
    return CallCenterError


def serialise_param(value: object) -> str:
    """Query values as the SDK sends them: its list/object parameters are JSON strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _is_local(host: str) -> bool:
    return host.rsplit(":", 1)[0] in LOCAL_HOSTS if host.count(":") <= 1 else False


class AliyunRpcClient:
    """Signed CCC RPC calls over one pooled ``httpx.AsyncClient``."""

    def __init__(
        self,
        endpoint: str,
        access_key_id: str,
        access_key_secret: str,
        *,
        scheme: str = "https",
        timeout: float = 5.0,
        max_retries: int = 3,
        verify: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff_base: float = 0.2,
        backoff_cap: float = 5.0,
    ) -> None:
        host = endpoint.removeprefix("https://").removeprefix("http://").rstrip("/")
        if scheme not in ("https", "http"):
            raise ValueError(f"callcenter scheme must be https, not {scheme!r}")
        if scheme == "http" and not _is_local(host):
            raise ValueError(
                f"plain http is allowed only for the local simulator on 127.0.0.1, not {host!r}"
            )
        if not access_key_id or not access_key_secret:
            raise ValueError("the CCC AccessKey id and secret are both required")
        self.endpoint = host
        self.scheme = scheme
        self.timeout = timeout
        self.max_retries = max_retries
        self._key_id = access_key_id
        self._secret = access_key_secret
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._http = httpx.AsyncClient(
            base_url=f"{scheme}://{host}",
            verify=verify,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never show the secret
        return f"AliyunRpcClient({self.scheme}://{self.endpoint}, key={self._key_id[:6]}…)"

    @property
    def http(self) -> httpx.AsyncClient:
        """The pooled HTTP client, also used to stream recordings (URLs are pre-signed)."""
        return self._http

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        action: str,
        params: Mapping[str, object],
        *,
        method: str = "POST",
        retry_safe: bool,
        form: Mapping[str, object] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Run one operation and return its JSON body, or raise a typed ``CallCenterError``."""
        query = {k: serialise_param(v) for k, v in params.items() if v is not None}
        body_fields = {k: serialise_param(v) for k, v in (form or {}).items() if v is not None}
        attempt = 0
        while True:
            try:
                return await self._once(action, method, query, body_fields, timeout)
            except CallCenterError as error:
                if attempt >= self.max_retries or not self._may_retry(error, retry_safe):
                    raise
                attempt += 1
                delay = random.uniform(0, min(self._backoff_cap, self._backoff_base * 2**attempt))
                _log.info(
                    "ccc %s: %s, retry %d/%d in %.2fs",
                    action,
                    type(error).__name__,
                    attempt,
                    self.max_retries,
                    delay,
                )
                await asyncio.sleep(delay)

    @staticmethod
    def _may_retry(error: CallCenterError, retry_safe: bool) -> bool:
        if isinstance(error, ThrottledError):
            return True
        if isinstance(error, UnavailableError):
            return retry_safe or error.not_sent
        return False

    def _signed_request(
        self, action: str, method: str, query: dict[str, str], body_fields: dict[str, str]
    ) -> httpx.Request:
        body = urlencode(body_fields).encode() if body_fields else b""
        headers = {
            "host": self.endpoint,
            "x-acs-action": action,
            "x-acs-version": API_VERSION,
            "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": uuid.uuid4().hex,
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        if body:
            headers["content-type"] = "application/x-www-form-urlencoded"
        headers["authorization"] = signing.sign(
            method=method,
            path="/",
            query=query,
            headers=headers,
            body=body,
            access_key_id=self._key_id,
            access_key_secret=self._secret,
        )
        return self._http.build_request(method, "/", params=query, headers=headers, content=body)

    async def _once(
        self,
        action: str,
        method: str,
        query: dict[str, str],
        body_fields: dict[str, str],
        timeout: float | None,
    ) -> dict[str, Any]:
        request = self._signed_request(action, method, query, body_fields)
        if timeout is not None:
            request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
        try:
            response = await self._http.send(request)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            error = UnavailableError(f"cannot connect to {self.endpoint}", action=action)
            error.not_sent = True
            raise error from exc
        except httpx.TimeoutException as exc:
            raise UnavailableError(
                f"no answer within {timeout or self.timeout:g} s", action=action
            ) from exc
        except httpx.TransportError as exc:
            raise UnavailableError(
                f"connection failed ({type(exc).__name__})", action=action
            ) from exc
        return self._decode(action, response)

    @staticmethod
    def _decode(action: str, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            if status >= 400:
                cls = error_class_for(None, status)
                raise cls(
                    f"HTTP {status} without a readable body", http_status=status, action=action
                )
            raise ResponseFormatError(action, "<body>", "not a JSON object")
        code = payload.get("Code")
        request_id = payload.get("RequestId")
        request_id = request_id if isinstance(request_id, str) else None
        ok = status < 400 and (code is None or code == "OK" or code == 200)
        _log.debug("ccc %s: HTTP %d code=%s request=%s", action, status, code, request_id)
        if ok:
            return payload
        code_text = code if isinstance(code, str) else None
        message = payload.get("Message")
        cls = error_class_for(code_text, status)
        raise cls(
            message if isinstance(message, str) and message else f"HTTP {status}",
            code=code_text,
            request_id=request_id,
            http_status=status,
            action=action,
        )
