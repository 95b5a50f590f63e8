"""The audit vocabulary: what security-relevant things are recorded, and the writer they go to.

等保二级 asks for an audit record of every user's important actions and security events with
time, user, event type, outcome and detail. The services here and elsewhere call one
``AuditWriter``; the store's hash-chained audit log is the real one. Details never carry a full
ID number, mobile or password — only record ids, field names and typed reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    ACCOUNT_LOCKED = "account_locked"
    SCREEN_LOCKED = "screen_locked"
    SCREEN_UNLOCKED = "screen_unlocked"
    PASSWORD_EXPIRED = "password_expired"
    LOOKUP = "lookup"
    VIEW_RECORD = "view_record"
    REVEAL = "reveal"
    TICKET_CHANGE = "ticket_change"
    RECORDING_ACCESS = "recording_access"
    EXPORT = "export"
    PURGE = "purge"
    CONFIG_CHANGE = "config_change"
    USER_ADD = "user_add"
    USER_DISABLE = "user_disable"
    USER_ENABLE = "user_enable"
    USER_PASSWORD = "user_password"
    USER_UNLOCK = "user_unlock"
    AUDIT_VERIFY = "audit_verify"
    AUDIT_EXPORT = "audit_export"
    AUDIT_PURGE = "audit_purge"


class AuditWriter(Protocol):
    """Append one audit record. ``subject`` names the record acted on (``member:M123``)."""

    def __call__(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any],
        *,
        success: bool = True,
    ) -> None: ...
