"""Masked by default, revealed one field at a time with a typed reason, and always audited.

PIPL treats ID numbers, mobiles and claims (health data) as sensitive personal information;
JR/T 0171 asks for 信息屏蔽. The desk shows every field through ``RevealService.show``: masked
unless this user has an active reveal for exactly that record and field. A reveal needs the
permission and a reason, lasts ``duration``, and writes one audit event — including a refused
attempt, which is itself a security event.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from cscdesk.domain.access import AccessDenied, Reveal, User, grant_reveal
from cscdesk.domain.privacy import mask_bank_account, mask_id_number, mask_mobile, mask_name
from cscdesk.security.events import AuditAction, AuditWriter

Clock = Callable[[], datetime]


class Field(StrEnum):
    MOBILE = "mobile"
    ID_NUMBER = "id_number"
    BANK_ACCOUNT = "bank_account"
    NAME = "name"


_MASKS: dict[Field, Callable[[str | None], str]] = {
    Field.MOBILE: mask_mobile,
    Field.ID_NUMBER: mask_id_number,
    Field.BANK_ACCOUNT: mask_bank_account,
    Field.NAME: mask_name,
}


def mask(field: Field | str, value: str | None) -> str:
    return _MASKS[Field(field)](value)


_LONG_NUMBER = re.compile(r"[0-9Xx*]{7,}")


def scrub(text: str) -> str:
    """A typed reason may quote a number: keep its shape, never its digits (first 3, last 2)."""
    return _LONG_NUMBER.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 5) + m[0][-2:], text)


class RevealService:
    """Grants, remembers and expires reveals for the users of one desk process."""

    def __init__(self, audit: AuditWriter, duration: timedelta, clock: Clock) -> None:
        self._audit = audit
        self.duration = duration
        self._clock = clock
        self._active: dict[tuple[str, str, str, str], Reveal] = {}
        self._lock = threading.Lock()

    def reveal(
        self, user: User, *, target_type: str, target_id: str, field: Field | str, reason: str
    ) -> Reveal:
        """Grant a reveal or raise AccessDenied / ValueError (short reason); both audited."""
        name = Field(field).value
        subject = f"{target_type}:{target_id}"
        try:
            granted = grant_reveal(
                user,
                target_type=target_type,
                target_id=target_id,
                field=name,
                reason=reason,
                now=self._clock(),
                duration=self.duration,
            )
        except AccessDenied:
            self._audit(
                user.id,
                AuditAction.REVEAL,
                subject,
                {"field": name, "reason": scrub(reason.strip()), "denied": "no permission"},
                success=False,
            )
            raise
        except ValueError:
            self._audit(
                user.id,
                AuditAction.REVEAL,
                subject,
                {"field": name, "denied": "no reason given"},
                success=False,
            )
            raise
        with self._lock:
            self._active[(user.id, target_type, target_id, name)] = granted
        self._audit(
            user.id,
            AuditAction.REVEAL,
            subject,
            {
                "field": name,
                "reason": scrub(granted.reason),
                "seconds": int(self.duration.total_seconds()),
            },
        )
        return granted

    def is_revealed(self, user: User, target_type: str, target_id: str, field: Field | str) -> bool:
        key = (user.id, target_type, target_id, Field(field).value)
        now = self._clock()
        with self._lock:
            current = self._active.get(key)
            if current is not None and not current.active(now):
                del self._active[key]
                current = None
        return current is not None

    def show(
        self, user: User, target_type: str, target_id: str, field: Field | str, value: str | None
    ) -> str:
        """What the screen may print for this value right now."""
        if self.is_revealed(user, target_type, target_id, field):
            return value or ""
        return mask(field, value)

    def forget(self, user_id: str) -> None:
        """Drop every reveal of this user (screen lock, logout)."""
        with self._lock:
            for key in [k for k in self._active if k[0] == user_id]:
                del self._active[key]
