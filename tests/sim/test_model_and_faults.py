"""The model against queueing theory and the domain indicators; each fault kind, observed by a client."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from cscdesk.callcenter.sim.arrivals import TrafficProfile
from cscdesk.callcenter.sim.clock import SimClock
from cscdesk.callcenter.sim.faults import FaultPlan
from cscdesk.callcenter.sim.model import CallCenterModel, ModelConfig
from cscdesk.callcenter.sim.records import to_domain_call
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.domain import erlang, indicators
from cscdesk.domain.models import Agent, AgentKind, SkillGroup

from .conftest import body, signed_post


def test_long_run_matches_erlang_c() -> None:
    """A = 8 Erlangs on N = 10 agents, AHT 180 s exponential, FIFO, no abandons or transfers.

    Tolerance: service level (20 s) within 0.03 absolute and ASA within 15 % of Erlang C. At
    occupancy 0.8 waits are strongly autocorrelated, so ~30,000 calls leave a batch-means
    standard error of about 1 point on SL and about 5 % on ASA; the bounds are ~3 standard errors.
    """
    from dataclasses import replace

    clock = SimClock(datetime(2026, 1, 5, tzinfo=UTC), speed=600)
    agents = [Agent(f"a{i:02d}", f"a{i}", AgentKind.BROKER, None, ("sg",)) for i in range(10)]
    model = CallCenterModel(
        clock=clock, skill_groups=[SkillGroup("sg", "测试", "test")], agents=agents,
        traffic=TrafficProfile.constant({"sg": 8 * 3600 / 180}),
        config=replace(ModelConfig.erlang_c(), mean_talk_seconds=180.0), seed=2,
    )  # fmt: skip
    model.run_until(190 * 3600)
    calls = [to_domain_call(c, clock.at) for c in model.records]
    assert len(calls) > 29_000
    level = indicators.service_level(calls, indicators.ServiceLevelRule(threshold_seconds=20))
    asa = indicators.average_speed_of_answer(calls)
    assert level is not None and asa is not None
    assert level / 100 == pytest.approx(erlang.service_level(8, 10, 180, 20), abs=0.03)
    assert asa == pytest.approx(erlang.average_speed_of_answer(8, 10, 180), rel=0.15)


def test_since_midnight_report_equals_domain_indicators(sim: SimulatorHandle) -> None:
    sim.advance(3 * 3600)
    response = signed_post(sim, "ListSkillGroupSummaryReportsSinceMidnight",
                           {"InstanceId": sim.instance_id, "SkillGroups": "sg_group_claims"})  # fmt: skip
    report = body(response)["PagedSkillGroupSummaryReport"]["List"][0]["Inbound"]
    midnight = sim.model.seconds_since_midnight()
    calls = [
        to_domain_call(c, sim.clock.at)
        for c in sim.model.records
        if c.started_at >= midnight and c.skill_group == "sg_group_claims"
    ]
    assert report["CallsOffered"] == indicators.agent_requests(calls) > 0
    rule = indicators.ServiceLevelRule(threshold_seconds=20)
    assert report["ServiceLevel20"] * 100 == pytest.approx(
        indicators.service_level(calls, rule), abs=1e-9
    )
    assert report["HandleRate"] * 100 == pytest.approx(indicators.connect_rate(calls), abs=1e-9)
    assert report["CallsAbandoned"] / report["CallsOffered"] * 100 == pytest.approx(
        indicators.abandon_rate(calls), abs=1e-9
    )


@pytest.fixture
def faulty(sim: SimulatorHandle):  # type: ignore[no-untyped-def]
    yield sim
    sim.faults.clear()


@pytest.mark.parametrize(
    ("code", "status"),
    [("Throttling.User", 400), ("ServiceUnavailable", 503), ("InternalError", 500)],
)
def test_error_faults_answer_with_vendor_codes(
    faulty: SimulatorHandle, code: str, status: int
) -> None:
    faulty.faults.set(FaultPlan(error_rates={code: 1.0}, actions=frozenset({"ListSkillGroups"})))
    response = signed_post(faulty, "ListSkillGroups", {"InstanceId": faulty.instance_id})
    assert response.status_code == status and body(response)["Code"] == code
    other = signed_post(faulty, "ListUsers", {"InstanceId": faulty.instance_id})
    assert other.status_code == 200  # targeting: other actions are untouched
    faulty.faults.clear()
    assert (
        signed_post(faulty, "ListSkillGroups", {"InstanceId": faulty.instance_id}).status_code
        == 200
    )


def test_connection_reset_and_timeout_are_seen_by_the_client(faulty: SimulatorHandle) -> None:
    faulty.faults.set(FaultPlan(reset_rate=1.0))
    with pytest.raises(httpx.TransportError):
        signed_post(faulty, "ListSkillGroups", {"InstanceId": faulty.instance_id})
    faulty.faults.set(FaultPlan(timeout_rate=1.0, timeout_seconds=2.0))
    with pytest.raises(httpx.TimeoutException):
        signed_post(faulty, "ListSkillGroups", {"InstanceId": faulty.instance_id}, timeout=0.5)


def test_lost_response_still_applies_the_operation(faulty: SimulatorHandle) -> None:
    before = len(faulty.tickets.tickets)
    faulty.faults.set(FaultPlan(lost_response_rate=1.0, actions=frozenset({"CreateTicket"})))
    with pytest.raises(httpx.TransportError):
        signed_post(
            faulty, "CreateTicket", {"InstanceId": faulty.instance_id, "Title": "丢失的应答"}
        )
    assert len(faulty.tickets.tickets) == before + 1


def test_latency_fault_delays_but_answers(faulty: SimulatorHandle) -> None:
    faulty.faults.set(FaultPlan.from_mapping({"latency": {"fixed_ms": 50}}))
    assert (
        signed_post(faulty, "ListSkillGroups", {"InstanceId": faulty.instance_id}).status_code
        == 200
    )


def test_fault_plan_errors_name_the_key() -> None:
    with pytest.raises(ValueError, match=r"error_rates\.Nope"):
        FaultPlan.from_mapping({"error_rates": {"Nope": 0.1}})
    with pytest.raises(ValueError, match="reset_rate"):
        FaultPlan.from_mapping({"reset_rate": 2})


def test_the_simulator_counts_every_request_by_action() -> None:
    """The request budget is counted at the server (bench_request_budget): refused requests
    (a wrong instance here) count as much as answered ones."""
    import asyncio

    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient
    from cscdesk.callcenter.errors import CallCenterError
    from cscdesk.callcenter.sim.server import start_simulator

    with start_simulator(host="127.0.0.1", port=0, paused=True) as sim:

        def port(instance: str) -> AliyunCallCenter:
            client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                                     scheme="http", max_retries=0)  # fmt: skip
            return AliyunCallCenter(client, instance)

        async def drive() -> None:
            good = port(sim.instance_id)
            for _ in range(3):
                await good.poll_agent_session("agent001@ccc-demo", "dev")
            await good.list_queue_states()
            with pytest.raises(CallCenterError):  # NotExists.InstanceId, counted all the same
                await port("ccc-wrong").list_queue_states()

        asyncio.run(drive())
        assert sim.requests["PollUserStatus"] == 3
        assert sim.requests["ListRealtimeSkillGroupStates"] == 2
