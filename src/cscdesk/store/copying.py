"""Moving a center: every content table copied from one store to another (SQLite → PostgreSQL,
or back), resumable, and proved equal afterwards by counts and checksums.

The target must be empty (a store cscdesk just created, or an unfinished copy of the same
source). Each table is read in ``rowid`` order by one streaming cursor and written in batches;
a batch and the note of how far the copy got (``store_copy.*`` rows in the target's
``sync_state``) commit together, so a copy cut off by a crash, a network fault or a database
restart resumes where it stopped, and no row is written twice.

Into PostgreSQL the rows go by COPY, each keeping its source ``rowid``, while what costs every
row is set aside (``Store.set_aside_for_load``: secondary indexes, foreign keys, the
``sqlite_sequence`` triggers; primary keys and the append-only guards stay). What was set aside
is noted in the transaction that sets it aside and put back, an item a transaction, once every
row is in, so a copy cut off anywhere still ends with the target's schema whole; until then the
target is no store to work in. Row by row, with its indexes, the first version of this copy
moved about 1,050 members a second.

Afterwards every table's rows are counted and checksummed on both sides, side by side (the sum
of each row's digest, so that row order, which engines are free to choose, does not matter; a
time is summed as the UTC text of its instant, since PostgreSQL keeps the instant and not the
offset it was written with); the notes are removed only when everything matched. Search
indexes are not copied: the target's own are filled from what arrived (members by their index
definitions, tickets by ``ticket_search.index_all``). Desks and daemons must be stopped while a
center is moved.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import repeat
from operator import itemgetter, methodcaller
from typing import TYPE_CHECKING, Any

from cscdesk.store import ticket_search
from cscdesk.store._codec import moment, when
from cscdesk.store.pg_bulk_load import order, table_of
from cscdesk.store.pg_times import TIMESTAMPTZ

if TYPE_CHECKING:
    from cscdesk.store.db import Store

MARK = "store_copy."  # sync_state keys of an unfinished copy (never copied themselves)
ASIDE = "aside."  # notes of what the target set aside for the load (Store.set_aside_for_load)
DEFAULT_BATCH = 20_000
CHECK_CHUNK = 10_000  # rows summed at a time
_ROW_HASH = partial(hashlib.blake2b, digest_size=16)
_DIGEST = methodcaller("digest")
_UTC_TEXT = (  # a timestamptz as _codec.when spells it; infinity as the server spells it
    "CASE WHEN isfinite({0}) THEN to_char({0} AT TIME ZONE 'UTC',"
    ' \'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\') ELSE CAST({0} AS text) END'
)


class TargetNotEmpty(RuntimeError):
    """The target holds data that is not an unfinished copy of this source."""


@dataclass(slots=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


@dataclass(slots=True)
class CopyReport:
    resumed: bool = False
    copied: dict[str, int] = field(default_factory=dict)  # rows written by this run
    checks: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(store: Store, table: str) -> list[str]:
    return [name for name, _ in _declared(store, table)]


def _declared(store: Store, table: str) -> list[tuple[str, str]]:
    """(column, declared type) of a table's columns, its rowid left out."""
    with store.reading() as db:
        rows = db.execute(f"PRAGMA table_info({table})").fetchall()
    return [(str(r[1]), str(r[2]).lower()) for r in rows if str(r[1]) != "rowid"]


def _times(*stores: Store, table: str) -> set[str]:
    """The columns that hold instants on either side (timestamptz on PostgreSQL)."""
    kinds = (TIMESTAMPTZ, "timestamptz", "timestamptz_text")
    return {name for store in stores for name, kind in _declared(store, table) if kind in kinds}


def _where(table: str) -> str:
    """Rows that are content: an unfinished copy's own notes are not."""
    return f" WHERE key NOT LIKE '{MARK}%'" if table == "sync_state" else ""


def _notes(target: Store) -> dict[str, str]:
    with target.reading() as db:
        rows = db.execute(
            "SELECT key, value FROM sync_state WHERE key LIKE ?", [f"{MARK}%"]
        ).fetchall()
    return {str(k).removeprefix(MARK): str(v) for k, v in rows}


def _note(db: Any, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [MARK + key, value, when(datetime.now(UTC))],
    )


def _start(source: Store, target: Store, tables: Sequence[str]) -> bool:
    """True when resuming an unfinished copy of this source; refuse any other non-empty one."""
    notes = _notes(target)
    if notes.get("source") == source.location:
        return True
    for table in tables:
        with target.reading() as db:
            if db.execute(f"SELECT 1 FROM {_quoted(table)}{_where(table)} LIMIT 1").fetchone():
                raise TargetNotEmpty(
                    f"the target {target.location} already holds data (table {table}); a center"
                    " is copied into an empty store only"
                )
    with target.transaction() as db:
        _note(db, "source", source.location)
    return False


def _copy_table(
    source: Store, target: Store, table: str, batch: int, tick: Callable[[str, int], None]
) -> int:
    columns = _columns(source, table)
    names = ", ".join(_quoted(c) for c in columns)
    last = int(_notes(target).get(f"table.{table}", "0"))
    filters = _where(table)
    joiner = " AND " if filters else " WHERE "
    rows_after = (
        f"SELECT rowid, {names} FROM {_quoted(table)}{filters}{joiner}rowid > ? ORDER BY rowid"
    )
    write = _writer(target, table, columns)
    written = 0
    with source.reading() as reader, closing(reader.stream(rows_after, [last], batch)) as chunks:
        for rows in chunks:
            with target.transaction() as db:
                write(db, rows)
                _note(db, f"table.{table}", str(rows[-1][0]))
            written += len(rows)
            tick(table, written)
    return written


def _writer(target: Store, table: str, columns: Sequence[str]) -> Callable[[Any, list[Any]], None]:
    """How a chunk of source rows (``rowid`` first) goes into ``table`` of the target.

    PostgreSQL: COPY, the source's ``rowid`` kept as the row's (no sequence call per row, and
    the target's rows in the source's order). SQLite: inserts (its own rowids; where ``id`` is
    the rowid it is the source's id)."""
    if target.dialect == "postgresql":
        names = [_quoted(c) for c in ("rowid", *columns)]
        quoted = _quoted(table)

        def copy(db: Any, rows: list[Any]) -> None:
            db.copy_rows(quoted, names, rows)

        return copy
    marks = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO {_quoted(table)} ({', '.join(map(_quoted, columns))}) VALUES ({marks})"

    def insert_rows(db: Any, rows: list[Any]) -> None:
        db.execute("PRAGMA defer_foreign_keys = ON")
        db.executemany(insert, [tuple(r[1:]) for r in rows])

    return insert_rows


def _instant(value: Any) -> Any:
    """A time as the UTC text of its instant (what PostgreSQL gives back for it)."""
    if not isinstance(value, str):
        return value
    try:
        return when(moment(value))
    except ValueError:
        return value


def _spelled_by_when(values: list[Any]) -> bool:
    """Whether every value looks as ``when`` spells a time (``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``,
    32 characters), judged from slices of their concatenation: C-level, where a test per value
    cost more than hashing the row. A value that fails sends its column through ``_instant``;
    one that passed wrongly could only make the check report a difference, never hide one."""
    try:
        joined = "".join(values)
    except TypeError:  # not all text
        return False
    n = len(values)
    return (
        len(joined) == 32 * n
        and joined[10::32] == "T" * n
        and joined[19::32] == "." * n
        and joined[26::32] == "+" * n
    )


def _as_instants(rows: list[Any], times: Sequence[int]) -> list[Any]:
    """``rows`` with their time columns spelled as ``when`` spells them (the usual case, on
    either engine, is that they already are)."""
    odd = [i for i in times if not _spelled_by_when(list(filter(None, map(itemgetter(i), rows))))]
    if not odd:
        return rows
    columns = list(zip(*rows, strict=True))
    for i in odd:
        columns[i] = tuple(map(_instant, columns[i]))
    return list(zip(*columns, strict=True))


def _selected(store: Store, table: str, columns: Sequence[str]) -> list[str]:
    """The select list of a check: on PostgreSQL a time is spelled as ``when`` spells it by the
    server (``to_char``), not by the connection's loader, a Python call per value that was half
    of a check's client time there."""
    if store.dialect != "postgresql":
        return [_quoted(c) for c in columns]
    instants = {name for name, kind in _declared(store, table) if kind == TIMESTAMPTZ}
    return [_UTC_TEXT.format(_quoted(c)) if c in instants else _quoted(c) for c in columns]


def table_check(
    store: Store, table: str, columns: Sequence[str], times: Collection[str] = ()
) -> tuple[int, str]:
    """(rows, order-free checksum) of a table's content over ``columns``; those in ``times``
    summed as instants (see the module docstring).

    A row's digest is a 128-bit BLAKE2b of its values marshalled (format 0: no references or
    interning, a float as its ``repr``; both engines hand back the same Python types for the
    same values: text, int, float, bytes, None), by a chain of C-level ``map`` calls: Python
    code runs per value only for a time not yet spelled in UTC."""
    names = ", ".join(_selected(store, table, columns))
    instants = [i for i, c in enumerate(columns) if c in times]
    total, count = 0, 0
    query = f"SELECT {names} FROM {_quoted(table)}{_where(table)}"
    with store.reading() as db, closing(db.stream(query, (), CHECK_CHUNK)) as chunks:
        for rows in chunks:
            spelled = _as_instants(rows, instants) if instants else rows
            digests = map(_DIGEST, map(_ROW_HASH, map(marshal.dumps, spelled, repeat(0))))
            total += sum(map(int.from_bytes, digests))
            count += len(rows)
    return count, f"{total % (1 << 128):032x}"


def _set_aside(target: Store, tables: Sequence[str]) -> None:
    """What costs the target every row (PostgreSQL: secondary indexes, foreign keys, the
    sequence triggers), set aside once, in the transaction that notes each item."""
    if "aside" in _notes(target):
        return
    with target.transaction() as db:
        for key, definition in target.set_aside_for_load(db, tables).items():
            _note(db, ASIDE + key, definition)
        _note(db, "aside", "yes")


def _put_back(target: Store, wanted: Callable[[str], bool]) -> None:
    """The items set aside that ``wanted`` names, each in a transaction with its note's end."""
    aside = {k.removeprefix(ASIDE): v for k, v in _notes(target).items() if k.startswith(ASIDE)}
    for key in sorted(filter(wanted, aside), key=lambda k: (order(k), k)):
        with target.transaction() as db:
            target.put_back_after_load(db, key, aside[key])
            db.execute("DELETE FROM sync_state WHERE key = ?", [MARK + ASIDE + key])


def copy_store(
    source: Store,
    target: Store,
    *,
    batch: int = DEFAULT_BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every content table of ``source`` into ``target`` (see the module docstring)."""
    tables = source.bundle_tables.content_tables()
    report = CopyReport(resumed=_start(source, target, tables))
    tick = progress or (lambda _table, _rows: None)
    search = ticket_search.TABLE
    _set_aside(target, [*tables, search])
    for table in tables:
        report.copied[table] = _copy_table(source, target, table, batch, tick)
    _put_back(target, lambda key: table_of(key) != search)  # the search reads tickets by them
    if _notes(target).get("indexed") != "yes":
        with target.transaction() as db:
            ticket_search.index_all(db)
            target.after_bulk_load(db)
            _note(db, "indexed", "yes")
    _put_back(target, lambda key: True)
    with ThreadPoolExecutor(1, thread_name_prefix="cscdesk-copy-check") as both:
        for table in tables:  # both sides read at once: one hashes while the other waits
            columns = _columns(source, table)
            times = _times(source, target, table=table)
            theirs = both.submit(table_check, source, table, columns, times)
            target_rows, target_sum = table_check(target, table, columns, times)
            source_rows, source_sum = theirs.result()
            check = TableCheck(table, source_rows, target_rows, source_sum, target_sum)
            report.checks.append(check)
    if report.ok:
        with target.transaction() as db:
            db.execute("DELETE FROM sync_state WHERE key LIKE ?", [f"{MARK}%"])
    return report
