"""Ticket search: ``store.tickets.search`` (bigram word index) against a ``LIKE`` scan of the
tickets table in the same run, newest 50 matches as the desk asks.

The store holds tickets only (search reads nothing else): 1,000,000 by default, --quick 20,000,
or ``CSCDESK_BENCH_TICKETS=N`` (a shared machine: say which size the figures are for). Query
classes are what an agent types: a claim report number (one ticket), a hospital (1 in 40), a
phrase from a title (1 in 13), a two-character word (理赔, 材料: up to half of all tickets) and
two or three words at once (理赔 进度). Per class figures are in the notes.

    python -m bench --only bench_ticket_search
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from bench.datasets import DATA, HOSPITALS, add_tickets, sizes, ticket_text
from bench.harness import Row, Stats, print_table

LIKE_SCAN = "WHERE {where} ORDER BY updated_at DESC LIMIT ?"
TWO_CHARACTER = ("理赔", "材料", "进度", "发票", "银行", "回访", "投诉", "账户", "范围", "坐席")
MULTI_TERM = (
    "理赔 进度", "补充 材料", "投诉 时效", "银行 变更", "理赔 金额 复核", "上海市 理赔",
    "咨询 发票", "回访 结案", "子女 新增", "客服 态度",
)  # fmt: skip


def queries(n_tickets: int, each: int) -> dict[str, list[str]]:
    step = max(1, n_tickets // each)
    return {
        "report no.": [f"R{(k * step + 11) % n_tickets:09d}" for k in range(each)],
        "hospital": [HOSPITALS[k % len(HOSPITALS)] for k in range(each)],
        "title phrase": [ticket_text(k)[0][2:6] for k in range(each)],
        "two characters": [TWO_CHARACTER[k % len(TWO_CHARACTER)] for k in range(each)],
        "multi-term": [MULTI_TERM[k % len(MULTI_TERM)] for k in range(each)],
    }


def ticket_count(quick: bool) -> int:
    return int(os.environ.get("CSCDESK_BENCH_TICKETS", sizes(quick).tickets))


def ticket_store(n: int, log: bool = True) -> Path:
    """A store holding ``n`` tickets (generated once, then reused)."""
    from cscdesk.store import open_store

    path = DATA / f"tickets-{n}.db"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    began = time.perf_counter()
    open_store(partial).close()
    conn = sqlite3.connect(partial, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    add_tickets(conn, n, 1_000_000)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial.rename(path)
    if log:
        print(f"  data: {n:,} tickets with their word index in {time.perf_counter() - began:.0f} s")
    return path


def _timed(fn: Any, texts: list[str]) -> tuple[list[float], int]:
    samples, found = [], 0
    for text in texts:
        began = time.perf_counter()
        found += len(fn(text))
        samples.append((time.perf_counter() - began) * 1000)
    return samples, found


def run(quick: bool = False) -> list[Row]:
    from cscdesk.store import open_store

    n = ticket_count(quick)
    store = open_store(ticket_store(n))
    mix = queries(n, 10 if quick else 30)
    try:
        store.tickets.search(mix["hospital"][0])  # warm the page cache as a desk in use has it

        def like_scan(text: str) -> list[Any]:
            words = text.split()
            where = " AND ".join("(title LIKE ? OR description LIKE ?)" for _ in words)
            params = [p for w in words for p in (f"%{w}%", f"%{w}%")]
            return store.tickets._many(LIKE_SCAN.format(where=where), [*params, 50])

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
        f"{kind}: index median {Stats.of(fts[kind]).median:.1f} ms / p95 "
        f"{Stats.of(fts[kind]).p95:.1f}, LIKE {Stats.of(like[kind]).median:.0f} ms"
        for kind in mix
    )
    worst_p95 = max(Stats.of(v).p95 for v in fts.values())
    worst_median = max(Stats.of(v).median for v in fts.values())
    return [
        Row(
            name=f"ticket search, {n:,} tickets",
            unit="ms",
            measured=every_fts,
            baseline=every_like,
            baseline_name="LIKE scan of tickets",
            target="every class: median ≤ 20 ms, p95 ≤ 50 ms",
            met=worst_median <= 20 and worst_p95 <= 50,
            notes=per_kind,
            extra={kind: Stats.of(v).__dict__ for kind, v in fts.items()},
        )
    ]


if __name__ == "__main__":
    print_table("Ticket search", run(quick="--quick" in sys.argv))
