"""Caller history by mobile over millions of CDRs: ``store.calls.history_for_caller`` (the index on
``calls(member_id, started_at)``) against the same call with the ``calls`` indexes dropped (a full
scan), on the shared center store (5,000,000 CDRs; --quick: 100,000).

    python -m bench --only bench_caller_history
"""

from __future__ import annotations

import sys

from bench.datasets import center_store, mobiles_with_history, sizes
from bench.harness import Row, print_table, time_ms
from bench.unindexed import indexes_dropped


def run(quick: bool = False) -> list[Row]:
    from cscdesk.store import open_store

    size = sizes(quick)
    path = center_store(quick)
    mobiles = mobiles_with_history(path, 200, size.members)
    store = open_store(path)
    try:
        found = [len(store.calls.history_for_caller(m)) for m in mobiles]
        cycle = iter(mobiles * 10)
        indexed = time_ms(lambda: store.calls.history_for_caller(next(cycle)), repeat=len(mobiles))
        with indexes_dropped(store, ("calls",)):
            scans = iter(mobiles)
            full_scan = time_ms(
                lambda: store.calls.history_for_caller(next(scans)), repeat=3 if quick else 5
            )
    finally:
        store.close()
    return [
        Row(
            name=f"caller history by mobile, {size.cdrs:,} CDRs",
            unit="ms",
            measured=indexed,
            baseline=full_scan,
            baseline_name="full scan (calls indexes dropped)",
            target="median ≤ 5 ms",
            met=indexed.median <= 5,
            notes=f"{len(mobiles)} different callers, last 20 calls each (mean "
            f"{sum(found) / max(1, len(found)):.1f} found); store.calls.history_for_caller",
        )
    ]


if __name__ == "__main__":
    print_table("Caller history", run(quick="--quick" in sys.argv))
