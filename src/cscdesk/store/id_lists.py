"""Rows for a long list of ids, asked in slices: one ``IN (?, …)`` per slice keeps each
statement under SQLite's (and psycopg's) limit on bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SLICE = 500


def rows_for_ids(db: Any, sql: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """``sql`` holds ``{marks}`` where the placeholders of one slice of ``ids`` go."""
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), SLICE):
        part = list(ids[start : start + SLICE])
        marks = ", ".join("?" for _ in part)
        found.extend(db.execute(sql.format(marks=marks), part).fetchall())
    return found
