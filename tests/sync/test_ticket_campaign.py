"""Fault campaign: several desks change tickets at random while the link fails in every way.

Sites: two desks share store ``a.db`` (one host, several terminals) and one desk uses ``b.db``
(a second site). Throughout the run the simulator throttles, fails with 500/503, resets
connections, times out and applies requests whose response is then lost. After the faults stop
and sync drains, every store and the remote must agree: every note exactly once, no duplicate
remote ticket, every field edited at only one site holding that site's last value.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cscdesk.callcenter.sim.faults import FaultPlan
from cscdesk.domain.models import SyncState
from cscdesk.sync.codec import ticket_fields
from cscdesk.sync.tickets import resolve_conflict

from .conftest import make_port
from .desks import DRAIN_SECONDS, Desk, now, remote_snapshots

FAULTS = FaultPlan(
    error_rates={"Throttling.User": 0.06, "InternalError": 0.04, "ServiceUnavailable": 0.04},
    reset_rate=0.04,
    timeout_rate=0.02,
    timeout_seconds=0.6,
    lost_response_rate=0.08,
)
EDITABLE = {
    "priority": ("low", "normal", "high", "urgent"),
    "owner": ("agent001", "agent002", "agent003"),
    "description": ("已受理", "待补材料", "已转保险公司"),
}
SITE = {0: "a", 1: "a", 2: "b"}


@pytest.mark.slow
def test_fault_campaign(sim: Any) -> None:
    class Campaign(RuleBasedStateMachine):
        @initialize()
        def open_desks(self) -> None:
            self.loop = asyncio.new_event_loop()
            self.tmp = tempfile.TemporaryDirectory()
            root = Path(self.tmp.name)
            self.ports = [make_port(sim, timeout=0.3, max_retries=0) for _ in range(3)]
            self.desks = [
                Desk(root / "a.db", self.ports[0], "agent001"),
                Desk(root / "a.db", self.ports[1], "agent002"),
                Desk(root / "b.db", self.ports[2], "agent003"),
            ]
            self.tickets: list[str] = []
            self.notes: dict[str, set[str]] = defaultdict(set)
            self.writes: dict[tuple[str, str], list[tuple[str, object]]] = defaultdict(list)
            self.counter = itertools.count()
            self.steps = itertools.count()
            # both sites start from a few shared tickets, so their edits can collide
            for _ in range(3):
                self.tickets.append(self.desks[0].create(f"工单 {next(self.counter)}").id)
            for desk in (0, 2, 0):
                self.loop.run_until_complete(self.desks[desk].round())
            sim.faults.set(FAULTS)

        def _holds(self, desk: int, ticket_id: str) -> bool:
            ticket = self.desks[desk].store.tickets.get(ticket_id)
            return ticket is not None and ticket.sync_state is not SyncState.CONFLICT

        @rule(seed=st.integers(0, 2**32 - 1))
        def act(self, seed: int) -> None:
            """One desk action; the seed (mixed with the step number, so that hypothesis's
            simplest examples still vary) picks it with the weights a busy center would show."""
            rng = random.Random(seed * 1_000_003 + next(self.steps))
            desk = rng.randrange(3)
            action = rng.choices(
                ["create", "edit", "note", "sync", "resolve"], weights=[1, 5, 2, 4, 1]
            )[0]
            if action == "create":
                self.tickets.append(self.desks[desk].create(f"工单 {next(self.counter)}").id)
            elif action == "sync":
                self.loop.run_until_complete(self.desks[desk].round())
            elif action == "resolve":
                side = rng.choice(["local", "remote"])
                for copy in self.desks[desk].storage.conflicts():
                    resolve_conflict(
                        self.desks[desk].storage, copy.ticket_id, side, actor="lead", at=now()
                    )
            else:
                ticket_id = rng.choice(self.tickets)
                if not self._holds(desk, ticket_id):
                    return
                if action == "note":
                    text = f"备注 {next(self.counter)} @{self.desks[desk].agent}"
                    self.desks[desk].note(ticket_id, text)
                    self.notes[ticket_id].add(text)
                    return
                field = rng.choice(sorted(EDITABLE))
                value = rng.choice(EDITABLE[field])
                before = self.desks[desk].get(ticket_id)
                after = self.desks[desk].edit(ticket_id, **{field: value})
                if after.version != before.version:
                    self.writes[(ticket_id, field)].append((SITE[desk], value))

        @invariant()
        def history_is_append_only(self) -> None:
            for ticket_id in self.notes:
                for desk in self.desks:
                    if desk.store.tickets.get(ticket_id) is not None:
                        held = desk.notes(ticket_id)
                        assert len(held) == len(set(held)), "a note was applied twice"

        def teardown(self) -> None:
            if not hasattr(self, "desks"):
                return
            try:
                sim.faults.clear()
                self.desks[1].lease.release()  # the second terminal on a.db closes
                self._drain()
                self._check()
            finally:
                for port in self.ports:
                    self.loop.run_until_complete(port.aclose())
                self.loop.close()
                self.tmp.cleanup()

        def _drain(self) -> None:
            site_desks = (self.desks[0], self.desks[2])
            quiet_rounds = 0
            deadline = time.monotonic() + DRAIN_SECONDS
            while time.monotonic() < deadline:  # unanswered writes settle within the grace
                for desk in site_desks:
                    self.loop.run_until_complete(desk.round())
                    for copy in desk.storage.conflicts():
                        resolve_conflict(
                            desk.storage, copy.ticket_id, "local", actor="lead", at=now()
                        )
                settled = all(
                    d.storage.backlog() == 0 and not d.storage.conflicts() for d in site_desks
                )
                quiet_rounds = quiet_rounds + 1 if settled else 0
                if quiet_rounds == 2:  # a full quiet round each after the last push
                    return
                if not settled:
                    self.loop.run_until_complete(asyncio.sleep(0.05))
            raise AssertionError("sync did not drain after the faults stopped")

        def _check(self) -> None:
            remote = self.loop.run_until_complete(remote_snapshots(self.ports[0]))
            for ticket_id in self.tickets:
                assert len(remote.get(ticket_id, [])) == 1, f"{ticket_id}: duplicated or missing"
                [snapshot] = remote[ticket_id]
                for desk in (self.desks[0], self.desks[2]):
                    local = desk.get(ticket_id)
                    assert ticket_fields(local) == snapshot.fields
                    assert local.sync_state is SyncState.SYNCED
                    assert sorted(desk.notes(ticket_id)) == sorted(self.notes[ticket_id])
                assert sorted(n["text"] for n in snapshot.notes) == sorted(self.notes[ticket_id])
                for field in EDITABLE:
                    writes = self.writes.get((ticket_id, field), [])
                    if writes and len({site for site, _ in writes}) == 1:
                        assert snapshot.fields[field] == writes[-1][1], f"{ticket_id}.{field} lost"
                    elif writes:
                        assert snapshot.fields[field] in {value for _, value in writes}

    Campaign.TestCase.settings = settings(
        max_examples=6,
        stateful_step_count=50,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    Campaign.TestCase().runTest()
