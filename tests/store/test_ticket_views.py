"""The team's ticket views and hand-overs on a real store, with two desks on one file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cscdesk.domain.assignment import CannotAssign, assign_to_agent, assign_to_group, claim
from cscdesk.domain.models import TicketStatus
from cscdesk.domain.ticket_views import TicketView, query_for
from cscdesk.store import Store, open_store
from cscdesk.store.tickets import StaleTicket

from .helpers import T0, created, ticket

ME, OTHER = "agent001", "agent002"
NOW = T0 + timedelta(hours=1)


def _ids(store: Store, view: TicketView, **extra: object) -> list[str]:
    query = query_for(view, agent_id=ME, groups=("claims",), now=NOW, **extra)  # type: ignore[arg-type]
    return [t.id for t in store.tickets.view(query)]


def _save(store: Store, tid: str, **fields: object) -> None:
    item = ticket(tid, **fields)
    store.tickets.save_new(item, created(item))


def test_each_view_holds_the_tickets_its_name_promises(store: Store) -> None:
    _save(store, "MINE", owner=ME, due_at=NOW + timedelta(days=3))
    _save(store, "MINE-DONE", owner=ME, status=TicketStatus.RESOLVED)
    _save(store, "QUEUE", owner=None, group_id="claims", due_at=NOW + timedelta(hours=2))
    _save(store, "OTHER-Q", owner=None, group_id="enquiries")
    _save(store, "TEAMMATE", owner=OTHER, group_id="claims", due_at=NOW - timedelta(hours=1))
    _save(store, "ESC-PA", owner=OTHER, status=TicketStatus.ESCALATED, insurer_id="pingan")
    _save(store, "ESC-RA", owner=ME, status=TicketStatus.ESCALATED, insurer_id="ruian")
    _save(store, "WAIT", owner=ME, status=TicketStatus.PENDING_CUSTOMER)
    _save(store, "WAIT-ELSE", owner=OTHER, status=TicketStatus.PENDING_CUSTOMER)

    assert _ids(store, TicketView.MINE) == ["MINE", "ESC-RA", "WAIT"]
    assert _ids(store, TicketView.MY_GROUPS) == ["TEAMMATE", "QUEUE"]
    assert _ids(store, TicketView.UNASSIGNED) == ["QUEUE", "OTHER-Q"]
    assert _ids(store, TicketView.DUE_SOON) == ["QUEUE"]
    assert _ids(store, TicketView.OVERDUE) == ["TEAMMATE"]
    assert sorted(_ids(store, TicketView.ESCALATED)) == ["ESC-PA", "ESC-RA"]
    assert _ids(store, TicketView.ESCALATED, insurer_id="pingan") == ["ESC-PA"]
    assert _ids(store, TicketView.WAITING_CUSTOMER) == ["WAIT"]
    query = query_for(TicketView.MINE, agent_id=ME, groups=(), now=NOW)
    assert store.tickets.view_count(query) == 3
    lonely = query_for(TicketView.MY_GROUPS, agent_id=ME, groups=(), now=NOW)
    assert store.tickets.view(lonely) == []  # no group: nothing, not the whole center


def test_a_ticket_handed_to_a_group_waits_for_one_of_its_agents(store: Store) -> None:
    _save(store, "T1", owner=ME)
    mine = store.tickets.require("T1")
    queued, event = assign_to_group(mine, "claims", at=NOW, actor=ME, note="需理赔组跟进")
    store.tickets.save_change(queued, event, base_version=mine.version)
    stored = store.tickets.require("T1")
    assert (stored.owner, stored.group_id) == (None, "claims")
    assert store.tickets.events("T1")[-1].changes == {
        "owner": (ME, None), "group_id": (None, "claims"),
    }  # fmt: skip
    with pytest.raises(CannotAssign, match="not in") as refused:
        claim(stored, OTHER, ("enquiries",), at=NOW)
    assert refused.value.reason == "other_group"
    taken, event = claim(stored, OTHER, ("claims",), at=NOW)
    store.tickets.save_change(taken, event, base_version=stored.version)
    assert store.tickets.require("T1").owner == OTHER
    handed, event = assign_to_agent(taken, ME, at=NOW, actor=OTHER)
    store.tickets.save_change(handed, event, base_version=taken.version)
    assert store.tickets.require("T1").owner == ME
    assert [e.kind for e in store.tickets.events("T1")] == ["created", *["assigned"] * 3]


def test_two_desks_claiming_at_once_one_wins_the_other_is_told_who(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "c.db"), open_store(tmp_path / "c.db")
    _save(first, "Q1", owner=None, group_id="claims")
    seen_by_first = first.tickets.require("Q1")
    seen_by_second = second.tickets.require("Q1")
    won, event = claim(seen_by_first, ME, ("claims",), at=NOW)
    first.tickets.save_change(won, event, base_version=seen_by_first.version)
    lost, event = claim(seen_by_second, OTHER, ("claims",), at=NOW)
    with pytest.raises(StaleTicket):
        second.tickets.save_change(lost, event, base_version=seen_by_second.version)
    with pytest.raises(CannotAssign, match=f"already being worked by {ME}"):
        claim(second.tickets.require("Q1"), OTHER, ("claims",), at=NOW)
    first.close()
    second.close()


def test_a_finished_ticket_is_not_handed_over(store: Store) -> None:
    _save(store, "DONE", owner=ME, status=TicketStatus.CLOSED)
    with pytest.raises(CannotAssign, match="finished"):
        assign_to_agent(store.tickets.require("DONE"), OTHER, at=NOW, actor=ME)
