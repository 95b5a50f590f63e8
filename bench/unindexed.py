"""Baselines "without the indexes": drop them inside a transaction, measure, roll back.

SQLite DDL is transactional, so the very repository code the desk runs can be timed against the
same data with chosen indexes gone, on the same connection, and nothing changes on disk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def indexes_dropped(store: Any, tables: tuple[str, ...]) -> Iterator[list[str]]:
    """Inside: this thread's store connection sees ``tables`` without secondary indexes.

    Only the calling thread's connection is affected (other threads wait on the write lock
    if they write), so call the repositories from this thread.
    """
    with contextlib.suppress(_Rollback), store.transaction() as db:
        marks = ", ".join("?" for _ in tables)
        names = [
            row[0]
            for row in db.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})"
                " AND sql IS NOT NULL",
                list(tables),
            ).fetchall()
        ]
        for name in names:
            db.execute(f'DROP INDEX "{name}"')
        yield names
        raise _Rollback
