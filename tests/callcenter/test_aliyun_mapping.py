"""Payload → port mapping, with payloads built through the official SDK's models.

``sdk(Model, payload)`` round-trips a payload through ``Model().from_map(...).to_map()``: a field
name the SDK does not know is dropped, so a mapper that depends on a misspelt field fails here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from alibabacloud_ccc20200701 import models as m
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscdesk.callcenter.aliyun import mapping
from cscdesk.callcenter.errors import ResponseFormatError
from cscdesk.callcenter.port import AgentStatus, CallState

T0 = 1_764_000_000_000  # ms epoch
AGENT = "agent001@ccc-demo"


def sdk(model: type, payload: dict[str, Any]) -> dict[str, Any]:
    mapped: dict[str, Any] = model().from_map(payload).to_map()
    return mapped


def envelope(data: Any) -> dict[str, Any]:
    return {"RequestId": "R-1", "Code": "OK", "HttpStatusCode": 200, "Message": "", "Data": data}


def cdr(**fields: Any) -> dict[str, Any]:
    row = {
        "ContactId": "job-1",
        "ContactType": "Inbound",
        "CallingNumber": "13800138000",
        "CalledNumber": "4008001234",
        "StartTime": T0,
        "EstablishedTime": T0 + 30_000,
        "ReleaseTime": T0 + 200_000,
        "AgentIds": AGENT,
        "SkillGroupIds": "sg-claims",
        "QueueTime": 25,
        "RingTime": 5,
        "TalkTime": 170,
        "HeldTime": 12,
        "ReleaseInitiator": "13800138000",
        "ReleaseReason": "",
        "RecordingReady": True,
        "SatisfactionIndex": 5,
        "TransferCount": 0,
    }
    row.update(fields)
    return row


def list_cdrs(*rows: dict[str, Any]) -> dict[str, Any]:
    return sdk(
        m.ListCallDetailRecordsV2ResponseBody,
        envelope({"List": list(rows), "PageNumber": 1, "PageSize": 100, "TotalCount": len(rows)}),
    )


def test_answered_cdr_maps_times_durations_and_agents() -> None:
    (record,), total = mapping.call_records("ListCallDetailRecordsV2", list_cdrs(cdr()))
    assert total == 1
    assert record.contact_id == "job-1" and record.direction == "inbound"
    assert record.start_time == datetime.fromtimestamp(T0 / 1000, UTC)
    assert record.established_time is not None
    assert (record.established_time - record.start_time).total_seconds() == 30
    assert record.outcome == "answered"
    assert (
        record.queue_wait_seconds == 25 and record.talk_seconds == 170 and record.hold_seconds == 12
    )
    assert record.agent_ids == (AGENT,) and record.skill_group_id == "sg-claims"
    assert record.recording_available and record.satisfaction == 5


@pytest.mark.parametrize(
    ("fields", "outcome", "wait"),
    [
        (
            {"EstablishedTime": None, "AgentIds": "", "ReleaseInitiator": "13800138000"},
            "abandoned",
            25,
        ),
        ({"EstablishedTime": 0, "AgentIds": "", "ReleaseInitiator": "customer"}, "abandoned", 25),
        ({"EstablishedTime": None, "AgentIds": "", "ReleaseInitiator": "system"}, "timeout", 25),
        (
            {"EstablishedTime": None, "AgentIds": "", "SkillGroupIds": "", "QueueTime": None},
            "ivr_only",
            None,
        ),
    ],
)
def test_unanswered_cdrs_get_the_documented_outcome(
    fields: dict[str, Any], outcome: str, wait: float | None
) -> None:
    (record,), _ = mapping.call_records("ListCallDetailRecordsV2", list_cdrs(cdr(**fields)))
    assert record.outcome == outcome
    assert record.queue_wait_seconds == wait


@pytest.mark.parametrize(
    ("disposition", "outcome"),
    [
        # documented words (page 65296, api-ccc-2020-07-01-getcalldetailrecord)
        ("AbandonedInQueue", "abandoned"),
        ("AbandonedInRing", "abandoned"),
        ("NoAnswer", "timeout"),
        ("QueuingTimeout", "timeout"),
        ("QueuingOverflow", "timeout"),
        ("AbandonedInIVR", "ivr_only"),
        ("IVRException", "ivr_only"),
        # Success alone does not say whether an agent answered; this row queued and the
        # customer hung up, so the record decides
        ("Success", "abandoned"),
        # an undocumented word never fails the archive: the record decides
        ("Abandoned", "abandoned"),
    ],
)
def test_contact_disposition_decides_the_outcome_when_present(
    disposition: str, outcome: str
) -> None:
    row = cdr(ContactDisposition=disposition, EstablishedTime=None, AgentIds="", QueueTime=0)
    (record,), _ = mapping.call_records("ListCallDetailRecordsV2", list_cdrs(row))
    assert record.outcome == outcome
    assert (record.queue_wait_seconds is None) == (outcome == "ivr_only")


def test_transferred_call_names_the_last_agent() -> None:
    row = cdr(AgentIds=f"{AGENT},agent007@ccc-demo", TransferCount=1)
    (record,), _ = mapping.call_records("ListCallDetailRecordsV2", list_cdrs(row))
    assert record.transferred_to == "agent007@ccc-demo"


def test_missing_start_time_names_action_and_field() -> None:
    with pytest.raises(ResponseFormatError) as caught:
        mapping.call_records("ListCallDetailRecordsV2", list_cdrs(cdr(), cdr(StartTime=None)))
    assert caught.value.action == "ListCallDetailRecordsV2"
    assert caught.value.field == "Data.List[1].StartTime"
    assert "Data.List[1].StartTime" in str(caught.value)


def test_wrong_type_is_reported_not_crashed() -> None:
    payload = envelope({"List": [cdr(TalkTime={"oops": 1})]})
    with pytest.raises(ResponseFormatError, match="TalkTime"):
        mapping.call_records("ListCallDetailRecordsV2", payload)


def test_call_detail_derives_wait_from_queue_events() -> None:
    payload = sdk(
        m.GetCallDetailRecordResponseBody,
        envelope(
            {
                "ContactId": "job-9",
                "ContactType": "Inbound",
                "CallingNumber": "13900139000",
                "StartTime": T0,
                "EstablishedTime": T0 + 40_000,
                "ReleaseTime": T0 + 100_000,
                "AgentIds": AGENT,
                "SkillGroupIds": "sg-enquiry",
                "RecordingReady": False,
                "QueueEvents": [
                    {
                        "QueueId": "sg-enquiry",
                        "EventSequence": [
                            {"Event": "Enqueue", "EventTime": T0 + 10_000},
                            {"Event": "Dequeue", "EventTime": T0 + 35_000},
                        ],
                    }
                ],
            }
        ),
    )
    record = mapping.call_record_detail("GetCallDetailRecord", payload)
    assert record.outcome == "answered"
    assert record.queue_wait_seconds == 25
    assert record.talk_seconds == 60
    assert not record.recording_available


def poll_payload(call_context: dict[str, Any] | None, state: str = "TALKING") -> dict[str, Any]:
    return sdk(
        m.PollUserStatusResponseBody,
        envelope(
            {
                "UserContext": {
                    "UserId": AGENT,
                    "UserState": state,
                    "SignedSkillGroupIdList": ["sg-claims", "sg-enquiry"],
                    "Heartbeat": T0,
                    "DeviceId": "cscdesk",
                },
                "CallContext": call_context,
            }
        ),
    )


def channel(user: str | None, state: str, originator: str, destination: str) -> dict[str, Any]:
    return {
        "ChannelId": f"ch-{user}",
        "JobId": "job-5",
        "UserId": user,
        "ChannelState": state,
        "Originator": originator,
        "Destination": destination,
        "SkillGroupId": "sg-claims",
        "Timestamp": T0 + 1_000,
    }


def test_poll_with_a_ringing_call_gives_screen_pop_data() -> None:
    context = {
        "JobId": "job-5",
        "CallType": "INBOUND",
        "CallVariables": json.dumps({"ivr_choice": "2", "member_no": "E1001"}),
        "ChannelContexts": [
            channel(None, "ANSWERED", "13800138000", "4008001234"),
            channel(AGENT, "RINGING", "13800138000", AGENT),
        ],
    }
    session = mapping.agent_session("PollUserStatus", poll_payload(context, "RINGING"), AGENT)
    assert session.status is AgentStatus.RINGING
    assert session.signed_in_groups == ("sg-claims", "sg-enquiry")
    assert session.call is not None
    assert session.call.state is CallState.OFFERED
    assert session.call.caller == "13800138000" and session.call.callee == "4008001234"
    assert session.call.job_id == "job-5" and session.call.skill_group_id == "sg-claims"
    assert session.call.variables == {"ivr_choice": "2", "member_no": "E1001"}


@pytest.mark.parametrize("setup_state", ["NONE", "CREATED", "EARLY_MEDIA"])
def test_outbound_call_being_set_up_is_dialling_not_an_error(setup_state: str) -> None:
    """Page 439618 channel states; NONE is in the MakeCall example (page 439614)."""
    outbound = {
        "JobId": "job-5",
        "CallType": "OUTBOUND",
        "ChannelContexts": [
            channel(AGENT, "ANSWERED", "4008001234", "13800138000"),
            channel(None, setup_state, "4008001234", "13800138000"),
        ],
    }
    session = mapping.agent_session("PollUserStatus", poll_payload(outbound, "DIALING"), AGENT)
    assert session.status is AgentStatus.OUTBOUND
    assert session.call is not None and session.call.state is CallState.DIALING
    assert session.call.callee == "13800138000"


def test_hold_is_a_flag_and_consult_is_a_call_type() -> None:
    held_customer = {**channel(None, "ANSWERED", "1380", "400"), "ChannelFlags": "HOLD"}
    held = {
        "JobId": "job-5",
        "CallType": "INBOUND",
        "ChannelContexts": [held_customer, channel(AGENT, "ANSWERED", "1380", AGENT)],
    }
    session = mapping.agent_session("PollUserStatus", poll_payload(held, "TALKING"), AGENT)
    assert session.status is AgentStatus.HOLDING
    assert session.call is not None and session.call.state is CallState.HOLDING
    consult = {
        "JobId": "job-6",
        "CallType": "CONSULTANT",
        "ChannelContexts": [channel(AGENT, "ANSWERED", "agent002@ccc-demo", AGENT)],
    }
    session = mapping.agent_session("PollUserStatus", poll_payload(consult, "TALKING"), AGENT)
    assert session.call is not None and session.call.state is CallState.CONSULTING


def test_retired_channel_ends_the_call() -> None:
    gone = {
        "JobId": "job-5",
        "CallType": "INBOUND",
        "ChannelContexts": [channel(AGENT, "RETIRED", "1380", AGENT)],
    }
    session = mapping.agent_session("PollUserStatus", poll_payload(gone, "WORKING"), AGENT)
    assert session.status is AgentStatus.WORKING and session.call is None


def test_unknown_words_become_unknown_and_are_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = mapping.agent_session("PollUserStatus", poll_payload(None, "READY"), AGENT)
    assert session.status is AgentStatus.READY and session.call is None
    for _ in range(3):
        session = mapping.agent_session("PollUserStatus", poll_payload(None, "DANCING"), AGENT)
        assert session.status is AgentStatus.UNKNOWN
    strange = {
        "JobId": "job-5",
        "CallType": "INBOUND",
        "ChannelContexts": [channel(AGENT, "TELEPORTING", "1380", AGENT)],
    }
    session = mapping.agent_session("PollUserStatus", poll_payload(strange, "TALKING"), AGENT)
    assert session.call is not None and session.call.state is CallState.UNKNOWN
    logged = [r.getMessage() for r in caplog.records if "DANCING" in r.getMessage()]
    assert len(logged) == 1


def test_call_variables_are_semicolon_separated_pairs() -> None:
    context = {
        "JobId": "job-5",
        "CallType": "INBOUND",
        "CallVariables": "a=b;c=d",  # the page's example
        "ChannelContexts": [channel(AGENT, "RINGING", "1380", AGENT)],
    }
    session = mapping.agent_session("PollUserStatus", poll_payload(context, "RINGING"), AGENT)
    assert session.call is not None and session.call.variables == {"a": "b", "c": "d"}


def test_reserved_is_not_state_since() -> None:
    payload = poll_payload(None, "READY")
    payload["Data"]["UserContext"]["Reserved"] = T0
    session = mapping.agent_session("PollUserStatus", payload, AGENT)
    assert session.state_since is None


def test_realtime_queue_agent_and_instance_states() -> None:
    queues = sdk(
        m.ListRealtimeSkillGroupStatesResponseBody,
        envelope(
            {
                "List": [
                    {
                        "SkillGroupId": "sg-claims",
                        "SkillGroupName": "团险理赔",
                        "WaitingCalls": 4,
                        "LongestWaitingTime": 47,  # seconds: 单位秒 (page 439677)
                        "ReadyAgents": 1,
                        "TalkingAgents": 5,
                        "WorkingAgents": 2,
                        "BreakingAgents": 1,
                        "LoggedInAgents": 9,
                    }
                ],
                "TotalCount": 1,
            }
        ),
    )
    (queue,), _ = mapping.queue_states("ListRealtimeSkillGroupStates", queues)
    assert (queue.skill_group_name, queue.waiting_calls, queue.longest_wait_seconds) == (
        "团险理赔",
        4,
        47,
    )
    assert (queue.ready_agents, queue.talking_agents, queue.logged_in_agents) == (1, 5, 9)

    agents = sdk(
        m.ListRealtimeAgentStatesResponseBody,
        envelope(
            {
                "List": [
                    {
                        "AgentId": AGENT,
                        "AgentName": "张三",
                        "State": "Break",
                        "BreakCode": "lunch",
                        "StateTime": T0,
                        "SkillGroupIdList": ["sg-claims"],
                    },
                    {"AgentId": "a2", "State": "ACW", "StateTime": T0},  # wrap-up
                    {"AgentId": "a3", "State": "Moonwalking", "StateTime": T0},
                ]
            }
        ),
    )
    (agent, acw, odd), _ = mapping.agent_states("ListRealtimeAgentStates", agents)
    assert agent.status is AgentStatus.BREAK and agent.break_code == "lunch"
    assert acw.status is AgentStatus.WORKING and odd.status is AgentStatus.UNKNOWN
    assert agent.skill_groups == ("sg-claims",)

    instance = sdk(
        m.GetRealtimeInstanceStatesResponseBody,
        envelope(
            {"WaitingCalls": 6, "LongestWaitingTime": 80, "LoggedInAgents": 20, "ReadyAgents": 3}
        ),
    )
    metrics = mapping.realtime_metrics("GetRealtimeInstanceStates", instance)
    assert (metrics.waiting_calls, metrics.ready_agents, metrics.talking_agents) == (6, 3, 0)
    assert metrics.longest_wait_seconds == 80  # unit not stated on page 439658: read as seconds


def test_since_midnight_and_interval_reports() -> None:
    groups = sdk(
        m.ListSkillGroupSummaryReportsSinceMidnightResponseBody,
        {
            "RequestId": "R",
            "Code": "OK",
            "PagedSkillGroupSummaryReport": {
                "List": [
                    {
                        "SkillGroupId": "sg-claims",
                        "SkillGroupName": "团险理赔",
                        "Inbound": {
                            "CallsOffered": 120,
                            "CallsHandled": 110,
                            "CallsAbandoned": 10,
                            "CallsServiceLevel20": 90,
                            "AnsweredByAgentOfQueueWaitTimeDuration": 1650,
                            "TotalTalkTime": 33000,
                            "TotalWorkTime": 5500,
                            "SatisfactionIndex": 4.2,  # average keypad digit
                            "SatisfactionRate": 0.8,
                            "SatisfactionSurveysResponded": 50,
                        },
                        "Overall": {"TotalReadyTime": 7200},
                    }
                ],
                "TotalCount": 1,
            },
        },
    )
    (report,), _ = mapping.skill_group_summaries(
        "ListSkillGroupSummaryReportsSinceMidnight", groups
    )
    assert (report.offered, report.answered, report.abandoned) == (120, 110, 10)
    assert report.answered_within_threshold == 90 and report.threshold_seconds == 20
    assert report.total_wait_seconds_answered == 1650 and report.total_ready_seconds == 7200
    # SatisfactionIndex 4.2 is an average digit, not a share: no satisfied count without a rate
    # (the deprecated report's SDK model has no SatisfactionRate)
    assert (report.satisfaction_surveyed, report.satisfaction_satisfied) == (50, 0)

    interval = sdk(
        m.ListIntervalSkillGroupReportResponseBody,
        envelope(
            [
                {
                    "StatsTime": T0,
                    "Inbound": {
                        "CallsOffered": 40,
                        "CallsHandled": 38,
                        "CallsAbandoned": 2,
                        "ServiceLevel20": 0.75,
                        "CallsQueued": 40,
                        "TotalWaitTime": 400,
                        "TotalHoldTime": 60,
                    },
                }
            ]
        ),
    )
    (hour,) = mapping.interval_reports(
        "ListIntervalSkillGroupReport", interval, "sg-claims", "理赔"
    )
    assert hour.interval_start == datetime.fromtimestamp(T0 / 1000, UTC)
    assert hour.answered_within_threshold == 30 and hour.total_hold_seconds == 60


def test_ticket_context_is_decoded_and_bad_context_is_named() -> None:
    row = {
        "TicketId": "T-77",
        "Title": "住院理赔进度",
        "State": "Running",
        "Context": json.dumps(
            {"policy_no": "GP2026-001", "type": "claim_assist"}, ensure_ascii=False
        ),
        "CustomerId": "M-1",
        "JobId": "job-1",
        "TemplateId": "tpl-claim",
        "Creator": AGENT,
        "CreatedTime": T0,
        "UpdatedTime": T0 + 60_000,
    }
    ticket = mapping.ticket_detail("GetTicket", sdk(m.GetTicketResponseBody, envelope(row)))
    assert ticket.context == {"policy_no": "GP2026-001", "type": "claim_assist"}
    assert ticket.contact_id == "job-1" and ticket.updated_at is not None
    with pytest.raises(ResponseFormatError, match=r"Data\.List\[0\]\.Context"):
        mapping.tickets("ListTickets", envelope({"List": [{**row, "Context": "{not json"}]}))


def test_directory_and_recordings() -> None:
    users = sdk(
        m.ListUsersResponseBody,
        envelope(
            {
                "List": [
                    {
                        "UserId": AGENT,
                        "LoginName": "agent001",
                        "DisplayName": "张三",
                        "RoleName": "Agent",
                        "WorkMode": "ON_SITE",
                        "SkillLevelList": [{"SkillGroupId": "sg-claims", "SkillLevel": 5}],
                    }
                ],
                "TotalCount": 1,
            }
        ),
    )
    (user,), _ = mapping.users("ListUsers", users)
    assert user.display_name == "张三" and user.skill_groups == ("sg-claims",)

    archived = sdk(
        m.GetMonoRecordingResponseBody, envelope({"FileName": "job-1.wav", "Duration": 170_000})
    )
    locator = mapping.recording("GetMonoRecording", archived, "job-1", None)
    # Duration is milliseconds (SDK doc comment)
    assert locator.archived and locator.url is None and locator.duration_seconds == 170


MAPPERS: dict[str, Callable[[dict[str, Any]], object]] = {
    "PollUserStatus": lambda p: mapping.agent_session("PollUserStatus", p, AGENT),
    "ListRealtimeSkillGroupStates": lambda p: mapping.queue_states("X", p),
    "ListRealtimeAgentStates": lambda p: mapping.agent_states("X", p),
    "GetRealtimeInstanceStates": lambda p: mapping.realtime_metrics("X", p),
    "SkillGroupSince": lambda p: mapping.skill_group_summaries("X", p),
    "AgentSince": lambda p: mapping.agent_summaries("X", p),
    "Interval": lambda p: mapping.interval_reports("X", p, "sg", "sg"),
    "ListCallDetailRecordsV2": lambda p: mapping.call_records("X", p),
    "GetCallDetailRecord": lambda p: mapping.call_record_detail("X", p),
    "GetMonoRecording": lambda p: mapping.recording("X", p, "c", None),
    "ListMonoRecordings": lambda p: mapping.recordings("X", p, None),
    "GetTicket": lambda p: mapping.ticket_detail("X", p),
    "ListTickets": lambda p: mapping.tickets("X", p),
    "ListTicketTemplates": lambda p: mapping.ticket_templates("X", p),
    "ListUsers": lambda p: mapping.users("X", p),
    "GetUser": lambda p: mapping.user("X", p),
    "ListSkillGroups": lambda p: mapping.skill_groups("X", p),
    "CreateTicket": lambda p: mapping.data_text("X", p),
}

KEYS = st.sampled_from(
    [
        "Data", "List", "UserContext", "CallContext", "ChannelContexts", "UserState", "UserId",
        "JobId", "ChannelState", "ContactId", "StartTime", "EstablishedTime", "AgentIds",
        "SkillGroupIds", "QueueTime", "TalkTime", "SkillGroupId", "WaitingCalls", "State",
        "AgentId", "Inbound", "CallsOffered", "CallsHandled", "CallsAbandoned", "StatsTime",
        "PagedSkillGroupSummaryReport", "PagedAgentSummaryReport", "TicketId", "Context",
        "TemplateId", "FileUrl", "Duration", "SignedSkillGroupIdList", "QueueEvents",
        "EventSequence", "EventTime", "TotalCount", "CallVariables",
    ]
)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(KEYS | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(MAPPERS)), payload=st.dictionaries(KEYS, JSON, max_size=6))
def test_any_json_either_maps_or_raises_response_format_error(
    name: str, payload: dict[str, Any]
) -> None:
    try:
        MAPPERS[name](payload)
    except ResponseFormatError as error:
        assert error.field and error.action


def _valid_payloads() -> dict[str, dict[str, Any]]:
    ring = {
        "JobId": "job-5",
        "CallVariables": "a=1&b=2",
        "ChannelContexts": [
            channel(None, "ANSWERED", "1380", "400"),
            channel(AGENT, "RINGING", "1380", AGENT),
        ],
    }
    return {
        "ListCallDetailRecordsV2": list_cdrs(cdr(), cdr(EstablishedTime=None, AgentIds="")),
        "PollUserStatus": poll_payload(ring, "RINGING"),
        "GetTicket": envelope({"TicketId": "T", "Context": "{}", "CreatedTime": T0}),
    }


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy: Any = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replace(copy[path[0]], path[1:], value)
    return copy


@settings(max_examples=300, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(_valid_payloads())), junk=JSON)
def test_one_corrupted_field_in_a_valid_payload_never_crashes(
    data: st.DataObject, name: str, junk: Any
) -> None:
    valid = _valid_payloads()[name]
    path = data.draw(st.sampled_from(_paths(valid)))
    try:
        MAPPERS[name](_replace(valid, path, junk))
    except ResponseFormatError as error:
        assert error.action == "X" or error.action == name


@pytest.mark.parametrize(
    ("word", "direction"),
    [
        ("INBOUND", "inbound"),
        ("Inbound", "inbound"),  # the v1 filter's and the earlier GetCallDetailRecord's spelling
        ("OUTBOUND", "outbound"),
        ("BACK2BACK", "outbound"),
        ("PREDICTIVE", "outbound"),
        ("PRIVACY_DIAL", "outbound"),
        ("INTERNAL", "outbound"),
        ("CONFERENCE", "outbound"),
    ],
)
def test_every_documented_contact_type_has_a_direction(word: str, direction: str) -> None:
    """CDR ContactType (api-ccc-2020-07-01-getcalldetailrecord): only INBOUND is the customer
    calling in; two-way, predictive, privacy, internal and conference calls were placed by us."""
    (record,), _ = mapping.call_records("ListCallDetailRecordsV2", list_cdrs(cdr(ContactType=word)))
    assert record.direction == direction


def test_an_undocumented_contact_type_or_ticket_state_is_kept_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    for _ in range(3):
        (record,), _ = mapping.call_records(
            "ListCallDetailRecordsV2", list_cdrs(cdr(ContactType="HOLOGRAM"))
        )
        assert record.direction == "inbound"
        ticket = mapping.ticket_detail(
            "GetTicket", {"Data": {"TicketId": "t-1", "State": "Teleported"}}
        )
        assert ticket.state == "Teleported"  # shown as the vendor said it, never a failure
    messages = [r.getMessage() for r in caplog.records]
    assert sum("HOLOGRAM" in text for text in messages) == 1
    assert sum("Teleported" in text for text in messages) == 1
