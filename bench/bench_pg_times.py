"""Times on PostgreSQL: reading ``timestamptz`` as the store's ISO text (``store.pg_times``)
against the same rows with their times still text, and migration 19 turning them in place.

One new database holds 20,000 calls (--quick: 5,000) at schema 18 (times as text); the four
time columns of every call are read through the store (baseline), migration 19 runs, and the
same read again (each time value now goes through the loader). The server is
``CSCDESK_BENCH_POSTGRES`` (default the local test server, trust auth); the database is dropped.

    python -m bench --only bench_pg_times
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import Row, Stats, print_table, time_ms

SERVER = os.environ.get("CSCDESK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
READ = "SELECT contact_id, started_at, queued_at, answered_at, ended_at FROM calls"


def _calls(count: int) -> list[tuple[str, ...]]:
    from cscdesk.store._codec import when

    start = datetime(2026, 3, 2, tzinfo=UTC)
    rows = []
    for i in range(count):
        at = start + timedelta(seconds=i * 7, microseconds=i * 137 % 1_000_000)
        times = [when(at + timedelta(seconds=s)) or "" for s in (0, 0.5, 4.25, 61)]
        rows.append((f"job-{i}", "inbound", "138****0000", "4008", *times, "answered"))
    return rows


def run(quick: bool = False) -> list[Row]:
    import psycopg

    from cscdesk.store.migrations import MIGRATIONS, _v19_postgres_timestamptz, apply_migrations
    from cscdesk.store.postgres import open_postgres

    count = 5_000 if quick else 20_000
    name = f"cscdesk_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    before = next(i for i, m in enumerate(MIGRATIONS) if m.postgres is _v19_postgres_timestamptz)
    heads = Path(tempfile.mkdtemp()) / "audit-head"
    store = open_postgres(
        f"{SERVER}/{name}",
        pool_size=2,
        audit_head_file=heads,
        migrate=lambda s: apply_migrations(s, upto=before),
    )
    try:
        with store.transaction() as db:
            db.executemany(
                "INSERT INTO calls (contact_id, direction, caller, callee, started_at, queued_at,"
                " answered_at, ended_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _calls(count),
            )

        def read() -> None:
            with store.reading() as db:
                db.execute(READ).fetchall()

        as_text = time_ms(read, repeat=7)
        began = time.perf_counter()
        apply_migrations(store)
        migration = Stats.of([(time.perf_counter() - began) * 1000])
        as_instants = time_ms(read, repeat=7)
    finally:
        store.close()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    values = count * 4
    per_value_us = (as_instants.median - as_text.median) * 1000 / values
    return [
        Row(
            name=f"read {count:,} calls, 4 times each, timestamptz as ISO text",
            unit="ms",
            measured=as_instants,
            baseline=as_text,
            baseline_name="the same rows, times as text (schema 18)",
            target="≤ 2 µs more per time value",
            met=per_value_us <= 2,
            notes=f"{per_value_us:.2f} µs more per value; store.pg_times loader",
        ),
        Row(
            name=f"migration 19 in place over {count:,} calls",
            unit="ms",
            measured=migration,
            baseline=None,
            baseline_name="",
            target="",
            met=None,
            notes="ALTER ... TYPE timestamptz USING ...::timestamptz, every time column",
        ),
    ]


if __name__ == "__main__":
    print_table("Times on PostgreSQL", run(quick="--quick" in sys.argv))
