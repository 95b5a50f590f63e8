"""安和 (demo): no API at all; it drops a daily extract into a folder — policies as CSV, claims
as XLSX — in the column layout ``cscdesk import insurer-batch`` expects, with Chinese codes.

The same day's extract of the same records is the same bytes, whenever it is written: the XLSX
carries the extract day, not the moment of writing, in its zip entries and document properties
(openpyxl's ``save`` stamps both with the clock). A restarted simulator then rewrites a file the
broker has already imported, instead of making a "new" one under another checksum.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cscdesk.domain.models import ClaimStage, PolicyStatus
from cscdesk.insurers.batch_import import CLAIM_COLUMNS, POLICY_COLUMNS
from cscdesk.insurers.sim.book import InsurerBook
from cscdesk.insurers.sim.common import CHINA, local

if TYPE_CHECKING:
    from openpyxl import Workbook

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
    scratch = policies_path.with_name(f".{policies_path.name}.part")
    with scratch.open("w", encoding="utf-8-sig", newline="") as handle:
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
    scratch.replace(policies_path)  # a desk importing the folder never reads half a file
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
    save_stamped(workbook, claims_path, day)
    return [policies_path, claims_path]


class _StampedZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time (``ZipFile.writestr`` would stamp each with
    the clock, ``write`` with its scratch file's), with the attributes ``writestr`` gives them
    otherwise. openpyxl writes worksheets through a scratch file, the rest by name."""

    stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.stamp)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        data = Path(filename).read_bytes()
        self.writestr(arcname or Path(filename).name, data, *args, **kwargs)


def save_stamped(workbook: Workbook, path: Path, day: date) -> None:
    """Save ``workbook`` as ``openpyxl``'s ``save`` does, with ``day`` (midnight) as the time of
    every zip entry and as the document's created and modified times."""
    from openpyxl.writer.excel import ExcelWriter

    midnight = datetime(day.year, day.month, day.day)
    workbook.properties.created = workbook.properties.modified = midnight
    scratch = path.with_name(f".{path.name}.part")
    archive = _StampedZip(scratch, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.stamp = (day.year, day.month, day.day, 0, 0, 0)
    ExcelWriter(workbook, archive).save()  # closes the archive
    scratch.replace(path)  # a reader never sees half a file
