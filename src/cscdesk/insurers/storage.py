"""Where the gateway touches the broker's store: short read and write blocks, and its audit log.

The store hands each thread its own SQLite connection inside ``reading()`` / ``transaction()``
blocks, so the gateway's cache and batch tables are always reached through them (the tables
themselves are created by a migration in ``store/migrations.py``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol


class Db(Protocol):
    def execute(self, sql: str, parameters: Any = ...) -> Any: ...


class StoreAccess(Protocol):
    def reading(self) -> AbstractContextManager[Any]: ...

    def transaction(self) -> AbstractContextManager[Any]: ...


class AuditSink(Protocol):
    def __call__(self, actor: str, action: str, subject: str, detail: dict[str, Any]) -> None: ...


def audit_sink(store: Any) -> AuditSink:
    def record(actor: str, action: str, subject: str, detail: dict[str, Any]) -> None:
        store.audit.append(actor=actor, action=action, subject=subject, detail=detail)

    return record
