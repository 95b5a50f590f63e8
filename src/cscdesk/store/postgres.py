"""The store on PostgreSQL: the same repositories and migrations, through ``store.dialect``.

A center that outgrows one host points ``[store] url`` at PostgreSQL. ``PgStore`` is a ``Store``
whose connections come from a psycopg pool (a thread borrows one for a read or a transaction and
gives it back), and whose ``db`` objects translate each SQLite statement (``store.dialect``).

What SQLite guarantees is kept: ``transaction()`` takes a transaction-level advisory lock, so
writers queue exactly as ``BEGIN IMMEDIATE`` makes them queue on SQLite (the outbox sequence
and lease takeovers rely on one writer at a time, across every host); readers are never
blocked. Audit appends queue on the chain's own lock instead (``AUDIT_LOCK``), and commit
without holding it through the disk flush (``PgStore._end``), so fifty desks' screen pops do
not take turns at the disk. SQLite's ``sqlite_sequence`` (the audit chain's high-water mark: a record
removed at the tail is told from one never written) is a real table kept by a trigger, and
``sqlite_master``, ``instr`` and ``group_concat`` exist under their SQLite names. The schema
version lives in ``cscdesk_schema``; the compatibility objects are made once, under a session
advisory lock, so two hosts opening a new database do not both make them.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cscdesk.store import pg_bulk_load
from cscdesk.store.audit import AUDIT_LOCK
from cscdesk.store.copy_binary import large_pieces
from cscdesk.store.copy_text import copy_chunks
from cscdesk.store.db import STORE_LOCK, Store
from cscdesk.store.dialect import SCHEMA_TABLE, Translated, pragma, translate
from cscdesk.store.errors import StoreError
from cscdesk.store.pg_probe import probe, refusal
from cscdesk.store.pg_times import adapt as adapt_times

WRITE_LOCK = 0x63736364  # "cscd": the advisory lock every writing transaction takes
CHAIN_LOCK = 0x63736361  # "csca": the audit chain's appenders (Store.transaction's AUDIT_LOCK)
_LOCK_KEYS = {STORE_LOCK: WRITE_LOCK, AUDIT_LOCK: CHAIN_LOCK}
# committed synchronously, a WAL record flushes the log up to it (and every commit before it)
DURABLE = "SELECT pg_logical_emit_message(true, 'cscdesk', 'flush')"
SETUP_LOCK = 0x63736D67  # "csmg": making the compatibility objects, once per database
DEFAULT_POOL_SIZE = 10
IDLE_CHECK_SECONDS = 2.0  # a pooled connection idle longer is tested before it is lent
_TUPLES_OK = 2  # psycopg.pq.ExecStatus.TUPLES_OK: a result with rows, possibly none
_STREAMS = itertools.count(1)  # names of server-side cursors (PgDatabase.stream)
_DROP_TRIGGER = re.compile(r"^\s*DROP\s+TRIGGER\s+(IF\s+EXISTS\s+)?(\w+)\s*;?\s*$", re.I)

_COMPATIBILITY = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL);
INSERT INTO {SCHEMA_TABLE} SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM {SCHEMA_TABLE});
CREATE TABLE IF NOT EXISTS sqlite_sequence (name TEXT PRIMARY KEY, seq BIGINT NOT NULL);
CREATE OR REPLACE FUNCTION cscdesk_bump_sequence() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE value BIGINT;
BEGIN
    EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING NEW INTO value;
    INSERT INTO sqlite_sequence (name, seq) VALUES (TG_TABLE_NAME, value)
    ON CONFLICT (name) DO UPDATE SET seq = greatest(sqlite_sequence.seq, excluded.seq);
    RETURN NULL;
END $fn$;
CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE
    PARALLEL SAFE AS 'SELECT strpos($1, $2)';
CREATE OR REPLACE FUNCTION cscdesk_concat_step(text, text, text) RETURNS text LANGUAGE sql
    IMMUTABLE PARALLEL SAFE AS
    'SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || $3 || $2 END';
CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = cscdesk_concat_step, STYPE = text);
CREATE OR REPLACE FUNCTION cscdesk_count_true(bigint, boolean) RETURNS bigint LANGUAGE sql
    IMMUTABLE PARALLEL SAFE AS 'SELECT coalesce($1, 0) + CASE WHEN $2 THEN 1 ELSE 0 END';
CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = cscdesk_count_true, STYPE = bigint);
CREATE OR REPLACE VIEW sqlite_master AS
    SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'i' THEN 'index' ELSE 'view' END AS type,
           c.relname::text AS name, c.relname::text AS tbl_name,
           CASE WHEN obj_description(c.oid, 'pg_class') = 'search index'
                THEN 'CREATE VIRTUAL TABLE' ELSE '' END AS sql,
           c.oid::bigint AS rowid
    FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i', 'v')
      AND c.relname NOT IN ('{SCHEMA_TABLE}', 'sqlite_sequence', 'sqlite_master')
    UNION ALL
    SELECT 'trigger', t.tgname::text, c.relname::text, '', t.oid::bigint
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
"""


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + host))


def default_head_file(url: str) -> Path:
    """Where this host keeps the signed audit heads of the database at ``url`` (a file beside
    the store, as on SQLite, cannot be: the store is on another machine)."""
    import platformdirs

    parts = urlsplit(url)
    name = f"{parts.hostname or 'local'}_{parts.port or 5432}_{parts.path.strip('/') or 'db'}"
    return platformdirs.user_data_path("cscdesk") / "audit-heads" / f"{name}.audit-head"


def is_postgres_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


class PgCursor:
    """What repositories use of a sqlite3 cursor: rows, ``rowcount``, ``lastrowid``."""

    def __init__(
        self, rows: list[tuple[Any, ...]], rowcount: int, lastrowid: int | None = None
    ) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self.names: list[bytes] | None = None  # the result's column names, for description

    @property
    def description(self) -> list[tuple[Any, ...]] | None:
        """sqlite3's shape, made only when asked for (psycopg's makes an object per column
        on every call: a third of a screen pop's time in the client)."""
        if self.names is None:
            return None
        return [(n.decode(), None, None, None, None, None, None) for n in self.names]

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (row := self.fetchone()) is not None:
            yield row


class Catalog:
    """Primary keys and rowid columns of tables, read once per store (DDL clears it)."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, ...]] = {}
        self._has_rowid: dict[str, bool] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()
            self._has_rowid.clear()

    def primary_key(self, conn: Any, table: str) -> tuple[str, ...]:
        with self._lock:
            if table not in self._keys:
                rows = conn.execute(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                    " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                    " WHERE i.indrelid = %s::regclass AND i.indisprimary",
                    [table],
                ).fetchall()
                self._keys[table] = tuple(str(r[0]) for r in rows)
            return self._keys[table]

    def has_rowid(self, conn: Any, table: str) -> bool:
        with self._lock:
            if table not in self._has_rowid:
                row = conn.execute(
                    "SELECT 1 FROM information_schema.columns WHERE table_schema ="
                    " current_schema() AND table_name = %s AND column_name = 'rowid'",
                    [table],
                ).fetchone()
                self._has_rowid[table] = row is not None
            return self._has_rowid[table]


def _arguments(order: tuple[int, ...] | None, parameters: Any) -> Sequence[Any] | None:
    if order is None:
        return None
    values = list(parameters or ())
    return [values[i] for i in order]


def _sqlite_error(exc: Exception) -> sqlite3.Error:
    """The sqlite3 error a repository would have seen (callers catch those)."""
    import psycopg

    diag = getattr(exc, "diag", None)
    message = (diag.message_primary if diag is not None else None) or str(exc)
    if isinstance(exc, psycopg.errors.IntegrityError):
        return sqlite3.IntegrityError(_sqlite_wording(exc, diag, message))
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return sqlite3.OperationalError(f"attempt to write a readonly database ({message})")
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(message)
    return sqlite3.DatabaseError(message)


def _sqlite_wording(exc: Exception, diag: Any, message: str) -> str:
    """A constraint failure worded as SQLite words it (callers and people match on it), the
    server's own words after it."""
    import psycopg

    table = getattr(diag, "table_name", None) or "?"
    column = getattr(diag, "column_name", None)
    if column is None:
        key = re.search(r"Key \(([^)]*)\)", getattr(diag, "message_detail", None) or "")
        column = key.group(1).replace(", ", f", {table}.") if key else "?"
    kinds = (
        (psycopg.errors.UniqueViolation, "UNIQUE"),
        (psycopg.errors.NotNullViolation, "NOT NULL"),
        (psycopg.errors.ForeignKeyViolation, "FOREIGN KEY"),
        (psycopg.errors.CheckViolation, "CHECK"),
    )
    for kind, word in kinds:
        if isinstance(exc, kind):
            where = "" if word == "FOREIGN KEY" else f": {table}.{column}"
            return f"{word} constraint failed{where} ({message})"
    return message


class PgDatabase:
    """One borrowed connection that runs SQLite-flavoured statements (``store.dialect``)."""

    dialect = "postgresql"

    def __init__(
        self, conn: Any, catalog: Catalog, lost: Callable[[Exception], Exception] | None = None
    ) -> None:
        self.conn = conn
        self._catalog = catalog
        self._lost = lost  # the store's answer to a cut connection (a StoreError)
        self.opening: list[str] = []  # BEGIN and its lock, held back (PgStore._begin)
        self.closing: list[tuple[str, Sequence[Any] | None]] = []  # see execute_last
        self.ahead: dict[tuple[str, tuple[Any, ...]], PgCursor] = {}  # see fetch_ahead

    def fetch_ahead(self, reads: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run ``reads`` in one pipelined round trip and keep each one's rows for the
        ``execute`` of the same statement and parameters that follows (once)."""
        import psycopg

        if not reads:
            return
        try:
            self._open()
            cursors = []
            with self.conn.pipeline():
                for sql, parameters in reads:
                    translated = translate(sql)
                    (statement,) = self._complete(translated)
                    cursor = self.conn.cursor()
                    cursor.execute(statement, _arguments(translated.order, parameters))
                    cursors.append(cursor)
            for (sql, parameters), cursor in zip(reads, cursors, strict=True):
                found = PgCursor(cursor.fetchall(), cursor.rowcount)
                result = cursor.pgresult
                if result is not None:
                    found.names = [result.fname(i) or b"" for i in range(result.nfields)]
                self.ahead[(sql, tuple(parameters))] = found
                cursor.close()
        except psycopg.Error as exc:
            self.ahead.clear()
            raise self._fault(exc) from exc

    def _open(self) -> None:
        """Send what was held back (the transaction's opening, statements given to
        ``execute_last``) before any other statement, in order."""
        if self.opening:
            steps, self.opening = self.opening, []
            self.conn.execute("; ".join(steps))
        while self.closing:
            sql, arguments = self.closing.pop(0)
            self.conn.execute(sql, arguments)

    def forget_held(self) -> bool:
        """Drop what was held back (a block rolled back); True when the transaction's opening
        was among it, so the server never began it."""
        unopened = bool(self.opening)
        self.opening, self.closing = [], []
        return unopened

    def execute_last(self, sql: str, parameters: Any = (), /) -> None:
        """A write whose result is not needed, the last of its transaction block: sent with the
        commit in one round trip (the audit append's insert: the chain's lock is then held
        across one client round trip, not two). Any other statement sends it first."""
        translated = translate(sql)
        (statement,) = self._complete(translated)
        self.closing.append((statement, _arguments(translated.order, parameters)))

    def commit_held(self, final: str, then: str | None = None) -> None:
        """``final`` (COMMIT or RELEASE) with everything held back, and ``then`` after it (a
        statement of its own, run by the server once ``final`` is done), in one round trip."""
        steps: list[tuple[str, Sequence[Any] | None]] = [(s, None) for s in self.opening]
        steps += [*self.closing, (final, None)]
        if then is not None:
            steps.append((then, None))
        self.opening, self.closing = [], []
        with self.conn.pipeline():
            for sql, arguments in steps:
                self.conn.execute(sql, arguments)

    def _fault(self, exc: Exception) -> Exception:
        if self._lost is not None and getattr(self.conn, "broken", False):
            return self._lost(exc)
        return _sqlite_error(exc)

    def _complete(self, translated: Translated) -> tuple[str, ...]:
        if translated.replace_into is None:
            return translated.statements
        table = translated.replace_into
        key = self._catalog.primary_key(self.conn, table)
        sql = translated.statements[0]
        columns = re.match(r"^\s*INSERT\s+INTO\s+\w+\s*\(([^)]*)\)", sql, re.I)
        if not key or columns is None:
            raise sqlite3.OperationalError(f"INSERT OR REPLACE INTO {table}: no key to replace on")
        names = [c.strip() for c in columns.group(1).split(",")]
        sets = ", ".join(f"{c} = excluded.{c}" for c in names if c not in key)
        action = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
        return (f"{sql} ON CONFLICT ({', '.join(key)}) {action}",)

    def execute(self, sql: str, parameters: Any = (), /) -> PgCursor:
        import psycopg

        if self.ahead:
            fetched = self.ahead.pop((sql, tuple(parameters or ())), None)
            if fetched is not None:
                return fetched
        try:
            return self._execute(sql, parameters)
        except psycopg.Error as exc:
            raise self._fault(exc) from exc

    def _execute(self, sql: str, parameters: Any) -> PgCursor:
        special = pragma(sql)
        if special is None and (drop := _DROP_TRIGGER.match(sql)):
            special = self._drop_trigger(drop.group(2), bool(drop.group(1)))
        if special is not None:
            cursor = PgCursor([], 0)
            for statement in special:
                cursor = self._run(statement, None)
            return cursor
        translated = translate(sql)
        statements = self._complete(translated)
        arguments = _arguments(translated.order, parameters)
        if translated.order is None and statements[0].lstrip()[:6].upper() in ("CREATE", "ALTER "):
            self._catalog.clear()
        if translated.returns_rowid:
            table = sql.split("INTO", 1)[1].split("(", 1)[0].split()[0]
            if self._catalog.has_rowid(self.conn, table):
                cursor = self._run(statements[0] + " RETURNING rowid", arguments)
                row = cursor.fetchone()
                cursor.lastrowid = None if row is None else int(row[0])
                return cursor
        cursor = PgCursor([], 0)
        for statement in statements:
            cursor = self._run(statement, arguments)
        return cursor

    def _drop_trigger(self, name: str, if_exists: bool) -> tuple[str, ...]:
        self._open()
        row = self.conn.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = %s AND c.relnamespace = current_schema()::regnamespace",
            [name],
        ).fetchone()
        if row is None:
            if if_exists:
                return ()
            raise sqlite3.OperationalError(f"no such trigger: {name}")
        return (f"DROP TRIGGER {name} ON {row[0]}",)

    def _run(self, sql: str, arguments: Sequence[Any] | None) -> PgCursor:
        if self.closing:
            self._open()
        if self.opening:  # BEGIN, its lock and this statement in one round trip
            steps, self.opening = self.opening, []
            with self.conn.pipeline():
                for step in steps:
                    self.conn.execute(step)
                cursor = self.conn.execute(sql, arguments)
        else:
            cursor = self.conn.execute(sql, arguments)
        result = cursor.pgresult
        if result is None or not (result.nfields or result.status == _TUPLES_OK):
            return PgCursor([], cursor.rowcount)
        found = PgCursor(cursor.fetchall(), cursor.rowcount)
        found.names = [result.fname(i) or b"" for i in range(result.nfields)]
        return found

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> PgCursor:
        import psycopg

        translated = translate(sql)
        (statement,) = self._complete(translated)
        batch = [_arguments(translated.order, row) or () for row in rows]
        if not batch:
            return PgCursor([], 0)
        try:
            self._open()
            with self.conn.cursor() as cursor:
                cursor.executemany(statement, batch)
                return PgCursor([], cursor.rowcount)
        except psycopg.Error as exc:
            raise self._fault(exc) from exc

    def stream(
        self, sql: str, parameters: Sequence[Any] = (), size: int = 5_000
    ) -> Generator[list[tuple[Any, ...]], None, None]:
        """The rows of a large read, ``size`` at a time: a server-side cursor in a transaction
        of its own (a savepoint of the one open), where ``execute`` would hold every row of a
        table of millions in memory at once."""
        import psycopg

        translated = translate(sql)
        (statement,) = self._complete(translated)
        name = f"cscdesk_stream_{next(_STREAMS)}"
        try:
            self._open()
            with self.conn.transaction():
                self.conn.execute(
                    f"DECLARE {name} NO SCROLL CURSOR FOR {statement}",
                    _arguments(translated.order, parameters),
                )
                fetch = f"FETCH FORWARD {int(size)} FROM {name}"
                while rows := self.conn.execute(fetch).fetchall():
                    yield rows
        except psycopg.Error as exc:
            raise self._fault(exc) from exc

    def execute_native(self, sql: str) -> int:
        """A PostgreSQL statement as written, not translated (no SQLite text to rewrite, and no
        ``RETURNING rowid`` added to an INSERT); returns the rows it touched."""
        import psycopg

        try:
            self._open()
            return int(self.conn.execute(sql).rowcount)
        except psycopg.Error as exc:
            raise self._fault(exc) from exc

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Bulk load through COPY (PostgreSQL's fast path), the rows sent as text in chunks
        (``store.copy_text``) so the server loads one while the next is formatted. For rows of
        a few plain columns text is as fast as binary COPY (measured: the same server CPU,
        and the text is sent in fewer, larger pieces); ``copy_typed`` is for wide rows."""
        batch = rows if isinstance(rows, Sequence) else list(rows)
        import psycopg

        try:
            self._open()
            with (
                self.conn.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for piece in copy_chunks(batch):
                    copy.write(piece)
        except psycopg.Error as exc:
            raise self._fault(exc) from exc
        return len(batch)

    def copy_typed(
        self,
        table: str,
        columns: Sequence[str],
        types: Sequence[int],
        rows: Iterable[Sequence[Any]],
    ) -> None:
        """Binary COPY of rows whose values have their columns' ``types`` already (times aware
        datetimes, ``store.copy_binary``); the server stores each piece sent while the next
        rows are packed."""
        import psycopg

        try:
            self._open()
            with (
                self.conn.cursor() as cursor,
                cursor.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)",
                    writer=large_pieces(cursor),
                ) as copy,
            ):
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            raise self._fault(exc) from exc


def _sqlite_like_dumpers(conn: Any) -> None:
    """Numbers and booleans go to the server untyped, as literals do, so that a comparison or
    an insert takes the column's type exactly as it does on SQLite (``text_column = 5``,
    ``CASE WHEN ?``, a bool into an INTEGER flag)."""
    from psycopg.adapt import Dumper

    class Untyped(Dumper):
        oid = 0

        def dump(self, obj: Any) -> bytes:
            if isinstance(obj, bool):
                return b"1" if obj else b"0"
            return repr(obj).encode() if isinstance(obj, float) else str(obj).encode()

    for kind in (int, float, bool):
        conn.adapters.register_dumper(kind, Untyped)


def check_ctype(conn: Any, where: str) -> None:
    """Refuse a database whose encoding or LC_CTYPE breaks search: with ``LC_CTYPE=C`` Han
    characters are no letters (names lose every character from the index) and ``lower()``
    folds only ASCII, so PostgreSQL would find other people than SQLite does."""
    encoding, ctype = conn.execute(
        "SELECT pg_encoding_to_char(encoding), datctype FROM pg_database"
        " WHERE datname = current_database()"
    ).fetchone()
    letters, folds = conn.execute("SELECT '丽' ~ '[[:alnum:]]', lower('ÄΩ') = 'äω'").fetchone()
    if encoding != "UTF8" or not letters or not folds:
        raise StoreError(
            Path(where),
            f"the database has encoding {encoding} and LC_CTYPE {ctype!r}, under which Chinese"
            " names cannot be searched (Han characters are not letters there)",
            "Create the database with ENCODING 'UTF8' and a UTF-8 LC_CTYPE such as 'C.UTF-8'"
            " or 'zh_CN.UTF-8' (CREATE DATABASE ... TEMPLATE template0), then move the store"
            " into it with cscdesk store copy.",
        )


class _PgHandle:
    def __init__(self, conn: Any, db: PgDatabase) -> None:
        self.conn = conn
        self.db = db
        self.depth = 0
        self.lock_name = STORE_LOCK
        self.pending: list[tuple[int, Callable[[], None]]] = []  # (depth, after-commit action)


class PgStore(Store):
    """A ``Store`` on PostgreSQL (see the module docstring)."""

    dialect = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        password: str | None = None,
        read_only: bool = False,
        pool_size: int = DEFAULT_POOL_SIZE,
        audit_head_file: Path | None = None,
    ) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        super().__init__(Path(redacted(url)), read_only=read_only)
        self.audit.head_file = audit_head_file or default_head_file(url)
        self._catalog = Catalog()
        self._pg = threading.local()
        self._own: list[Any] = []
        self._last_used: dict[int, float] = {}
        self._password: dict[str, Any] = {} if password is None else {"password": password}
        probe(url, self.location, self._password)  # a fault waiting will not mend: said now
        extra: dict[str, Any] = {"autocommit": True, **self._password}
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs=extra,
            configure=self._configure,
            check=self._check_if_idle,
            open=False,
            name="cscdesk-store",
        )
        try:
            self._pool.open(wait=True, timeout=10)
        except Exception as exc:
            self._pool.close()
            raise refusal(url, self.location, str(exc)) from None

    @property
    def location(self) -> str:
        """The URL without its password: what messages name (a ``Path`` would fold ``//``)."""
        return redacted(self.url)

    def _connect(self) -> sqlite3.Connection:
        """No SQLite file behind a database on a server: the URL must never be opened as a path."""
        raise StoreError(self.location, "a PostgreSQL store has no SQLite connection",
                         "This is a fault in cscdesk: report it with the command you ran.")  # fmt: skip

    def _note_use(self, conn: Any) -> None:
        self._last_used[id(conn)] = time.monotonic()

    @staticmethod
    def _check(conn: Any) -> None:
        from psycopg_pool import ConnectionPool

        ConnectionPool.check_connection(conn)

    def _check_if_idle(self, conn: Any) -> None:
        """A round trip to test a connection before lending it, only when it sat idle for a
        while: a desk's lookups come in bursts, and a check on every one costs a quarter of a
        screen pop. A connection cut since its last use fails once (``_connection_lost``)."""
        if time.monotonic() - self._last_used.get(id(conn), 0.0) > IDLE_CHECK_SECONDS:
            self._check(conn)

    def _connection_lost(self, exc: Exception) -> Exception:
        """The server went away (a restart, a failover): every idle connection is tested and
        replaced in the background, and the caller gets one ``StoreError`` to retry on."""
        threading.Thread(target=self._pool.check, name="cscdesk-pool-check", daemon=True).start()
        return self._unreachable(exc)

    def _configure(self, conn: Any) -> None:
        _sqlite_like_dumpers(conn)
        adapt_times(conn)
        if self.read_only:
            conn.execute("SET default_transaction_read_only = on")

    # ------------------------------------------------------------------ connections
    @contextlib.contextmanager
    def _borrow(self) -> Iterator[_PgHandle]:
        current: _PgHandle | None = getattr(self._pg, "handle", None)
        if current is not None:
            yield current
            return
        try:
            lease = self._pool.connection(timeout=30)
            conn = lease.__enter__()
        except Exception as exc:
            raise self._unreachable(exc) from None
        handle = _PgHandle(conn, PgDatabase(conn, self._catalog, self._connection_lost))
        self._pg.handle = handle
        try:
            yield handle
        except BaseException as exc:
            self._pg.handle = None
            lease.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._pg.handle = None
        self._note_use(conn)
        lease.__exit__(None, None, None)

    def _unreachable(self, exc: BaseException) -> StoreError:
        return StoreError(
            self.location,
            f"the database server cannot be reached ({exc})",
            "The work is kept and resumes when the server answers again; check the server.",
        )

    @property
    def db(self) -> Any:
        """This thread's own autocommit connection, outside the pool (reads, tools, tests)."""
        own: PgDatabase | None = getattr(self._pg, "own", None)
        if own is None or own.conn.closed:
            import psycopg

            conn = psycopg.connect(self.url, autocommit=True, **self._password)
            self._configure(conn)
            own = PgDatabase(conn, self._catalog)
            self._pg.own = own
            with self._handles_lock:
                self._own.append(conn)
        return own

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        with self._borrow() as handle:
            yield handle.db

    @contextlib.contextmanager
    def _writer(self) -> Iterator[_PgHandle]:
        with self._borrow() as handle:
            yield handle

    def _begin(self, handle: Any, depth: int, savepoint: str, lock: str) -> None:
        """``BEGIN`` and the lock in one round trip: ``WRITE_LOCK``, one writer at a time
        across every host as ``BEGIN IMMEDIATE``; or ``AUDIT_LOCK`` alone (see ``_end``).

        An audit append's are held back and sent with its first statement (the read of the
        chain's end, ``PgDatabase._run``): every desk process appends on the one chain, and
        the lock is then held across one client round trip fewer."""
        import psycopg

        if depth == 0:
            steps = ["BEGIN"]
            if lock == AUDIT_LOCK:
                steps.append("SET LOCAL synchronous_commit = off")
        else:
            steps = [f"SAVEPOINT {savepoint}"]
        if not self.read_only and (depth == 0 or lock != STORE_LOCK):
            steps.append(f"SELECT pg_advisory_xact_lock({_LOCK_KEYS[lock]})")
        if depth == 0 and lock == AUDIT_LOCK:
            handle.db.opening = steps
            return
        try:
            handle.db._open()
            handle.conn.execute("; ".join(steps))
        except psycopg.OperationalError as exc:
            raise self._connection_lost(exc) from None

    def _end(self, handle: Any, depth: int, savepoint: str, lock: str) -> None:
        """Commit, or release the savepoint. An audit append commits without waiting for the
        disk, so the next append (queued on its lock) need not wait for that flush: a chain
        can take only one record per disk flush otherwise. The flush comes after, outside
        the lock (sent with the COMMIT, it runs once the commit has released the lock: no
        round trip of its own), and before anything after the commit runs (the signed head
        names only a record on disk): a transactional message in the WAL, committed
        synchronously, makes the server flush the log up to it, grouped with other
        appenders' flushes."""
        import psycopg

        db = handle.db
        if depth == 0 and db.opening and not db.closing:  # nothing was sent: nothing to commit
            db.opening = []
            return
        try:
            if depth > 0:
                release = f"RELEASE SAVEPOINT {savepoint}"
                db.commit_held(release) if db.closing else handle.conn.execute(release)
                return
            durable = lock == AUDIT_LOCK and not self.read_only
            if db.opening or db.closing:  # the flush after the COMMIT, in the same round trip
                db.commit_held("COMMIT", DURABLE if durable else None)
            else:  # one round trip
                handle.conn.execute(f"COMMIT; {DURABLE}" if durable else "COMMIT")
        except psycopg.Error as exc:
            if isinstance(exc, psycopg.OperationalError):
                raise self._connection_lost(exc) from None
            raise _sqlite_error(exc) from exc

    def _fault_in_block(self, exc: BaseException) -> BaseException | None:
        return None

    def read_ahead(self, reads: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """One round trip for ``reads`` (``store.read_ahead``), inside a ``reading()`` block."""
        handle: _PgHandle | None = getattr(self._pg, "handle", None)
        if handle is None:
            raise RuntimeError("read_ahead answers the reads of a reading() block: open one")
        handle.db.fetch_ahead(reads)

    def shares_commits(self) -> bool:
        """Yes when this thread has no connection of its own borrowed (nothing open that the
        record must join, and no connection held idle while it waits for another thread)."""
        return not self.read_only and getattr(self._pg, "handle", None) is None

    def _open_transaction(self) -> Any:
        return getattr(self._pg, "handle", None)

    def _undo(self, conn: Any, depth: int, savepoint: str) -> None:
        import psycopg

        handle: _PgHandle | None = getattr(self._pg, "handle", None)
        if handle is not None and handle.db.forget_held() and depth == 0:
            return  # never begun on the server
        with contextlib.suppress(psycopg.Error):
            if depth == 0:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                conn.execute(f"RELEASE SAVEPOINT {savepoint}")

    def set_aside_for_load(self, db: Any, tables: Sequence[str]) -> dict[str, str]:
        """Secondary indexes, foreign keys and the ``sqlite_sequence`` triggers, set aside
        while rows go in by COPY (``store.pg_bulk_load``)."""
        return pg_bulk_load.set_aside(db, tables)

    def put_back_after_load(self, db: Any, key: str, definition: str) -> None:
        pg_bulk_load.put_back(db, key, definition)

    def after_bulk_load(self, db: Any) -> None:
        """Identity columns continue after the highest id copied in (rows that brought their
        own ids do not move a sequence, as SQLite's rowid would); the planner's statistics
        taken now, not whenever autovacuum comes to the new tables."""
        columns = db.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        for table, column in columns:
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" coalesce(max({column}), 0) + 1, false) FROM {table}"
            )
        db.execute_native("ANALYZE")

    def check_identity(self) -> None:
        """A server database cannot be swapped under us the way a file can."""

    def refuse_writes(self) -> None:
        self.read_only = True
        with self._borrow() as handle:
            handle.conn.execute("SET default_transaction_read_only = on")
        self._pool.drain()  # other pooled connections are configured anew, read-only

    def open_connections(self) -> int:
        return int(self._pool.get_stats().get("pool_size", 0))

    def close(self) -> None:
        with self._handles_lock:
            own, self._own = self._own, []
        for conn in own:
            conn.close()
        self._pool.close()

    def version(self) -> int:
        """The schema version; 0 for a database cscdesk never opened."""
        with self._borrow() as handle:
            row = (
                handle.conn.execute(
                    f"SELECT version FROM {SCHEMA_TABLE} WHERE to_regclass(%s) IS NOT NULL",
                    [SCHEMA_TABLE],
                ).fetchone()
                if self._has_schema(handle.conn)
                else None
            )
        return 0 if row is None else int(row[0])

    @staticmethod
    def _has_schema(conn: Any) -> bool:
        return bool(
            conn.execute("SELECT to_regclass(%s) IS NOT NULL", [SCHEMA_TABLE]).fetchone()[0]
        )

    def prepare(self) -> None:
        """Make the compatibility objects once per database and check its LC_CTYPE."""
        with self._borrow() as handle:
            conn = handle.conn
            check_ctype(conn, str(self.path))
            conn.execute("SELECT pg_advisory_lock(%s)", [SETUP_LOCK])
            try:
                stamp = hashlib.sha256(_COMPATIBILITY.encode()).hexdigest()[:16]
                current = None
                if self._has_schema(conn):
                    current = conn.execute(
                        "SELECT obj_description(%s::regclass, 'pg_class')", [SCHEMA_TABLE]
                    ).fetchone()[0]
                if current != f"compat {stamp}" and not self.read_only:
                    with conn.transaction():  # new, or made by an older cscdesk: (re)made
                        for statement in _split(_COMPATIBILITY):
                            conn.execute(statement)
                        conn.execute(f"COMMENT ON TABLE {SCHEMA_TABLE} IS 'compat {stamp}'")
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [SETUP_LOCK])


def _split(script: str) -> list[str]:
    """Statements of a script whose functions quote their bodies with ``$fn$``/``'...'``."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if line.rstrip().endswith(";") and buffer.count("$fn$") % 2 == 0:
            out.append(buffer.strip().rstrip(";"))
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


def open_postgres(
    url: str,
    *,
    password: str | None = None,
    migrate: Callable[[Store], object] | None = None,
    read_only: bool = False,
    pool_size: int = DEFAULT_POOL_SIZE,
    audit_head_file: Path | None = None,
) -> PgStore:
    """Open the store in the PostgreSQL database at ``url`` and bring its schema up to date
    (a read-only open of a database not yet at today's schema migrates it first)."""
    from cscdesk.store.migrations import MIGRATIONS, apply_migrations

    def make(read_only: bool) -> PgStore:
        return PgStore(
            url,
            password=password,
            read_only=read_only,
            pool_size=pool_size,
            audit_head_file=audit_head_file,
        )

    store = make(read_only)
    try:
        store.prepare()
        if not read_only:
            (migrate or apply_migrations)(store)
        elif store.version() < len(MIGRATIONS):
            store.close()
            open_postgres(
                url, password=password, migrate=migrate, audit_head_file=audit_head_file
            ).close()
            store = make(True)
    except BaseException:
        store.close()
        raise
    return store
