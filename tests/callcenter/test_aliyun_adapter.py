"""AliyunCallCenter over a real socket: operations, paging cursors, downloads, retry policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cscdesk.callcenter.aliyun.adapter import (
    AliyunCallCenter,
    build_aliyun_call_center,
    decode_cursor,
    encode_cursor,
)
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.errors import InvalidParameterError, NotFoundError, UnavailableError
from cscdesk.callcenter.port import AgentStatus, CallState, RecordingLocator, TicketDraft
from cscdesk.config import CallCenterSettings

from .conftest import Captured, Reply, RunningPeer, fail, ok

START = datetime(2026, 11, 1, tzinfo=UTC)
END = START + timedelta(hours=1)
AGENT = "agent001@ccc-demo"


@pytest.fixture
def center(make_client: Callable[..., AliyunRpcClient]) -> AliyunCallCenter:
    return AliyunCallCenter(make_client(), "ccc-demo", page_size=2)


def cdr_rows(total: int, start_ms: int) -> list[dict[str, Any]]:
    return [
        {
            "ContactId": f"job-{i}",
            "ContactType": "Inbound",
            "CallingNumber": "13800138000",
            "StartTime": start_ms + i * 1000,
            "SkillGroupIds": "sg-claims",
            "QueueTime": 3,
        }
        for i in range(total)
    ]


def paged_cdrs(rows: list[dict[str, Any]]) -> Callable[[Captured], Reply]:
    def handler(request: Captured) -> Reply:
        start, end = int(request.query["StartTime"]), int(request.query["EndTime"])
        page, size = int(request.query["PageNumber"]), int(request.query["PageSize"])
        if not 1 <= page <= 100 or size > 100:
            return fail(400, "Parameter.Invalid", "PageNumber must be 1..100")
        inside = [r for r in rows if start <= r["StartTime"] < end]
        chunk = inside[(page - 1) * size : page * size]
        # TotalCount only on page 1, 0 afterwards (api-ccc-2020-07-01-listcalldetailrecordsv2)
        total = len(inside) if page == 1 else 0
        return ok({"List": chunk, "PageNumber": page, "PageSize": size, "TotalCount": total})

    return handler


async def test_cdr_paging_walks_every_record_once(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    rows = cdr_rows(5, int(START.timestamp() * 1000))
    ccc.state.handlers["ListCallDetailRecordsV2"] = paged_cdrs(rows)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = await center.list_call_records(START, END, cursor, page_size=2)
        seen += [r.contact_id for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"job-{i}" for i in range(5)]
    assert [c.query["PageNumber"] for c in ccc.state.calls("ListCallDetailRecordsV2")] == [
        "1",
        "2",
        "3",
    ]


async def test_cursor_after_page_100_narrows_the_window_instead_of_asking_page_101(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    start_ms = int(START.timestamp() * 1000)
    rows = cdr_rows(2, start_ms + 500_000)
    ccc.state.handlers["ListCallDetailRecordsV2"] = lambda r: ok({"List": rows, "TotalCount": 1000})
    cursor = encode_cursor({"p": 100, "s": start_ms, "e": start_ms + 3_600_000})
    page = await center.list_call_records(START, END, cursor, page_size=2)
    assert page.next_cursor is not None
    following = decode_cursor(page.next_cursor, p=1, s=0, e=0)
    assert following == {"p": 1, "s": start_ms + 501_000, "e": start_ms + 3_600_000}


async def test_foreign_cursor_is_a_clear_parameter_error(center: AliyunCallCenter) -> None:
    with pytest.raises(InvalidParameterError, match="cursor"):
        await center.list_call_records(START, END, "not-a-cursor!")
    with pytest.raises(InvalidParameterError, match="page 101"):
        await center.list_call_records(START, END, encode_cursor({"p": 101, "s": 0, "e": 1}))


async def test_agent_flow_sends_the_sdk_parameters(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    ccc.state.handlers["PollUserStatus"] = lambda r: ok(
        {
            "UserContext": {
                "UserId": AGENT,
                "UserState": "TALKING",
                "SignedSkillGroupIdList": ["sg-claims"],
            },
            "CallContext": {
                "JobId": "job-7",
                "ChannelContexts": [
                    {
                        "UserId": AGENT,
                        "ChannelState": "ANSWERED",
                        "Originator": "13800138000",
                        "Destination": AGENT,
                    }
                ],
            },
        }
    )
    # SignInGroup answers with the agent's context (page 439627): device, work mode, state
    ccc.state.handlers["SignInGroup"] = lambda r: ok(
        {"UserId": AGENT, "UserState": "BREAK", "DeviceId": "dev-1", "WorkMode": "ON_SITE"}
    )
    signed = await center.sign_in(AGENT, ["sg-claims", "sg-enquiry"], "dev-1")
    assert (signed.device_id, signed.work_mode, signed.status) == (
        "dev-1",
        "ON_SITE",
        AgentStatus.BREAK,
    )
    await center.ready(AGENT, "dev-1")
    session = await center.poll_agent_session(AGENT, "dev-1")
    assert session.call is not None and session.call.state is CallState.TALKING
    await center.answer(AGENT, "dev-1", session.call.job_id)
    await center.blind_transfer(AGENT, "dev-1", "job-7", "sg-complaints", "skill_group")
    await center.release(AGENT, "dev-1", "job-7")

    sign_in = ccc.state.calls("SignInGroup")[0].query
    assert json.loads(sign_in["SignedSkillGroupIdList"]) == ["sg-claims", "sg-enquiry"]
    assert sign_in["InstanceId"] == "ccc-demo" and sign_in["DeviceId"] == "dev-1"
    transfer = ccc.state.calls("BlindTransfer")[0].query
    assert (transfer["Transferee"], transfer["TransfereeType"]) == ("sg-complaints", "SKILL_GROUP")
    assert ccc.state.calls("AnswerCall")[0].query["JobId"] == "job-7"


async def test_answer_is_not_retried_after_a_server_error_but_reads_are(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    ccc.state.script("AnswerCall", fail(503, "ServiceUnavailable"))
    with pytest.raises(UnavailableError):
        await center.answer(AGENT, "dev-1", "job-1")
    assert len(ccc.state.calls("AnswerCall")) == 1

    ccc.state.script("GetRealtimeInstanceStates", fail(503, "ServiceUnavailable"))
    ccc.state.handlers["GetRealtimeInstanceStates"] = lambda r: ok({"WaitingCalls": 2})
    metrics = await center.get_realtime_metrics()
    assert metrics.waiting_calls == 2
    assert len(ccc.state.calls("GetRealtimeInstanceStates")) == 2


async def test_create_ticket_sends_context_as_json_and_is_not_retried(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    draft = TicketDraft(title="投诉 理赔时效", context={"type": "complaint", "policy_no": "GP-1"})
    ccc.state.script("CreateTicket", fail(500, "InternalError"))
    with pytest.raises(UnavailableError):
        await center.create_ticket(draft)
    assert len(ccc.state.calls("CreateTicket")) == 1

    ccc.state.handlers["CreateTicket"] = lambda r: ok("T-100")
    ccc.state.handlers["GetTicket"] = lambda r: ok(
        {"TicketId": r.query["TicketId"], "Title": "投诉 理赔时效", "State": "Running",
         "Context": json.dumps({"type": "complaint"}), "CreatedTime": 1_764_000_000_000}
    )  # fmt: skip
    ticket = await center.create_ticket(draft)
    assert ticket.ticket_id == "T-100" and ticket.state == "Running"
    sent = ccc.state.calls("CreateTicket")[-1].query
    assert json.loads(sent["Context"]) == {"type": "complaint", "policy_no": "GP-1"}
    assert sent["Title"] == "投诉 理赔时效"


async def test_directory_listing_reads_every_page(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    groups = [{"SkillGroupId": f"sg-{i}", "SkillGroupName": f"组{i}"} for i in range(5)]

    def handler(request: Captured) -> Reply:
        page = int(request.query["PageNumber"])
        return ok({"List": groups[(page - 1) * 2 : page * 2], "TotalCount": 5})

    ccc.state.handlers["ListSkillGroups"] = handler
    found = await center.list_skill_groups()
    assert [g.id for g in found] == [f"sg-{i}" for i in range(5)]


async def test_since_midnight_reads_the_historical_reports(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    """The *SummaryReportsSinceMidnight operations are deprecated and open only to some accounts
    (pages 92432, 92442); ListHistoricalAgentReport with no StartTime defaults to today 0:00."""
    ccc.state.handlers["ListHistoricalAgentReport"] = lambda r: Reply(
        200, {"RequestId": "R", "Code": "OK", "Data": {"List": [], "TotalCount": 0}}
    )
    assert await center.agent_reports_since_midnight() == []
    assert ccc.state.calls("ListAgentSummaryReportsSinceMidnight") == []
    assert len(ccc.state.calls("ListHistoricalAgentReport")) == 1


async def test_interval_other_than_hour_or_day_is_refused_clearly(center: AliyunCallCenter) -> None:
    with pytest.raises(InvalidParameterError, match="per hour"):
        await center.skill_group_interval_reports("sg-claims", START, END, 30)


async def test_download_streams_bytes_and_refuses_archived(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    audio = b"RIFF" + bytes(range(256)) * 100
    ccc.state.files["job-1.wav"] = audio
    locator = RecordingLocator(
        "job-1", "job-1.wav", f"http://{ccc.endpoint}/files/job-1.wav", None, False, 3.0
    )
    received = b"".join([chunk async for chunk in center.download(locator)])
    assert received == audio

    gone = RecordingLocator(
        "job-2", "job-2.wav", f"http://{ccc.endpoint}/files/job-2.wav", None, False, 1
    )
    with pytest.raises(NotFoundError, match="job-2"):
        _ = [chunk async for chunk in center.download(gone)]
    archived = RecordingLocator("job-3", "job-3.wav", None, None, True, 1)
    with pytest.raises(NotFoundError, match="restore"):
        _ = [chunk async for chunk in center.download(archived)]


async def test_list_recordings_asks_only_for_ready_recordings(
    ccc: RunningPeer, center: AliyunCallCenter
) -> None:
    rows = cdr_rows(2, int(START.timestamp() * 1000))
    rows[0]["RecordingReady"] = True
    ccc.state.handlers["ListCallDetailRecordsV2"] = paged_cdrs(rows)
    ccc.state.handlers["ListMonoRecordings"] = lambda r: ok(
        [
            {
                "ContactId": r.query["ContactId"],
                "FileName": "a.wav",
                "FileUrl": "http://x/a.wav",
                "Duration": "12000",  # milliseconds, a string in ListMonoRecordings
            }
        ]
    )
    page = await center.list_recordings(START, END)
    assert [loc.contact_id for loc in page.items] == ["job-0"]
    assert page.items[0].duration_seconds == 12
    assert len(ccc.state.calls("ListMonoRecordings")) == 1


async def test_health_reports_a_refused_key(
    ccc: RunningPeer, make_client: Callable[..., AliyunRpcClient]
) -> None:
    center = AliyunCallCenter(make_client(access_key_id="LTAI-unknown"), "ccc-demo")
    health = await center.health()
    assert not health.ok and "InvalidAccessKeyId.NotFound" in health.detail


async def test_factory_builds_from_settings_and_refuses_plain_http_to_the_cloud() -> None:
    center = build_aliyun_call_center(
        CallCenterSettings(mode="aliyun"), access_key_id="id", access_key_secret="s"
    )
    try:
        assert center.instance_id == "ccc-demo"
    finally:
        await center.aclose()
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        build_aliyun_call_center(
            CallCenterSettings(mode="aliyun", endpoint="http://ccc.example.com"),
            access_key_id="id",
            access_key_secret="s",
        )
