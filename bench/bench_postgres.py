"""The store on PostgreSQL beside SQLite, same data and same run: screen pop with 50 desks at
once, ticket search, and CDR ingest.

Ingest is measured twice, each time the same work on both engines, into new empty stores (a
store's schema and indexes, no center data), three rounds that alternate the engines (the table
grows between rounds on both): bare rows (COPY on PostgreSQL, SQLite's raw ``executemany``,
7 columns), and the archive's path, ``calls.upsert_many`` on the same CDRs (mapping, member
link, upsert; COPY and one upsert a chunk on PostgreSQL, ``executemany`` on SQLite), against
members whose numbers call a third of the time.

The SQLite center of ``bench.datasets`` (--quick: 20,000 members, 100,000 CDRs, 20,000 tickets;
full: 1,000,000 each and 5,000,000 CDRs) is copied into a PostgreSQL database with
``cscdesk store copy``'s code and kept there for the next run (``bench.pg_center``); the server
is ``CSCDESK_BENCH_POSTGRES`` (default the local test server, trust auth). Screen pops are
measured with the desks as processes (``bench.pop_desks``, as desks run) and as threads of one
process, each beside SQLite in the same mode. The CPU is shared: a PostgreSQL server on the
same two cores competes with the desks it serves, so these figures are a floor.

    python -m bench --quick --only bench_postgres
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
import uuid
from typing import Any

from bench.bench_ticket_search import queries
from bench.datasets import center_store, mobiles_with_history, sizes
from bench.harness import Row, Stats, print_table
from bench.pg_center import SERVER

DESKS = 50
CDR_ROWS = 50_000
INGEST_BATCH = 10_000  # CDRs per upsert_many, as bench_archive_ingest


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


def _ingest_sqlite(rows: list[tuple[Any, ...]], path: Any) -> float:
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
    return len(rows) / seconds


def _ingest_postgres(store: Any, rows: list[tuple[Any, ...]]) -> float:
    began = time.perf_counter()
    with store.transaction() as db:
        db.copy_rows("calls", CDR_COLUMNS, rows)
    return len(rows) / (time.perf_counter() - began)


def _callers_as_members(store: Any, records: list[Any]) -> None:
    """Every third CDR's caller made a member, so the upsert links those calls."""
    from datetime import date

    from cscdesk.domain.models import Employer, IdType, Member, Relation, Sex

    store.employers.put_many([Employer("E1", "演示单位")])
    store.members.add_many(
        Member(f"M{k}", "张三", IdType.RESIDENT_ID, f"110105199001{k:06d}", date(1990, 1, 1),
               Sex.MALE, r.caller, "E1", relation=Relation.SELF, main_member_id=f"M{k}")
        for k, r in enumerate(records[::3])
    )  # fmt: skip


def _store_ingest(store: Any, records: list[Any], batch: int) -> float:
    began = time.perf_counter()
    for start in range(0, len(records), batch):
        store.calls.upsert_many(records[start : start + batch])
    return len(records) / (time.perf_counter() - began)


def _ingest(pg: Any, folder: Any, rows: int, batch: int) -> dict[str, Stats]:
    """Both kinds of ingest, three rounds each, engines alternating, into new empty stores."""
    from dataclasses import replace

    from bench.bench_archive_ingest import records
    from cscdesk.store import open_store

    path = folder / f"ingest-{uuid.uuid4().hex[:6]}.db"
    sqlite_store = open_store(path)
    cdrs = [r for chunk in records(rows, rows) for r in chunk]
    _callers_as_members(sqlite_store, cdrs)
    _callers_as_members(pg, cdrs)
    rates: dict[str, list[float]] = {"sqlite": [], "pg": [], "sqlite store": [], "pg store": []}
    try:
        for k in range(3):
            bare = [(f"{k}-{r[0]}", *r[1:]) for r in _cdr_rows(rows)]
            rates["sqlite"].append(_ingest_sqlite(bare, path))
            rates["pg"].append(_ingest_postgres(pg, bare))
            again = [replace(r, contact_id=f"{k}-{r.contact_id}") for r in cdrs]
            rates["sqlite store"].append(_store_ingest(sqlite_store, again, batch))
            rates["pg store"].append(_store_ingest(pg, again, batch))
    finally:
        sqlite_store.close()
        for leftover in folder.glob(path.name + "*"):
            leftover.unlink()
    return {engine: Stats.of(samples) for engine, samples in rates.items()}


def _pops(pg: Any, sqlite_store: Any, path: Any, url: str, unique: list[str]) -> dict[str, Stats]:
    """Both engines, desks as threads of one process and as processes, in one run."""
    from bench.datasets import DATA
    from bench.pop_desks import process_pops

    pops = {}
    for engine, store in (("sqlite", sqlite_store), ("postgresql", pg)):
        _concurrent_pops(store, unique[:DESKS])  # warm-up: every desk once
        pops[f"{engine} threads"] = Stats.of(_concurrent_pops(store, unique))
    pg.close()  # the desks' own pools need the server's connections
    for engine, location in (("sqlite", str(path)), ("postgresql", url)):
        head = DATA / f"bench-desks-{engine}.audit-head"
        pops[f"{engine} processes"] = Stats.of(process_pops(location, head, unique, DESKS))
    return pops


def run(quick: bool = False) -> list[Row]:
    from bench.datasets import DATA
    from bench.pg_center import pg_center
    from cscdesk.store import open_store
    from cscdesk.store.postgres import open_postgres

    size = sizes(quick)
    path = center_store(quick)
    mobiles = mobiles_with_history(path, 200, size.members)
    mix = queries(size.tickets, 6 if quick else 20)
    sqlite_store = open_store(path)
    head = DATA / f"bench-pg-{size.label}.audit-head"
    pg, how = pg_center(sqlite_store, path, size.label, pool_size=DESKS, audit_head_file=head)
    url = pg.url
    try:
        unique = [m for m in mobiles if len(sqlite_store.members.by_mobile(m)) == 1]
        searches = {}
        for engine, store in (("sqlite", sqlite_store), ("postgresql", pg)):
            _searches(store, {"warm": mix["hospital"][:2]})
            searches[engine] = Stats.of(_searches(store, mix))
        pops = _pops(pg, sqlite_store, path, url, unique)
    finally:
        pg.close()
        sqlite_store.close()
    rows = CDR_ROWS // (5 if quick else 1)
    empty_name, empty_url = _new_database()
    try:
        empty = open_postgres(empty_url, pool_size=2, audit_head_file=DATA / "bench-pg2.audit-head")
        try:
            ingest = _ingest(empty, DATA, rows, INGEST_BATCH)
        finally:
            empty.close()
    finally:
        _drop(empty_name)
    return [
        *(
            Row(
                name=f"PostgreSQL screen pop, {DESKS} desks at once as {mode},"
                f" {size.members:,} members",
                unit="ms",
                measured=pops[f"postgresql {mode}"],
                baseline=pops[f"sqlite {mode}"],
                baseline_name=f"SQLite, same desks as {mode}, same run",
                target="p95 ≤ 50 ms",
                met=pops[f"postgresql {mode}"].p95 <= 50,
                notes=f"{len(unique)} callers over {DESKS} {mode}; DeskData.members_for_caller"
                f" + profile; {note}; PostgreSQL copy of the SQLite center {how}",
            )
            for mode, note in (
                ("processes", "each desk its own process and store, as on the floor"),
                ("threads", "one process: the desks take turns at the interpreter lock"),
            )
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
            name=f"PostgreSQL CDR ingest through COPY, {rows:,} rows",
            unit="rows/s",
            measured=ingest["pg"],
            baseline=ingest["sqlite"],
            baseline_name="SQLite raw executemany, one transaction",
            target="≥ SQLite's rate",
            met=ingest["pg"].median >= ingest["sqlite"].median,
            notes="the same 7-column rows into calls (its indexes) of a new empty store, one"
            " transaction each; 3 rounds, engines alternating",
        ),
        Row(
            name=f"PostgreSQL CDR ingest through the store (calls.upsert_many), {rows:,} CDRs",
            unit="CDRs/s",
            measured=ingest["pg store"],
            baseline=ingest["sqlite store"],
            baseline_name="SQLite calls.upsert_many, same CDRs",
            target="≥ SQLite's rate",
            met=ingest["pg store"].median >= ingest["sqlite store"].median,
            notes=f"batches of {INGEST_BATCH:,}: CallRecord mapping, member link (a third of"
            " callers are members), upsert; PostgreSQL: binary COPY + one INSERT … ON CONFLICT per"
            " chunk of 2,000, the next chunk mapped meanwhile; SQLite: executemany",
        ),
    ]


if __name__ == "__main__":
    print_table("PostgreSQL beside SQLite", run(quick="--quick" in sys.argv))
