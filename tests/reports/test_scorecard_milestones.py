"""The insurer scorecard counts claim duties from the milestones the store keeps, not 报案."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from cscdesk.config import IndicatorSettings
from cscdesk.demo.scenario import INSURERS
from cscdesk.domain.models import (
    Claim,
    ClaimStage,
    DocumentRequest,
    Employer,
    IdType,
    Member,
    Relation,
    Sex,
)
from cscdesk.domain.sla import SlaPolicy
from cscdesk.reports.scorecard import insurer_scores
from cscdesk.store import open_store

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def test_a_decision_in_time_from_documents_complete_is_not_a_breach(tmp_path: Path) -> None:
    """Reported 3 Aug, documents complete 20 Aug, a 补材料 round 1–11 Sep (10 days stopped):
    due 20 Aug + 30 + 10 = 29 Sep; decided 25 Sep is in time. Counted from 报案 it would be
    due 2 Sep and a breach."""
    store = open_store(tmp_path / "cscdesk.db")
    try:
        store.employers.put_many([Employer("E1", "演示单位")])
        store.members.add_many(
            [
                Member(
                    "M1",
                    "欧阳娜娜",
                    IdType.RESIDENT_ID,
                    "11010519491231002X",
                    date(1990, 1, 1),
                    Sex.FEMALE,
                    "13812345678",
                    "E1",
                    None,
                    Relation.SELF,
                    "M1",
                )
            ]
        )
        store.insurers.put_many(INSURERS)
        refused = Claim(
            claim_no="C1",
            insurer_id="ruian",
            policy_no="GP1",
            member_id="M1",
            accident_date=date(2026, 8, 1),
            reported_at=_at(8, 3),
            stage=ClaimStage.REFUSED,
            amount_claimed=Decimal("500"),
            decided_at=_at(9, 25),
            stage_changed_at=_at(9, 26),
            documents_complete_at=_at(8, 20),
            document_requests=(DocumentRequest(_at(9, 1), _at(9, 11)),),
        )
        store.policies.add_claims([refused])
        claims = store.policies.claims_reported_between(_at(8, 1), _at(9, 1))
        now = _at(10, 20)
        [ruian] = insurer_scores(
            insurers=INSURERS[:1],
            tickets=[],
            calls=[],
            agents=[],
            groups=[],
            members_by_insurer={},
            indicators=IndicatorSettings(),
            now=now,
            claims=claims,
            sla=SlaPolicy(),
        )
        assert ruian.insurer_id == "ruian"
        # decision, advance payment, refusal notice: all started from the recorded moments
        figures = (ruian.claim_clocks, ruian.claim_breaches, ruian.claim_starts_unrecorded)
        assert figures == (3, 0, 0)
        [stored] = claims
        assert stored == refused
        [from_report] = insurer_scores(
            insurers=INSURERS[:1],
            tickets=[],
            calls=[],
            agents=[],
            groups=[],
            members_by_insurer={},
            indicators=IndicatorSettings(),
            now=now,
            claims=[replace(stored, documents_complete_at=None, document_requests=())],
            sla=SlaPolicy(),
        )
        # the same claim without its milestones: decision due 3 Aug + 30 = 2 Sep, a breach
        assert (from_report.claim_breaches, from_report.claim_starts_unrecorded) == (1, 2)
    finally:
        store.close()
