"""Where the gateway touches the broker's store besides its repositories: the audit log.

The gateway's cache and batch tables are reached through ``store.insurer_cache`` and
``store.insurer_batches`` (``store/insurer_cache.py``, ``store/insurer_batches.py``); the tables
themselves are created by a migration in ``store/migrations.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from cscdesk.store import Store


class AuditSink(Protocol):
    def __call__(self, actor: str, action: str, subject: str, detail: dict[str, Any]) -> None: ...


def audit_sink(store: Store) -> AuditSink:
    def record(actor: str, action: str, subject: str, detail: dict[str, Any]) -> None:
        store.audit.append(actor=actor, action=action, subject=subject, detail=detail)

    return record
