"""Policies and claims across insurers, filled one insurer at a time as each answers.

Each insurer gets a line saying where its answer came from (live, daily batch, cache), how old it
is, and whether it failed or is stale, so the agent never mistakes old data for today's. Each
claim shows the insurer's most pressing legal duty on it (保险法 §23–25): what is due, by when,
breached or stopped while documents are requested.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from cscdesk.domain.claim_duties import ClaimDuty, DutyClock
from cscdesk.domain.privacy import mask_name
from cscdesk.tui.format import countdown
from cscdesk.tui.i18n import _

DUTY_LABELS = {
    ClaimDuty.DECISION: "decision",
    ClaimDuty.PAYMENT: "payment",
    ClaimDuty.REFUSAL_NOTICE: "refusal notice",
    ClaimDuty.ADVANCE_PAYMENT: "advance payment",
}
DutyClocks = Callable[[Any], list[DutyClock]]


def duty_cell(clocks: list[DutyClock], now: datetime) -> Text:
    """The clock a person must look at: a breach first, then the nearest due, then a pause."""
    open_clocks = [c for c in clocks if c.due_at is not None and c.met_at is None]
    breached = [c for c in clocks if c.breached(now)]
    if breached:
        clock = breached[0]
        assert clock.due_at is not None
        late = countdown(clock.due_at, now).lstrip("-")
        return Text(f"{_(DUTY_LABELS[clock.duty])} " + _("overdue") + f" {late}", "bold red")
    paused = [c for c in open_clocks if c.paused]
    running = sorted((c for c in open_clocks if not c.paused), key=lambda c: c.due_at or now)
    if running:
        clock = running[0]
        assert clock.due_at is not None
        left = countdown(clock.due_at, now)
        soon = clock.due_at - now < timedelta(days=clock.days) / 5  # the last fifth: warn
        style = "yellow" if soon else ""
        return Text(f"{_(DUTY_LABELS[clock.duty])} {left}", style)
    if paused:
        return Text(_(DUTY_LABELS[paused[0].duty]) + " " + _("paused: documents requested"), "dim")
    return Text("—", "dim")


SOURCE_LABELS = {"live": "live", "batch": "daily batch", "cache": "cached"}


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 86400:.0f}d"


def freshness(result: Any) -> Text:
    """One insurer's status: ✓ live 2s / ! cached 3h (stale) / ✗ failed: reason."""
    text = Text()
    text.append(result.insurer_name, "bold")
    text.append(" ")
    if result.error and not result.policies and not result.claims:
        text.append("✗ " + _("failed") + f": {result.error}", "bold red")
        return text
    if result.as_of is None and result.source == "batch":
        text.append("· " + _("broker's own records (not asked live)"), "dim")
        return text
    mark, style = ("!", "yellow") if result.stale or result.error else ("✓", "green")
    text.append(f"{mark} {_(SOURCE_LABELS.get(result.source, result.source))}", style)
    text.append(f" {_age(result.age_seconds)}", "dim")
    if result.stale:
        text.append(" (" + _("stale") + ")", "yellow")
    if result.error:
        text.append(" (" + _("live lookup failed") + ")", "yellow")
    return text


class PoliciesPane(Vertical):
    def compose(self) -> ComposeResult:
        # columns are set before the tables mount: a desk closed while this pane is still mounting
        # must not fail looking for children that are already gone
        yield Static(_("Policies appear here when a customer is on screen."), id="insurer-status")
        policies: DataTable[str | Text] = DataTable(id="policies", cursor_type="row")
        # key columns first: at 80 columns the product and the insured person are what is cut
        for key, label in (("insurer", "Insurer"), ("policy", "Policy no."),
                           ("status", "Status"), ("period", "Period"),
                           ("product", "Product"), ("insured", "Insured")):  # fmt: skip
            policies.add_column(_(label), key=key)
        yield policies
        claims: DataTable[str | Text] = DataTable(id="claims", cursor_type="row")
        for key, label in (("insurer", "Insurer"), ("claim", "Claim no."), ("stage", "Stage"),
                           ("duty", "Insurer's duty"), ("claimed", "Claimed"), ("paid", "Paid"),
                           ("hospital", "Hospital")):  # fmt: skip
            claims.add_column(_(label), key=key)
        yield claims
        yield Static("", id="policy-detail")

    def start(self, insurer_names: list[str]) -> None:
        self.query_one("#policies", DataTable).clear()
        self.query_one("#claims", DataTable).clear()
        self.query_one("#policy-detail", Static).update("")
        waiting = Text(_("Asking") + ": " + ", ".join(insurer_names) + " …", "dim")
        self.query_one("#insurer-status", Static).update(waiting)

    def show(
        self,
        results: list[Any],
        member_names: dict[str, str],
        pending: list[str],
        duties: tuple[DutyClocks, datetime] | None = None,
    ) -> None:
        """``duties``: how to get a claim's legal clocks, and now (the desk's SLA policy)."""
        lines = Text("\n").join(freshness(r) for r in results)
        if pending:
            if lines:
                lines.append("\n")
            lines.append(_("Waiting for") + ": " + ", ".join(pending), "dim")
        self.query_one("#insurer-status", Static).update(lines)
        policies = self.query_one("#policies", DataTable)
        claims = self.query_one("#claims", DataTable)
        for result in results:
            for policy in result.policies:
                key = f"{result.insurer_id}:{policy.policy_no}:{policy.sub_policy_no}"
                if key in policies.rows:
                    continue
                insured = mask_name(member_names.get(policy.member_id, policy.member_id))
                policies.add_row(
                    result.insurer_name, policy.policy_no, _(policy.status.value),
                    f"{policy.start:%Y-%m-%d}~{policy.end:%Y-%m-%d}", policy.product, insured,
                    key=key,
                )  # fmt: skip
            for claim in result.claims:
                key = f"{result.insurer_id}:{claim.claim_no}"
                if key in claims.rows:
                    continue
                paid = "—" if claim.amount_paid is None else f"{claim.amount_paid:,.2f}"
                duty = duty_cell(duties[0](claim), duties[1]) if duties else Text("—", "dim")
                claims.add_row(
                    result.insurer_name, claim.claim_no, _(claim.stage.value), duty,
                    f"{claim.amount_claimed:,.2f}", paid, claim.hospital or "—", key=key,
                )  # fmt: skip

    def detail(self, text: Text) -> None:
        self.query_one("#policy-detail", Static).update(text)
