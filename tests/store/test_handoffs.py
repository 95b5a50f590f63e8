"""Hand-offs in a real store: escalations become hand-offs once, answers come back into the
ticket once, with the customer notice and the business events written alongside."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cscdesk.domain.handoffs import Channel, HandoffState, NoticeMethod, NoticeTrigger, step
from cscdesk.domain.models import TicketStatus
from cscdesk.store import Store, open_store
from cscdesk.store.business_feed import BusinessFeed
from cscdesk.store.customer_notices import CustomerNotices
from cscdesk.store.handoffs import Handoffs, StaleHandoff

from .handoff_helpers import T0, channels, escalated_ticket, no_due

NOTIFY = {NoticeTrigger.HANDOFF: NoticeMethod.SMS, NoticeTrigger.ANSWER: NoticeMethod.CALLBACK}


def test_an_escalation_becomes_one_handoff_through_the_insurers_channel(store: Store) -> None:
    api = escalated_ticket(store, "ruian")
    seconded = escalated_ticket(store, "anhe")
    handoffs = Handoffs(store)

    opened = handoffs.open_for_escalations(channels({"ruian"}), at=T0, due_at=no_due)
    again = handoffs.open_for_escalations(channels({"ruian"}), at=T0, due_at=no_due)

    assert {(h.ticket_id, h.channel, h.insurer_id) for h in opened} == {
        (api.id, Channel.API, "ruian"),
        (seconded.id, Channel.SECONDED, "anhe"),
    }
    assert again == []
    [request] = handoffs.for_ticket(api.id)
    assert request.state is HandoffState.QUEUED
    assert request.request == "请核实理赔进度"  # the agent's escalation note is the request
    assert [h.id for h in handoffs.due_for_delivery(T0)] == [request.id]


def _open_in_process(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    store = open_store(Path(path))
    try:
        opened = Handoffs(store).open_for_escalations(channels({"ruian"}), at=T0, due_at=no_due)
        queue.put(len(opened))
    finally:
        store.close()


def test_two_processes_opening_handoffs_at_once_open_each_escalation_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    store = open_store(path)
    tickets = [escalated_ticket(store, "ruian") for _ in range(6)]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_open_in_process, args=(str(path), queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    counts = [queue.get(timeout=5) for _ in workers]
    assert sum(counts) == 6
    assert all(len(Handoffs(store).for_ticket(t.id)) == 1 for t in tickets)
    store.close()


def test_the_answer_goes_into_the_ticket_once_and_opens_a_callback(store: Store) -> None:
    ticket = escalated_ticket(store, "anhe")
    handoffs = Handoffs(store, NOTIFY)
    [handoff] = handoffs.open_for_escalations(channels(set()), at=T0, due_at=no_due)
    taken = handoffs.save(step(handoff, HandoffState.ACKNOWLEDGED, T0), base_version=1, at=T0)
    answered = handoffs.save(
        step(taken, HandoffState.ANSWERED, T0 + timedelta(hours=2), reply="已结案，款项3日内到账",
             replied_by="seconded101"),
        base_version=taken.version, at=T0 + timedelta(hours=2),
    )  # fmt: skip

    applied = handoffs.bring_back(answered, who="安和演示", at=T0 + timedelta(hours=2))
    handoffs.bring_back(applied, who="安和演示", at=T0 + timedelta(hours=3))  # nothing twice

    now = store.tickets.require(ticket.id)
    assert now.status is TicketStatus.OPEN  # back with its agent
    notes = [e.note for e in store.tickets.events(ticket.id) if e.kind == "note"]
    assert notes == ["[答复 reply · 安和演示] 已结案，款项3日内到账"]
    assert handoffs.not_applied() == []
    notices = CustomerNotices(store).for_ticket(ticket.id)
    assert [(n.trigger, n.method, n.owner) for n in notices] == [
        (NoticeTrigger.HANDOFF, NoticeMethod.SMS, "agent1"),
        (NoticeTrigger.ANSWER, NoticeMethod.CALLBACK, "agent1"),
    ]
    assert CustomerNotices(store).done(notices[1].id, by="agent1", at=T0 + timedelta(hours=4))
    assert not CustomerNotices(store).done(notices[1].id, by="agent2", at=T0 + timedelta(hours=5))
    assert [n.trigger for n in CustomerNotices(store).open_for("agent1")] == [NoticeTrigger.HANDOFF]


def test_a_change_from_a_stale_read_is_refused(store: Store) -> None:
    escalated_ticket(store, "anhe")
    handoffs = Handoffs(store)
    [handoff] = handoffs.open_for_escalations(channels(set()), at=T0, due_at=no_due)
    handoffs.save(step(handoff, HandoffState.ACKNOWLEDGED, T0), base_version=1, at=T0)
    with pytest.raises(StaleHandoff):
        handoffs.save(step(handoff, HandoffState.HANDED_BACK, T0), base_version=1, at=T0)
    assert handoffs.require(handoff.id).state is HandoffState.ACKNOWLEDGED


def test_inbox_shows_a_seconded_agent_their_insurers_requests_only(store: Store) -> None:
    escalated_ticket(store, "anhe")
    escalated_ticket(store, "jiahe")
    handoffs = Handoffs(store)
    handoffs.open_for_escalations(channels(set()), at=T0, due_at=no_due)
    mine = handoffs.inbox(user_id="s1", teams=(), insurer_id="anhe", include_done=False)
    assert [h.insurer_id for h in mine] == ["anhe"]
    assert handoffs.inbox(user_id="s1", teams=(), insurer_id=None, include_done=True) == []


def test_feed_numbers_ticket_and_handoff_events_once_each(store: Store) -> None:
    ticket = escalated_ticket(store, "ruian", note="客户手机13812345678")
    feed = BusinessFeed(store)
    assert feed.catch_up() == 2  # created, escalated
    assert feed.catch_up() == 0
    Handoffs(store).open_for_escalations(channels({"ruian"}), at=T0, due_at=no_due)
    events = feed.since(0)
    assert [e.kind for e in events] == ["ticket.created", "ticket.escalated", "handoff.created"]
    assert [e.seq for e in events] == sorted({e.seq for e in events})
    assert "13812345678" not in str(events[1].payload)  # agent-typed numbers are masked
    assert all(e.ticket_id == ticket.id for e in events)
    assert [e.kind for e in feed.since(events[1].seq)] == ["handoff.created"]


def test_undeliverable_events_become_dead_letters_until_sent_again(store: Store) -> None:
    escalated_ticket(store, "ruian")
    feed = BusinessFeed(store)
    feed.catch_up()
    first, second = feed.due(T0)
    feed.delivered(first.seq, T0)
    feed.failed(second.seq, "HTTP 500 from receiver", retry_at=T0 + timedelta(seconds=4), at=T0)
    assert feed.due(T0) == []
    assert [e.seq for e in feed.due(T0 + timedelta(seconds=5))] == [second.seq]
    feed.failed(second.seq, "HTTP 500 from receiver", retry_at=None, at=T0)
    assert [(e.seq, e.last_error) for e in feed.dead_letters()] == [
        (second.seq, "HTTP 500 from receiver")
    ]
    assert feed.resend_dead(T0) == 1
    assert [replace(e, attempts=0).seq for e in feed.due(T0)] == [second.seq]
