"""The simulator's wire, tried as a hostile client would (issue 12, item 9), over real HTTP.

Error codes come from Alibaba Cloud's POP client error table ("客户端错误码",
https://help.aliyun.com/document_detail/51132.html): ``IncompleteSignature`` 400 "The request
signature does not conform to Aliyun standards." and ``InvalidParameter`` 400 "The specified
parameter ... is not valid.". The required signed headers are those of the V3 signature page
("V3版本请求体&签名机制", https://help.aliyun.com/document_detail/2593177.html): every common
request header but Authorization is signed. Unverified: the gateway's exact code for a body that
is not UTF-8 (we answer InvalidParameter) and for an oversized body (none documented; we answer
HTTP 413 ``RequestEntityTooLarge``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cscdesk.callcenter.aliyun.signing import REQUIRED_SIGNED_HEADERS, sign
from cscdesk.callcenter.sim.app import MAX_BODY_BYTES
from cscdesk.callcenter.sim.handlers import HANDLERS
from cscdesk.callcenter.sim.server import SimulatorHandle

from .conftest import body

ERROR_SHAPE = {"RequestId", "Code", "HttpStatusCode", "Message"}
FORM = "application/x-www-form-urlencoded"
GUARD_SECONDS = 30  # only so that a broken server fails the test instead of hanging it


def signed_headers_for(
    sim: SimulatorHandle,
    action: str,
    query: Mapping[str, str],
    payload: bytes,
    *,
    signed: list[str] | None = None,
    declared_hash: str | None = None,
    content_type: str | None = FORM,
) -> dict[str, str]:
    headers = {
        "host": sim.endpoint,
        "x-acs-action": action,
        "x-acs-version": "2020-07-01",
        "x-acs-date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-content-sha256": declared_hash or hashlib.sha256(payload).hexdigest(),
    }
    if content_type:
        headers["content-type"] = content_type
    headers["authorization"] = sign(
        method="POST", path="/", query=query, headers=headers, body=payload,
        access_key_id=sim.access_key_id, access_key_secret=sim.access_key_secret,
        signed_headers=signed,
    )  # fmt: skip
    return headers


def post(
    sim: SimulatorHandle, query: Mapping[str, str], headers: Any, payload: bytes
) -> httpx.Response:
    return httpx.post(
        f"{sim.base_url}/", params=query, headers=headers, content=payload, timeout=GUARD_SECONDS
    )


def raw_exchange(
    sim: SimulatorHandle, head: bytes, *body_parts: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` and ``body_parts`` on a bare socket, then read one response (status, headers,
    body). The body parts may stop short of what the head declares: the server must answer anyway."""
    host, port = sim.endpoint.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=GUARD_SECONDS) as sock:
        sock.sendall(head)
        for part in body_parts:
            sock.sendall(part)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"the server closed without answering: {data!r}"
            data += chunk
        raw_head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
        length = int(headers["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "the server closed mid-answer"
            rest += chunk
    return int(status_line.split()[1]), headers, rest[:length]


def assert_vendor_error(payload: dict[str, Any], status: int, code: str) -> None:
    assert set(payload) == ERROR_SHAPE, payload
    assert payload["Code"] == code, payload
    assert payload["HttpStatusCode"] == status, payload
    assert "Traceback" not in payload["Message"]


# --- bodies: refused before they are read ---------------------------------------------------------


def test_a_300_mb_unauthenticated_body_is_refused_before_it_is_read(sim: SimulatorHandle) -> None:
    """Headers claim 300 MB, three bytes follow: the server answers at once instead of waiting
    to read (and hold) 300 MB."""
    head = (
        b"POST / HTTP/1.1\r\nHost: sim\r\nContent-Type: " + FORM.encode()
        + b"\r\nContent-Length: 300000000\r\n\r\n"
    )  # fmt: skip
    status, headers, raw = raw_exchange(sim, head, b"abc")
    payload = json.loads(raw)
    assert status == 413
    assert_vendor_error(payload, 413, "RequestEntityTooLarge")
    assert "300000000 bytes" in payload["Message"] and str(MAX_BODY_BYTES) in payload["Message"]
    assert headers.get("connection") == "close"  # the rest of the body is never read


def test_an_unauthenticated_request_is_refused_before_its_body_is_read(
    sim: SimulatorHandle,
) -> None:
    """A body under the cap but not signed: the answer comes although no body byte was sent."""
    head = (
        b"POST / HTTP/1.1\r\nHost: sim\r\nContent-Type: "
        + FORM.encode()
        + b"\r\nContent-Length: 500000\r\n\r\n"
    )
    status, headers, raw = raw_exchange(sim, head)
    assert status == 400
    assert_vendor_error(json.loads(raw), 400, "MissingAuthorization")
    assert headers.get("connection") == "close"


def test_a_chunked_body_is_cut_off_at_the_cap(sim: SimulatorHandle) -> None:
    """No Content-Length: the server reads up to the cap and refuses the moment it is passed (the
    client never finishes the body; the server must not wait for the end)."""
    query = {"InstanceId": sim.instance_id}
    payload = b"Pad=" + b"a" * (MAX_BODY_BYTES + 1 - 4)
    headers = signed_headers_for(sim, "ListSkillGroups", query, payload)
    lines = [f"POST /?InstanceId={sim.instance_id} HTTP/1.1", "Transfer-Encoding: chunked"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    step = 64 * 1024
    chunks = [
        f"{len(payload[i : i + step]):x}\r\n".encode() + payload[i : i + step] + b"\r\n"
        for i in range(0, len(payload), step)
    ]  # no terminating 0-chunk: the body is "still coming"
    status, _, raw = raw_exchange(sim, head, *chunks)
    assert status == 413
    payload_json = json.loads(raw)
    assert_vendor_error(payload_json, 413, "RequestEntityTooLarge")
    assert f"exceeds {MAX_BODY_BYTES} bytes" in payload_json["Message"]


def test_a_body_at_the_cap_is_still_accepted(sim: SimulatorHandle) -> None:
    query: dict[str, str] = {}
    payload = f"InstanceId={sim.instance_id}&Pad=".encode()
    payload += b"a" * (MAX_BODY_BYTES - len(payload))
    response = post(sim, query, signed_headers_for(sim, "ListSkillGroups", query, payload), payload)
    assert response.status_code == 200, response.text
    assert body(response)["Code"] == "OK"


# --- malformed bodies: a documented 400, never a traceback ----------------------------------------


@pytest.mark.parametrize(
    "payload",
    [b"Title=\xff\xfe", b"Title=%FF%FE", b"InstanceId=ccc-demo&Name=\xe7\x90"],
    ids=["raw-bytes", "percent-escapes", "cut-utf8"],
)
def test_a_form_body_that_is_not_utf8_is_a_vendor_400(sim: SimulatorHandle, payload: bytes) -> None:
    query = {"InstanceId": sim.instance_id}
    response = post(sim, query, signed_headers_for(sim, "ListSkillGroups", query, payload), payload)
    assert response.status_code == 400
    data = body(response)
    assert_vendor_error(data, 400, "InvalidParameter")
    assert "form body is not valid UTF-8" in data["Message"]
    assert "Traceback" not in response.text


def test_a_query_string_that_is_not_utf8_is_a_vendor_400(sim: SimulatorHandle) -> None:
    headers = signed_headers_for(sim, "ListSkillGroups", {}, b"", content_type=None)
    response = httpx.post(f"{sim.base_url}/?InstanceId=%FF", headers=headers, timeout=GUARD_SECONDS)
    assert response.status_code == 400
    data = body(response)
    assert_vendor_error(data, 400, "InvalidParameter")
    assert "query string" in data["Message"]


def test_a_bug_in_a_handler_is_a_vendor_500_without_a_traceback(
    sim: SimulatorHandle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(request: Any) -> dict[str, Any]:
        raise KeyError("surprise")

    monkeypatch.setitem(HANDLERS, "ListSkillGroups", broken)
    query = {"InstanceId": sim.instance_id}
    with caplog.at_level(logging.ERROR):
        response = post(sim, query, signed_headers_for(sim, "ListSkillGroups", query, b""), b"")
    assert response.status_code == 500
    assert_vendor_error(body(response), 500, "InternalError")
    assert "Traceback" not in response.text
    assert not any(record.exc_info for record in caplog.records)
    assert any("KeyError" in record.getMessage() for record in caplog.records)


# --- signatures must cover what the server acts on ------------------------------------------------


def test_a_signature_over_host_alone_is_refused_and_the_unsigned_action_is_not_run(
    sim: SimulatorHandle,
) -> None:
    """Before: signed for ListSkillGroups over ``host`` only, the action header swapped to
    ListUsers, answered 200 with the user list."""
    query = {"InstanceId": sim.instance_id}
    headers = signed_headers_for(sim, "ListSkillGroups", query, b"", signed=["host"])
    headers["x-acs-action"] = "ListUsers"
    response = post(sim, query, headers, b"")
    assert response.status_code == 400
    data = body(response)
    assert_vendor_error(data, 400, "IncompleteSignature")
    assert "Data" not in data
    for name in REQUIRED_SIGNED_HEADERS[1:]:
        assert name in data["Message"]


@pytest.mark.parametrize("left_out", REQUIRED_SIGNED_HEADERS)
def test_each_required_header_must_be_signed(sim: SimulatorHandle, left_out: str) -> None:
    query = {"InstanceId": sim.instance_id}
    everything = [*REQUIRED_SIGNED_HEADERS, "content-type"]
    signed = [name for name in everything if name != left_out]
    response = post(
        sim, query, signed_headers_for(sim, "ListSkillGroups", query, b"", signed=signed), b""
    )
    assert response.status_code == 400
    data = body(response)
    assert_vendor_error(data, 400, "IncompleteSignature")
    assert left_out in data["Message"]


def test_all_required_headers_signed_is_accepted(sim: SimulatorHandle) -> None:
    query = {"InstanceId": sim.instance_id}
    headers = signed_headers_for(
        sim, "ListSkillGroups", query, b"", signed=list(REQUIRED_SIGNED_HEADERS)
    )
    response = post(sim, query, headers, b"")
    assert response.status_code == 200, response.text


def test_the_body_must_be_the_one_the_signature_covers(sim: SimulatorHandle) -> None:
    """The signed x-acs-content-sha256 is of one body; another body is sent under it."""
    query: dict[str, str] = {}
    signed_body = f"InstanceId={sim.instance_id}".encode()
    headers = signed_headers_for(sim, "ListSkillGroups", query, signed_body)
    response = post(sim, query, headers, b"InstanceId=some-other-instance")
    assert response.status_code == 400
    data = body(response)
    assert_vendor_error(data, 400, "SignatureDoesNotMatch")
    assert "x-acs-content-sha256" in data["Message"]


def test_a_signed_header_sent_twice_is_refused(sim: SimulatorHandle) -> None:
    query = {"InstanceId": sim.instance_id}
    headers = signed_headers_for(sim, "ListSkillGroups", query, b"")
    pairs = [*headers.items(), ("x-acs-action", "ListUsers")]
    response = post(sim, query, pairs, b"")
    assert response.status_code == 400
    data = body(response)
    assert_vendor_error(data, 400, "IncompleteSignature")
    assert "x-acs-action" in data["Message"]
