"""Opening the store file: owner-only permissions, WAL, one connection per thread, transactions.

Several desk processes on one host share the file, and Textual runs store work in worker threads.
SQLite connections must not be used by two threads at once, so ``Store`` hands every thread its
own connection (opened on first use; closed when the thread ends, or by ``Store.close``). Writes that span several
statements go through ``Store.transaction()`` (``BEGIN IMMEDIATE``: the write lock is taken at the
start, so two desks never deadlock upgrading a read lock); nested calls become savepoints.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from cscdesk.store.audit import AuditLog
from cscdesk.store.bundle_tables import BundleTables
from cscdesk.store.calls import Calls
from cscdesk.store.complaints import Complaints
from cscdesk.store.directory import Agents, Employers, Insurers, SkillGroups
from cscdesk.store.errors import StoreError, StoreReplaced, explain
from cscdesk.store.files import private_dir
from cscdesk.store.insurer_batches import InsurerBatches
from cscdesk.store.insurer_cache import InsurerCache
from cscdesk.store.leases import Leases
from cscdesk.store.login_ids import UnknownLoginIds
from cscdesk.store.members import Members
from cscdesk.store.outbox import Outbox
from cscdesk.store.policies import Policies
from cscdesk.store.read_ahead import Read
from cscdesk.store.recordings import Recordings
from cscdesk.store.sync_records import RecordingJobs, TicketConflicts, TicketSyncBases
from cscdesk.store.sync_state import SyncStateRepo
from cscdesk.store.tickets import Tickets

OWNER_ONLY = 0o600
DEFAULT_BUSY_TIMEOUT_MS = 5_000
STORE_LOCK = "store"  # a transaction's lock: every writer queues on it (the default)


class StoreDatabase(Database):
    """sqlite-utils' Database plus ``executemany`` (bulk writes inside a transaction)."""

    dialect = "sqlite"  # store.postgres.PgDatabase says "postgresql"

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def execute_last(self, sql: str, parameters: Any = (), /) -> None:
        """A transaction block's last write, its result not needed (PostgreSQL sends it with
        the commit, ``PgDatabase.execute_last``; here it simply runs)."""
        self.conn.execute(sql, parameters)

    def stream(
        self, sql: str, parameters: Sequence[Any] = (), size: int = 5_000
    ) -> Generator[list[Any], None, None]:
        """The rows of a large read, ``size`` at a time, none held longer than its chunk (on
        PostgreSQL a server-side cursor: ``PgDatabase.stream``)."""
        cursor = self.conn.execute(sql, parameters)
        while rows := cursor.fetchmany(size):
            yield rows


def settle_pending(handle: Any, depth: int, *, committed: bool) -> None:
    """After a transaction block at ``depth`` ends: run the queued actions once the outermost
    commit is done; forget those queued inside a block that rolled back."""
    if depth == 0:
        pending, handle.pending = handle.pending, []
        for _, action in pending if committed else ():
            action()
    elif not committed:
        handle.pending = [(d, action) for d, action in handle.pending if d <= depth]


class _Handle:
    """One thread's connection and its transaction depth."""

    def __init__(self, db: StoreDatabase, lock: threading.RLock) -> None:
        self.db = db
        self.lock = lock
        self.depth = 0
        self.lock_name = STORE_LOCK  # the outermost transaction's lock (Store.transaction)
        self.pending: list[tuple[int, Callable[[], None]]] = []  # (depth, after-commit action)


def create_owner_only(path: Path) -> None:
    """Create the store file owner-only (0600) in a private folder (0700), if it is new.

    Done before SQLite opens the file, so personal data never sits in a file that others can
    read, not even for a moment. An existing file is never opened here: closing any descriptor
    of the database file drops every POSIX lock this process holds on it, so a side-open beside
    a live connection lets another process checkpoint and delete the WAL under it (writes lost,
    the file damaged). SQLite gives its -wal and -shm files the database file's mode.
    """
    private_dir(path.parent)
    if path.exists():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY)
    except FileExistsError:
        return  # another process created it meanwhile
    os.close(fd)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


class Store:
    """Per-thread connections plus the repositories (see the ``cscdesk.store`` docstring)."""

    dialect = "sqlite"  # store.postgres.PgStore: "postgresql"

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        connection: sqlite3.Connection | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.read_only = read_only
        self._opened: tuple[int, int] | None = None  # (device, inode) of the file we opened
        self._local = threading.local()
        # weak: when a worker thread ends, its thread-local handle (and connection) goes too
        self._handles: weakref.WeakSet[_Handle] = weakref.WeakSet()
        self._handles_lock = threading.Lock()
        self._shared: _Handle | None = None
        if connection is not None:  # e.g. SQLCipher: one connection, serialised by a lock
            self._opened = _identity(self.path)
            self._shared = self._wrap(connection)
        self.members = Members(self)
        self.employers = Employers(self)
        self.insurers = Insurers(self)
        self.skill_groups = SkillGroups(self)
        self.agents = Agents(self)
        self.policies = Policies(self)
        self.calls = Calls(self)
        self.recordings = Recordings(self)
        self.tickets = Tickets(self)
        self.complaints = Complaints(self)
        self.outbox = Outbox(self)
        self.sync_state = SyncStateRepo(self)
        self.recording_jobs = RecordingJobs(self)
        self.ticket_sync_bases = TicketSyncBases(self)
        self.ticket_conflicts = TicketConflicts(self)
        self.leases = Leases(self)
        self.login_ids = UnknownLoginIds(self)
        self.audit = AuditLog(self)
        self.bundle_tables = BundleTables(self)
        self.insurer_cache = InsurerCache(self)
        self.insurer_batches = InsurerBatches(self)

    # ------------------------------------------------------------------ connections
    def _connect(self) -> sqlite3.Connection:
        timeout = self.busy_timeout_ms / 1000
        try:
            if self.read_only:
                if not self.path.exists():
                    raise StoreError(self.path, "there is no store file", "Check [store] path.")
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)
            else:
                create_owner_only(self.path)
                conn = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            raise explain(self.path, exc) or exc from None
        self._remember_identity()
        return conn

    def _remember_identity(self) -> None:
        if self._opened is None:
            self._opened = _identity(self.path)
        else:
            self.check_identity()

    def check_identity(self) -> None:
        """Stop with ``StoreReplaced`` when the file at our path is not the one we opened.

        A store deleted or swapped while a daemon runs would otherwise take its writes into an
        unlinked inode and report success.
        """
        if self._opened is None:
            return
        now = _identity(self.path)
        if now != self._opened:
            problem = "the file was deleted" if now is None else "the file was replaced"
            raise StoreReplaced(
                self.path,
                f"{problem} while this process had it open",
                "Nothing more is written; stop this process, find out who removed it, and"
                " restore the store before starting again.",
            )

    def _wrap(self, conn: sqlite3.Connection) -> _Handle:
        conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            if not self.read_only:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            conn.close()
            raise explain(self.path, exc) or exc from None
        handle = _Handle(StoreDatabase(conn), threading.RLock())
        with self._handles_lock:
            self._handles.add(handle)
        return handle

    def _handle(self) -> _Handle:
        if self._shared is not None:
            return self._shared
        handle: _Handle | None = getattr(self._local, "handle", None)
        if handle is None:
            handle = self._wrap(self._connect())
            self._local.handle = handle
        return handle

    @property
    def location(self) -> str:
        """What ``open_location`` opens this store again from (another process, another host)."""
        return str(self.path)

    @property
    def db(self) -> StoreDatabase:
        """This thread's sqlite-utils Database (for reads outside a transaction)."""
        return self._handle().db

    @property
    def conn(self) -> sqlite3.Connection:
        return self._handle().db.conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[StoreDatabase]:
        """This thread's database for a read; serialised only when one connection is shared."""
        handle = self._handle()
        self.check_identity()
        with handle.lock:
            yield handle.db

    @contextlib.contextmanager
    def transaction(self, *, lock: str = STORE_LOCK) -> Iterator[StoreDatabase]:
        """All statements inside commit together or not at all.

        The outermost call begins the transaction with the write lock taken at the start (on
        SQLite ``BEGIN IMMEDIATE``: every writer queues on the file); a nested call is a
        savepoint, so a repository write inside a caller's transaction joins it. ``lock``
        matters on PostgreSQL only (``store.postgres``): ``AUDIT_LOCK`` (``store.audit``) queues behind other
        audit appends but not behind other writers, so such a transaction writes the audit
        tables and nothing else (a whole-store transaction cannot be nested in it).
        """
        with self._writer() as handle:
            depth = handle.depth
            if depth == 0:
                handle.lock_name = lock
            elif handle.lock_name != STORE_LOCK and lock == STORE_LOCK:
                raise RuntimeError(
                    "a whole-store transaction cannot open inside one that holds only the"
                    f" {handle.lock_name} lock: open the whole-store transaction first"
                )
            savepoint = f"sp_{depth}"
            self._begin(handle, depth, savepoint, lock)
            handle.depth += 1
            try:
                yield handle.db
            except BaseException as exc:
                handle.depth -= 1
                self._undo(handle.db.conn, depth, savepoint)
                settle_pending(handle, depth, committed=False)
                fault = self._fault_in_block(exc)
                if fault is not None and fault is not exc:
                    raise fault from exc
                raise
            handle.depth -= 1
            try:
                self._end(handle, depth, savepoint, lock)
            except BaseException:
                self._undo(handle.db.conn, depth, savepoint)
                settle_pending(handle, depth, committed=False)
                raise
            settle_pending(handle, depth, committed=True)

    @contextlib.contextmanager
    def _writer(self) -> Iterator[Any]:
        """This thread's handle for a transaction: held under its lock, the file checked first."""
        handle = self._handle()
        with handle.lock:
            if handle.depth == 0:
                self.check_identity()
            yield handle

    def _begin(self, handle: Any, depth: int, savepoint: str, lock: str) -> None:
        """Open the transaction (``depth`` 0) or a savepoint; SQLite has one write lock."""
        self._run(handle.db.conn, "BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")

    def _end(self, handle: Any, depth: int, savepoint: str, lock: str) -> None:
        """Commit the transaction (``depth`` 0) or release the savepoint."""
        self._run(handle.db.conn, "COMMIT" if depth == 0 else f"RELEASE {savepoint}")

    def _fault_in_block(self, exc: BaseException) -> BaseException | None:
        """What a failure inside a transaction block is raised as (SQLite: explained)."""
        return explain(self.path, exc)

    def read_ahead(self, reads: Sequence[Read]) -> None:
        """Send ``reads`` together, to answer the repository calls that follow in this
        ``reading()`` block (``store.read_ahead``); on SQLite nothing to gain: reads run
        in-process, so nothing is done."""

    def shares_commits(self) -> bool:
        """Whether this thread's audit record may be committed by another thread, together
        with its own (``store.group_commit``). Never on SQLite: a write there is a few
        microseconds under the file's lock, with no server to wait for in between."""
        return False

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once this thread's outermost transaction commits (now, if none is
        open); dropped if the transaction, or the savepoint it was queued in, rolls back."""
        handle = self._open_transaction()
        if handle is None or handle.depth == 0:
            action()
        else:
            handle.pending.append((handle.depth, action))

    def _open_transaction(self) -> _Handle | None:
        return self._shared or getattr(self._local, "handle", None)

    def _run(self, conn: sqlite3.Connection, sql: str) -> None:
        try:
            conn.execute(sql)
        except sqlite3.Error as exc:
            raise explain(self.path, exc) or exc from None

    def _undo(self, conn: sqlite3.Connection, depth: int, savepoint: str) -> None:
        """Roll back what the failed block did; SQLite may have rolled back already."""
        if not conn.in_transaction:
            return
        with contextlib.suppress(sqlite3.Error):
            if depth == 0:
                conn.execute("ROLLBACK")
            else:
                conn.execute(f"ROLLBACK TO {savepoint}")
                conn.execute(f"RELEASE {savepoint}")

    def set_aside_for_load(self, db: StoreDatabase, tables: Sequence[str]) -> dict[str, str]:
        """Before rows are written in bulk (store copy): what costs every row and is rebuilt
        faster from all of them, set aside (key → definition, for ``put_back_after_load``).
        SQLite's inserts are cheap enough: nothing."""
        return {}

    def put_back_after_load(self, db: StoreDatabase, key: str, definition: str) -> None:
        """Put back one item ``set_aside_for_load`` returned."""
        raise KeyError(key)

    def after_bulk_load(self, db: StoreDatabase) -> None:
        """After rows were written with their own ids (store copy): SQLite needs nothing."""

    def refuse_writes(self) -> None:
        """Make this store read-only for the rest of its life (``PRAGMA query_only``): for an
        encrypted store, whose one SQLCipher connection cannot be opened ``mode=ro``."""
        self.read_only = True
        self.conn.execute("PRAGMA query_only = ON")

    def open_connections(self) -> int:
        """Connections still open: one per live thread that used the store."""
        with self._handles_lock:
            return len(self._handles)

    def close(self) -> None:
        """Close every connection this store opened, in any thread."""
        with self._handles_lock:
            handles, self._handles = list(self._handles), weakref.WeakSet()
        for handle in handles:
            with contextlib.suppress(sqlite3.Error):
                handle.db.conn.close()
        self._local = threading.local()
        self._shared = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: Path,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    connection: sqlite3.Connection | None = None,
    migrate: Callable[[Store], object] | None = None,
    read_only: bool = False,
) -> Store:
    """Open (creating if needed) the store at ``path`` and bring its schema up to date.

    ``read_only`` is for commands that only read: the file is opened ``mode=ro``, so such a
    command can never change or create it (a store still on an older schema is upgraded first).
    """
    from cscdesk.store.migrations import MIGRATIONS, apply_migrations

    path = Path(path)
    if read_only and connection is None:
        store = Store(path, busy_timeout_ms=busy_timeout_ms, read_only=True)
        try:
            version = int(store.db.execute("PRAGMA user_version").fetchone()[0])
        except BaseException as exc:
            store.close()
            raise explain(path, exc) or exc from None
        if version >= len(MIGRATIONS):
            return store
        store.close()
        open_store(path, busy_timeout_ms=busy_timeout_ms, migrate=migrate).close()
        return Store(path, busy_timeout_ms=busy_timeout_ms, read_only=True)
    store = Store(path, busy_timeout_ms=busy_timeout_ms, connection=connection)
    try:
        (migrate or apply_migrations)(store)
    except BaseException as exc:
        store.close()
        raise explain(path, exc) or exc from None
    return store


def open_location(location: str, **options: Any) -> Store:
    """The store at ``location``: a PostgreSQL URL (``store.postgres``) or a SQLite file path."""
    from cscdesk.store.postgres import is_postgres_url, open_postgres

    if is_postgres_url(location):
        return open_postgres(location, **options)
    return open_store(Path(location), **options)
