"""The store on PostgreSQL beside SQLite, same data and same run: screen pop with 50 desks at
once, ticket search, and CDR ingest (COPY on PostgreSQL, SQLite's raw ``executemany``).

The SQLite center of ``bench.datasets`` (--quick: 20,000 members, 100,000 CDRs, 20,000 tickets;
full: 1,000,000 each and 5,000,000 CDRs) is copied into a new PostgreSQL database with
``cscdesk store copy``'s code; the server is ``CSCDESK_BENCH_POSTGRES`` (default the local test
server, trust auth). The database is dropped afterwards. The CPU is shared: a PostgreSQL server
on the same two cores competes with the desks it serves, so these figures are a floor.

    python -m bench --quick --only bench_postgres
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
import uuid
from typing import Any

from bench.bench_ticket_search import queries
from bench.datasets import center_store, mobiles_with_history, sizes
from bench.harness import Row, Stats, print_table

SERVER = os.environ.get("CSCDESK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DESKS = 50
CDR_ROWS = 50_000


def _new_database() -> tuple[str, str]:
    import psycopg

    name = f"cscdesk_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return name, f"{SERVER}/{name}"


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _concurrent_pops(store: Any, mobiles: list[str]) -> list[float]:
    """``DESKS`` threads, each a desk popping the screen for its share of the callers at once."""
    from cscdesk.tui.data import DeskData

    samples: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(DESKS)

    def desk(k: int) -> None:
        data = DeskData(store, actor=lambda: f"bench-{k}")
        mine = mobiles[k::DESKS] or mobiles[:1]
        start.wait()
        for mobile in mine:
            began = time.perf_counter()
            members = data.members_for_caller(mobile)
            assert members, "every chosen caller is a member"
            data.profile(members[0].id)
            with lock:
                samples.append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=desk, args=(k,)) for k in range(DESKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def _searches(store: Any, mix: dict[str, list[str]]) -> list[float]:
    samples = []
    for texts in mix.values():
        for text in texts:
            began = time.perf_counter()
            store.tickets.search(text)
            samples.append((time.perf_counter() - began) * 1000)
    return samples


def _cdr_rows(n: int) -> list[tuple[Any, ...]]:
    return [
        (f"ingest-{i:09d}", "inbound", f"138****{i % 10000:04d}", "4008001234",
         f"2026-03-02T09:{i // 60 % 60:02d}:{i % 60:02d}.000000+00:00", "answered", 12.5)
        for i in range(n)
    ]  # fmt: skip


CDR_COLUMNS = (
    "contact_id",
    "direction",
    "caller",
    "callee",
    "started_at",
    "outcome",
    "talk_seconds",
)


def _ingest_sqlite(rows: list[tuple[Any, ...]], folder: Any) -> float:
    from cscdesk.store import open_store

    path = folder / f"ingest-{uuid.uuid4().hex[:6]}.db"
    open_store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    began = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        f"INSERT INTO calls ({', '.join(CDR_COLUMNS)}) VALUES ({', '.join('?' * len(CDR_COLUMNS))})",
        rows,
    )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - began
    conn.close()
    for leftover in folder.glob(path.name + "*"):
        leftover.unlink()
    return len(rows) / seconds


def _ingest_postgres(store: Any, rows: list[tuple[Any, ...]]) -> float:
    began = time.perf_counter()
    with store.transaction() as db:
        db.copy_rows("calls", CDR_COLUMNS, rows)
    return len(rows) / (time.perf_counter() - began)


def run(quick: bool = False) -> list[Row]:
    from bench.datasets import DATA
    from cscdesk.store import open_store
    from cscdesk.store.copying import copy_store
    from cscdesk.store.postgres import open_postgres

    size = sizes(quick)
    path = center_store(quick)
    mobiles = mobiles_with_history(path, 200, size.members)
    mix = queries(size.tickets, 6 if quick else 20)
    name, url = _new_database()
    sqlite_store = open_store(path)
    pg = open_postgres(url, pool_size=DESKS, audit_head_file=DATA / "bench-pg.audit-head")
    try:
        began = time.perf_counter()
        copied = copy_store(sqlite_store, pg, batch=20_000)
        copy_seconds = time.perf_counter() - began
        assert copied.ok, "the copy must match before anything is measured"
        unique = [m for m in mobiles if len(sqlite_store.members.by_mobile(m)) == 1]
        pops = {}
        searches = {}
        for engine, store in (("sqlite", sqlite_store), ("postgresql", pg)):
            _concurrent_pops(store, unique[:DESKS])  # warm-up: every desk once
            pops[engine] = Stats.of(_concurrent_pops(store, unique))
            _searches(store, {"warm": mix["hospital"][:2]})
            searches[engine] = Stats.of(_searches(store, mix))
        rows = _cdr_rows(CDR_ROWS // (5 if quick else 1))
        sqlite_rate = Stats.of([_ingest_sqlite(rows, DATA)])
        pg_rate = Stats.of([_ingest_postgres(pg, rows)])
    finally:
        pg.close()
        sqlite_store.close()
        _drop(name)
    return [
        Row(
            name=f"PostgreSQL screen pop, {DESKS} desks at once, {size.members:,} members",
            unit="ms",
            measured=pops["postgresql"],
            baseline=pops["sqlite"],
            baseline_name="SQLite, same desks, same run",
            target="p95 ≤ 50 ms",
            met=pops["postgresql"].p95 <= 50,
            notes=f"{len(unique)} callers over {DESKS} threads; DeskData.members_for_caller +"
            f" profile; store copied SQLite → PostgreSQL in {copy_seconds:.0f} s",
        ),
        Row(
            name=f"PostgreSQL ticket search, {size.tickets:,} tickets",
            unit="ms",
            measured=searches["postgresql"],
            baseline=searches["sqlite"],
            baseline_name="SQLite bigram FTS5, same queries",
            target="median ≤ 50 ms",
            met=searches["postgresql"].median <= 50,
            notes="report numbers, hospitals, title phrases, two-character words, several words",
        ),
        Row(
            name=f"PostgreSQL CDR ingest through COPY, {len(rows):,} rows",
            unit="rows/s",
            measured=pg_rate,
            baseline=sqlite_rate,
            baseline_name="SQLite raw executemany, one transaction",
            target="≥ SQLite's rate",
            met=pg_rate.median >= sqlite_rate.median,
            notes="COPY calls (7 columns) inside one transaction on the local server",
        ),
    ]


if __name__ == "__main__":
    print_table("PostgreSQL beside SQLite", run(quick="--quick" in sys.argv))
