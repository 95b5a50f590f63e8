"""Golden tests: the example responses printed on Alibaba's API pages, read by our mappers.

Each fixture is the page's 正常返回示例 (help.aliyun.com, CCC 2020-07-01); the expected values are
what a person reads off the page. Small examples are inline below; the rest are JSON files in
``tests/callcenter/golden/``, one per operation, named after it. Where they come from:

* ``<Operation>.json`` is the page's JSON example verbatim. For GetCallDetailRecord,
  ListHistoricalSkillGroupReport, ListHistoricalAgentReport, ListIntervalSkillGroupReport and
  ListRealtimeSkillGroupStates it is the complete example of an earlier revision of the page (the
  Markdown source of the API reference, as stored in the public code index; the live pages' stored
  copies are cut inside the example). Those earlier revisions send every number as a string and
  GetCallDetailRecord's event lists as ``Cdr*Events``: a real tenant may still see either form.
* ``<Operation>.field-examples.json`` is assembled, field by field, from the 示例值 column of the
  page's response table, because the stored copy of the page is cut before the JSON example
  (GetTicket, ListTickets, ListMonoRecordings).

Pages whose example we could not obtain, so no golden test here (their fields are covered by the
official-SDK conformance tests in tests/sim/test_conformance.py instead):

* ListCallDetailRecordsV2 (api-ccc-2020-07-01-listcalldetailrecordsv2): the stored copy ends in the
  request parameters, before the response table and the example.
* MakeCall (page 357650): the stored copy ends at ``Data.CallContext.JobId`` in the response
  table. Its CallContext has the PollUserStatus shape, which the PollUserStatus example covers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cscdesk.callcenter.aliyun import mapping
from cscdesk.callcenter.port import AgentStatus, CallState

GOLDEN = Path(__file__).parent / "golden"


def golden(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return data


def ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


# https://help.aliyun.com/document_detail/439658.htm (GetRealtimeInstanceStates), complete
GET_REALTIME_INSTANCE_STATES: dict[str, Any] = {
    "Code": "OK",
    "HttpStatusCode": 200,
    "Message": "无",
    "RequestId": "943D8EF3-3321-471F-A104-51C96FCA94D6",
    "Data": {
        "WorkingAgents": 0,
        "LongestWaitingTime": 0,
        "LoggedInAgents": 0,
        "TotalAgents": 0,
        "WaitingCalls": 0,
        "BreakingAgents": 0,
        "TalkingAgents": 0,
        "InteractiveCalls": 0,
        "ReadyAgents": 0,
        "InstanceId": "ccc-test",
        "BreakCodeDetailList": [{"BreakCode": "", "Count": 0}],
    },
}

# https://help.aliyun.com/document_detail/439676.htm (ListRealtimeAgentStates); the excerpt is cut
# inside SkillGroupIdList, so the fixture ends before it
LIST_REALTIME_AGENT_STATES: dict[str, Any] = {
    "Code": "OK",
    "HttpStatusCode": 200,
    "Message": "无",
    "RequestId": "EEEE671A-3E24-4A04-81E6-6C4F5B39DF75",
    "Data": {
        "PageNumber": 1,
        "PageSize": 10,
        "TotalCount": 1,
        "List": [
            {
                "Extension": "80317391",
                "StateCode": "Monitored",
                "State": "ACW",
                "AgentId": "agent1@ccc-test",
                "StateTime": 1696670640774,
                "AgentName": "坐席小王",
                "InstanceId": "ccc-test",
                "CounterParty": "agent@ccc-test",
            }
        ],
    },
}

# https://help.aliyun.com/document_detail/439618.htm (PollUserStatus); the excerpt is cut inside
# UserContext after "JobId", before UserState: the fixture adds no UserState of its own making,
# so only the call context is checked here
POLL_USER_STATUS_CALL_CONTEXT: dict[str, Any] = {
    "CallType": "OUTBOUND",
    "InstanceId": "ccc-test",
    "JobId": "job-6538214103685****",
    "ChannelContexts": [
        {
            "Index": 1,
            "ReleaseInitiator": "1390501****",
            "ChannelState": "CREATED",
            "Destination": "1390501****",
            "UserId": "agent@ccc-test",
            "ChannelFlags": "MONITORING",
            "SkillGroupId": "skillgroup@ccc-test",
            "Timestamp": 1609138903315,
            "ReleaseReason": "404 - No destination",
            "CallType": "OUTBOUND",
            "ChannelVariables": "123",
            "JobId": "job-6538214103685****",
            "ChannelId": "ch:user:1390501****->8032****:1609138902226:job-653821410368****",
            "UserExtension": "8032****",
            "Originator": "0830019****",
        }
    ],
    "CallVariables": "a=b;c=d",
}


def test_instance_states_example_reads_as_an_empty_center() -> None:
    metrics = mapping.realtime_metrics("GetRealtimeInstanceStates", GET_REALTIME_INSTANCE_STATES)
    assert (metrics.waiting_calls, metrics.longest_wait_seconds, metrics.logged_in_agents) == (
        0,
        0,
        0,
    )


def test_realtime_agent_example_is_an_agent_in_wrap_up() -> None:
    (agent,), total = mapping.agent_states("ListRealtimeAgentStates", LIST_REALTIME_AGENT_STATES)
    assert agent.agent_id == "agent1@ccc-test" and agent.agent_name == "坐席小王"
    assert agent.status is AgentStatus.WORKING  # "ACW": 话后处理
    assert agent.state_since is not None and agent.state_since.year == 2023
    assert total == 1


def test_poll_example_is_our_own_outbound_call_being_set_up() -> None:
    payload = {
        "Code": "OK",
        "Data": {
            "CallContext": POLL_USER_STATUS_CALL_CONTEXT,
            # not from the page (the excerpt is cut before it): a documented UserState word
            "UserContext": {"UserId": "agent@ccc-test", "UserState": "DIALING"},
        },
    }
    session = mapping.agent_session("PollUserStatus", payload, "agent@ccc-test")
    assert session.call is not None
    assert session.call.state is CallState.DIALING  # CREATED on an OUTBOUND call
    assert session.call.variables == {"a": "b", "c": "d"}
    assert session.call.job_id == "job-6538214103685****"
    assert session.call.skill_group_id == "skillgroup@ccc-test"


# --- archive: CDRs and recordings ------------------------------------------------------------


def test_call_detail_example_is_an_answered_outbound_call_hung_up_by_the_customer() -> None:
    """GetCallDetailRecord (api-ccc-2020-07-01-getcalldetailrecord, earlier revision's example):
    an outbound call (``"Outbound"``, not upper case) from 053xxxx3128 to 133xxxx2315, answered by
    user-test@ccc-test of skg-default, ended normally by the customer, recording ready,
    satisfaction 1. Established and released at the same millisecond, so no talk time."""
    record = mapping.call_record_detail("GetCallDetailRecord", golden("GetCallDetailRecord.json"))
    assert record.contact_id == "job-109634426711871319"
    assert record.direction == "outbound"
    assert (record.caller, record.callee) == ("053xxxx3128", "133xxxx2315")
    assert record.agent_ids == ("user-test@ccc-test",)  # the page's trailing tab is not part of it
    assert record.skill_group_id == "skg-default@ccc-test"
    assert record.outcome == "answered"
    assert record.start_time == ms(1532458000000) == record.established_time
    assert record.release_initiator == "customer"
    assert record.recording_available is True
    assert record.satisfaction == 1
    assert record.talk_seconds == 0.0
    # one Enqueue event (``CdrQueueEvents`` in this revision): it queued, for no measurable time
    assert record.queue_wait_seconds == 0.0 and record.transferred_to is None


def test_mono_recording_example_is_a_30_second_file_with_a_download_link() -> None:
    """GetMonoRecording (api-ccc-2020-07-01-getmonorecording, page 439656): Duration 30000 is
    milliseconds (录音时长,单位:毫秒), so 30 s; FileUrl present, so not archived."""
    expires = ms(1610910578000)
    locator = mapping.recording(
        "GetMonoRecording", golden("GetMonoRecording.json"), "job-6538214103689****", expires
    )
    assert locator.duration_seconds == 30.0
    assert locator.file_name == "job-6538214103689****.wav"
    assert locator.url is not None and locator.url.startswith(
        "http://ccc-v2-online.oss-cn-shanghai"
    )
    assert locator.archived is False and locator.expires_at == expires


def test_mono_recordings_example_is_one_recording_of_98_minutes() -> None:
    """ListMonoRecordings (api-ccc-2020-07-01-listmonorecordings), from the 示例值 column:
    Duration is the string "5903871", milliseconds (录音时长,单位毫秒): 5903.871 s."""
    (locator,) = mapping.recordings(
        "ListMonoRecordings", golden("ListMonoRecordings.field-examples.json"), None
    )
    assert locator.contact_id == "job-25920271311543****"
    assert locator.duration_seconds == 5903.871
    assert locator.file_name.endswith("-1656926518491.wav") and locator.archived is False


# --- reports ---------------------------------------------------------------------------------


def test_historical_skill_group_example_is_seven_calls_all_answered() -> None:
    """ListHistoricalSkillGroupReport (page 439666, earlier revision's example): skill group test1
    offered 7, handled 7, abandoned 0; 34 s total wait, 447 s talk, 85 s wrap-up, no hold; its
    agents were ready 22428 s. ServiceLevel20 is printed as 0 (the example's placeholder: with a
    longest wait of 13 s all 7 would be within 20 s), so 0 within 20 s is what the page says."""
    (report,), total = mapping.historical_skill_group_reports(
        "ListHistoricalSkillGroupReport", golden("ListHistoricalSkillGroupReport.json")
    )
    assert (report.subject_id, report.subject_name) == ("skg-test1@ccc-test", "test1")
    assert (report.offered, report.answered, report.abandoned) == (7, 7, 0)
    assert report.answered_within_threshold == 0 and report.threshold_seconds == 20.0
    assert report.total_wait_seconds_answered == 34.0
    assert (report.total_talk_seconds, report.total_hold_seconds) == (447.0, 0.0)
    assert report.total_work_seconds == 85.0 and report.total_ready_seconds == 22428.0
    assert (report.satisfaction_surveyed, report.satisfaction_satisfied) == (0, 0)
    assert total == 4


def test_historical_agent_example_is_an_agent_with_nothing_to_report() -> None:
    """ListHistoricalAgentReport (page 439665, earlier revision's example): user-test@ccc-test
    (云呼测试坐席) with every figure 0; the agent report has no 20 s service level at all."""
    (report,), total = mapping.historical_agent_reports(
        "ListHistoricalAgentReport", golden("ListHistoricalAgentReport.json")
    )
    assert (report.subject_id, report.subject_name) == ("user-test@ccc-test", "云呼测试坐席")
    assert (report.offered, report.answered, report.abandoned) == (0, 0, 0)
    assert report.service_level_known is False
    assert report.total_ready_seconds == 0.0 and total == 10


def test_interval_skill_group_example_is_three_calls_two_answered() -> None:
    """ListIntervalSkillGroupReport (page 223973, earlier revision's example): the interval from
    1604639129000 (2020-11-06 05:05:29 UTC): 3 offered, 2 handled, CallsAbandoned 0 (one caller
    hung up while ringing, counted apart as CallsAbandonedInRinging), 33 s wait, 9 s talk, 23 s
    wrap-up, ready 9106 s; ServiceLevel20 printed as 0 of 3 queued."""
    (report,) = mapping.interval_reports(
        "ListIntervalSkillGroupReport",
        golden("ListIntervalSkillGroupReport.json"),
        "skg-default@ccc-test",
        "默认技能组",
    )
    assert report.interval_start == ms(1604639129000)
    assert (report.offered, report.answered, report.abandoned) == (3, 2, 0)
    assert report.answered_within_threshold == 0
    assert report.total_wait_seconds_answered == 33.0 and report.total_talk_seconds == 9.0
    assert report.total_work_seconds == 23.0 and report.total_ready_seconds == 9106.0


def test_realtime_skill_group_example_is_two_ready_agents_and_no_queue() -> None:
    """ListRealtimeSkillGroupStates (page 439677, earlier revision's example): test1 has 2 agents
    logged in and ready, nobody waiting. This revision names the longest wait ``LongestCall``
    (no unit given); the current page names it ``LongestWaitingTime`` (单位秒). Both read 0."""
    (queue,), total = mapping.queue_states(
        "ListRealtimeSkillGroupStates", golden("ListRealtimeSkillGroupStates.json")
    )
    assert (queue.skill_group_id, queue.skill_group_name) == ("skg-test1@ccc-test", "test1")
    assert (queue.waiting_calls, queue.longest_wait_seconds) == (0, 0.0)
    assert (queue.logged_in_agents, queue.ready_agents, queue.talking_agents) == (2, 2, 0)
    assert (queue.working_agents, queue.break_agents) == (0, 0)
    assert total == 2


# --- directory -------------------------------------------------------------------------------


def test_users_example_is_one_admin_on_site_with_an_offline_phone() -> None:
    """ListUsers (page 439590): 坐席小王 (login agent, agent@ccc-test), role Admin, on-site work
    mode, in skillgroup@ccc-test; voice device ACC-YUNBS-1.0.10-**** whose state is OFFLINE."""
    (user,), total = mapping.users("ListUsers", golden("ListUsers.json"))
    assert (user.id, user.login_name, user.display_name) == ("agent@ccc-test", "agent", "坐席小王")
    assert user.role == "Admin" and user.work_mode == "ON_SITE"
    assert user.skill_groups == ("skillgroup@ccc-test",)
    assert user.device_id == "ACC-YUNBS-1.0.10-****"
    assert user.device_online is False
    assert total == 1


def test_skill_groups_example_is_one_test_group() -> None:
    """ListSkillGroups (page 439575): skillgroup@ccc-test shown as 测试技能组 with its
    description. The stored example is cut after SkillGroupName; the fixture completes it from
    the 示例值 column (UserCount 2, InstanceId, MediaType CHAT)."""
    (group,), total = mapping.skill_groups("ListSkillGroups", golden("ListSkillGroups.json"))
    assert (group.id, group.name) == ("skillgroup@ccc-test", "测试技能组")
    assert group.description == "云联络中心的测试技能组。"
    assert total == 1


# --- tickets ---------------------------------------------------------------------------------


def test_ticket_example_is_an_after_sales_ticket_in_progress() -> None:
    """GetTicket (api-ccc-2020-07-01-getticket), from the 示例值 column: 售后工单, Processing,
    created 2021-05-06 00:00 UTC by creator@ccc-test for call job-399383842187575296, form
    {"productName": "商品A"}, current task 912f0b78-…. Source is printed "Audio" although the
    field's list says AUDIO; we do not read Source."""
    payload = golden("GetTicket.field-examples.json")
    ticket = mapping.ticket_detail("GetTicket", payload)
    assert (ticket.ticket_id, ticket.title) == ("b3a6a131-359e-46bd-9bc5-1f5cb0ea093f", "售后工单")
    assert ticket.state == "Processing"
    assert ticket.context == {"productName": "商品A"}
    assert ticket.contact_id == "job-399383842187575296"
    assert ticket.creator_id == "creator@ccc-test"
    assert ticket.created_at == ms(1620259200000) and ticket.updated_at == ms(1693793208075)
    assert ticket.version == 0
    assert mapping.current_task_id("GetTicket", payload) == "912f0b78-6639-4a93-ae18-0d832885c27e"


def test_tickets_example_reads_times_sent_as_strings() -> None:
    """ListTickets (api-ccc-2020-07-01-listtickets), from the 示例值 column: one ticket 标题,
    Processing, created and updated 2021-09-12 10:01 UTC (CreatedTime/UpdatedTime are strings in
    this response), form {"productName": "alynx"}, call job-47150***150396416."""
    (ticket,), total = mapping.tickets("ListTickets", golden("ListTickets.field-examples.json"))
    assert ticket.ticket_id == "feb83abd-9f08-49d2-9b56-41d1b66ca0ac"
    assert (ticket.title, ticket.state) == ("标题", "Processing")
    assert ticket.created_at == ms(1631440860000) == ticket.updated_at
    assert ticket.context == {"productName": "alynx"}
    assert ticket.contact_id == "job-47150***150396416"
    assert total == 10


# --- voice device ----------------------------------------------------------------------------


def test_sign_in_example_names_the_device_and_the_work_mode() -> None:
    """SignInGroup (page 439627): agent@ccc-test signed in to skillgroup1@ccc-test on device
    ACC-YUNBS-1.0.10-**** (the page's value ends in a stray newline) in ON_SITE mode, READY."""
    session = mapping.signed_in("SignInGroup", golden("SignInGroup.json"), "agent@ccc-test")
    assert session.device_id == "ACC-YUNBS-1.0.10-****"
    assert session.work_mode == "ON_SITE"
    assert session.status is AgentStatus.READY
    assert session.signed_in_groups == ("skillgroup1@ccc-test",)
    assert session.call is None
