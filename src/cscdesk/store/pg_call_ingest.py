"""CDR ingest on PostgreSQL: COPY into a staging table, then one upsert into ``calls``.

``executemany`` of the SQLite upsert sends one statement per CDR; a first sync of a center is a
million of them. Here the rows are streamed with binary COPY (``PgDatabase.copy_typed``: times
as datetimes, numbers as numbers, nothing to format or parse) into a
temporary table shaped like ``calls`` (its columns' own types, plus the customer's number), and
one ``INSERT … SELECT … ON CONFLICT`` moves them: the member found from the number in the same
statement, and the columns a desk writes (wrap-up code, notes, member, first-contact flag) kept
when the CDR brings none, exactly as ``store.calls.UPSERT`` does on SQLite.

A large batch goes in chunks, and while the server loads and upserts one chunk (a worker thread
packs it for COPY, then waits) the caller's thread maps the next, so the two cores share the
work that SQLite does on one.
A ContactId twice in one chunk is loaded in rounds (each one's first sighting, then its second,
…): one statement may not update a row twice, and SQLite's executemany applies them in turn.

The staging table lives as long as the connection and is emptied after each round and at every
commit. The customer's full number is on the database server already
(``members.mobile``); in the staging table it lives only until that statement has run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from cscdesk.store.call_identity import SAME_CALL, report_clashes
from cscdesk.store.copy_binary import column_types

STAGING = "cscdesk_calls_in"
CHUNK = 2_000  # rows per COPY and upsert: small enough that mapping and loading overlap


def _after_update(name: str, keep_if_new_is_null: set[str]) -> str:
    return (
        f"coalesce(excluded.{name}, calls.{name})"
        if name in keep_if_new_is_null
        else f"excluded.{name}"
    )


def _upsert(names: Sequence[str], keep_if_new_is_null: set[str]) -> str:
    picked = ", ".join(
        "coalesce(i.member_id, m.id)" if name == "member_id" else f"i.{name}" for name in names
    )
    updates = ", ".join(f"{n} = {_after_update(n, keep_if_new_is_null)}" for n in names[1:])
    # the member with the customer's number, 'self' first, as store.calls does; one lookup a
    # row through the mobile index (a join over the chunk let the planner probe the trigram
    # index instead, thousands of times slower)
    member = (
        "SELECT id FROM members WHERE mobile = i.customer"
        " ORDER BY relation <> 'self', rowid LIMIT 1"
    )
    # a CDR fetched again unchanged (the archive re-reads its settle window) writes nothing
    changed = (
        f"({', '.join(f'calls.{n}' for n in names[1:])}) IS DISTINCT FROM"
        f" ({', '.join(_after_update(n, keep_if_new_is_null) for n in names[1:])})"
    )
    same_call = SAME_CALL.format(old="calls", new="excluded")
    return (
        f"INSERT INTO calls ({', '.join(names)}) SELECT {picked} FROM {STAGING} i"
        f" LEFT JOIN LATERAL ({member}) m ON i.member_id IS NULL"
        f" ON CONFLICT (contact_id) DO UPDATE SET {updates} WHERE {same_call} AND {changed}"
    )


_EMPTY = f"DELETE FROM {STAGING}"


# staged rows that name a stored call of another start or direction: refused by the upsert.
# One primary-key probe a staged row (LATERAL): a plain join over the unanalysed staging table
# let the planner hash all of ``calls`` for every chunk.
_CLASHES = (
    f"SELECT i.contact_id, c.started_at, i.started_at FROM {STAGING} i"
    " CROSS JOIN LATERAL (SELECT started_at, direction FROM calls"
    " WHERE calls.contact_id = i.contact_id) c"
    " WHERE NOT (" + SAME_CALL.format(old="c", new="i") + ")"
)


def _rounds(rows: Sequence[Sequence[Any]]) -> list[Sequence[Sequence[Any]]]:
    """The chunk split so that no round holds a ContactId twice, order kept within each."""
    if len({row[0] for row in rows}) == len(rows):
        return [rows]
    rounds: list[list[Sequence[Any]]] = []
    seen: dict[str, int] = {}
    for row in rows:
        depth = seen.get(row[0], 0)
        seen[row[0]] = depth + 1
        if depth == len(rounds):
            rounds.append([])
        rounds[depth].append(row)
    return list(rounds)


class _Loader:
    def __init__(self, db: Any, names: Sequence[str], keep_if_new_is_null: set[str]) -> None:
        self._db = db
        self._columns = [*names, "customer"]
        self._types = column_types(db.conn, STAGING, self._columns)
        self._statement = _upsert(names, keep_if_new_is_null)

    def load(self, rounds: list[Sequence[Sequence[Any]]]) -> None:
        """Each round COPYed and upserted in turn. A round that wrote fewer rows than it holds
        (CDRs fetched again unchanged, or another call under a stored id) is checked for
        clashes; a first sync is not."""
        for rows in rounds:
            self._db.copy_typed(STAGING, self._columns, self._types, rows)
            if self._db.execute_native(self._statement) < len(rows):
                clashes = self._db.execute(_CLASHES).fetchall()
                if clashes:  # refused by the upsert: the first call under an id is kept
                    report_clashes(clashes)
            self._db.execute_native(_EMPTY)


def _staging_table(names: Sequence[str]) -> str:
    return (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} ON COMMIT DELETE ROWS AS"
        f" SELECT {', '.join(names)}, ''::text AS customer FROM calls"
        " WITH NO DATA"
    )


def upsert_calls(
    db: Any,
    names: Sequence[str],
    keep_if_new_is_null: set[str],
    chunks: Iterable[Sequence[Sequence[Any]]],
) -> None:
    """Each row: the values of ``names`` (``contact_id`` first), then the customer's number;
    times as aware datetimes (``store.copy_binary``).

    ``chunks`` may be lazy: the next one is built while the server loads the one before.
    """
    db.execute_native(_staging_table(names))
    loader = _Loader(db, names, keep_if_new_is_null)
    pending: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cdr-ingest") as worker:
        for chunk in chunks:
            rounds = _rounds(chunk)  # the chunk was mapped here, in the caller's thread
            if pending is not None:
                pending.result()  # one chunk in flight: the connection has one user at a time
            pending = worker.submit(loader.load, rounds)
        if pending is not None:
            pending.result()
