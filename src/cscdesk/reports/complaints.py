"""Complaint statistics for the regulator: counts by category and channel, and timeliness.

银行业保险业消费投诉处理管理办法 asks institutions to report complaints by business category and
by source; this report gives, per (category, channel), how many were received in the period,
how many were decided, decided in time (as the law counts the 15/30/60 days, appraisal days
excluded), breached, withdrawn, still open, and how many asked for 核查.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from cscdesk.domain.complaints import Complaint, ComplaintState, breached
from cscdesk.domain.sla import SlaPolicy
from cscdesk.reports.output import Column, Report, Value

ComplaintGrouping = Literal["category", "channel", "both"]
GROUPINGS: tuple[ComplaintGrouping, ...] = ("category", "channel", "both")
_COUNTS = ("received", "decided", "in_time", "breached", "withdrawn", "open", "review")


def _key(complaint: Complaint, by: ComplaintGrouping) -> tuple[str, str]:
    category = complaint.category.value if by != "channel" else "all"
    channel = complaint.channel.value if by != "category" else "all"
    return category, channel


def complaints_report(
    complaints: Sequence[Complaint],
    policy: SlaPolicy,
    *,
    by: ComplaintGrouping,
    start: datetime,
    end: datetime,
    now: datetime,
) -> Report:
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    for complaint in complaints:
        row = counts[_key(complaint, by)]
        late = breached(complaint, policy, now)
        row["received"] += 1
        row["decided"] += complaint.decision is not None
        row["in_time"] += complaint.decision is not None and not late
        row["breached"] += late
        row["withdrawn"] += complaint.state is ComplaintState.WITHDRAWN
        row["open"] += complaint.is_open
        row["review"] += complaint.review_requested_at is not None
    columns = [
        Column("category", "category"),
        Column("channel", "channel"),
        Column("received", "received", "int"),
        Column("decided", "decided", "int"),
        Column("in_time", "decided in time", "int"),
        Column("breached", "breached", "int"),
        Column("withdrawn", "withdrawn", "int"),
        Column("open", "open", "int"),
        Column("review", "核查 asked", "int"),
    ]
    report = Report(
        title=f"Complaints by {by}, received {start:%Y-%m-%d} – {end:%Y-%m-%d}",
        columns=columns,
        notes=[
            f"Due: {policy.complaint_days} days from receipt ({policy.complaint_complex_days}"
            f" when complex, {policy.complaint_complex_days + policy.complaint_extension_days}"
            " with approval and notice), appraisal days excluded; 核查 its own"
            f" {policy.complaint_review_days} days. Calendar days; a last day off moves to the"
            " next working day (民法典 §203).",
        ],
    )
    for index, (key, row) in enumerate(sorted(counts.items())):
        values: dict[str, Value] = {"category": key[0], "channel": key[1]}
        values.update(row)
        report.rows.append(values)
        if row["breached"]:
            report.breaches.add((index, "breached"))
    total: dict[str, Value] = {"category": "total", "channel": ""}
    total.update({k: sum(r[k] for r in counts.values()) for k in _COUNTS})
    report.rows.append(total)
    report.footer.append("! marks complaints whose decision or 核查 was (or is) overdue.")
    return report
