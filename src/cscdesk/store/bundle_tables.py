"""Whole tables as plain rows, for the portable export bundle (``cscdesk.sync.bundle``).

The bundle copies every table that holds business content, whatever its schema, so this
repository works by table name: which tables hold content, their rows as dicts in insertion
order, and loading rows back into an empty store. Table names come from ``sqlite_master``; the
loader refuses any other name, and column names are quoted, so a bundle cannot inject SQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cscdesk.store.audit import AUDIT_LOCK

if TYPE_CHECKING:
    from cscdesk.store.db import Store, StoreDatabase

# Machinery, not content: rebuilt or meaningless in another store.
SKIPPED_TABLES = frozenset(
    {"leases", "login_unknown_ids", "schema_migrations", "schema_version", "migrations"}
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class UnknownTable(ValueError):
    """A table name that is not one of the store's content tables."""


class TableLoader:
    """Inserts rows inside one open transaction (see ``BundleTables.loading``)."""

    def __init__(self, db: StoreDatabase, tables: frozenset[str]) -> None:
        self._db = db
        self._tables = tables

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        if table not in self._tables:
            raise UnknownTable(table)
        columns = ", ".join(_quoted(c) for c in values)
        marks = ", ".join("?" for _ in values)
        self._db.execute(
            f"INSERT INTO {_quoted(table)} ({columns}) VALUES ({marks})", list(values.values())
        )


class BundleTables:
    def __init__(self, store: Store) -> None:
        self._store = store

    def content_tables(self) -> list[str]:
        """Every table holding content, in creation order (parents before children)."""
        with self._store.reading() as db:
            rows = db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
            ).fetchall()
        virtual = {name for name, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL")}
        names = []
        for name, _sql in rows:
            if name.startswith("sqlite_") or name in SKIPPED_TABLES or name in virtual:
                continue
            if any(name.startswith(f"{v}_") for v in virtual):  # FTS shadow tables
                continue
            names.append(name)
        return names

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        """The rows of ``table`` in insertion order, streamed (tables may be large)."""
        if table not in self.content_tables():
            raise UnknownTable(table)
        with self._store.reading() as db:
            cursor = db.execute(f"SELECT * FROM {_quoted(table)} ORDER BY rowid")
            columns = [c[0] for c in cursor.description]
            for row in cursor:
                values = dict(zip(columns, row, strict=True))
                if self._store.dialect == "postgresql":  # SQLite's hidden rowid is a column there
                    values.pop("rowid", None)
                yield values

    def has_rows(self, table: str) -> bool:
        if table not in self.content_tables():
            raise UnknownTable(table)
        with self._store.reading() as db:
            return db.execute(f"SELECT 1 FROM {_quoted(table)} LIMIT 1").fetchone() is not None

    @contextlib.contextmanager
    def loading(self) -> Iterator[TableLoader]:
        """One transaction for a whole load, foreign keys checked at commit (any table order);
        audit appends wait for it (the audit records loaded are a chain of their own)."""
        tables = frozenset(self.content_tables())
        with self._store.transaction() as db, self._store.transaction(lock=AUDIT_LOCK):
            db.execute("PRAGMA defer_foreign_keys = ON")
            yield TableLoader(db, tables)
