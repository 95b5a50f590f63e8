"""The real adapter end to end against the simulator: a desk signs in, takes a call, and the
archive pages the CDRs it produced."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.errors import AuthError, InvalidParameterError
from cscdesk.callcenter.port import AgentStatus, CallState, TicketDraft
from cscdesk.callcenter.sim.model import CENTER_TZ
from cscdesk.callcenter.sim.server import SimulatorHandle, start_simulator
from cscdesk.demo.scenario import DEMO_AGENT_ID

DEVICE = "cscdesk-test"
START = datetime(2026, 3, 10, 10, 0, tzinfo=CENTER_TZ)  # a Tuesday morning in claim season


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(
        seed=11, human_agents=[DEMO_AGENT_ID], paused=True, start_time=START, prefill_days=0.25
    )
    try:
        yield handle
    finally:
        handle.stop()


async def test_desk_signs_in_takes_a_call_and_releases_it(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    me = await center.get_user(DEMO_AGENT_ID)
    (listed,) = [u for u in await center.list_users() if u.id == DEMO_AGENT_ID]
    groups = list(listed.skill_groups)
    assert me.id == DEMO_AGENT_ID and groups

    await center.sign_in(DEMO_AGENT_ID, groups, DEVICE)
    await center.ready(DEMO_AGENT_ID, DEVICE)
    session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert session.status is AgentStatus.READY
    assert set(session.signed_in_groups) == set(groups)

    for _ in range(1440):  # up to 2 simulated hours, in steps shorter than the ring timeout
        sim.advance(5)
        session = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
        if session.call is not None:
            break
    call = session.call
    assert call is not None, "no call was offered to the signed-in desk"
    assert session.status is AgentStatus.RINGING and call.state is CallState.OFFERED
    assert call.caller

    await center.answer(DEMO_AGENT_ID, DEVICE, call.job_id)
    talking = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert talking.status is AgentStatus.TALKING
    sim.advance(30)
    await center.release(DEMO_AGENT_ID, DEVICE, call.job_id)
    after = await center.poll_agent_session(DEMO_AGENT_ID, DEVICE)
    assert after.call is None and after.status is not AgentStatus.TALKING

    record = await center.get_call_record(call.contact_id)
    assert record.outcome == "answered" and DEMO_AGENT_ID in record.agent_ids


async def test_cdr_paging_reads_the_prefilled_history_once(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    window_end = START + timedelta(minutes=1)
    window_start = START - timedelta(hours=6)
    seen: list[str] = []
    starts: list[datetime] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await center.list_call_records(window_start, window_end, cursor, page_size=20)
        seen += [r.contact_id for r in page.items]
        starts += [r.start_time for r in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None or pages > 500:
            break
    assert len(seen) > 20, "the prefilled history should span several pages"
    assert len(seen) == len(set(seen))
    assert all(window_start <= t < window_end for t in starts)
    assert starts == sorted(starts)  # oldest first, so a resumed sync never skips a record


async def test_realtime_and_reports_map_from_the_simulator(center: AliyunCallCenter) -> None:
    queues = await center.list_queue_states()
    metrics = await center.get_realtime_metrics()
    assert queues and metrics.logged_in_agents >= 0
    reports = await center.skill_group_reports_since_midnight()
    assert {r.subject_id for r in reports} <= {q.skill_group_id for q in queues}


async def test_the_simulator_rejects_a_wrong_key_and_answers_paging_limits(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    wrong = AliyunRpcClient(sim.endpoint, sim.access_key_id, "wrong-secret", scheme="http")
    try:
        with pytest.raises(AuthError) as caught:
            await AliyunCallCenter(wrong, sim.instance_id).get_user(DEMO_AGENT_ID)
        assert caught.value.code and caught.value.request_id
    finally:
        await wrong.aclose()
    with pytest.raises(InvalidParameterError):
        await center._client.call(  # the adapter never asks this; the vendor refuses it
            "ListCallDetailRecordsV2",
            {"InstanceId": sim.instance_id, "PageNumber": 101, "PageSize": 10,
             "StartTime": int(START.timestamp() * 1000) - 3_600_000,
             "EndTime": int(START.timestamp() * 1000)},
            retry_safe=True,
        )  # fmt: skip


async def test_simulated_tickets_carry_only_the_documented_states(
    sim: SimulatorHandle, center: AliyunCallCenter
) -> None:
    """GetTicket page (help.aliyun.com, api-ccc-2020-07-01-getticket): ``State`` is Processing,
    Withdrawal, Rejected or Closed; ``CloseCode`` Completed or Terminated. The desk shows the
    state; a word outside the page is logged as undocumented and shown as unknown."""
    documented = {"Processing", "Withdrawal", "Rejected", "Closed"}
    draft = TicketDraft(
        title="咨询 保单状态", context={"type": "enquiry"}, template_id="tpl-follow-up"
    )
    opened = await center.create_ticket(draft)
    assert opened.state == "Processing"
    task_id = opened.raw["CurrentTaskId"]
    await center.finish_ticket_task(opened.ticket_id, task_id, "已回访")
    done = await center.get_ticket(opened.ticket_id)
    assert (done.state, done.raw["CloseCode"]) == ("Closed", "Completed")

    dropped = await center.create_ticket(draft)
    await center.terminate_ticket(dropped.ticket_id, "客户撤诉")
    ended = await center.get_ticket(dropped.ticket_id)
    assert (ended.state, ended.raw["CloseCode"]) == ("Closed", "Terminated")
    listed = (await center.list_tickets(updated_since=None)).items
    assert {t.state for t in listed} <= documented


async def test_a_restarted_simulator_never_reuses_a_call_id() -> None:
    """CCC's JobId / ContactId is ``job-`` and 18 digits and never repeats (GetTicket page's
    example JobId job-399383842187575296, GetCallDetailRecord's ContactId
    job-109634426711871319): a ticket linked to one call must not come to name another when
    ``cscdesk sim --demo`` starts again on the same data."""
    seen: list[set[str]] = []
    for _run in range(2):  # the same seed and the same start: the same calls, told apart
        handle = start_simulator(seed=11, paused=True, start_time=START, prefill_days=0.05)
        client = AliyunRpcClient(handle.endpoint, handle.access_key_id,
                                 handle.access_key_secret, scheme="http")  # fmt: skip
        center = AliyunCallCenter(client, handle.instance_id)
        try:
            page = await center.list_call_records(START - timedelta(hours=2), START, None, 100)
        finally:
            await center.aclose()
            handle.stop()
        ids = {r.contact_id for r in page.items}
        assert ids and all(re.fullmatch(r"job-\d{18}", i) for i in ids), sorted(ids)[:3]
        seen.append(ids)
    first, second = seen
    assert not first & second


async def test_a_restarted_simulator_never_reuses_a_ticket_id() -> None:
    """TicketId is a UUID on the GetTicket page (b3a6a131-359e-46bd-9bc5-1f5cb0ea093f); a store
    syncing a ticket by its id must not find another ticket under it after a restart."""
    made: list[str] = []
    for _run in range(2):
        handle = start_simulator(seed=11, paused=True, start_time=START)
        client = AliyunRpcClient(handle.endpoint, handle.access_key_id,
                                 handle.access_key_secret, scheme="http")  # fmt: skip
        center = AliyunCallCenter(client, handle.instance_id)
        try:
            ticket = await center.create_ticket(TicketDraft(title="咨询", context={}))
        finally:
            await center.aclose()
            handle.stop()
        assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", ticket.ticket_id)
        made.append(ticket.ticket_id)
    assert made[0] != made[1]
