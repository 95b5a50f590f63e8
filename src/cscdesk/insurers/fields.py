"""Strict readers for insurer payload fields: each failure names the field path that broke.

Insurer payloads are outside input. Every value is checked for type and shape here, so an
adapter either produces well-formed domain objects or a ``PayloadError`` saying where it failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from cscdesk.domain.models import DocumentRequest
from cscdesk.insurers.port import PayloadError

CHINA = ZoneInfo("Asia/Shanghai")
E = TypeVar("E", bound=Enum)


def obj(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PayloadError(path, f"expected an object, got {type(value).__name__}")
    return value


def items(value: object, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(path, f"expected a list, got {type(value).__name__}")
    return value


def text(parent: Mapping[str, Any], key: str, path: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"{path}.{key}", "missing or not text")
    return value.strip()


def optional_text(parent: Mapping[str, Any], key: str, path: str) -> str | None:
    value = parent.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{path}.{key}", f"expected text, got {type(value).__name__}")
    return value.strip()


def money(parent: Mapping[str, Any], key: str, path: str, *, fen: bool = False) -> Decimal:
    """Yuan as a decimal string or number; ``fen=True`` for integer cents (分)."""
    value = parent.get(key)
    where = f"{path}.{key}"
    if fen:
        if not isinstance(value, int) or isinstance(value, bool):
            raise PayloadError(where, "expected an integer amount in fen")
        amount = Decimal(value) / 100
    else:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise PayloadError(where, "expected an amount")
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise PayloadError(where, f"not a number: {str(value)[:20]!r}") from None
    if not amount.is_finite() or amount < 0:
        raise PayloadError(where, "amount must be a finite number ≥ 0")
    return amount


def optional_money(
    parent: Mapping[str, Any], key: str, path: str, *, fen: bool = False
) -> Decimal | None:
    if parent.get(key) in (None, ""):
        return None
    return money(parent, key, path, fen=fen)


def ratio(parent: Mapping[str, Any], key: str, path: str, *, percent: bool = False) -> Decimal:
    value = money(parent, key, path)
    value = value / 100 if percent else value
    if value > 1:
        raise PayloadError(f"{path}.{key}", "ratio above 100%")
    return value


def day(parent: Mapping[str, Any], key: str, path: str, fmt: str = "%Y-%m-%d") -> date:
    value = parent.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{path}.{key}", "missing date")
    try:
        return datetime.strptime(value.strip(), fmt).date()
    except ValueError:
        raise PayloadError(f"{path}.{key}", f"not a date ({fmt}): {value[:20]!r}") from None


def instant(parent: Mapping[str, Any], key: str, path: str, *, fmt: str | None = None) -> datetime:
    """ISO 8601 (``fmt=None``), a naive local time in ``fmt`` (China time) or epoch ms (int)."""
    value = parent.get(key)
    where = f"{path}.{key}"
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(where, "epoch milliseconds out of range") from None
    if not isinstance(value, str):
        raise PayloadError(where, "missing time")
    try:
        if fmt is None:
            parsed = datetime.fromisoformat(value.strip())
            if parsed.tzinfo is None:
                raise PayloadError(where, "time without a timezone")
            return parsed
        return datetime.strptime(value.strip(), fmt).replace(tzinfo=CHINA)
    except ValueError:
        raise PayloadError(where, f"not a time: {value[:30]!r}") from None


def optional_instant(
    parent: Mapping[str, Any], key: str, path: str, *, fmt: str | None = None
) -> datetime | None:
    if parent.get(key) in (None, ""):
        return None
    return instant(parent, key, path, fmt=fmt)


def code(parent: Mapping[str, Any], key: str, path: str, table: Mapping[Any, E]) -> E:
    value = parent.get(key)
    try:
        return table[value]
    except (KeyError, TypeError):
        raise PayloadError(f"{path}.{key}", f"unknown code {str(value)[:20]!r}") from None


def document_requests(
    rounds: list[Any], path: str, requested: str, received: str, *, fmt: str | None = None
) -> tuple[DocumentRequest, ...]:
    """补材料 rounds: each needs its request time; the documents' arrival may still be open."""
    found = []
    for i, item in enumerate(rounds):
        where = f"{path}[{i}]"
        raw = obj(item, where)
        asked = instant(raw, requested, where, fmt=fmt)
        back = optional_instant(raw, received, where, fmt=fmt)
        if back is not None and back < asked:
            raise PayloadError(f"{where}.{received}", "documents received before they were asked")
        found.append(DocumentRequest(asked, back))
    return tuple(found)
