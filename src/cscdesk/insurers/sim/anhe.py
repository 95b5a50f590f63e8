"""安和 (demo): no API at all; it drops a daily extract into a folder — policies as CSV, claims
as XLSX — in the column layout ``cscdesk import insurer-batch`` expects, with Chinese codes.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from cscdesk.domain.models import ClaimStage, PolicyStatus
from cscdesk.insurers.batch_import import CLAIM_COLUMNS, POLICY_COLUMNS
from cscdesk.insurers.sim.book import InsurerBook
from cscdesk.insurers.sim.common import CHINA, local

STATUS_ZH = {
    PolicyStatus.ACTIVE: "有效",
    PolicyStatus.PENDING: "待生效",
    PolicyStatus.LAPSED: "失效",
    PolicyStatus.TERMINATED: "终止",
    PolicyStatus.EXPIRED: "满期",
}
STAGE_ZH = {
    ClaimStage.REPORTED: "报案",
    ClaimStage.ACCEPTED: "受理",
    ClaimStage.DOCUMENTS_REQUESTED: "补材料",
    ClaimStage.UNDER_REVIEW: "审核",
    ClaimStage.SETTLED: "结案",
    ClaimStage.REFUSED: "拒赔",
    ClaimStage.PAID: "支付",
}


def write_extracts(book: InsurerBook, directory: Path, day: date | None = None) -> list[Path]:
    """Write today's (simulated) policies CSV and claims XLSX; returns the two paths."""
    from openpyxl import Workbook

    directory.mkdir(parents=True, exist_ok=True)
    day = day or datetime.now(CHINA).date()
    stamp = day.strftime("%Y%m%d")
    policies_path = directory / f"{book.insurer_id}_policies_{stamp}.csv"
    with policies_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(POLICY_COLUMNS)
        for p in book.policies:
            coverages = ";".join(
                f"{c.code}:{c.name}:{c.limit}:{c.deductible}:{c.ratio}" for c in p.coverages
            )
            writer.writerow(
                [
                    p.policy_no,
                    p.sub_policy_no,
                    p.member_id,
                    p.employer_id,
                    p.product,
                    p.start.isoformat(),
                    p.end.isoformat(),
                    STATUS_ZH[p.status],
                    coverages,
                ]
            )
    claims_path = directory / f"{book.insurer_id}_claims_{stamp}.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(CLAIM_COLUMNS))
    for c in book.claims_now():
        sheet.append(
            [
                c.claim_no,
                c.policy_no,
                c.member_id,
                c.accident_date.isoformat(),
                local(c.reported_at),
                STAGE_ZH[c.stage],
                str(c.amount_claimed),
                str(c.amount_paid) if c.amount_paid is not None else None,
                c.hospital,
                c.case_no,
                c.settlement_no,
                c.refusal_reason,
                local(c.stage_changed_at),
                local(c.decided_at),
                local(c.paid_at),
            ]
        )
    workbook.save(claims_path)
    return [policies_path, claims_path]
