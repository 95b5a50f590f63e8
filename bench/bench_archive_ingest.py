"""Archive ingest: N CDRs through the store's ``calls.upsert_many`` vs raw ``sqlite3.executemany``.

Both sides write the same rows into the same schema: the baseline database is created with the
store's own ``CREATE TABLE`` text for ``calls``, and is fed the very rows the store wrote (read
back in batches), so the ratio is the cost of the repository layer (mapping, upsert logic,
transaction handling) over SQLite itself.

    python -m bench.bench_archive_ingest [--n 1000000] [--runs 3] [--batch 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import Row, Stats, as_json, print_table
from cscdesk.callcenter.port import CallRecord

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)


def records(n: int, batch: int, seed: int = 7) -> Iterator[list[CallRecord]]:
    """Deterministic CDRs shaped like the simulator's: 70 % answered, 40 % recorded."""
    rng = random.Random(seed)
    out: list[CallRecord] = []
    for i in range(n):
        start = START + timedelta(seconds=i * 3)
        answered = rng.random() < 0.7
        wait = rng.uniform(0, 60)
        talk = rng.uniform(30, 600) if answered else 0.0
        out.append(
            CallRecord(
                contact_id=f"job-{i:09d}",
                direction="inbound",
                caller=f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
                callee="4008001234",
                start_time=start,
                established_time=start + timedelta(seconds=wait) if answered else None,
                release_time=start + timedelta(seconds=wait + talk),
                skill_group_id=f"sg-{rng.randint(1, 6)}",
                agent_ids=(f"agent{rng.randint(1, 80):03d}@ccc-demo",) if answered else (),
                queue_wait_seconds=wait,
                ring_seconds=rng.uniform(0, 8),
                talk_seconds=talk,
                hold_seconds=0.0,
                work_seconds=rng.uniform(0, 60) if answered else 0.0,
                outcome="answered" if answered else "abandoned",
                release_initiator="customer",
                recording_available=answered and rng.random() < 0.6,
                satisfaction=rng.randint(1, 5) if answered and rng.random() < 0.3 else None,
            )
        )
        if len(out) == batch:
            yield out
            out = []
    if out:
        yield out


def through_store(path: Path, n: int, batch: int) -> float:
    from cscdesk.store import open_store

    store = open_store(path)
    began = time.perf_counter()
    for chunk in records(n, batch):
        store.calls.upsert_many(chunk)
    elapsed = time.perf_counter() - began
    store.close()
    return elapsed


def raw_baseline(source: Path, target: Path, batch: int) -> float:
    """Rows as the store wrote them, inserted with plain executemany into the same schema
    (the store's CREATE TABLE and indexes for ``calls``); only the inserts are timed."""
    src = sqlite3.connect(source)
    ddl = [
        row[0]
        for row in src.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'calls' AND sql IS NOT NULL"
            " ORDER BY type DESC"  # the table first, then its indexes
        )
    ]
    columns = [row[1] for row in src.execute("PRAGMA table_info(calls)")]
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    for statement in ddl:
        dst.execute(statement)
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f"INSERT OR REPLACE INTO calls ({names}) VALUES ({', '.join('?' for _ in columns)})"
    cursor = src.execute(f"SELECT {names} FROM calls ORDER BY rowid")
    elapsed = 0.0
    while rows := cursor.fetchmany(batch):
        began = time.perf_counter()
        with dst:
            dst.executemany(insert, rows)
        elapsed += time.perf_counter() - began
    src.close()
    dst.close()
    return elapsed


def measure(n: int, runs: int, batch: int) -> Row:
    store_rates: list[float] = []
    raw_rates: list[float] = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            store_path = Path(tmp) / f"store-{run}.db"
            store_rates.append(n / through_store(store_path, n, batch))
            raw_rates.append(n / raw_baseline(store_path, Path(tmp) / f"raw-{run}.db", batch))
    measured, baseline = Stats.of(store_rates), Stats.of(raw_rates)
    return Row(
        name=f"CDR ingest, {n:,} records",
        unit="records/s",
        measured=measured,
        baseline=baseline,
        baseline_name="sqlite3.executemany",
        target="≥ 0.5 × raw executemany",
        met=measured.median >= 0.5 * baseline.median,
        notes=(
            f"batches of {batch:,}; {runs} runs each; ratio is store/raw throughput (the store"
            " maps each CallRecord, fills member_id from members and keeps desk wrap-up codes)"
        ),
    )


def run(quick: bool = False) -> list[Row]:
    return [measure(50_000 if quick else 1_000_000, 2 if quick else 3, 10_000)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    rows = [measure(args.n, args.runs, args.batch)]
    print_table("Archive ingest", rows)
    print(json.dumps(as_json(rows), indent=2, default=str))


if __name__ == "__main__":
    main()
