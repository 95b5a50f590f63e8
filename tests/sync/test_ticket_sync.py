"""Ticket sync against the simulator: create, lost responses, merges, conflicts, notes, lease."""

from __future__ import annotations

from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from cscdesk.callcenter.sim.faults import FaultPlan
from cscdesk.domain.models import Priority, SyncState
from cscdesk.sync.lease import Lease
from cscdesk.sync.tickets import resolve_conflict

from .conftest import make_port
from .desks import Desk, now, remote_snapshots


async def test_a_new_ticket_reaches_the_remote_with_our_id_and_fields(
    sim: Any, tmp_path: Path
) -> None:
    port = make_port(sim)
    desk = Desk(tmp_path / "a.db", port, "agent001")
    ticket = desk.create("咨询门诊报销比例")
    report = await desk.round()
    assert report.created == 1
    remote = await remote_snapshots(port)
    assert len(remote[ticket.id]) == 1
    assert remote[ticket.id][0].fields["title"] == "咨询门诊报销比例"
    assert desk.get(ticket.id).sync_state is SyncState.SYNCED
    assert desk.storage.backlog() == 0
    await port.aclose()


async def test_a_create_whose_response_was_lost_is_not_duplicated(sim: Any, tmp_path: Path) -> None:
    port = make_port(sim)
    desk = Desk(tmp_path / "a.db", port, "agent001")
    ticket = desk.create("理赔材料咨询")
    sim.faults.set(FaultPlan(lost_response_rate=1.0, actions=frozenset({"CreateTicket"})))
    first = await desk.round()
    assert first.failed >= 1  # the create was applied but we never heard back
    assert len((await remote_snapshots(port))[ticket.id]) == 1
    sim.faults.clear()
    later = await desk.settle()
    # the ticket was found by its local id instead of being created again
    assert first.adopted + sum(r.adopted for r in later) == 1
    assert first.created + sum(r.created for r in later) == 0
    assert len((await remote_snapshots(port))[ticket.id]) == 1
    assert desk.get(ticket.id).sync_state is SyncState.SYNCED
    await port.aclose()


async def test_an_update_whose_response_was_lost_is_recognised(sim: Any, tmp_path: Path) -> None:
    port = make_port(sim, max_retries=0)
    desk = Desk(tmp_path / "a.db", port, "agent001")
    ticket = desk.create("保全变更")
    await desk.round()
    desk.edit(ticket.id, priority="high")
    sim.faults.set(FaultPlan(lost_response_rate=1.0, actions=frozenset({"UpdateTicket"})))
    assert (await desk.round()).failed >= 1
    sim.faults.clear()
    desk.edit(ticket.id, owner="agent007")  # a further edit while the outcome is unknown
    reports = await desk.settle()
    assert sum(r.conflicts for r in reports) == 0
    assert sum(r.deferred for r in reports) >= 1  # held until the unanswered write settled
    [snapshot] = (await remote_snapshots(port))[ticket.id]
    assert snapshot.fields["priority"] == "high"
    assert snapshot.fields["owner"] == "agent007"
    assert desk.get(ticket.id).sync_state is SyncState.SYNCED
    await port.aclose()


async def test_two_sites_editing_different_fields_both_keep_both_edits(
    sim: Any, tmp_path: Path
) -> None:
    port = make_port(sim)
    a = Desk(tmp_path / "a.db", port, "agent001")
    b = Desk(tmp_path / "b.db", port, "agent002")
    ticket = a.create("投诉：理赔太慢")
    await a.round()
    await b.round()
    assert b.get(ticket.id).title == "投诉：理赔太慢"
    a.edit(ticket.id, priority="urgent")
    b.edit(ticket.id, owner="agent002")
    await a.round()
    await b.round()  # b's edit was based on the old version: merged, not overwritten
    await a.round()
    for desk in (a, b):
        got = desk.get(ticket.id)
        assert (got.priority, got.owner) == (Priority.URGENT, "agent002")
        assert got.sync_state is SyncState.SYNCED
    await port.aclose()


async def test_the_same_field_changed_at_two_sites_waits_for_the_agent(
    sim: Any, tmp_path: Path
) -> None:
    port = make_port(sim)
    a = Desk(tmp_path / "a.db", port, "agent001")
    b = Desk(tmp_path / "b.db", port, "agent002")
    ticket = a.create("保单查询")
    await a.round()
    await b.round()
    a.edit(ticket.id, priority="high")
    b.edit(ticket.id, priority="low", owner="agent002")
    await a.round()
    report = await b.round()
    assert report.conflicts == 1
    assert b.get(ticket.id).sync_state is SyncState.CONFLICT
    copy = b.storage.conflict(ticket.id)
    assert copy is not None and copy.fields == ("priority",)
    assert (copy.local_fields["priority"], copy.remote.fields["priority"]) == ("low", "high")
    [remote] = (await remote_snapshots(port))[ticket.id]
    assert remote.fields["priority"] == "high"  # nothing overwritten while in conflict
    resolve_conflict(b.storage, ticket.id, "local", actor="agent002", at=now())
    await b.round()
    await a.round()
    for desk in (a, b):
        got = desk.get(ticket.id)
        assert (got.priority, got.owner) == (Priority.LOW, "agent002")
    assert b.storage.conflict(ticket.id) is None
    await port.aclose()


async def test_notes_from_every_site_arrive_everywhere_once(sim: Any, tmp_path: Path) -> None:
    port = make_port(sim)
    a = Desk(tmp_path / "a.db", port, "agent001")
    b = Desk(tmp_path / "b.db", port, "agent002")
    ticket = a.create("回访")
    await a.round()
    await b.round()
    a.note(ticket.id, "已致电客户")
    b.note(ticket.id, "客户要求周五回电")
    for _ in range(2):
        await a.round()
        await b.round()
    expected = ["客户要求周五回电", "已致电客户"]
    assert sorted(a.notes(ticket.id)) == sorted(expected)
    assert sorted(b.notes(ticket.id)) == sorted(expected)
    await port.aclose()


def test_one_holder_at_a_time_and_takeover_after_expiry(tmp_path: Path) -> None:
    from cscdesk.store import open_store

    first, second = open_store(tmp_path / "s.db"), open_store(tmp_path / "s.db")
    a = Lease(first, "sync.tickets", holder="desk-a", ttl_seconds=60)
    b = Lease(second, "sync.tickets", holder="desk-b", ttl_seconds=60)
    assert a.acquire()
    assert not b.acquire()
    a.release()
    assert b.acquire()
    dying = Lease(first, "sync.archive", holder="desk-a", ttl_seconds=0.001)
    assert dying.acquire()  # and never renews: its process "died"
    heir = Lease(second, "sync.archive", holder="desk-b", ttl_seconds=60)
    for _ in range(1000):
        if heir.acquire():
            break
    assert heir.held


async def test_only_the_lease_holder_runs_background_rounds(tmp_path: Path) -> None:
    import asyncio

    from cscdesk.store import open_store
    from cscdesk.sync.worker import RoundResult, run_forever

    stores = {name: open_store(tmp_path / "shared.db") for name in ("desk-a", "desk-b")}
    rounds = {name: 0 for name in stores}
    results: list[RoundResult] = []
    stop = asyncio.Event()

    def worker(name: str) -> Coroutine[Any, Any, None]:
        async def work() -> None:
            rounds[name] += 1
            if sum(rounds.values()) >= 6:
                stop.set()
            if rounds[name] == 2:
                raise RuntimeError("the call system vanished")  # the loop must survive it

        lease = Lease(stores[name], "sync.tickets", holder=name, ttl_seconds=30)
        return run_forever(lease, work, interval_seconds=0.01, stop=stop, on_round=results.append)

    await asyncio.wait_for(asyncio.gather(worker("desk-a"), worker("desk-b")), timeout=20)
    assert sorted(rounds.values()) == [0, 6]  # one desk did every round, the other none
    assert any(r.error and "vanished" in r.error for r in results)
    assert any(not r.ran for r in results)  # the other desk was turned away
    assert stores["desk-a"].leases.holder("sync.tickets") is None  # released on stop
