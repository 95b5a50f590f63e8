"""Roles, data scope of seconded agents, lockout and audited reveal rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cscdesk.domain.access import (
    AccessDenied,
    LockoutRule,
    LoginState,
    Permission,
    Role,
    Scope,
    User,
    after_failure,
    after_success,
    can,
    grant_reveal,
    require,
    scoped_claim,
)
from cscdesk.domain.models import Claim, ClaimStage

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _claim(insurer: str) -> Claim:
    return Claim(
        claim_no="BA2026000123",
        insurer_id=insurer,
        policy_no="TD2026-0001",
        member_id="m1",
        accident_date=date(2026, 2, 20),
        reported_at=NOW - timedelta(days=5),
        stage=ClaimStage.UNDER_REVIEW,
        amount_claimed=Decimal("12800.50"),
        amount_paid=Decimal("0"),
        hospital="北京协和医院",
        refusal_reason=None,
    )


SECONDED = User("u-s1", "冯雪", Role.SECONDED_AGENT, insurer_id="jiahe")
BROKER = User("u-b1", "王芳", Role.AGENT)


def test_seconded_agent_sees_own_insurer_claim_in_full() -> None:
    claim = _claim("jiahe")
    assert scoped_claim(SECONDED, claim) == claim


def test_seconded_agent_sees_only_routing_facts_of_another_insurers_claim() -> None:
    seen = scoped_claim(SECONDED, _claim("ruian"))
    assert seen is not None
    assert (seen.claim_no, seen.insurer_id, seen.stage) == (
        "BA2026000123",
        "ruian",
        ClaimStage.UNDER_REVIEW,
    )
    assert seen.hospital is None
    assert seen.amount_claimed == 0
    assert seen.amount_paid is None


def test_scope_none_hides_other_insurers_entirely() -> None:
    assert scoped_claim(SECONDED, _claim("ruian"), others=Scope.NONE) is None


def test_broker_agent_sees_every_insurer() -> None:
    claim = _claim("ruian")
    assert scoped_claim(BROKER, claim) == claim


def test_admin_manages_users_but_cannot_read_customers() -> None:
    admin = User("u-a", "管理员", Role.ADMIN)
    assert can(admin, Permission.MANAGE_USERS)
    assert not can(admin, Permission.VIEW_CUSTOMER)
    assert scoped_claim(admin, _claim("ruian")) is None


def test_auditor_reads_audit_but_takes_no_calls() -> None:
    auditor = User("u-x", "审计", Role.AUDITOR)
    assert can(auditor, Permission.VIEW_AUDIT)
    with pytest.raises(AccessDenied, match="take_calls"):
        require(auditor, Permission.TAKE_CALLS)


def test_disabled_user_can_do_nothing() -> None:
    disabled = User("u-b2", "离职", Role.LEAD, disabled=True)
    assert not any(can(disabled, p) for p in Permission)


def test_lockout_after_configured_attempts_and_unlock_after_time() -> None:
    rule = LockoutRule(attempts=3, lock_for=timedelta(minutes=15))
    state = LoginState()
    for _ in range(2):
        state = after_failure(state, NOW, rule)
        assert not state.is_locked(NOW)
    state = after_failure(state, NOW, rule)
    assert state.is_locked(NOW + timedelta(minutes=14))
    assert not state.is_locked(NOW + timedelta(minutes=15))
    assert after_success() == LoginState()


def test_reveal_needs_permission() -> None:
    with pytest.raises(AccessDenied):
        grant_reveal(
            SECONDED,
            target_type="member",
            target_id="m1",
            field="mobile",
            reason="客户要求核对手机号",
            now=NOW,
            duration=timedelta(seconds=30),
        )


def test_reveal_needs_a_reason_and_expires() -> None:
    with pytest.raises(ValueError, match="reason"):
        grant_reveal(
            BROKER,
            target_type="member",
            target_id="m1",
            field="mobile",
            reason="  ",
            now=NOW,
            duration=timedelta(seconds=30),
        )
    reveal = grant_reveal(
        BROKER,
        target_type="member",
        target_id="m1",
        field="mobile",
        reason="客户要求核对手机号",
        now=NOW,
        duration=timedelta(seconds=30),
    )
    assert reveal.active(NOW + timedelta(seconds=29))
    assert not reveal.active(NOW + timedelta(seconds=30))
