"""The wallboard shows the missed calls worklist's size and age: the simulator's lost callers of a
busy morning, taken in from its call records, counted as waiting or being called back, with the
oldest wait in all and per group; a callback closed elsewhere leaves the count."""

from __future__ import annotations

from collections.abc import Callable

from lead_harness import TZ, LeadApp, first_snapshot, wait_for
from textual.widgets import Static

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.domain.missed_calls import CallbackOutcome
from cscdesk.store.missed_calls import MissedCalls
from cscdesk.sync.missed_calls import MissedCallIngest
from cscdesk.tui.format import clock


def _line(app: LeadApp) -> str:
    return str(app.screen.query_one("#missed-calls", Static).render())


async def test_the_wallboard_counts_waiting_callbacks_and_the_oldest_wait(
    sim: SimulatorHandle, lead_app: Callable[..., LeadApp]
) -> None:
    app = lead_app()
    store = app.services.store
    await MissedCallIngest(app.services.call_center, store, zone=TZ,
                           clock=sim.clock.now).run_once()  # fmt: skip
    worklist = MissedCalls(store)
    entries = worklist.waiting()
    assert len(entries) >= 3, "a busy simulated morning loses some callers"
    oldest, newer = entries[0], entries[1]
    assert worklist.claim(oldest.id, "agent001@ccc-demo", sim.clock.now())
    now = sim.clock.now()

    async with app.run_test(size=(160, 45)) as pilot:
        await first_snapshot(app, pilot)
        await wait_for(lambda: "waiting" in _line(app), pilot)
        line = _line(app)
        waiting = len(entries) - 1
        assert f"{waiting} waiting, 1 being called back" in line
        assert f"oldest {clock((now - newer.first_missed_at).total_seconds())}" in line
        in_claims = sum(1 for e in entries[1:] if e.skill_group == "sg_group_claims")
        assert f"Group claims {in_claims} (" in line  # the group by its name, with its count

        worklist.close(oldest.id, "agent001@ccc-demo", CallbackOutcome.REACHED, now)
        await wait_for(lambda: "0 being called back" in _line(app), pilot, tries=400)
        assert f"{waiting} waiting" in _line(app)
