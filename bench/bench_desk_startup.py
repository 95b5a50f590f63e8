"""Desk start to first paint, and its memory, each in a fresh process on the center store
(1,000,000 members; --quick: 20,000), against a bare Textual app started the same way.

First paint: from spawning the interpreter to the desk's first frame rendered headless (imports
and the app mounted; the store opens and the simulator starts after it, in a thread, as
``cscdesk`` does). Ready: to the agent screen painted, against the old order (store and
simulator before the app) in the same run. Memory: peak RSS (VmHWM) after the agent screen and
one screen pop; the simulator runs in the same process, as in the embedded demo.

    python -m bench --only bench_desk_startup
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.datasets import center_store, mobiles_with_history, sizes
from bench.harness import Row, Stats, print_table

ROOT = Path(__file__).resolve().parent.parent


def _once(args: list[str]) -> tuple[float, float, float]:
    """(ms from spawn to "painted", to "ready", peak RSS MB) of one child run."""
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.desk_child", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    painted = ready = rss = float("nan")
    for line in child.stdout:
        if line.startswith("painted") and painted != painted:
            painted = (time.perf_counter() - began) * 1000
        elif line.startswith("ready") and ready != ready:
            ready = (time.perf_counter() - began) * 1000
        elif line.startswith("rss"):
            rss = float(line.split()[1])
    _out, err = child.communicate(timeout=120)
    if child.returncode != 0:
        raise RuntimeError(f"desk child {args[0]} failed: {err.strip()[-500:]}")
    return painted, ready, rss


def run(quick: bool = False) -> list[Row]:
    size = sizes(quick)
    path = center_store(quick)
    [mobile] = mobiles_with_history(path, 1, size.members)
    repeat = 3 if quick else 7
    _once(["bare"])  # warm the OS file cache for both
    _once(["desk", str(path), mobile])
    bare, desk, before = [], [], []
    for _ in range(repeat):  # interleaved, so a busy moment of the machine hits all three
        bare.append(_once(["bare"]))
        desk.append(_once(["desk", str(path), mobile]))
        before.append(_once(["desk-before", str(path), mobile]))
    paint, bare_paint = Stats.of([d[0] for d in desk]), Stats.of([b[0] for b in bare])
    ready, ready_before = Stats.of([d[1] for d in desk]), Stats.of([b[1] for b in before])
    first_before = Stats.of([b[0] for b in before])
    rss, bare_rss = Stats.of([d[2] for d in desk]), Stats.of([b[2] for b in bare])
    return [
        Row(
            name="desk start to first paint (headless)",
            unit="ms",
            measured=paint,
            baseline=bare_paint,
            baseline_name="bare Textual app",
            target="≤ 2 × bare Textual app",
            met=paint.median <= 2 * bare_paint.median,
            notes="fresh interpreter each run; the store opens and the in-process simulator"
            " starts after the first frame; the old order (both before the app) painted its"
            f" first frame at {first_before.median:,.0f} ms median",
        ),
        Row(
            name="desk start to the agent screen (headless)",
            unit="ms",
            measured=ready,
            baseline=ready_before,
            baseline_name="store and simulator before the app",
            target="no slower than before",
            met=ready.median <= ready_before.median * 1.1,
            notes="the agent screen painted, directory loading; the first frame above comes first",
        ),
        Row(
            name=f"desk memory, {size.members:,}-member store",
            unit="MB",
            measured=rss,
            baseline=bare_rss,
            baseline_name="bare Textual app",
            target="RSS ≤ 200 MB",
            met=rss.maximum <= 200,
            notes="peak RSS (VmHWM) after first paint and one screen pop; simulator in-process",
        ),
    ]


if __name__ == "__main__":
    print_table("Desk start-up and memory", run(quick="--quick" in sys.argv))
