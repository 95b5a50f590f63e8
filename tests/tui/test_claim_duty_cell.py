"""The claim table's duty cell: what the agent reads beside each claim (issue 17), computed by the
domain's legal clocks (保险法 §23: 30 days to decide from the claim and its documents)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cscdesk.domain.claim_duties import claim_duty_clocks
from cscdesk.domain.models import Claim, ClaimStage
from cscdesk.domain.sla import SlaPolicy
from cscdesk.tui import i18n
from cscdesk.tui.widgets.policies_pane import duty_cell

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)


def _claim(stage: ClaimStage, documents_complete_days_ago: int) -> Claim:
    complete = NOW - timedelta(days=documents_complete_days_ago)
    return Claim(claim_no="BA-1", insurer_id="ruian", policy_no="GP-1", member_id="M1",
                 accident_date=date(2026, 4, 1), reported_at=complete - timedelta(days=1),
                 stage=stage, amount_claimed=Decimal("1200.00"), stage_changed_at=complete,
                 documents_complete_at=complete)  # fmt: skip


def _cell(claim: Claim) -> str:
    i18n.set_language("en")  # another test in this worker may have left the desk in Chinese
    return duty_cell(claim_duty_clocks(claim, SlaPolicy(), NOW), NOW).plain


def test_an_open_decision_shows_the_time_left() -> None:
    cell = _cell(_claim(ClaimStage.UNDER_REVIEW, 5))
    assert cell.startswith("decision ") and "overdue" not in cell and "d " in cell


def test_a_decision_past_thirty_days_is_overdue() -> None:
    assert _cell(_claim(ClaimStage.UNDER_REVIEW, 45)).startswith("decision overdue")


def test_a_paid_claim_owes_nothing() -> None:
    claim = _claim(ClaimStage.PAID, 20)
    paid = replace(claim, decided_at=NOW - timedelta(days=10), agreed_at=NOW - timedelta(days=10),
                   paid_at=NOW - timedelta(days=8))  # fmt: skip
    assert _cell(paid) == "—"
