"""Column encodings shared by the repositories: one spelling for times, dates and money.

Times are stored as UTC ISO-8601 text with microseconds (``2026-03-02T01:02:03.000000+00:00``),
always the same width, so text order is time order and range queries use the indexes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def when(value: datetime | None) -> str | None:
    """UTC text for a time; a naive time is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # the common case on bulk paths: no conversion needed
        return value.isoformat(timespec="microseconds")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def instant(value: datetime | None) -> datetime | None:
    """A time as an aware instant (PostgreSQL's timestamptz takes it as it is); a naive time is
    taken as UTC, as ``when`` does."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def moment(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def to_day(text: str | None) -> date | None:
    return None if not text else date.fromisoformat(text)


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def to_money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def as_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, Chinese kept readable."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def required(value: Any, what: str) -> Any:
    if value is None:
        raise ValueError(f"stored row lacks {what}")
    return value
