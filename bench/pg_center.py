"""The benchmarks' center on PostgreSQL, copied once from the SQLite center and kept between runs.

Copying the full center (8 million rows) with ``store copy``'s code takes minutes, far longer
than the measurement, so, as ``bench.datasets`` keeps its SQLite files, the copy is kept in a database
named after the size (``cscdesk_bench_center_quick`` / ``_full``). It is reused only when it is
a finished copy of this very file: the database's comment names the SQLite file (its inode, and
the rows of the tables a screen pop reads, counted on both sides again before every reuse); a
copy cut off half-way is resumed (``copy_store`` keeps its own notes); anything else is dropped
and copied anew. The audit table is left out of the comparison: the benchmarks' screen pops
append records to both stores on every run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

SERVER = os.environ.get("CSCDESK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
COUNTED = ("members", "employers", "policies", "claims", "calls", "tickets")


def _admin() -> Any:
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _counts(store: Any) -> dict[str, int]:
    with store.reading() as db:
        return {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED}


def _identity(path: Path, counts: dict[str, int]) -> str:
    rows = " ".join(f"{t}={n}" for t, n in counts.items())
    return f"cscdesk bench copy of inode {path.stat().st_ino}: {rows}"


def _comment(name: str) -> str | None:
    with _admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return None if row is None else (row[0] or "")


def _unfinished(store: Any, source: Any) -> bool:
    from cscdesk.store.copying import MARK

    with store.reading() as db:
        row = db.execute("SELECT value FROM sync_state WHERE key = ?", [f"{MARK}source"]).fetchone()
    return row is not None and row[0] == source.location


def pg_center(sqlite_store: Any, path: Path, label: str, **open_args: Any) -> tuple[Any, str]:
    """The PostgreSQL copy of the center at ``path`` (opened with ``open_args``), and how it
    was had: "kept" (verified, reused), "resumed" or "copied in N s"."""
    from psycopg import sql

    from cscdesk.store.copying import copy_store
    from cscdesk.store.postgres import open_postgres

    name = f"cscdesk_bench_center_{label}"
    url = f"{SERVER}/{name}"
    want = _identity(path, _counts(sqlite_store))
    comment = _comment(name)
    if comment is not None:
        pg = open_postgres(url, **open_args)
        if (
            comment == want
            and _counts(pg) == _counts(sqlite_store)
            and not _unfinished(pg, sqlite_store)
        ):
            return pg, "kept"
        if not _unfinished(pg, sqlite_store):  # another file's copy, or a changed one
            pg.close()
            drop(name)
            comment = None
        else:
            pg.close()
    how = "resumed" if comment is not None else "copied"
    if comment is None:
        with _admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
    pg = open_postgres(url, **open_args)
    began = time.perf_counter()
    report = copy_store(sqlite_store, pg, batch=20_000)
    if not report.ok:
        pg.close()
        raise RuntimeError(f"the copy into {name} does not match its source: {report.checks}")
    with _admin() as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), want))
    return pg, f"{how} in {time.perf_counter() - began:.0f} s"


def drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
