"""Wide rows for PostgreSQL's COPY in its binary format: each value sent as its column's type.

The archive's staging rows are 25 columns, four of them times. In text COPY the client wrote
every value as text (a time through ``isoformat``, a float through ``repr``) and the server
parsed it back; that formatting was most of the client's share of a CDR ingest. In binary
psycopg's C adapters pack each value as the column's type (looked up once from the catalog)
and the server stores it as it comes; escaping is gone with the text (tabs, newlines and
backslashes are bytes like any other). A time column (``timestamptz`` since migration 19)
takes an aware ``datetime`` (``store._codec.instant``); text columns ``str``; number columns
``int``, ``float`` or ``bool``.

For narrow rows of plain text (``PgDatabase.copy_rows``) text COPY measured as fast, so it
stays there.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

PIECE = 256 * 1024  # bytes handed to libpq at a time


def column_types(conn: Any, table: str, columns: Sequence[str]) -> list[int]:
    """The type oids of ``columns`` of ``table`` (a temporary table too), in that order."""
    rows = conn.execute(
        "SELECT attname, atttypid::bigint FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    ).fetchall()
    types = {str(name): int(oid) for name, oid in rows}
    return [types[column] for column in columns]


def large_pieces(cursor: Any) -> Any:
    """A COPY writer for ``cursor`` that hands libpq ``PIECE`` bytes at a time (see
    ``_large_pieces``)."""
    return _large_pieces()(cursor)


@functools.cache
def _large_pieces() -> type:
    """psycopg hands COPY data to libpq every 32 KB; each hand-off is a round of system calls
    and a wake-up for the server. Gathered into pieces of ``PIECE`` bytes, the client spent
    about half the CPU packing the same rows (20,000 narrow rows: 100 -> 52-63 ms). Built on
    first use: psycopg is imported only by a store on PostgreSQL."""
    from psycopg.copy import LibpqWriter

    class LargePieces(LibpqWriter):
        def __init__(self, cursor: Any) -> None:
            super().__init__(cursor)
            self._pending = bytearray()

        def write(self, data: Any) -> None:
            self._pending += data
            if len(self._pending) >= PIECE:
                super().write(bytes(self._pending))
                self._pending.clear()

        def finish(self, exc: BaseException | None = None) -> None:
            if self._pending and exc is None:
                super().write(bytes(self._pending))
            self._pending.clear()
            super().finish(exc)

    return LargePieces
