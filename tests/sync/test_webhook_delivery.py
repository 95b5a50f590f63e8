"""The business system receives every ticket and task event exactly once, in order, signed,
after its own downtime and a lost answer; what it cannot take ends on the dead-letter list."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cscdesk.config import WebhookSettings
from cscdesk.domain.handoffs import Channel
from cscdesk.domain.models import TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import escalate, new_ticket
from cscdesk.store import Store, open_store
from cscdesk.store.business_feed import BusinessFeed
from cscdesk.store.handoffs import Handoffs
from cscdesk.sync.webhooks import WebhookDelivery

from .business_receiver import BusinessReceiver

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = b"business-system-shared-secret"
SETTINGS = WebhookSettings(retry_base_seconds=2, retry_cap_seconds=60, max_attempts=5)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "cscdesk.db")
    yield opened
    opened.close()


@pytest.fixture
def receiver() -> Iterator[BusinessReceiver]:
    up = BusinessReceiver(SECRET)
    up.start()
    yield up
    up.stop()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _escalations(store: Store, count: int) -> None:
    for n in range(count):
        ticket, created = new_ticket(ticket_id=store.tickets.new_ticket_id(),
                                     type=TicketType.ENQUIRY, title=f"咨询{n}", created_at=T0,
                                     created_by="agent1", sla=SlaPolicy())  # fmt: skip
        store.tickets.save_new(ticket, created)
        changed, event = escalate(ticket, "anhe", due_at=None, at=T0, actor="agent1", note="请回复")
        store.tickets.save_change(changed, event, base_version=ticket.version)
    Handoffs(store).open_for_escalations(lambda _i: Channel.SECONDED, at=T0,
                                         due_at=lambda _i: None)  # fmt: skip


def test_every_event_arrives_once_in_order_after_the_receivers_downtime(
    store: Store, receiver: BusinessReceiver
) -> None:
    clock = Clock()
    feed = BusinessFeed(store)

    async def scenario() -> None:
        delivery = WebhookDelivery(feed, receiver.url, SECRET, settings=SETTINGS, clock=clock)
        try:
            _escalations(store, 2)  # 2 × (created, escalated, handoff.created)
            assert (await delivery.run_once()).delivered == 6
            receiver.stop()  # the business system goes down for maintenance
            _escalations(store, 2)
            down = await delivery.run_once()
            assert (down.delivered, down.failed) == (0, 1)  # stops at the first, keeps order
            clock.now += timedelta(seconds=2)
            assert (await delivery.run_once()).failed == 1
            receiver.start()  # back on the same port
            receiver.lose_answers = 1  # stores the first event but its answer is lost
            clock.now += timedelta(seconds=5)
            assert (await delivery.run_once()).failed == 1
            clock.now += timedelta(minutes=1)
            assert (await delivery.run_once()).delivered == 6
            assert (await delivery.run_once()).delivered == 0
        finally:
            await delivery.aclose()

    asyncio.run(scenario())

    stored = feed.since(0)
    assert [e["event_id"] for e in receiver.accepted] == [e.event_id for e in stored]
    assert len(stored) == 12
    assert receiver.deliveries == 13  # the one whose answer was lost came twice
    assert receiver.bad_signatures == 0
    assert [e["kind"] for e in receiver.accepted[:3]] == [
        "ticket.created", "ticket.escalated", "ticket.created",
    ]  # fmt: skip
    assert feed.dead_letters() == []


def test_an_event_the_receiver_keeps_refusing_becomes_a_dead_letter(
    store: Store, receiver: BusinessReceiver
) -> None:
    clock = Clock()
    feed = BusinessFeed(store)
    receiver.refuse_all = True
    _escalations(store, 1)

    async def scenario() -> None:
        delivery = WebhookDelivery(feed, receiver.url, SECRET, settings=SETTINGS, clock=clock)
        try:
            for _ in range(3 * SETTINGS.max_attempts):  # three events, one at a time
                await delivery.run_once()
                clock.now += timedelta(minutes=5)
        finally:
            await delivery.aclose()

    asyncio.run(scenario())
    dead = feed.dead_letters()
    assert [e.kind for e in dead] == ["ticket.created", "ticket.escalated", "handoff.created"]
    assert all(e.last_error and e.last_error.endswith("HTTP 400") for e in dead)
    assert receiver.accepted == []


def test_a_wrong_secret_is_refused_by_the_receiver(
    store: Store, receiver: BusinessReceiver
) -> None:
    _escalations(store, 1)
    feed = BusinessFeed(store)

    async def scenario() -> None:
        delivery = WebhookDelivery(feed, receiver.url, b"not-the-shared-secret", settings=SETTINGS,
                                   clock=Clock())  # fmt: skip
        try:
            assert (await delivery.run_once()).failed == 1
        finally:
            await delivery.aclose()

    asyncio.run(scenario())
    assert receiver.bad_signatures == 1 and receiver.accepted == []
