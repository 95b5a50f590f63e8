"""Throwaway PostgreSQL databases for tests: the server on 127.0.0.1:5432 (trust auth), one
database per test process (unique name: xdist workers never share one), emptied between tests.

Without a server the PostgreSQL half of a test is skipped with one line, unless
``CSCDESK_REQUIRE_POSTGRES`` is set (CI sets it): then it fails.
"""

from __future__ import annotations

import atexit
import os
import tempfile
import uuid
from pathlib import Path

import pytest

from cscdesk.store import Store, open_store

SERVER = os.environ.get("CSCDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
_databases: dict[str, str] = {}


def _admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3)


_unreachable: list[str] = []


def server_or_skip() -> None:
    """Skip (or fail, in CI) when no PostgreSQL server answers; asked once per process."""
    import psycopg

    if not _unreachable and "checked" not in _databases:
        try:
            _admin().close()
            _databases["checked"] = "yes"
        except psycopg.OperationalError as exc:
            _unreachable.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    if _unreachable:
        message = f"PostgreSQL not reachable at {SERVER}: PostgreSQL store tests not run"
        if os.environ.get("CSCDESK_REQUIRE_POSTGRES"):
            pytest.fail(f"{message} ({_unreachable[0]}), and CSCDESK_REQUIRE_POSTGRES is set")
        pytest.skip(message)


def reopen(store: Store) -> Store:
    """A second, independent store on the same database or file (another desk, another host)."""
    if store.dialect == "postgresql":
        from cscdesk.store.postgres import open_postgres

        url = store.url  # type: ignore[attr-defined]
        return open_postgres(url, pool_size=2, audit_head_file=store.audit.head_file)
    return open_store(store.path)


def new_database(prefix: str = "cscdesk_test", *, ctype: str | None = None) -> str:
    """A new empty database; dropped when this process ends. Returns its URL."""
    server_or_skip()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    locale = f" TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE '{ctype}'" if ctype else ""
    with _admin() as conn:
        conn.execute(f"CREATE DATABASE {name}{locale}")
    atexit.register(drop_database, name)
    return f"{SERVER}/{name}"


def drop_database(name: str) -> None:
    try:
        with _admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except Exception:  # the server may be gone at exit: nothing to clean then
        pass


def worker_database() -> str:
    """This process's migrated store database (made once), emptied by ``empty``."""
    if "worker" not in _databases:
        from cscdesk.store.postgres import open_postgres

        url = new_database("cscdesk_store")
        open_postgres(url, audit_head_file=Path(tempfile.gettempdir()) / "none").close()
        _databases["worker"] = url
    return _databases["worker"]


def empty(url: str) -> None:
    """Every row deleted (guard triggers off for this one transaction: the test server's user
    is a superuser) and every identity restarted, the schema kept. Far quicker than TRUNCATE,
    which rewrites every table's files."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename != 'cscdesk_schema'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f"DELETE FROM {table}")
        conn.execute(
            "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"
            " AND c.relnamespace = current_schema()::regnamespace"
        )
