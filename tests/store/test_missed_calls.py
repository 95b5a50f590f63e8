"""The missed calls worklist in the store: one entry per number per day, taken in once, claimed by
exactly one agent (also when two desk processes claim at the same moment), closed with an outcome;
the lead's per-group size and oldest waiting miss."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from cscdesk.domain.missed_calls import (
    CallbackOutcome,
    CallbackState,
    MissedCall,
    MissedStage,
)
from cscdesk.store import Store
from cscdesk.store.missed_calls import MissedCalls, NotYours

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
DAY = date(2026, 3, 2)


def miss(contact: str, minutes: float, *, number: str = "138****1234", group: str | None = "sg_a",
         stage: MissedStage = MissedStage.QUEUE, member: str | None = None) -> MissedCall:  # fmt: skip
    return MissedCall(contact, T0 + timedelta(minutes=minutes), number, member, group, stage)


def test_later_misses_of_the_same_number_add_to_its_entry(store: Store) -> None:
    worklist = MissedCalls(store)
    first = worklist.add(miss("job-1", 0, group=None, stage=MissedStage.IVR), DAY, None)
    assert first is not None
    again = worklist.add(miss("job-2", 30, stage=MissedStage.RING), DAY, first)
    assert again == first

    (entry,) = worklist.waiting()
    assert (entry.misses, entry.last_contact_id, entry.last_stage) == (2, "job-2", MissedStage.RING)
    assert entry.first_missed_at == T0 and entry.skill_group == "sg_a"  # the IVR miss had none
    assert [c for c, _at, _stage in worklist.contacts_of(first)] == ["job-1", "job-2"]


def test_taking_the_same_call_in_twice_adds_nothing(store: Store) -> None:
    worklist = MissedCalls(store)
    entry = worklist.add(miss("job-1", 0), DAY, None)
    assert worklist.add(miss("job-1", 0), DAY, None) is None
    assert worklist.add(miss("job-1", 0), DAY, entry) is None
    assert [(e.misses, e.id) for e in worklist.waiting()] == [(1, entry)]
    assert worklist.known(["job-1", "job-9"]) == {"job-1"}


def test_one_claim_wins_and_only_the_claimant_closes(store: Store) -> None:
    worklist = MissedCalls(store)
    entry = worklist.add(miss("job-1", 0), DAY, None)
    assert entry is not None
    assert worklist.claim(entry, "agent-001", T0)
    assert not worklist.claim(entry, "agent-002", T0)
    with pytest.raises(NotYours):
        worklist.close(entry, "agent-002", CallbackOutcome.REACHED, T0)

    worklist.dialled(entry, "agent-001", T0 + timedelta(minutes=5))
    worklist.close(entry, "agent-001", CallbackOutcome.NO_ANSWER, T0 + timedelta(minutes=6))
    retry = worklist.get(entry)
    assert retry is not None
    assert (retry.state, retry.claimed_by, retry.attempts) == (CallbackState.OPEN, None, 1)

    assert worklist.claim(entry, "agent-002", T0 + timedelta(hours=1))
    worklist.close(entry, "agent-002", CallbackOutcome.REACHED, T0 + timedelta(hours=1))
    done = worklist.get(entry)
    assert done is not None and (done.state, done.outcome) == (
        CallbackState.CLOSED,
        CallbackOutcome.REACHED,
    )
    assert worklist.waiting() == []


def test_a_miss_after_the_callback_reopens_the_entry(store: Store) -> None:
    worklist = MissedCalls(store)
    entry = worklist.add(miss("job-1", 0), DAY, None)
    assert entry is not None and worklist.claim(entry, "agent-001", T0)
    worklist.close(entry, "agent-001", CallbackOutcome.REACHED, T0 + timedelta(minutes=10))
    worklist.add(miss("job-2", 60), DAY, entry)
    (reopened,) = worklist.waiting()
    assert (reopened.id, reopened.state, reopened.misses, reopened.outcome) == (
        entry, CallbackState.OPEN, 2, None,
    )  # fmt: skip


def test_an_agent_sees_their_groups_and_the_ivr_misses(store: Store) -> None:
    worklist = MissedCalls(store)
    worklist.add(miss("job-a", 0, number="139****0001", group="sg_a"), DAY, None)
    worklist.add(miss("job-b", 1, number="139****0002", group="sg_b"), DAY, None)
    worklist.add(miss("job-i", 2, number="139****0003", group=None, stage=MissedStage.IVR),
                 DAY, None)  # fmt: skip
    assert [e.last_contact_id for e in worklist.waiting(["sg_a"])] == ["job-a", "job-i"]
    assert [e.last_contact_id for e in worklist.waiting([])] == ["job-i"]


def test_the_lead_sees_size_and_oldest_waiting_per_group(store: Store) -> None:
    worklist = MissedCalls(store)
    old = worklist.add(miss("job-1", 0, number="139****0001"), DAY, None)
    worklist.add(miss("job-2", 20, number="139****0002"), DAY, None)
    worklist.add(miss("job-3", 40, number="139****0003"), DAY, None)
    worklist.add(miss("job-4", 5, number="139****0004", group="sg_b"), DAY, None)
    assert old is not None and worklist.claim(old, "agent-001", T0)

    sizes = {s.skill_group: s for s in worklist.sizes()}
    assert (sizes["sg_a"].open, sizes["sg_a"].claimed) == (2, 1)
    # the claimed entry is being worked: the oldest *waiting* is the 20-minute one
    assert sizes["sg_a"].oldest_seconds(T0 + timedelta(minutes=50)) == 30 * 60
    assert (sizes["sg_b"].open, sizes["sg_b"].oldest_missed_at) == (1, T0 + timedelta(minutes=5))


CLAIMER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from cscdesk.store import open_location
    from cscdesk.store.missed_calls import MissedCalls

    where, agent, go, entries = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4:]
    store = open_location(where)  # the same SQLite file, or the same PostgreSQL database
    worklist = MissedCalls(store)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)
    won = [e for e in entries if worklist.claim(e, agent, datetime.now(UTC))]
    print(" ".join(won), flush=True)
    store.close()
    """
)


def test_two_desk_processes_claiming_at_once_each_entry_goes_to_one(
    store: Store, tmp_path: Path
) -> None:
    worklist = MissedCalls(store)
    entries = [
        worklist.add(miss(f"job-{k}", k, number=f"139****{k:04d}"), DAY, None) for k in range(30)
    ]
    go = tmp_path / "go"
    desks = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, store.location, agent, str(go), *map(str, entries)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for agent in ("agent-001", "agent-002")
    ]
    for desk in desks:
        assert desk.stdout is not None and desk.stdout.readline().strip() == "ready"
    go.touch()
    won = {}
    for desk, agent in zip(desks, ("agent-001", "agent-002"), strict=True):
        out, _err = desk.communicate(timeout=60)
        assert desk.returncode == 0
        won[agent] = set(out.split())

    assert won["agent-001"].isdisjoint(won["agent-002"])
    assert won["agent-001"] | won["agent-002"] == set(map(str, entries))
    holders = {e.id: e.claimed_by for e in worklist.waiting()}
    assert {e: holders[e] for e in won["agent-001"]} == dict.fromkeys(won["agent-001"], "agent-001")
    assert {e: holders[e] for e in won["agent-002"]} == dict.fromkeys(won["agent-002"], "agent-002")


def test_a_customer_who_got_through_since_is_owed_no_callback(store: Store) -> None:
    worklist = MissedCalls(store)
    entry = worklist.add(miss("job-1", 10), DAY, None)
    taken = worklist.add(miss("job-2", 10, number="139****0002"), DAY, None)
    assert entry is not None and taken is not None
    assert not worklist.answered_later(entry, "job-in", T0 + timedelta(minutes=5))  # before it
    assert worklist.answered_later(entry, "job-in", T0 + timedelta(minutes=20))
    closed = worklist.get(entry)
    assert closed is not None
    assert (closed.state, closed.outcome) == (CallbackState.CLOSED, CallbackOutcome.CALLED_IN)

    assert worklist.claim(taken, "agent-001", T0 + timedelta(minutes=15))
    assert not worklist.answered_later(taken, "job-in2", T0 + timedelta(minutes=20))  # being worked
    assert [e.id for e in worklist.waiting()] == [taken]
    assert [e.id for e in worklist.of_day(DAY)] == sorted([entry, taken])
