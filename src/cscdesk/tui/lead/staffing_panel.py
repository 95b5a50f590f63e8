"""Today's staffing plan against the agents actually signed in, interval by interval."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from cscdesk.reports.staffing import StaffingPlan
from cscdesk.tui.i18n import _
from cscdesk.tui.lead.intraday import IntervalPoint

WINDOW = 8  # intervals shown: the current one, a couple before, the rest ahead


class StaffingPanel(Static):
    def show(
        self,
        plan: StaffingPlan | None,
        now: datetime,
        signed_in_now: int,
        history: Sequence[IntervalPoint],
    ) -> None:
        if plan is None or not plan.rows:
            self.update(_("No staffing plan: no forecast file and no call history yet."))
            return
        seen = {p.start: p.signed_in_max for p in history}
        table = Table(
            title=_("Staffing plan: target {target}% in {seconds}s").format(
                target=f"{plan.target_percent:g}", seconds=f"{plan.threshold_seconds:g}"
            ),
            title_justify="left",
            expand=True,
        )
        for label in (
            _("Interval"),
            _("Forecast calls"),
            _("Agents needed"),
            _("Rostered"),
            _("Seconded to request"),
            _("Signed in"),
        ):
            table.add_column(label, justify="right")
        current = plan.row_at(now)
        index = plan.rows.index(current) if current else 0
        for row in plan.rows[max(0, index - 2) : max(0, index - 2) + WINDOW]:
            is_now = row is current
            signed = signed_in_now if is_now else seen.get(row.start)
            signed_text = Text("—" if signed is None else str(signed))
            if signed is not None and signed < row.agents:
                signed_text.stylize("bold red")
            label = (
                row.start.strftime("%H:%M") + (" ▶" if is_now else "") + (" ★" if row.peak else "")
            )
            table.add_row(
                label,
                f"{row.calls:.1f}",
                str(row.agents),
                str(row.rostered),
                str(row.seconded_to_request),
                signed_text,
                style="bold" if is_now else None,
            )
        self.update(table)
