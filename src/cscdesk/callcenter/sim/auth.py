"""Request authentication as CCC's gateway does it: AccessKey, ACS3 signature, clock skew, nonce.

Each failure carries the vendor's error code and HTTP status so that clients see what the real
service would answer.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cscdesk.callcenter.aliyun.signing import (
    REQUIRED_SIGNED_HEADERS,
    MalformedAuthorization,
    hash_payload,
    parse_authorization,
    verify,
)

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
    """Checks a request in two steps, so that nothing unauthenticated is ever read into memory:
    ``check_headers`` before the body is read (the signature covers the declared body hash), then
    ``check_body`` once the (size-capped) body is in.
    """

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
        declared = self.check_headers(
            method=method, path=path, query=query, headers=headers, now=now
        )
        self.check_body(declared, body)

    def check_headers(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str] | Sequence[tuple[str, str]],
        now: datetime | None = None,
    ) -> str:
        """Authenticate everything but the body; return the body hash the signature vouches for.

        ``headers`` may be the raw header list, so that a signed header sent twice is refused
        (the canonical request would be ambiguous about which value was signed).
        """
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        lowered: dict[str, str] = {}
        repeated: set[str] = set()
        for name, value in pairs:
            key = name.lower()
            if key in lowered:
                repeated.add(key)
            lowered[key] = value
        try:
            auth = parse_authorization(lowered.get("authorization"))
        except MalformedAuthorization as exc:
            raise AuthFailure("MissingAuthorization", 400, str(exc)) from None
        if auth.access_key_id != self.access_key_id:
            raise AuthFailure(
                "InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."
            )
        signed = set(auth.signed_headers)
        unsigned = [name for name in REQUIRED_SIGNED_HEADERS if name not in signed]
        if unsigned:
            # IncompleteSignature, HTTP 400: "The request signature does not conform to Aliyun
            # standards." (POP client error codes, help.aliyun.com/document_detail/51132.html)
            raise AuthFailure(
                "IncompleteSignature",
                400,
                "The request signature does not conform to Aliyun standards: SignedHeaders "
                f"must include {', '.join(unsigned)}.",
            )
        missing = [name for name in auth.signed_headers if name not in lowered]
        if missing:
            raise AuthFailure(
                "IncompleteSignature",
                400,
                "The request signature does not conform to Aliyun standards: signed header(s) "
                f"{', '.join(missing)} not sent.",
            )
        twice = sorted(repeated & signed)
        if twice:
            raise AuthFailure(
                "IncompleteSignature",
                400,
                "The request signature does not conform to Aliyun standards: signed header(s) "
                f"{', '.join(twice)} sent more than once.",
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
        declared_hash = lowered["x-acs-content-sha256"].strip()
        if not verify(
            method=method,
            path=path,
            query=query,
            headers=lowered,
            payload_hash=declared_hash,
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
        return declared_hash

    @staticmethod
    def check_body(declared_hash: str, body: bytes) -> None:
        """The body must be the one whose hash the signature covers."""
        if not hmac.compare_digest(hash_payload(body), declared_hash):
            # The gateway's code for this case is not documented that we could find; the hash is
            # part of the signed canonical request, so SignatureDoesNotMatch is what it amounts to.
            raise AuthFailure(
                "SignatureDoesNotMatch",
                400,
                "Specified signature is not matched with our calculation: "
                "x-acs-content-sha256 is not the SHA-256 of the request body.",
            )
