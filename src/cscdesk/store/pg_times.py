"""Times on PostgreSQL: ``timestamptz`` columns, read back as the store's ISO text.

SQLite keeps a time as UTC ISO-8601 text (``store._codec.when``); PostgreSQL keeps an instant
(``timestamptz``), so the server compares, indexes and range-queries times as times whatever
offset a value was written with, and other tools (psql, BI) read real times. Repositories are
written once, for text: every connection works in UTC and turns each ``timestamptz`` it reads
into the text ``when`` writes, so they get from PostgreSQL what SQLite gives them (a value
written with another offset comes back as the same instant in UTC). Parameters go as ISO text
(or datetimes): the server casts them to the column's type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

TIMESTAMPTZ = "timestamp with time zone"  # information_schema's data_type of such a column
SESSION_ZONE = "SET TIME ZONE 'UTC'"  # a text time without an offset is UTC, as in _codec


def _in_utc(server_text: str) -> str:
    """A time the server spelled in another zone (or ``infinity``) as ``when`` spells it."""
    try:
        value = datetime.fromisoformat(server_text)
    except ValueError:
        return server_text
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def adapt(conn: Any) -> None:
    """Read this connection's ``timestamptz`` values as ISO text (see the module docstring)."""
    from psycopg.adapt import Loader

    class IsoTextLoader(Loader):
        def load(self, data: Any) -> str:
            """``2026-03-02 01:02:03.5+00`` → ``2026-03-02T01:02:03.500000+00:00``, with no
            call and no parsing in the usual case: a report reads tens of thousands of times."""
            text = str(data, "ascii")
            if len(text) == 29 and text.endswith("+00"):  # microseconds in full
                return text.replace(" ", "T") + ":00"
            if text.endswith("+00") and text[10:11] == " ":
                body = text[:-3].replace(" ", "T")  # the server dropped trailing zeros
                return (body if len(body) > 19 else body + ".").ljust(26, "0") + "+00:00"
            return _in_utc(text)

    conn.adapters.register_loader("timestamptz", IsoTextLoader)
    conn.execute(SESSION_ZONE)
