"""Policy and Claim ⇄ plain JSON values, for the answer cache and imported batch rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cscdesk.domain.models import (
    Claim,
    ClaimStage,
    Coverage,
    DocumentRequest,
    Policy,
    PolicyStatus,
)


def _day(value: date) -> str:
    return value.isoformat()


def _opt_time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _opt_dec(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def policy_to_json(policy: Policy) -> dict[str, Any]:
    return {
        "policy_no": policy.policy_no,
        "sub_policy_no": policy.sub_policy_no,
        "insurer_id": policy.insurer_id,
        "employer_id": policy.employer_id,
        "member_id": policy.member_id,
        "product": policy.product,
        "start": _day(policy.start),
        "end": _day(policy.end),
        "status": policy.status.value,
        "coverages": [
            {
                "code": c.code,
                "name": c.name,
                "limit": str(c.limit),
                "deductible": str(c.deductible),
                "ratio": str(c.ratio),
            }
            for c in policy.coverages
        ],
    }


def policy_from_json(data: dict[str, Any]) -> Policy:
    return Policy(
        policy_no=data["policy_no"],
        sub_policy_no=data["sub_policy_no"],
        insurer_id=data["insurer_id"],
        employer_id=data["employer_id"],
        member_id=data["member_id"],
        product=data["product"],
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        status=PolicyStatus(data["status"]),
        coverages=tuple(
            Coverage(
                code=c["code"],
                name=c["name"],
                limit=Decimal(c["limit"]),
                deductible=Decimal(c["deductible"]),
                ratio=Decimal(c["ratio"]),
            )
            for c in data["coverages"]
        ),
    )


def claim_to_json(claim: Claim) -> dict[str, Any]:
    return {
        "claim_no": claim.claim_no,
        "insurer_id": claim.insurer_id,
        "policy_no": claim.policy_no,
        "member_id": claim.member_id,
        "accident_date": _day(claim.accident_date),
        "reported_at": claim.reported_at.isoformat(),
        "stage": claim.stage.value,
        "amount_claimed": str(claim.amount_claimed),
        "amount_paid": _opt_dec(claim.amount_paid),
        "hospital": claim.hospital,
        "case_no": claim.case_no,
        "settlement_no": claim.settlement_no,
        "refusal_reason": claim.refusal_reason,
        "stage_changed_at": _opt_time(claim.stage_changed_at),
        "decided_at": _opt_time(claim.decided_at),
        "paid_at": _opt_time(claim.paid_at),
        "reopened": claim.reopened,
        "documents_complete_at": _opt_time(claim.documents_complete_at),
        "agreed_at": _opt_time(claim.agreed_at),
        "document_requests": [
            [r.requested_at.isoformat(), _opt_time(r.received_at)] for r in claim.document_requests
        ],
    }


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def claim_from_json(data: dict[str, Any]) -> Claim:
    paid = data.get("amount_paid")
    return Claim(
        claim_no=data["claim_no"],
        insurer_id=data["insurer_id"],
        policy_no=data["policy_no"],
        member_id=data["member_id"],
        accident_date=date.fromisoformat(data["accident_date"]),
        reported_at=datetime.fromisoformat(data["reported_at"]),
        stage=ClaimStage(data["stage"]),
        amount_claimed=Decimal(data["amount_claimed"]),
        amount_paid=Decimal(paid) if paid is not None else None,
        hospital=data.get("hospital"),
        case_no=data.get("case_no"),
        settlement_no=data.get("settlement_no"),
        refusal_reason=data.get("refusal_reason"),
        stage_changed_at=_time(data.get("stage_changed_at")),
        decided_at=_time(data.get("decided_at")),
        paid_at=_time(data.get("paid_at")),
        reopened=bool(data.get("reopened", False)),
        documents_complete_at=_time(data.get("documents_complete_at")),
        agreed_at=_time(data.get("agreed_at")),
        document_requests=tuple(
            DocumentRequest(datetime.fromisoformat(asked), _time(back))
            for asked, back in data.get("document_requests", [])
        ),
    )
