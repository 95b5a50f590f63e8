"""Screen pops from many desks at once, each desk its own process as on the floor.

Every ``cscdesk`` desk is a process with its own store (on PostgreSQL its own small pool). Fifty
threads in one process, the other way of measuring, interleave on the interpreter lock at every
round trip, so each pop also waits for the other desks' client work; processes do not, but they
share the two cores with the server just the same. Each desk opens its store, pops one caller
to warm up (connections open, statements seen), then waits at a barrier so that all desks start
together; it times its own pops (``DeskData.members_for_caller`` + ``profile``) and sends the
samples back.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

PRELOAD = ["cscdesk.tui.data", "cscdesk.store.postgres", "cscdesk.store.db", "psycopg_pool"]


def open_desk_store(location: str, head_file: str) -> Any:
    """A desk's own store: SQLite at a path, or PostgreSQL with a desk's small pool."""
    from cscdesk.store import open_store
    from cscdesk.store.postgres import is_postgres_url, open_postgres

    if is_postgres_url(location):
        return open_postgres(location, pool_size=2, audit_head_file=Path(head_file))
    return open_store(Path(location))


def _desk(location: str, head_file: str, k: int, mine: list[str], start: Any, out: Any) -> None:
    from cscdesk.tui.data import DeskData

    store = open_desk_store(location, head_file)
    samples: list[float] = []
    try:
        data = DeskData(store, actor=lambda: f"bench-{k}")
        first = data.members_for_caller(mine[0])[0]
        data.profile(first.id, first)  # warm-up, before the start
        start.wait(timeout=300)
        for mobile in mine:
            began = time.perf_counter()
            members = data.members_for_caller(mobile)
            assert members, "every chosen caller is a member"
            data.profile(members[0].id, members[0])
            samples.append((time.perf_counter() - began) * 1000)
    finally:
        out.put(samples)
        store.close()


def process_pops(location: str, head_file: Path, mobiles: list[str], desks: int) -> list[float]:
    """``desks`` processes on ``location`` (a SQLite path or a PostgreSQL URL), released
    together, popping ``mobiles`` between them; every pop's time in ms."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    start = context.Barrier(desks)
    out = context.Queue()
    procs = [
        context.Process(
            target=_desk,
            args=(location, str(head_file), k, mobiles[k::desks] or mobiles[:1], start, out),
        )
        for k in range(desks)
    ]
    for proc in procs:
        proc.start()
    samples = [s for _ in procs for s in out.get(timeout=600)]
    for proc in procs:
        proc.join()
    failed = [p.exitcode for p in procs if p.exitcode]
    if failed:
        raise RuntimeError(f"{len(failed)} desk processes failed (exit codes {failed})")
    return samples
