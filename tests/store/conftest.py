"""A fresh real store per test, on each engine: SQLite (a new file) and PostgreSQL (this
process's database, emptied: see tests/postgres_db.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import postgres_db
from cscdesk.store import Store, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(tmp_path / "cscdesk.db")
    else:
        from cscdesk.store.postgres import open_postgres

        url = postgres_db.worker_database()
        postgres_db.empty(url)
        opened = open_postgres(url, pool_size=4, audit_head_file=tmp_path / "audit-head")
    yield opened
    opened.close()
