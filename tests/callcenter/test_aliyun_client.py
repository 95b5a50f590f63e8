"""The RPC client over a real socket: query encoding, typed errors, and which calls are retried."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest

from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.errors import (
    AuthError,
    CallCenterError,
    InvalidParameterError,
    NotFoundError,
    ResponseFormatError,
    ThrottledError,
    UnavailableError,
)

from .conftest import KEY_SECRET, Reply, RunningPeer, fail, ok

ClientFactory = Callable[..., AliyunRpcClient]


async def test_request_carries_action_version_and_sdk_style_query(
    ccc: RunningPeer, make_client: ClientFactory
) -> None:
    client = make_client()
    await client.call(
        "SignInGroup",
        {
            "UserId": "agent001@ccc-demo",
            "SignedSkillGroupIdList": ["sg-claims", "sg-投诉"],
            "Additivity": True,
            "Skipped": None,
        },
        retry_safe=False,
    )
    (sent,) = ccc.state.requests
    assert sent.method == "POST" and sent.path == "/"
    assert sent.headers["x-acs-action"] == "SignInGroup"
    assert sent.headers["x-acs-version"] == "2020-07-01"
    assert json.loads(sent.query["SignedSkillGroupIdList"]) == ["sg-claims", "sg-投诉"]
    assert sent.query["Additivity"] == "true"
    assert "Skipped" not in sent.query


async def test_form_parameters_travel_in_a_signed_body(
    ccc: RunningPeer, make_client: ClientFactory
) -> None:
    await make_client().call(
        "ListRealtimeSkillGroupStates",
        {"InstanceId": "ccc-demo"},
        form={"SkillGroupIdList": ["sg-1", "sg-2"]},
        retry_safe=True,
    )
    (sent,) = ccc.state.requests
    assert json.loads(sent.form["SkillGroupIdList"]) == ["sg-1", "sg-2"]


async def test_throttling_is_retried_even_for_call_control(
    ccc: RunningPeer, make_client: ClientFactory
) -> None:
    ccc.state.script("AnswerCall", fail(429, "Throttling.User"), fail(400, "Throttling.User"))
    payload = await make_client().call("AnswerCall", {"JobId": "job-1"}, retry_safe=False)
    assert payload["Code"] == "OK"
    assert len(ccc.state.calls("AnswerCall")) == 3


async def test_503_is_retried_for_reads(ccc: RunningPeer, make_client: ClientFactory) -> None:
    ccc.state.script("GetTicket", fail(503, "ServiceUnavailable"), fail(500, "InternalError"))
    payload = await make_client().call("GetTicket", {"TicketId": "T-1"}, retry_safe=True)
    assert payload["Code"] == "OK"
    assert len(ccc.state.calls("GetTicket")) == 3


@pytest.mark.parametrize("action", ["AnswerCall", "CreateTicket"])
async def test_503_is_not_retried_for_writes(
    ccc: RunningPeer, make_client: ClientFactory, action: str
) -> None:
    ccc.state.script(action, fail(503, "ServiceUnavailable", request_id="REQ-503"))
    with pytest.raises(UnavailableError) as caught:
        await make_client().call(action, {"JobId": "job-1"}, retry_safe=False)
    assert len(ccc.state.calls(action)) == 1
    assert caught.value.request_id == "REQ-503"
    assert caught.value.http_status == 503


async def test_a_timed_out_write_is_not_repeated(
    ccc: RunningPeer, make_client: ClientFactory
) -> None:
    ccc.state.script("ReleaseCall", Reply(hang_seconds=1.0, body={"Code": "OK"}))
    with pytest.raises(UnavailableError, match="no answer within"):
        await make_client(timeout=0.2).call("ReleaseCall", {"JobId": "j"}, retry_safe=False)
    assert len(ccc.state.calls("ReleaseCall")) == 1


async def test_retries_stop_after_max_retries(ccc: RunningPeer, make_client: ClientFactory) -> None:
    ccc.state.script("ListUsers", *[fail(429, "Throttling.User")] * 5)
    with pytest.raises(ThrottledError):
        await make_client(max_retries=2).call("ListUsers", {}, retry_safe=True)
    assert len(ccc.state.calls("ListUsers")) == 3


async def test_connect_failure_is_unavailable_and_retried_because_nothing_was_sent() -> None:
    client = AliyunRpcClient("127.0.0.1:9", "id", "secret", scheme="http", backoff_base=0.001)
    try:
        with pytest.raises(UnavailableError, match="cannot connect") as caught:
            await client.call("AnswerCall", {}, retry_safe=False)
        assert caught.value.not_sent
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (404, "InvalidAccessKeyId.NotFound", AuthError),
        (400, "SignatureDoesNotMatch", AuthError),
        (403, "Forbidden.NoPermission", AuthError),
        (400, "Parameter.Invalid", InvalidParameterError),
        (400, "MissingParameter.UserId", InvalidParameterError),
        (404, "NotExists.TicketId", NotFoundError),
        (200, "NotExists.User", NotFoundError),
        (429, "Throttling.User", ThrottledError),
        (500, "InternalError", UnavailableError),
        (403, "Forbidden.UserState", CallCenterError),  # a state conflict, not bad credentials
        (418, "Teapot", CallCenterError),
    ],
)
async def test_vendor_codes_become_typed_errors_with_code_and_request_id(
    ccc: RunningPeer,
    make_client: ClientFactory,
    status: int,
    code: str,
    expected: type[CallCenterError],
) -> None:
    ccc.state.script("GetUser", *[fail(status, code, "详细说明", request_id="REQ-42")] * 4)
    with pytest.raises(CallCenterError) as caught:
        await make_client(max_retries=0).call("GetUser", {"UserId": "u"}, retry_safe=True)
    error = caught.value
    assert type(error) is expected
    assert (error.code, error.request_id, error.http_status, error.action) == (
        code,
        "REQ-42",
        status,
        "GetUser",
    )
    assert code in str(error) and "REQ-42" in str(error) and "详细说明" in str(error)


@pytest.mark.parametrize("body", [b"<html>gateway</html>", b"[1, 2]", b""])
async def test_unreadable_success_body_is_a_response_format_error(
    ccc: RunningPeer, make_client: ClientFactory, body: bytes
) -> None:
    ccc.state.script("GetTicket", Reply(200, body))
    with pytest.raises(ResponseFormatError) as caught:
        await make_client().call("GetTicket", {}, retry_safe=True)
    assert caught.value.action == "GetTicket"
    assert "GetTicket" in str(caught.value)


def test_plain_http_is_refused_except_for_the_local_simulator() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        AliyunRpcClient("ccc.cn-shanghai.aliyuncs.com", "id", "secret", scheme="http")
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        AliyunRpcClient("127.0.0.1.evil.example:80", "id", "secret", scheme="http")


async def test_secrets_and_parameters_stay_out_of_logs_and_repr(
    ccc: RunningPeer, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    ccc.state.script("MakeCall", fail(429, "Throttling.User"), ok({"CallContext": {"JobId": "j"}}))
    client = make_client()
    with caplog.at_level(logging.DEBUG, logger="cscdesk"):
        await client.call("MakeCall", {"Callee": "13800138000"}, retry_safe=False)
    assert "MakeCall" in caplog.text
    assert "13800138000" not in caplog.text
    assert KEY_SECRET not in caplog.text
    assert KEY_SECRET not in repr(client)
