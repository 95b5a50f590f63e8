"""Ticket full-text search: ``store.tickets.search`` (FTS5 trigram) against a ``LIKE`` scan of the
tickets table, over 1,000,000 tickets (--quick: 20,000), newest 50 matches as the desk asks.

Queries are a mix an agent would type: a claim report number (one ticket), a hospital (about 1 in
40 tickets) and a short phrase from a title (about 1 in 13). Per kind figures are in the notes.

    python -m bench --only bench_ticket_search
"""

from __future__ import annotations

import sys
import time
from typing import Any

from bench.datasets import HOSPITALS, center_store, sizes, ticket_text
from bench.harness import Row, Stats, print_table

LIKE_SCAN = (
    "WHERE title LIKE ?1 ESCAPE '\\' OR description LIKE ?1 ESCAPE '\\'"
    " ORDER BY updated_at DESC LIMIT ?2"
)


def queries(n_tickets: int, each: int) -> dict[str, list[str]]:
    step = max(1, n_tickets // each)
    return {
        "report no.": [f"R{(k * step + 11) % n_tickets:09d}" for k in range(each)],
        "hospital": [HOSPITALS[k % len(HOSPITALS)] for k in range(each)],
        "title phrase": [ticket_text(k)[0][2:6] for k in range(each)],
    }


def _timed(fn: Any, texts: list[str]) -> tuple[list[float], int]:
    samples, found = [], 0
    for text in texts:
        began = time.perf_counter()
        found += len(fn(text))
        samples.append((time.perf_counter() - began) * 1000)
    return samples, found


def run(quick: bool = False) -> list[Row]:
    from cscdesk.store import open_store

    size = sizes(quick)
    path = center_store(quick)
    store = open_store(path)
    mix = queries(size.tickets, 10 if quick else 30)
    try:
        store.tickets.search(mix["hospital"][0])  # warm the page cache as a desk in use has it

        def like_scan(text: str) -> list[Any]:
            return store.tickets._many(LIKE_SCAN, [f"%{text}%", 50])

        fts: dict[str, list[float]] = {}
        like: dict[str, list[float]] = {}
        hits: dict[str, int] = {}
        for kind, texts in mix.items():
            fts[kind], hits[kind] = _timed(store.tickets.search, texts)
            like[kind], _ = _timed(like_scan, texts[: 2 if quick else 3])
    finally:
        store.close()
    every_fts = Stats.of([s for v in fts.values() for s in v])
    every_like = Stats.of([s for v in like.values() for s in v])
    per_kind = "; ".join(
        f"{kind}: FTS median {Stats.of(fts[kind]).median:.1f} ms / p95 "
        f"{Stats.of(fts[kind]).p95:.1f}, LIKE {Stats.of(like[kind]).median:.0f} ms"
        for kind in mix
    )
    return [
        Row(
            name=f"ticket full-text search, {size.tickets:,} tickets",
            unit="ms",
            measured=every_fts,
            baseline=every_like,
            baseline_name="LIKE scan of tickets",
            target="median ≤ 20 ms",
            met=every_fts.median <= 20,
            notes=per_kind,
            extra={kind: Stats.of(v).__dict__ for kind, v in fts.items()},
        )
    ]


if __name__ == "__main__":
    print_table("Ticket search", run(quick="--quick" in sys.argv))
