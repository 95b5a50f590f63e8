"""ACS3-HMAC-SHA256: our signer reproduces the official SDK's signatures byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_ccc20200701 import models as ccc_models
from alibabacloud_ccc20200701.client import Client as SdkClient
from alibabacloud_tea_openapi import models as openapi_models
from darabonba.runtime import RuntimeOptions
from hypothesis import given, settings
from hypothesis import strategies as st

from cscdesk.callcenter.aliyun import signing
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.errors import AuthError

from .conftest import KEY_ID, KEY_SECRET, RunningPeer

SdkCall = Callable[[SdkClient], Any]

SDK_REQUESTS: dict[str, SdkCall] = {
    "chinese_text_and_spaces": lambda c: c.create_ticket_with_options(
        ccc_models.CreateTicketRequest(
            instance_id="ccc-demo",
            title="理赔协助 住院 发票 补材料",
            context='{"policy_no": "GP2026 001", "说明": "客户 来电~*"}',
            source="cscdesk",
            template_id="tpl-claim",
        ),
        RuntimeOptions(),
    ),
    "empty_values": lambda c: c.update_ticket_with_options(
        ccc_models.UpdateTicketRequest(
            instance_id="ccc-demo", ticket_id="T-1", title="", context=""
        ),
        RuntimeOptions(),
    ),
    "form_body": lambda c: c.list_realtime_skill_group_states_with_options(
        ccc_models.ListRealtimeSkillGroupStatesRequest(
            instance_id="ccc-demo",
            page_number=1,
            page_size=100,
            skill_group_id_list='["sg-claims","sg-投诉"]',
        ),
        RuntimeOptions(),
    ),
    "get_method": lambda c: c.list_skill_group_summary_reports_since_midnight_with_options(
        ccc_models.ListSkillGroupSummaryReportsSinceMidnightRequest(
            instance_id="ccc-demo", page_number=2, page_size=50
        ),
        RuntimeOptions(),
    ),
    "json_list_param": lambda c: c.sign_in_group_with_options(
        ccc_models.SignInGroupRequest(
            instance_id="ccc-demo",
            user_id="agent001@ccc-demo",
            device_id="cscdesk",
            signed_skill_group_id_list='["sg-claims", "sg-enquiry"]',
        ),
        RuntimeOptions(),
    ),
}


def sdk_client(ccc: RunningPeer) -> SdkClient:
    return SdkClient(
        openapi_models.Config(
            access_key_id=KEY_ID,
            access_key_secret=KEY_SECRET,
            endpoint=ccc.endpoint,
            protocol="http",
            region_id="cn-shanghai",
        )
    )


@pytest.mark.parametrize("case", sorted(SDK_REQUESTS))
def test_our_signature_equals_the_sdk_signature(ccc: RunningPeer, case: str) -> None:
    SDK_REQUESTS[case](sdk_client(ccc))
    (captured,) = ccc.state.requests
    sdk_auth = captured.headers["authorization"]
    declared = signing.parse_authorization(sdk_auth)

    ours = signing.sign(
        method=captured.method,
        path=captured.path,
        query=captured.query,
        headers=captured.headers,
        body=captured.body,
        access_key_id=KEY_ID,
        access_key_secret=KEY_SECRET,
        signed_headers=declared.signed_headers,
    )

    assert ours == sdk_auth
    # the SDK signs every header the simulator insists on (issue 12: host-only was accepted)
    assert set(signing.REQUIRED_SIGNED_HEADERS) <= set(declared.signed_headers)


def test_sdk_sends_chinese_text_that_the_signature_covers(ccc: RunningPeer) -> None:
    SDK_REQUESTS["chinese_text_and_spaces"](sdk_client(ccc))
    (captured,) = ccc.state.requests
    assert captured.query["Title"] == "理赔协助 住院 发票 补材料"
    tampered = {**captured.query, "Title": "理赔协助 住院"}
    auth = signing.parse_authorization(captured.headers["authorization"])
    assert not signing.verify(
        method=captured.method,
        path=captured.path,
        query=tampered,
        headers=captured.headers,
        body=captured.body,
        auth=auth,
        access_key_secret=KEY_SECRET,
    )


async def test_peer_accepts_our_client_and_rejects_a_wrong_secret(
    ccc: RunningPeer, make_client: Callable[..., AliyunRpcClient]
) -> None:
    good = make_client()
    payload = await good.call(
        "CreateTicket",
        {"Title": "投诉 复核", "Context": {"a": "b c"}, "Empty": ""},
        retry_safe=False,
    )
    assert payload["Code"] == "OK"
    (sent,) = ccc.state.calls("CreateTicket")
    ours = signing.parse_authorization(sent.headers["authorization"])
    assert set(signing.REQUIRED_SIGNED_HEADERS) <= set(ours.signed_headers)

    bad = make_client(access_key_secret="not-the-secret")
    with pytest.raises(AuthError) as caught:
        await bad.call("GetUser", {"UserId": "agent001@ccc-demo"}, retry_safe=True)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert len(ccc.state.calls("GetUser")) == 1  # an auth failure is never retried


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=60, deadline=None)
@given(
    params=st.dictionaries(st.from_regex(r"[A-Z][A-Za-z]{0,12}", fullmatch=True), TEXT, max_size=6)
)
def test_sign_then_verify_roundtrips_and_any_change_breaks_it(params: dict[str, str]) -> None:
    headers = {
        "host": "ccc.cn-shanghai.aliyuncs.com",
        "x-acs-action": "CreateTicket",
        "x-acs-version": "2020-07-01",
        "x-acs-date": "2026-11-24T08:00:00Z",
        "x-acs-signature-nonce": "n-1",
        "x-acs-content-sha256": signing.hash_payload(b""),
    }
    value = signing.sign(
        method="POST",
        path="/",
        query=params,
        headers=headers,
        body=b"",
        access_key_id=KEY_ID,
        access_key_secret=KEY_SECRET,
    )
    auth = signing.parse_authorization(value)
    common: dict[str, Any] = {
        "method": "POST",
        "path": "/",
        "headers": headers,
        "body": b"",
        "auth": auth,
    }
    assert signing.verify(query=params, access_key_secret=KEY_SECRET, **common)
    assert not signing.verify(
        query={**params, "Extra": "x"}, access_key_secret=KEY_SECRET, **common
    )
    assert not signing.verify(query=params, access_key_secret=KEY_SECRET + "x", **common)
