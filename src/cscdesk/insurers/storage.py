"""Where the gateway touches the broker's store: its SQLite connection and its audit log."""

from __future__ import annotations

import sqlite3
from typing import Any

from cscdesk.insurers.gateway import AuditSink


def connection(store: Any) -> sqlite3.Connection:
    """The store's connection (``store.db`` is a sqlite-utils Database)."""
    conn = store.db.conn
    assert isinstance(conn, sqlite3.Connection)
    return conn


def create_tables(conn: sqlite3.Connection) -> None:
    """The migration step for the gateway's tables: answer cache and imported batch extracts.

    Idempotent (``IF NOT EXISTS``), so ``build_gateway`` may also call it on an older store.
    """
    from cscdesk.insurers import batch_import, cache

    conn.executescript(cache.SCHEMA + batch_import.SCHEMA)


def audit_sink(store: Any) -> AuditSink:
    def record(actor: str, action: str, subject: str, detail: dict[str, Any]) -> None:
        store.audit.append(actor=actor, action=action, subject=subject, detail=detail)

    return record
