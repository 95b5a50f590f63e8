"""A simulator with a short, known history for the archive tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cscdesk.callcenter.sim.arrivals import DEMO_CALLS_PER_HOUR, TrafficProfile

# A quiet center: ~1.6 calls an hour in all, so a day and a half of history is ~60 CDRs
# (the simulator synthesises every recording on request, which costs it ~0.1 s each).
QUIET = TrafficProfile.constant({group: 0.2 for group in DEMO_CALLS_PER_HOUR})


def start_archive_sim(*, prefill_days: float = 1.25, restore_seconds: float = 600.0,
                      behind: timedelta = timedelta(hours=1)) -> Any:  # fmt: skip
    """Paused ``behind`` the wall clock (time moves only when a test advances it), so the
    whole history is settled for an archive running on the wall clock; audio older than a day
    sits in the vendor's cold archive. A test that advances the clock by ``behind`` or more
    must start further behind: calls near the wall clock come into the archive's view as the
    wall clock moves, so a later round would find calls an earlier one could not see."""
    from cscdesk.callcenter.sim.server import start_simulator

    return start_simulator(
        host="127.0.0.1",
        port=0,
        seed=5,
        start_time=datetime.now(UTC).replace(microsecond=0) - behind,
        prefill_days=prefill_days,
        traffic=QUIET,
        paused=True,
        archive_after_days=1.0,
        restore_seconds=restore_seconds,
    )


def wall() -> datetime:
    return datetime.now(UTC)
