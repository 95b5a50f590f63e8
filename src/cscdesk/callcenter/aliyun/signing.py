"""ACS3-HMAC-SHA256: Alibaba Cloud's request signature, used by the adapter to sign and by the
simulator to verify, so that both sides share one definition of the canonical request.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

ALGORITHM = "ACS3-HMAC-SHA256"

# The headers a server must find among SignedHeaders. The V3 signature page ("V3版本请求体&签名机制",
# help.aliyun.com/document_detail/2593177.html) says every common request header except
# Authorization must be signed when present, and its example signs exactly these six; the official
# SDK (tea-openapi 0.4.x) signs all of them plus user-agent, accept and content-type.
REQUIRED_SIGNED_HEADERS: tuple[str, ...] = (
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
)


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the vendor canonicalises it: space is %20, '~' stays, '*' is %2A."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    names = {name.lower() for name in headers}
    return sorted(n for n in names if n == "host" or n == "content-type" or n.startswith("x-acs-"))


def hash_payload(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    signed_headers: list[str],
    payload_hash: str,
) -> str:
    lowered = {k.lower(): v for k, v in headers.items()}
    canonical_headers = "".join(f"{n}:{lowered.get(n, '').strip()}\n" for n in signed_headers)
    return "\n".join(
        [
            method.upper(),
            path or "/",
            canonical_query(query),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def signature(secret: str, canonical: str) -> str:
    return hmac.new(secret.encode(), string_to_sign(canonical).encode(), hashlib.sha256).hexdigest()


def sign(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    access_key_id: str,
    access_key_secret: str,
    signed_headers: list[str] | None = None,
) -> str:
    """Return the Authorization header value for a request whose x-acs-* headers are set.

    ``signed_headers`` overrides the default choice (host, content-type, x-acs-*): the official
    SDK signs every header it sends, and the conformance tests re-sign its requests exactly.
    """
    names = (
        sorted(h.lower() for h in signed_headers)
        if signed_headers
        else signed_header_names(headers)
    )
    canonical = canonical_request(method, path, query, headers, names, hash_payload(body))
    sig = signature(access_key_secret, canonical)
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={';'.join(names)},Signature={sig}"


@dataclass(frozen=True, slots=True)
class Authorization:
    access_key_id: str
    signed_headers: list[str]
    signature: str


class MalformedAuthorization(ValueError):
    """The Authorization header is missing or not in ACS3 form."""


def parse_authorization(value: str | None) -> Authorization:
    if not value or not value.startswith(ALGORITHM + " "):
        raise MalformedAuthorization("Authorization header is missing or not ACS3-HMAC-SHA256")
    fields: dict[str, str] = {}
    for part in value[len(ALGORITHM) + 1 :].split(","):
        key, sep, val = part.strip().partition("=")
        if not sep:
            raise MalformedAuthorization(f"Authorization part {part!r} has no '='")
        fields[key] = val
    try:
        return Authorization(
            access_key_id=fields["Credential"],
            signed_headers=[h for h in fields["SignedHeaders"].split(";") if h],
            signature=fields["Signature"],
        )
    except KeyError as missing:
        raise MalformedAuthorization(f"Authorization lacks {missing.args[0]}") from None


def verify(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes | None = None,
    auth: Authorization,
    access_key_secret: str,
    payload_hash: str | None = None,
) -> bool:
    """True when ``auth.signature`` is the signature of this request under the secret.

    Give ``body``, or ``payload_hash`` alone to check the headers before the body is read (the
    caller must then check the body against that hash once it has it).
    """
    lowered = {k.lower() for k in headers}
    if "host" not in auth.signed_headers or any(h not in lowered for h in auth.signed_headers):
        return False
    declared_hash = {k.lower(): v for k, v in headers.items()}.get("x-acs-content-sha256")
    if payload_hash is None:
        if body is None:
            raise TypeError("verify needs the body or its payload_hash")
        payload_hash = hash_payload(body)
    if declared_hash is not None and declared_hash != payload_hash:
        return False
    canonical = canonical_request(method, path, query, headers, auth.signed_headers, payload_hash)
    expected = signature(access_key_secret, canonical)
    return hmac.compare_digest(expected, auth.signature)
