"""The missed calls worklist filled from the simulator's call records over real HTTP.

The simulator loses calls as the vendor reports them (ContactDisposition AbandonedInQueue,
AbandonedInRing, AbandonedInIVR, Voicemail; GetCallDetailRecord, help.aliyun.com/zh/ccs/
developer-reference/api-ccc-2020-07-01-getcalldetailrecord): every lost inbound call becomes one
miss on its number's entry of the day, numbers stay masked at rest, running the ingest again adds
nothing, and the desk reads the number to dial from the call system.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cscdesk.callcenter.sim.model import ModelConfig
from cscdesk.callcenter.sim.records import CallRuntime
from cscdesk.domain.missed_calls import CallbackEntry, CallbackOutcome
from cscdesk.domain.models import CallDirection, CallOutcome
from cscdesk.domain.privacy import mask_mobile
from cscdesk.store import Store, open_store
from cscdesk.store.missed_calls import MissedCalls
from cscdesk.sync.missed_calls import BackgroundMissedCalls, MissedCallIngest, callback_number

from .conftest import make_port

BEIJING = ZoneInfo("Asia/Shanghai")
# A few regular callers, so that some call (and are lost) more than once in the hour.
CALLERS = [f"1390000{k:04d}" for k in range(12)]


@pytest.fixture
def sim() -> Iterator[Any]:
    """Paused at 10:00 (Beijing) yesterday, a busy hour whatever time the tests run; impatient
    callers, some hanging up in the IVR and some sent to voicemail."""
    from cscdesk.callcenter.sim.server import start_simulator

    yesterday = datetime.now(UTC).astimezone(BEIJING).date() - timedelta(days=1)
    handle = start_simulator(
        host="127.0.0.1", port=0, seed=5, paused=True, caller_numbers=CALLERS,
        start_time=datetime.combine(yesterday, dtime(10, 0), tzinfo=BEIJING),
        config=ModelConfig(mean_patience_seconds=25.0, ivr_abandon_share=0.1,
                           voicemail_share=0.3, unknown_caller_share=0.2),
    )  # fmt: skip
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "site.db")
    yield opened
    opened.close()


def _lost(sim: Any) -> list[CallRuntime]:
    with sim.model.lock:
        return [
            c
            for c in sim.model.records
            if c.direction is CallDirection.INBOUND and c.outcome is not CallOutcome.ANSWERED
        ]


async def test_lost_calls_become_one_entry_per_number_with_every_miss(
    sim: Any, store: Store
) -> None:
    sim.advance(3600)
    lost = _lost(sim)
    dispositions = Counter(_kind(c) for c in lost)
    assert set(dispositions) == {"queue", "ring", "ivr", "voicemail"}, dispositions

    ingest = MissedCallIngest(make_port(sim), store, zone=BEIJING, clock=sim.clock.now)
    report = await ingest.run_once()

    assert report.added == len(lost)
    worklist = MissedCalls(store)
    entries = _day(sim, worklist)
    per_number = Counter(c.caller for c in lost)
    assert sorted((e.number_masked, e.misses) for e in entries) == sorted(
        (mask_mobile(number), count) for number, count in per_number.items()
    )
    assert any(e.misses > 1 for e in entries)  # a regular caller lost twice: one entry
    ivr_only = [e for e in entries if e.skill_group is None]
    assert ivr_only and all(e.last_stage == "ivr" for e in ivr_only)
    # a customer who got through after their last loss is owed no callback
    served = {mask_mobile(n) for n in per_number if _answered_after_last_loss(sim, n)}
    assert served and report.answered_later == len(served)
    assert {e.number_masked for e in entries if e.outcome is CallbackOutcome.CALLED_IN} == served
    assert {e.number_masked for e in worklist.waiting()} == {
        mask_mobile(n) for n in per_number
    } - served

    again = await ingest.ingest_window(sim.clock.now() - timedelta(hours=2), sim.clock.now())
    assert (again.missed, again.added, again.answered_later) == (len(lost), 0, 0)
    assert [(e.id, e.misses, e.state) for e in _day(sim, worklist)] == [
        (e.id, e.misses, e.state) for e in entries
    ]

    with store.reading() as db:
        text = " ".join(str(v) for t in ("missed_callbacks", "missed_callback_calls")
                        for row in db.execute(f"SELECT * FROM {t}") for v in row)  # fmt: skip
    assert not [n for n in per_number if n in text]  # numbers at rest only masked

    latest = max(entries, key=lambda e: e.misses)
    dialled = await callback_number(make_port(sim), latest.last_contact_id)
    assert mask_mobile(dialled) == latest.number_masked


async def test_a_later_round_adds_new_misses_to_the_days_entries(sim: Any, store: Store) -> None:
    ingest = MissedCallIngest(make_port(sim), store, zone=BEIJING, clock=sim.clock.now)
    sim.advance(1200)
    await ingest.run_once()
    first = {e.id: e.misses for e in _day(sim, MissedCalls(store))}
    sim.advance(2400)
    await ingest.run_once()

    lost = _lost(sim)
    entries = _day(sim, MissedCalls(store))
    assert sum(e.misses for e in entries) == len(lost)
    assert len(entries) == len({c.caller for c in lost})
    grown = [e for e in entries if e.id in first and e.misses > first[e.id]]
    assert grown, "a number lost in both rounds should have one entry with both misses"


def test_two_desks_offering_the_duty_take_each_lost_call_in_once(sim: Any, tmp_path: Path) -> None:
    """Every desk starts the duty on the shared store; the lease lets one work at a time, and
    when that desk closes the other carries on from the watermark."""
    import time

    sim.advance(1800)
    path = tmp_path / "center.db"
    desks = [open_store(path), open_store(path)]
    duties = [
        BackgroundMissedCalls(
            store,
            lambda: make_port(sim),
            zone=BEIJING,
            interval_seconds=0.1,
            lease_seconds=2.0,
            clock=sim.clock.now,
        )
        for store in desks
    ]
    worklist = MissedCalls(desks[0])

    def taken_in() -> int:
        return sum(e.misses for e in _day(sim, worklist))

    def ran(duty: BackgroundMissedCalls) -> bool:
        return duty.last_round is not None and duty.last_round.ran

    def wait_until(condition: Callable[[], bool]) -> None:
        """A round's report is set just after its commit: wait for both, bounded."""
        deadline = time.monotonic() + 30
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.05)

    try:
        for duty in duties:
            duty.start()
        wait_until(lambda: taken_in() >= len(_lost(sim)) and any(ran(d) for d in duties))
        assert taken_in() == len(_lost(sim))
        holder = next(d for d in duties if ran(d))
        other = duties[1 - duties.index(holder)]
        holder.stop()  # the desk doing the duty closes: its lease is let go
        sim.advance(1200)
        wait_until(lambda: taken_in() >= len(_lost(sim)) and ran(other))
    finally:
        for duty in duties:
            duty.stop()
    lost = _lost(sim)
    assert taken_in() == len(lost)
    assert len(_day(sim, worklist)) == len({c.caller for c in lost})
    assert other.last_round is not None and other.last_round.ran  # the other desk took over
    assert all(d.last_round is None or d.last_round.error is None for d in duties)
    for store in desks:
        store.close()


def _day(sim: Any, worklist: MissedCalls) -> list[CallbackEntry]:
    return worklist.of_day(sim.clock.now().astimezone(BEIJING).date())


def _answered_after_last_loss(sim: Any, number: str) -> bool:
    with sim.model.lock:
        calls = [c for c in sim.model.records
                 if c.caller == number and c.direction is CallDirection.INBOUND]  # fmt: skip
    last_loss = max(c.ended_at for c in calls if c.outcome is not CallOutcome.ANSWERED)
    return any(c.outcome is CallOutcome.ANSWERED and c.started_at > last_loss for c in calls)


def _kind(call: CallRuntime) -> str:
    if call.outcome is CallOutcome.IVR_ONLY:
        return "ivr"
    if call.voicemail:
        return "voicemail"
    if call.outcome is CallOutcome.ABANDONED and call.current_agent is not None:
        return "ring"
    return "queue"
