"""Rows as PostgreSQL's COPY text format, built a column at a time.

COPY's own ``write_row`` formats every value through a Python call; a CDR batch is hundreds of
thousands of values, and that per-value call was most of the client's share of an ingest. A
column whose values are all strings, or all numbers, is formatted by one C-level pass instead
(``map``, ``str.join``), and escaping is looked for once per column rather than once per value.
Values stay text, as the untyped parameters do: the server reads each one as its column's type,
so the same rows load whether a time column is TEXT or timestamptz.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

NULL = "\\N"
_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NONE = type(None)
_NUMBERS = {int, float}


def _one(value: Any) -> str:
    """Any single value (the slow path: a column of mixed or rare types)."""
    if value is None:
        return NULL
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "1" if value else "0"  # booleans go into INTEGER flags, as on SQLite
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot COPY a {type(value).__name__}: {value!r}")


def _column(values: tuple[Any, ...]) -> Sequence[str]:
    kinds = set(map(type, values))
    if kinds <= {str, _NONE}:
        if _SPECIAL.search("".join(filter(None, values))):
            return [_one(v) for v in values]
        return values if _NONE not in kinds else [NULL if v is None else v for v in values]
    if kinds <= _NUMBERS:
        return list(map(repr, values))
    if kinds <= _NUMBERS | {_NONE}:
        return [NULL if v is None else repr(v) for v in values]
    return [_one(v) for v in values]


def copy_text(rows: Sequence[Sequence[Any]]) -> str:
    """``rows`` (all the same width) as lines of COPY text, each ending in a newline."""
    if not rows:
        return ""
    columns = [_column(values) for values in zip(*rows, strict=True)]
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def copy_chunks(rows: Sequence[Sequence[Any]], size: int = 5_000) -> Iterator[str]:
    """COPY text ``size`` rows at a time: the server reads one chunk while the next is built."""
    for start in range(0, len(rows), size):
        yield copy_text(rows[start : start + size])
