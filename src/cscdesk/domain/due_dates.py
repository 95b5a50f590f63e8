"""Answers "by when?" for each statutory clock, with the rule applied, for one start date.

The command line (``cscdesk sla due``) and anyone else who must tell a customer or an insurer a
date use this one place, so the label, the law cited and the count never differ between them.
Counting is :func:`cscdesk.domain.sla.statutory_due` (民法典 §201–§203, calendar days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.claim_duties import LAW, ClaimDuty, claim_terms
from cscdesk.domain.sla import SlaPolicy, StatutoryDue, internal_target_due, statutory_due

COMPLAINT_LAW = "银行业保险业消费投诉处理管理办法 (2020)"
KINDS: dict[str, str] = {
    "complaint": "START_DATE is the day the complaint was received",
    "complaint-review": "START_DATE is the day the 核查 (review) request was received",
    "claim-decision": "START_DATE is the day the claim was received (see --documents-complete)",
    "advance-payment": "START_DATE is the day the claim was received (see --documents-complete)",
    "payment": "START_DATE is the day the amount was agreed",
    "refusal-notice": "START_DATE is the day the refusal was decided",
}
_CLAIM_KINDS = {
    "claim-decision": ClaimDuty.DECISION,
    "advance-payment": ClaimDuty.ADVANCE_PAYMENT,
    "payment": ClaimDuty.PAYMENT,
    "refusal-notice": ClaimDuty.REFUSAL_NOTICE,
}
_FROM_DOCUMENTS = {"claim-decision", "advance-payment"}


class DueDateQuestionError(ValueError):
    """The question cannot be answered as asked (unknown kind, option that does not apply)."""


@dataclass(frozen=True, slots=True)
class DueLine:
    """One answer: a label, the law relied on, and the count (None for an internal target)."""

    label: str
    law: str
    worked: StatutoryDue | None
    internal_due: date | None = None

    @property
    def due_day(self) -> date:
        if self.worked is not None:
            return self.worked.due_day
        assert self.internal_due is not None
        return self.internal_due

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "label": self.label,
            "law": self.law,
            "due": self.due_day.isoformat(),
            "statutory": self.worked is not None,
        }
        if self.worked is not None:
            data.update(
                days=self.worked.days,
                start_day=self.worked.start_day.isoformat(),
                nominal_day=self.worked.nominal_day.isoformat(),
                rolled=self.worked.rolled,
                due_at=self.worked.due_at.isoformat(),
                rule=self.worked.rule(),
            )
        return data


def due_lines(
    kind: str,
    start: date,
    policy: SlaPolicy,
    *,
    documents_complete: date | None = None,
    insurer_id: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[DueLine]:
    """Every due date a ``kind`` of clock started on ``start`` has, legal first."""
    calendar = calendar or WorkingCalendar()
    if kind not in KINDS:
        raise DueDateQuestionError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if documents_complete is not None and kind not in _FROM_DOCUMENTS:
        raise DueDateQuestionError(
            f"--documents-complete applies to {' and '.join(sorted(_FROM_DOCUMENTS))}, not {kind}"
        )
    if insurer_id is not None and kind not in _CLAIM_KINDS:
        raise DueDateQuestionError(f"--insurer applies to the claim kinds, not {kind}")
    if documents_complete is not None and documents_complete < start:
        raise DueDateQuestionError(
            f"--documents-complete {documents_complete} is before the claim was received {start}"
        )

    def line(label: str, law: str, days: int, day: date) -> DueLine:
        return DueLine(label, law, statutory_due(day, days, policy, calendar))

    if kind == "complaint":
        lines = [
            line(
                "decide and tell the complainant",
                f"{COMPLAINT_LAW}: 15日",
                policy.complaint_days,
                start,
            ),
            line(
                "complex case",
                f"{COMPLAINT_LAW}: 情况复杂的 30日",
                policy.complaint_complex_days,
                start,
            ),
            line(
                "especially complex, extension approved and complainant told",
                f"{COMPLAINT_LAW}: 延长 30日 with approval and notice",
                policy.complaint_complex_days + policy.complaint_extension_days,
                start,
            ),
        ]
        if policy.internal_complaint_target_working_days:
            days = policy.internal_complaint_target_working_days
            target = internal_target_due(start, days, policy, calendar).date()
            lines.append(
                DueLine(
                    f"internal target ({days} working days)", "center's own target", None, target
                )
            )
        return lines
    if kind == "complaint-review":
        return [
            line(
                "decide the 核查 (review)",
                f"{COMPLAINT_LAW}: 核查 30日",
                policy.complaint_review_days,
                start,
            )
        ]
    duty = _CLAIM_KINDS[kind]
    terms = claim_terms(policy, insurer_id)
    day = documents_complete or start
    label = duty.value.replace("_", " ")
    if kind in _FROM_DOCUMENTS:
        label += " (from claim + documents)" if documents_complete else " (from claim received)"
    return [line(label, f"{LAW[duty]}; terms: {terms.source}", terms.of(duty), day)]
