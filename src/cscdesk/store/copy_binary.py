"""Rows for PostgreSQL's COPY in its binary format: each value sent as its column's own type.

In text COPY the client wrote every value as text and the server parsed it back (a time
through the date parser, a number through strtod): in a CDR ingest that parsing was about a
sixth of the server's CPU, and the formatting most of the client's. In binary psycopg's C
adapters pack each value as the column's type (looked up once per COPY from the catalog), and
the server stores it as it comes. Escaping is gone with the text: tabs, newlines and
backslashes are bytes like any other.

A time column (``timestamptz`` since migration 19) takes an aware ``datetime``; ISO-8601 text
and naive times (taken as UTC, as ``store._codec`` does) are converted here for callers that
hold them. Text columns take ``str``, number columns ``int``, ``float`` or ``bool``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cscdesk.store._codec import instant, moment

TIMESTAMPTZ_OID = 1184


def column_types(conn: Any, table: str, columns: Sequence[str]) -> list[int]:
    """The type oids of ``columns`` of ``table`` (a temporary table too), in that order."""
    rows = conn.execute(
        "SELECT attname, atttypid::bigint FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    ).fetchall()
    types = {str(name): int(oid) for name, oid in rows}
    return [types[column] for column in columns]


def _as_instant(value: Any) -> Any:
    return moment(value) if isinstance(value, str) else instant(value)


def typed_rows(rows: Sequence[Sequence[Any]], types: Sequence[int]) -> Sequence[Sequence[Any]]:
    """``rows`` with their time columns as aware datetimes (the rest is left as it is)."""
    times = [i for i, oid in enumerate(types) if oid == TIMESTAMPTZ_OID]
    if not rows or not times:
        return rows
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    changed = False
    for i in times:
        values = columns[i]
        if any(not isinstance(v, datetime) or v.tzinfo is None for v in values if v is not None):
            columns[i] = [_as_instant(v) for v in values]
            changed = True
    return list(zip(*columns, strict=True)) if changed else rows
