"""``cscdesk sim`` collects garbage without stalls (callcenter/sim/gc_upkeep.py): the finished
calls it keeps are frozen out of later collections, and nothing unreachable is frozen with them
(no leak). Run in a child process: freezing is process-wide and must not touch the test runner."""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = """
import gc, json, weakref
from datetime import datetime
from cscdesk.callcenter.sim.server import start_simulator

class Node:
    pass

sim = start_simulator(paused=True, tune_gc=True, seed=3,
                      start_time=datetime.fromisoformat("2026-03-10T10:00:00+08:00"))
frozen_at_start = gc.get_freeze_count()
cycle = Node(); cycle.me = cycle; gone = weakref.ref(cycle); del cycle  # unreachable garbage
sim.advance(3 * 3600)  # three busy hours: the model keeps every finished call
finished = len(sim.model.records)
sim.gc_upkeep.every = max(1, finished // 2)
sim.gc_upkeep.upkeep(finished)
calls = sim.model.records[:3]
print(json.dumps({"frozen_at_start": frozen_at_start, "frozen": gc.get_freeze_count(),
                  "finished": finished, "garbage_freed": gone() is None,
                  "calls_intact": all(c.ended_at is not None for c in calls),
                  "freezes": sim.gc_upkeep.freezes}))
sim.stop()
"""


def test_finished_calls_are_frozen_and_garbage_is_not() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["frozen_at_start"] > 0  # start-up objects leave every later collection
    assert report["finished"] > 100 and report["freezes"] == 2
    assert report["frozen"] > report["frozen_at_start"] + report["finished"]  # calls frozen too
    assert report["garbage_freed"] is True  # collected first, never frozen
    assert report["calls_intact"] is True
