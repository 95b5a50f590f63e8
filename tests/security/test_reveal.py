"""Masked by default; a reveal needs the permission and a reason, expires, and is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cscdesk.domain.access import AccessDenied
from cscdesk.security.reveal import RevealService

from .conftest import ADMIN, AGENT, SECONDED, AuditTrail, Clock

MOBILE = "13812345678"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def reveals(audit: AuditTrail, clock: Clock) -> RevealService:
    return RevealService(audit, timedelta(seconds=30), clock)


def test_fields_are_masked_until_revealed(reveals: RevealService) -> None:
    assert reveals.show(AGENT, "member", "M1", "mobile", MOBILE) == "138****5678"
    assert reveals.show(AGENT, "member", "M1", "id_number", ID_NUMBER) == "110105********002X"


def test_reveal_without_permission_fails_and_the_attempt_is_audited(
    reveals: RevealService, audit: AuditTrail
) -> None:
    for user in (SECONDED, ADMIN):
        with pytest.raises(AccessDenied):
            reveals.reveal(
                user, target_type="member", target_id="M1", field="mobile", reason="核实身份"
            )
        assert reveals.show(user, "member", "M1", "mobile", MOBILE) == "138****5678"
    assert [(r.actor, r.action, r.success) for r in audit.records] == [
        (SECONDED.id, "reveal", False),
        (ADMIN.id, "reveal", False),
    ]


def test_reveal_needs_a_typed_reason(reveals: RevealService, audit: AuditTrail) -> None:
    with pytest.raises(ValueError, match="reason"):
        reveals.reveal(AGENT, target_type="member", target_id="M1", field="mobile", reason="  ")
    assert not reveals.is_revealed(AGENT, "member", "M1", "mobile")
    assert audit.records[-1].success is False


def test_reveal_shows_one_field_of_one_record_for_a_short_time_and_is_audited(
    reveals: RevealService, audit: AuditTrail, clock: Clock
) -> None:
    reveals.reveal(
        AGENT, target_type="member", target_id="M1", field="mobile", reason="客户要求回拨"
    )
    assert reveals.show(AGENT, "member", "M1", "mobile", MOBILE) == MOBILE
    # Only that field of that record, and only for that user.
    assert reveals.show(AGENT, "member", "M1", "id_number", ID_NUMBER) != ID_NUMBER
    assert reveals.show(AGENT, "member", "M2", "mobile", MOBILE) != MOBILE
    clock.advance(seconds=31)
    assert reveals.show(AGENT, "member", "M1", "mobile", MOBILE) == "138****5678"
    (record,) = audit.records
    assert (record.actor, record.action, record.subject, record.success) == (
        AGENT.id,
        "reveal",
        "member:M1",
        True,
    )
    assert record.detail["field"] == "mobile"
    assert record.detail["reason"] == "客户要求回拨"
    assert MOBILE not in str(record.detail)


def test_a_number_typed_into_the_reason_is_not_kept_in_the_audit_log(
    reveals: RevealService, audit: AuditTrail
) -> None:
    reveals.reveal(
        AGENT,
        target_type="member",
        target_id="M1",
        field="id_number",
        reason=f"客户报 {MOBILE} 核对",
    )
    assert MOBILE not in str(audit.records[-1].detail)
    assert "138******78" in audit.records[-1].detail["reason"]
