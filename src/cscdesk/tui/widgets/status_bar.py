"""The top line: who is signed in, their state and its timer, and how healthy the link is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from cscdesk.callcenter.port import AgentStatus
from cscdesk.tui.format import clock
from cscdesk.tui.i18n import _

STATUS_LABELS = {
    AgentStatus.OFFLINE: "Signed out",
    AgentStatus.READY: "Ready",
    AgentStatus.BREAK: "Break",
    AgentStatus.RINGING: "Ringing",
    AgentStatus.TALKING: "Talking",
    AgentStatus.HOLDING: "On hold",
    AgentStatus.WORKING: "After-call work",
    AgentStatus.OUTBOUND: "Dialling",
    AgentStatus.UNKNOWN: "Unknown state",
}
WORK_MODE_LABELS = {
    "ON_SITE": "on site",
    "OFF_SITE": "off site (mobile)",
    "OFFICE_PHONE": "office phone",
}
# The call system's own break reasons: it puts an agent on a break with these, nobody picks
# them at a desk (CCC's documented system codes, SDK ListRealtimeAgentStates ``BreakCode``).
BREAK_CODE_LABELS = {
    "RingingTimeout": "Missed a call",
    "RejectCall": "Rejected a call",
    "Warm-up": "Getting ready",
}
SHOWN_CODE_CHARS = 24  # an unknown code is shown as given, up to this many characters
STATUS_STYLE = {
    AgentStatus.OFFLINE: "dim",
    AgentStatus.READY: "bold green",
    AgentStatus.BREAK: "yellow",
    AgentStatus.RINGING: "bold black on yellow",
    AgentStatus.TALKING: "bold cyan",
    AgentStatus.HOLDING: "bold magenta",
    AgentStatus.WORKING: "bold blue",
    AgentStatus.OUTBOUND: "bold cyan",
    AgentStatus.UNKNOWN: "dim",
}


def break_reason(code: str, center_codes: Mapping[str, str]) -> str:
    """Why the agent is on a break, in the desk's language: a reason the center's agents choose
    (``center_codes``: code → label from the directory), one the call system sets itself, or
    else the code as given (a custom code of the call system's tenant), marked as a code."""
    if code in center_codes:
        return center_codes[code]
    if code in BREAK_CODE_LABELS:
        return _(BREAK_CODE_LABELS[code])
    shown = "".join(ch for ch in code if ch.isprintable()).strip()[:SHOWN_CODE_CHARS]
    return _("reason code {code}").format(code=shown or "?")


@dataclass(slots=True)
class StatusFacts:
    agent_name: str = ""
    affiliation: str = ""  # "broker" or "seconded: <insurer>"
    status: AgentStatus = AgentStatus.OFFLINE
    state_since: datetime | None = None
    break_label: str | None = None
    last_ok: datetime | None = None
    latency_ms: float | None = None
    offline: bool = False
    backlog: int | None = None
    sim_time: datetime | None = None
    device_id: str | None = None  # the phone the voice goes through (None: none registered)
    work_mode: str | None = None


class StatusBar(Static):
    """Rendered from ``StatusFacts`` every second; never asks anything itself."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """

    def show(self, facts: StatusFacts, now: datetime) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(facts.agent_name or "—", "bold")
        if facts.affiliation:
            text.append(f" ({facts.affiliation})", "dim")
        text.append("  ")
        label = _(STATUS_LABELS[facts.status])
        if facts.break_label and facts.status is AgentStatus.BREAK:
            label = f"{label}: {facts.break_label}"
        text.append(f" {label} ", STATUS_STYLE[facts.status])
        if facts.state_since is not None and facts.status is not AgentStatus.OFFLINE:
            text.append(" " + clock((now - facts.state_since).total_seconds()))
        if facts.status is not AgentStatus.OFFLINE:
            text.append("  │ ")
            if facts.device_id:
                mode = facts.work_mode or ""
                text.append(_("phone") + f" {facts.device_id}", "dim")
                if mode:
                    text.append(" · " + _(WORK_MODE_LABELS.get(mode, mode)), "dim")
            else:  # the terminal only controls calls: without a phone nobody can be answered
                text.append(_("No phone registered: calls cannot be answered"), "bold red")
        text.append("  │ ")
        if facts.offline:
            text.append(_("offline"), "bold red")
        elif facts.last_ok is None:
            text.append(_("connecting…"), "yellow")
        else:
            age = max(0.0, (now - facts.last_ok).total_seconds())
            style = "green" if age < 5 else "yellow"
            text.append(_("link") + f" {age:.0f}s", style)
            if facts.latency_ms is not None:
                text.append(f" {facts.latency_ms:.0f}ms", "dim")
        if facts.backlog is not None:
            text.append("  │ " + _("outbox") + f" {facts.backlog}")
        if facts.sim_time is not None:
            text.append("  │ " + _("sim") + " " + facts.sim_time.strftime("%H:%M:%S"), "dim")
        self.update(text)
