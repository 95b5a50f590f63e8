"""Realtime, since-midnight and interval figures computed from the model's own state and CDRs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from cscdesk.callcenter.sim.model import CallCenterModel
from cscdesk.callcenter.sim.records import AgentRuntime, CallRuntime, UserState
from cscdesk.domain.models import CallDirection, CallOutcome

SERVICE_LEVEL_SECONDS = 20


def group_agents(model: CallCenterModel, group_id: str | None) -> list[AgentRuntime]:
    return [rt for rt in model.agents.values() if group_id is None or group_id in rt.signed_groups]


def agent_counts(agents: Sequence[AgentRuntime]) -> dict[str, Any]:
    states = Counter(rt.state for rt in agents)
    breaks = Counter(rt.break_code for rt in agents if rt.state is UserState.BREAK)
    logged_in = sum(n for s, n in states.items() if s is not UserState.OFFLINE)
    return {
        "TotalAgents": len(agents),
        "LoggedInAgents": logged_in,
        "ReadyAgents": states[UserState.READY],
        "TalkingAgents": states[UserState.TALKING] + states[UserState.CALLING],
        "WorkingAgents": states[UserState.WORKING],
        "BreakingAgents": states[UserState.BREAK],
        "BreakCodeDetailList": [
            {"BreakCode": code or "Default", "Count": n} for code, n in sorted(breaks.items())
        ],
    }


def waiting(model: CallCenterModel, group_id: str | None) -> tuple[int, int]:
    queues = [model.queues[group_id]] if group_id else list(model.queues.values())
    calls = [c for q in queues for c in q]
    longest = max((model.now - (c.queued_at or model.now) for c in calls), default=0.0)
    return len(calls), round(longest)  # seconds: "单位秒" (page 439677)


def inbound_requests(calls: Iterable[CallRuntime]) -> list[CallRuntime]:
    """Inbound calls that asked for an agent (the denominator of every inbound indicator)."""
    return [c for c in calls if c.direction is CallDirection.INBOUND and c.queued_at is not None]


def since_midnight_calls(model: CallCenterModel) -> list[CallRuntime]:
    midnight = model.seconds_since_midnight()
    return [c for c in model.records if c.started_at >= midnight]


def inbound_summary(calls: Sequence[CallRuntime]) -> dict[str, Any]:
    offered = inbound_requests(calls)
    handled = [c for c in offered if c.outcome is CallOutcome.ANSWERED]
    abandoned = [c for c in offered if c.outcome is CallOutcome.ABANDONED]
    waits = [c.wait_seconds or 0.0 for c in handled]

    def within(limit: int) -> int:
        return sum(1 for w in waits if w <= limit)

    talk = [c.talk_seconds for c in handled]
    work = [c.acw_seconds for c in handled]
    ring = [c.ring_seconds for c in handled]
    n = len(offered)
    surveyed = [c.satisfaction for c in handled if c.satisfaction is not None]
    return {
        "CallsOffered": n,
        "CallsHandled": len(handled),
        "CallsAbandoned": len(abandoned),
        "AbandonedInQueueOfQueueCount": len(abandoned),
        "AnsweredByAgentOfQueueCount": len(handled),
        "InComingQueueOfQueueCount": n,
        "CallsTimeout": sum(1 for c in offered if c.outcome is CallOutcome.TIMEOUT),
        "CallsBlindTransferOut": sum(c.transfers_blind for c in offered),
        "CallsAttendedTransferOut": sum(c.transfers_attended for c in offered),
        "CallsServiceLevel10": within(10),
        "CallsServiceLevel20": within(20),
        "CallsServiceLevel30": within(30),
        "ServiceLevel20": within(SERVICE_LEVEL_SECONDS) / n if n else 0.0,
        "HandleRate": len(handled) / n if n else 0.0,
        "AnsweredByAgentOfQueueWaitTimeDuration": round(sum(waits)),
        "AnsweredByAgentOfQueueMaxWaitTimeDuration": round(max(waits, default=0.0)),
        "QueueWaitTimeDuration": round(sum(c.wait_seconds or 0.0 for c in offered)),
        "QueueMaxWaitTimeDuration": round(max((c.wait_seconds or 0.0 for c in offered), default=0)),
        "TotalTalkTime": round(sum(talk)),
        "AverageTalkTime": round(sum(talk) / len(talk)) if talk else 0,
        "MaxTalkTime": round(max(talk, default=0.0)),
        "TotalWorkTime": round(sum(work)),
        "AverageWorkTime": round(sum(work) / len(work)) if work else 0,
        "MaxWorkTime": round(max(work, default=0.0)),
        "TotalRingTime": round(sum(ring)),
        "AverageRingTime": round(sum(ring) / len(ring)) if ring else 0,
        "MaxRingTime": round(max(ring, default=0.0)),
        "SatisfactionSurveysOffered": len(surveyed),
        "SatisfactionSurveysResponded": len(surveyed),
        # the average keypad digit (SDK: "average value of the satisfaction rating digits")
        "SatisfactionIndex": round(sum(surveyed) / len(surveyed), 1) if surveyed else 0.0,
        # satisfied / responded; UNVERIFIED whether the service sends a fraction or a percent
        "SatisfactionRate": sum(1 for s in surveyed if s >= 4) / len(surveyed) if surveyed else 0.0,
        "CallsQueued": n,
        "TotalWaitTime": round(sum(waits)),
        "AverageWaitTime": round(sum(waits) / len(waits)) if waits else 0,
        "TotalHoldTime": round(sum(c.hold_seconds for c in handled)),
    }


def outbound_summary(calls: Sequence[CallRuntime]) -> dict[str, Any]:
    dialed = [c for c in calls if c.direction is CallDirection.OUTBOUND]
    answered = [c for c in dialed if c.answered_at is not None]
    talk = [c.talk_seconds for c in answered]
    return {
        "CallsDialed": len(dialed),
        "CallsAnswered": len(answered),
        "AnswerRate": len(answered) / len(dialed) if dialed else 0.0,
        "TotalTalkTime": round(sum(talk)),
        "AverageTalkTime": round(sum(talk) / len(talk)) if talk else 0,
        "MaxTalkTime": round(max(talk, default=0.0)),
    }


def overall_summary(calls: Sequence[CallRuntime]) -> dict[str, Any]:
    talk = [c.talk_seconds for c in calls if c.answered_at is not None]
    return {
        "TotalCalls": len(calls),
        "TotalTalkTime": round(sum(talk)),
        "AverageTalkTime": round(sum(talk) / len(talk)) if talk else 0,
        "MaxTalkTime": round(max(talk, default=0.0)),
    }


def calls_of_group(calls: Iterable[CallRuntime], group_id: str) -> list[CallRuntime]:
    return [c for c in calls if c.skill_group == group_id]


def calls_of_agent(calls: Iterable[CallRuntime], agent_id: str) -> list[CallRuntime]:
    return [c for c in calls if c.agent_ids and c.agent_ids[0] == agent_id]
