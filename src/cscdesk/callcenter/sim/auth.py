"""Request authentication as CCC's gateway does it: AccessKey, ACS3 signature, clock skew, nonce.

Each failure carries the vendor's error code and HTTP status so that clients see what the real
service would answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cscdesk.callcenter.aliyun.signing import MalformedAuthorization, parse_authorization, verify

MAX_SKEW_SECONDS = 15 * 60
NONCE_TTL_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class AuthFailure(Exception):
    code: str
    status: int
    message: str


class NonceCache:
    """Nonces seen within the skew window; bounded so a flood cannot exhaust memory."""

    def __init__(self, capacity: int = 100_000, ttl: float = NONCE_TTL_SECONDS) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check_and_add(self, nonce: str) -> bool:
        """True when ``nonce`` is fresh (and remember it); False when it was used before."""
        now = time.monotonic()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now - self.ttl:
                self._seen.popitem(last=False)
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True


class Authenticator:
    def __init__(self, access_key_id: str, access_key_secret: str) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.nonces = NonceCache()

    def check(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        now: datetime | None = None,
    ) -> None:
        """Raise AuthFailure unless the request is signed by the accepted key, fresh and unique."""
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            auth = parse_authorization(lowered.get("authorization"))
        except MalformedAuthorization as exc:
            raise AuthFailure("MissingAuthorization", 400, str(exc)) from None
        if auth.access_key_id != self.access_key_id:
            raise AuthFailure(
                "InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."
            )
        stamp = lowered.get("x-acs-date", "")
        try:
            sent = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise AuthFailure(
                "InvalidTimeStamp.Format",
                400,
                "Specified time stamp or date value is not well formatted.",
            ) from None
        current = now or datetime.now(UTC)
        if abs((current - sent).total_seconds()) > MAX_SKEW_SECONDS:
            raise AuthFailure(
                "InvalidTimeStamp.Expired",
                400,
                f"Specified time stamp or date value is expired. Server time is {current:%Y-%m-%dT%H:%M:%SZ}.",
            )
        if not verify(
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
            auth=auth,
            access_key_secret=self.access_key_secret,
        ):
            raise AuthFailure(
                "SignatureDoesNotMatch",
                400,
                "Specified signature is not matched with our calculation.",
            )
        nonce = lowered.get("x-acs-signature-nonce", "")
        if not nonce:
            raise AuthFailure("MissingSignatureNonce", 400, "SignatureNonce is mandatory.")
        if not self.nonces.check_and_add(nonce):
            raise AuthFailure(
                "SignatureNonceUsed", 400, "Specified signature nonce was used already."
            )
