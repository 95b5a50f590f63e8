"""Golden tests: the example responses printed on Alibaba's API pages, read by our mappers.

Each fixture is the page's 正常返回示例 as the search corpus shows it (help.aliyun.com, CCC
2020-07-01); where the stored excerpt was cut short the fixture stops at the cut and says so.
The expected values are what a person reads off the page.
"""

from __future__ import annotations

from typing import Any

from cscdesk.callcenter.aliyun import mapping
from cscdesk.callcenter.port import AgentStatus, CallState

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
