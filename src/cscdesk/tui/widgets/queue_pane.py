"""The queue pane: the agent's skill groups (waiting, longest wait, ready agents) and the call
in front of the agent with what can be done with it."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from cscdesk.callcenter.port import AgentStatus, CallState, OfferedCall, QueueState
from cscdesk.domain.privacy import mask_mobile
from cscdesk.tui.format import clock
from cscdesk.tui.i18n import _

CALL_STATE_LABELS = {
    CallState.OFFERED: "Ringing",
    CallState.TALKING: "Talking",
    CallState.HOLDING: "On hold",
    CallState.CONSULTING: "Consulting",
    CallState.CONFERENCE: "Three-way call",
    CallState.DIALING: "Dialling",
    CallState.ENDED: "Ended",
    CallState.UNKNOWN: "Unknown state",
}


class QueueTable(DataTable[str | Text]):
    """One row per skill group, updated cell by cell."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_column(_("Skill group"), key="group")
        self.add_column(_("Waiting"), key="waiting")
        self.add_column(_("Longest"), key="longest")
        self.add_column(_("Ready"), key="ready")

    def show(self, queues: list[QueueState], names: dict[str, str], mine: set[str]) -> None:
        seen = set()
        for queue in queues:
            key = queue.skill_group_id
            seen.add(key)
            name = names.get(key, queue.skill_group_name)
            marker = "● " if key in mine else "  "
            waiting = Text(str(queue.waiting_calls), "bold red" if queue.waiting_calls else "")
            cells: list[str | Text] = [
                marker + name,
                waiting,
                clock(queue.longest_wait_seconds),
                str(queue.ready_agents),
            ]
            if key in self.rows:
                for column, value in zip(
                    ("group", "waiting", "longest", "ready"), cells, strict=True
                ):
                    self.update_cell(key, column, value)
            else:
                self.add_row(*cells, key=key)
        for gone in [k.value for k in self.rows if k.value not in seen]:
            if gone is not None:
                self.remove_row(gone)


class CallPanel(Static):
    """The agent's own call: state, caller (masked), timer, and the keys that apply now."""

    DEFAULT_CSS = """
    CallPanel { height: auto; min-height: 3; border: round $primary; padding: 0 1; }
    CallPanel.-ringing { border: heavy $warning; background: $warning 20%; }
    """

    def show(self, status: AgentStatus, call: OfferedCall | None, group_name: str | None,
             since: datetime | None, now: datetime, consulting: bool = False, *,
             talk_since: datetime | None = None, hold_since: datetime | None = None,
             colleague: str | None = None) -> None:  # fmt: skip
        """``talk_since``: when the call was first seen connected (the call timer);
        ``hold_since``: when it went on hold (the hold timer); ``since`` (when the agent entered
        the current state) stands in for a call timer the desk has not started yet.
        ``colleague``: the consulted colleague's name, shown instead of the caller's number."""
        self.set_class(call is not None and call.state is CallState.OFFERED, "-ringing")
        text = Text()
        if call is None:
            if status is AgentStatus.WORKING:
                text.append(_("After-call work: choose a wrap-up code (w)"), "bold blue")
            elif status is AgentStatus.READY:
                text.append(_("Ready — waiting for a call"), "green")
            elif status is AgentStatus.OFFLINE:
                text.append(_("Signed out — press g to sign in to your skill groups"), "dim")
            else:
                text.append(_("No call"), "dim")
            self.update(text)
            return
        shown_state = call.state
        if consulting and call.state is not CallState.CONFERENCE:
            shown_state = CallState.CONSULTING
        text.append(_(CALL_STATE_LABELS[shown_state]), "bold")
        if shown_state in (CallState.CONSULTING, CallState.CONFERENCE) and colleague:
            text.append("  " + _("with") + f" {colleague}", "bold")
        else:
            text.append("  " + mask_mobile(call.caller), "bold")
            if group_name:
                text.append("  " + group_name, "dim")
        if hold_since is not None and call.state is CallState.HOLDING:
            text.append("  " + _("on hold") + " " + clock((now - hold_since).total_seconds()),
                        "bold reverse")  # fmt: skip
            if talk_since is not None:
                text.append("  " + _("call") + " " + clock((now - talk_since).total_seconds()))
        elif (talk_since or since) is not None:
            started = talk_since or since
            assert started is not None
            text.append("  " + clock((now - started).total_seconds()))
        if call.muted:
            text.append("  " + _("MUTED"), "bold reverse")
        text.append("\n")
        hints = {
            CallState.OFFERED: _("a answer"),
            CallState.TALKING: _("h hold · u mute · d keypad · t transfer · x hang up"),
            CallState.HOLDING: _("h retrieve · u mute · t transfer · x hang up"),
            CallState.CONSULTING: _("t complete transfer · f three-way · x cancel · no swap (the "
                                    "call system has none)"),
            CallState.CONFERENCE: _("u mute · x leave: your colleague keeps the caller"),
            CallState.DIALING: _("x hang up"),
        }  # fmt: skip
        text.append(self._wrap_between_keys(hints.get(shown_state, "")), "dim")
        self.update(text)

    def _wrap_between_keys(self, hint: str) -> str:
        """A narrow panel breaks the hint between keys ("x hang up" stays on one line)."""
        width = self.content_region.width
        if width <= 0:
            return hint
        lines: list[str] = []
        for part in hint.split(" · "):
            if lines and cell_len(lines[-1] + " · " + part) <= width:
                lines[-1] += " · " + part
            else:
                lines.append(part)
        return "\n".join(lines)


class QueuePane(Vertical):
    def compose(self) -> ComposeResult:
        yield CallPanel(id="call-panel")
        yield QueueTable(id="queue-table")
