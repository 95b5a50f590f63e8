"""The HMAC-SHA256 body signature the XML insurers use (签名 + 时间戳 + 随机数 headers).

Signed string: ``app_id \\n timestamp \\n nonce \\n body``. Both directions are signed, so a
tampered or truncated answer is caught before it is parsed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

APP_ID = "X-App-Id"
TIMESTAMP = "X-Timestamp"
NONCE = "X-Nonce"
SIGNATURE = "X-Signature"


def signature(key: str, app_id: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = b"\n".join((app_id.encode(), timestamp.encode(), nonce.encode(), body))
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(key: str, app_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    nonce = secrets.token_hex(12)
    ts = str(timestamp)
    return {
        APP_ID: app_id,
        TIMESTAMP: ts,
        NONCE: nonce,
        SIGNATURE: signature(key, app_id, ts, nonce, body),
    }


def verify(key: str, headers: Mapping[str, str], body: bytes) -> bool:
    """``headers`` may be any case-insensitive mapping (httpx or Starlette headers)."""
    try:
        expected = signature(key, headers[APP_ID], headers[TIMESTAMP], headers[NONCE], body)
    except KeyError:
        return False
    return hmac.compare_digest(expected, headers.get(SIGNATURE, ""))
