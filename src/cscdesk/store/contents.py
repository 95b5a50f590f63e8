"""What a store holds, table by table: row counts of its content tables and named markers.

Used to tell a disposable demo store from someone's data (``cscdesk.demo.seed``). Every function
takes anything with ``execute`` (a ``StoreDatabase`` or a plain read-only ``sqlite3`` connection),
so a store can be looked at without opening, migrating or otherwise changing it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# Machinery rather than content: cursors and markers, leases.
NOT_CONTENT = frozenset({"sync_state", "leases"})


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def content_counts(db: Any) -> dict[str, int]:
    """Rows per content table; FTS indexes, SQLite's own tables and machinery left out."""
    tables = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = {name for name, sql in tables if (sql or "").upper().startswith("CREATE VIRTUAL")}
    counts = {}
    for name, _sql in tables:
        if name.startswith("sqlite_") or name in NOT_CONTENT or name in virtual:
            continue
        if any(name.startswith(f"{v}_") for v in virtual):  # FTS shadow tables
            continue
        counts[name] = int(db.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0])
    return counts


def named_value(db: Any, key: str) -> str | None:
    """A ``sync_state`` value, or None (also when the file has no such table)."""
    try:
        row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    except sqlite3.OperationalError:  # no sync_state table: not a cscdesk store
        return None
    return None if row is None else row[0]
