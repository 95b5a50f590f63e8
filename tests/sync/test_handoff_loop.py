"""Escalations travel out to the insurer and back into the ticket, under injected faults.

The insurers are the simulated ones over real HTTP on 127.0.0.1 (their service-request desk
behind their OAuth tokens and fault profiles); the store is a real SQLite file. Time is moved
on, never waited for: our clock is a list the test advances, the insurers' clock is advanced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cscdesk.config import HandoffSettings
from cscdesk.domain.access import Role, User
from cscdesk.domain.handoffs import Channel, HandoffState
from cscdesk.domain.models import TicketStatus, TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import escalate, new_ticket
from cscdesk.insurers.service_requests import build_service_request_clients
from cscdesk.insurers.sim.profile import FaultProfile
from cscdesk.insurers.sim.runner import (
    InsurerSimHandles,
    demo_insurer_settings,
    demo_secret_resolver,
    start_insurer_sims_for,
)
from cscdesk.store import Store, open_store
from cscdesk.store.handoffs import Handoffs
from cscdesk.store.task_inbox import TaskInbox
from cscdesk.sync.handoffs import HandoffDelivery, channel_chooser

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAMES = {"ruian": "瑞安演示", "anhe": "安和演示", "huaying": "华盈演示"}
SETTINGS = HandoffSettings(retry_base_seconds=2, retry_cap_seconds=30, max_attempts=5)


@pytest.fixture
def insurers() -> Iterator[InsurerSimHandles]:
    handles = start_insurer_sims_for(
        [], [], [], speed=1.0,
        profiles={"ruian": FaultProfile(latency_ms=(1, 5)),
                  "huaying": FaultProfile(latency_ms=(1, 5))},
    )  # fmt: skip
    yield handles
    handles.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "cscdesk.db")
    yield opened
    opened.close()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _escalate(store: Store, insurer: str, title: str) -> str:
    ticket, created = new_ticket(ticket_id=store.tickets.new_ticket_id(), type=TicketType.CLAIM_ASSIST,
                                 title=title, created_at=T0, created_by="agent1",
                                 sla=SlaPolicy(), owner="agent1")  # fmt: skip
    store.tickets.save_new(ticket, created)
    changed, event = escalate(ticket, insurer, due_at=None, at=T0, actor="agent1",
                              note="请核实赔款进度")  # fmt: skip
    store.tickets.save_change(changed, event, base_version=ticket.version)
    return ticket.id


def _delivery(store: Store, insurers: InsurerSimHandles, clock: Clock) -> HandoffDelivery:
    configured = demo_insurer_settings(insurers)
    clients = build_service_request_clients(configured, demo_secret_resolver())
    return HandoffDelivery(store, Handoffs(store), clients, settings=SETTINGS,
                           channel_for=channel_chooser(SETTINGS, configured), names=NAMES,
                           clock=clock)  # fmt: skip


def _replies(store: Store, ticket_id: str) -> list[str]:
    return [e.note or "" for e in store.tickets.events(ticket_id) if e.kind == "note"]


def test_an_api_escalation_goes_out_once_and_its_answer_comes_back_under_faults(
    store: Store, insurers: InsurerSimHandles
) -> None:
    clock = Clock()
    ticket_id = _escalate(store, "ruian", "住院理赔进度")
    delivery = _delivery(store, insurers, clock)
    ruian = insurers["ruian"]
    ruian.profile.fail_next = 2  # two lost responses: the request is kept, the answer is a 500

    async def rounds() -> None:
        try:
            first = await delivery.run_once()
            assert (first.opened, first.retried, first.sent) == (1, 1, 0)
            clock.advance(1)  # still inside the backoff: nothing is sent
            assert (await delivery.run_once()).retried == 0
            clock.advance(30)
            assert (await delivery.run_once()).retried == 1
            clock.advance(30)
            assert (await delivery.run_once()).sent == 1
            ruian.revoke_tokens()  # a rotated key: the next poll must fetch a new token
            insurers.advance(timedelta(minutes=15))  # the insurer works on its own time
            ruian.profile.fail_next = 1
            polled = await delivery.run_once()
            assert polled.answered == 0 and polled.errors
            polled = await delivery.run_once()
            assert (polled.answered, polled.applied) == (1, 1)
            assert (await delivery.run_once()).applied == 0
        finally:
            await delivery.aclose()

    asyncio.run(rounds())

    assert ruian.desk is not None and ruian.desk.count == 1  # three submissions, one request
    [handoff] = Handoffs(store).for_ticket(ticket_id)
    assert handoff.state is HandoffState.ANSWERED and handoff.applied
    assert handoff.remote_ref == "RA-SR000001"
    assert handoff.attempts == 3
    assert handoff.acknowledged_at is not None and handoff.answered_at is not None
    assert handoff.answered_at - handoff.sent_at == timedelta(minutes=12)  # type: ignore[operator]
    assert _replies(store, ticket_id) == [
        "[答复 reply · 瑞安演示] 经核实，该案件已审核通过，赔款将于3个工作日内支付至被保险人账户。"
    ]
    assert store.tickets.require(ticket_id).status is TicketStatus.OPEN


def test_a_seconded_insurer_takes_the_request_from_its_queue_and_answers_it(
    store: Store, insurers: InsurerSimHandles
) -> None:
    clock = Clock()
    ticket_id = _escalate(store, "anhe", "安和理赔材料")
    delivery = _delivery(store, insurers, clock)
    asyncio.run(delivery.run_once())
    asyncio.run(delivery.aclose())
    inbox = TaskInbox(store, Handoffs(store))
    seconded = inbox.worker(User("u105", "何晨", Role.SECONDED_AGENT, insurer_id="anhe"))
    other = inbox.worker(User("u106", "高源", Role.SECONDED_AGENT, insurer_id="jiahe"))
    [request] = inbox.items(seconded)
    assert request.channel is Channel.SECONDED and inbox.items(other) == []

    inbox.take(request.id, seconded, at=T0 + timedelta(minutes=5))
    inbox.reply(request.id, seconded, "材料已收齐，明日结案", at=T0 + timedelta(hours=1))
    again = asyncio.run(_delivery(store, insurers, clock).run_once())  # the duty adds nothing

    assert again.applied == 0
    assert _replies(store, ticket_id) == ["[答复 reply · 何晨] 材料已收齐，明日结案"]
    assert store.tickets.require(ticket_id).status is TicketStatus.OPEN
    assert inbox.items(seconded) == []


def test_two_processes_delivering_at_once_send_each_request_once(
    tmp_path: Path, insurers: InsurerSimHandles
) -> None:
    """Without the lease (it is what normally keeps one deliverer): two deliverers on two
    connections race over the same hand-offs; the key and the version checks keep it single."""
    path = tmp_path / "shared.db"
    first, second = open_store(path), open_store(path)
    tickets = [_escalate(first, "huaying", f"华盈请求{i}") for i in range(4)]
    clock = Clock()

    async def race() -> None:
        one, two = _delivery(first, insurers, clock), _delivery(second, insurers, clock)
        try:
            await asyncio.gather(one.run_once(), two.run_once())
            insurers.advance(timedelta(minutes=15))
            await asyncio.gather(one.run_once(), two.run_once())
        finally:
            await one.aclose()
            await two.aclose()

    asyncio.run(race())
    desk = insurers["huaying"].desk
    assert desk is not None and desk.count == 4
    for ticket_id in tickets:
        assert len(Handoffs(first).for_ticket(ticket_id)) == 1
        assert len(_replies(first, ticket_id)) == 1
    first.close()
    second.close()
