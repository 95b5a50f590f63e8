"""The team-lead wallboard (班长监控屏): queues, agents, alerts, intraday chart, staffing plan.

Polling follows dolphie: one worker asks the call system for a snapshot, stores it, and posts it
as a message; when the worker has finished (whatever the outcome) the next poll is armed with
``set_timer``, so a slow call system never stacks polls. Handlers update cells in place.
Every snapshot is stored, so interval history survives a restart and the day can be replayed
with ``[`` and ``]``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Input,
    RichLog,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import Worker, WorkerState

from cscdesk.domain.models import Agent
from cscdesk.reports.staffing import StaffingPlan
from cscdesk.sync.wallboard import WallboardSnapshot, poll_snapshot, team_totals
from cscdesk.tui.i18n import _
from cscdesk.tui.keys import LEAD_ACTIONS, bindings, localize
from cscdesk.tui.lead import directory, supervision, ticket_board
from cscdesk.tui.lead.alerts import Alert, AlertChange, Severity, changes, evaluate, should_ring
from cscdesk.tui.lead.chart import IntradayChart
from cscdesk.tui.lead.figures import queue_figures
from cscdesk.tui.lead.intraday import IntradayHistory, SnapshotSummary
from cscdesk.tui.lead.missed_calls_line import missed_calls_line
from cscdesk.tui.lead.rows import (
    AGENT_COLUMNS,
    AgentCells,
    agent_headers,
    agent_matches,
    duration,
    queue_cells,
    queue_headers,
    sort_value,
)
from cscdesk.tui.lead.staffing_panel import StaffingPanel
from cscdesk.tui.lead.tables import LiveTable
from cscdesk.tui.polling import RearmingPoll, worker_failure
from cscdesk.tui.services import DeskServices

POLL_GROUP = "lead-poll"


def summary_of(snapshot: WallboardSnapshot) -> SnapshotSummary:
    return SnapshotSummary(
        taken_at=snapshot.taken_at,
        offered=sum(q.offered for q in snapshot.queues),
        answered=sum(q.answered for q in snapshot.queues),
        signed_in=snapshot.signed_in,
        waiting=sum(q.waiting for q in snapshot.queues),
    )


class SnapshotTaken(Message):
    def __init__(self, snapshot: WallboardSnapshot, live: bool = True) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.live = live


class PollFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ContextLoaded(Message):
    """Roster, names, today's stored history and the staffing plan: read once after mount."""

    def __init__(
        self,
        roster: Mapping[str, Agent],
        group_names: Mapping[str, str],
        insurer_names: Mapping[str, str],
        history: list[SnapshotSummary],
        plan: StaffingPlan | None,
        notice: str | None,
    ) -> None:
        super().__init__()
        self.roster = roster
        self.group_names = group_names
        self.insurer_names = insurer_names
        self.history = history
        self.plan = plan
        self.notice = notice


class LeadActionDone(Message):
    def __init__(self, text: str, ok: bool) -> None:
        super().__init__()
        self.text = text
        self.ok = ok


class LeadScreen(Screen[None]):
    """Pushed by the desk app for ``--as lead`` (and by the lead's screen switch)."""

    DEFAULT_CSS = """
    LeadScreen #lead-status { height: 1; padding: 0 1; background: $boost; }
    LeadScreen #queues { height: 1fr; min-height: 5; }
    LeadScreen TabbedContent { height: 2fr; }
    LeadScreen #agent-filter { display: none; }
    LeadScreen #agent-filter.-visible { display: block; }
    LeadScreen #agent-totals { height: 1; padding: 0 1; }
    LeadScreen #intraday { height: 1fr; min-height: 8; }
    """

    ACTIONS = LEAD_ACTIONS
    BINDINGS: ClassVar[list[BindingType]] = bindings(LEAD_ACTIONS)

    def __init__(self, services: DeskServices) -> None:
        super().__init__()
        localize(self)  # footer labels in the desk's language, chosen before the screen
        self.services = services
        self.settings = services.settings
        self.snapshots = directory.snapshot_repository(services.store)
        self.history = IntradayHistory(self.settings.staffing.interval_minutes)
        self.roster: Mapping[str, Agent] = {}
        self.group_names: Mapping[str, str] = {}
        self.insurer_names: Mapping[str, str] = {}
        self.plan: StaffingPlan | None = None
        self.alerts: dict[tuple[str, str], Alert] = {}
        self.alert_log: list[AlertChange] = []
        self.last: WallboardSnapshot | None = None
        self.replay_at: datetime | None = None  # None: live
        self.sort_index: int | None = None
        self.sort_reverse = False
        self.filter_text = ""
        self._context_ready = False
        self.snapshot_poll = RearmingPoll(  # the one armed poll: never two chains
            self, POLL_GROUP, self.poll, lambda: self.settings.desk.status_refresh_seconds
        )

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Static(_("Connecting to the call system…"), id="lead-status")
        yield missed_calls_line(self.services, self.now)
        yield LiveTable(list(queue_headers().items()), id="queues")
        with TabbedContent(id="lead-tabs"):
            with TabPane(_("Agents"), id="tab-agents"), Vertical():
                yield Input(
                    placeholder=_("Filter: name, team, insurer or state"), id="agent-filter"
                )
                yield LiveTable(list(agent_headers().items()), id="agents")
                yield Static("", id="agent-totals")
            with TabPane(_("Intraday"), id="tab-intraday"):
                yield IntradayChart(id="intraday")
            with TabPane(_("Staffing"), id="tab-staffing"):
                yield StaffingPanel("", id="staffing")
            with TabPane(_("Alert log"), id="tab-alerts"):
                yield RichLog(id="alert-log", markup=False, wrap=True)
        yield Footer()

    def now(self) -> datetime:
        clock = self.services.sim_clock or self.services.now
        return clock()

    def on_mount(self) -> None:
        self.load_context()  # the first poll starts once the roster is known
        self.sign_in_lead()

    @work(group="lead-action", exit_on_error=False)
    async def sign_in_lead(self) -> None:
        """The lead's own user and device, so monitor, coach and barge in can work."""
        problem = await supervision.sign_in_lead(self.services)
        if problem:
            self.post_message(LeadActionDone(_("Sign-in failed: {reason}").format(reason=problem),
                                             ok=False))  # fmt: skip

    def on_unmount(self) -> None:
        self.snapshot_poll.stop()

    # ---------------------------------------------------------------- workers
    @work(thread=True, exclusive=True, group="lead-context", exit_on_error=False)
    def load_context(self) -> None:
        """Read what the store knows once; SQLite stays off the event loop."""
        notice = None
        roster = directory.roster(self.services)
        group_names = directory.group_names(self.services)
        insurer_names = directory.insurer_names(self.services)
        day_start = self.now().replace(hour=0, minute=0, second=0, microsecond=0)
        history = []
        if self.snapshots is not None:
            self.snapshots.purge_before(day_start - timedelta(days=directory.SNAPSHOT_KEEP_DAYS))
            history = self.snapshots.summaries_between(day_start, day_start + timedelta(days=1))
        try:
            plan = directory.todays_plan(self.services, self.now())
        except ValueError as exc:  # a bad forecast file: say so, keep the wallboard running
            plan, notice = None, str(exc)
        self.post_message(ContextLoaded(roster, group_names, insurer_names, history, plan, notice))

    @work(exclusive=True, group=POLL_GROUP, exit_on_error=False)
    async def poll(self) -> None:
        snapshot = await poll_snapshot(self.services.call_center, self.now(), self.roster)
        self.post_message(SnapshotTaken(snapshot))  # recorded by the wallboard.snapshots duty

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "lead-context" and event.state == WorkerState.ERROR:
            # The store could not be read: show the live board anyway, without history.
            self.notify(str(event.worker.error), severity="warning", timeout=10)
            if not self._context_ready:
                self._context_ready = True
                self.poll()
            return
        failure = worker_failure(event)
        if failure is not None and event.worker.group == POLL_GROUP:
            self.post_message(PollFailed(str(event.worker.error)))
        elif failure is not None:
            self.notify(failure, severity="error", timeout=10)
        self.snapshot_poll.worker_changed(event)

    def action_team_tickets(self) -> None:
        self.app.push_screen(ticket_board.TicketBoardScreen(self.services, now=self.now))

    def poll_now(self) -> None:
        """Poll at once; the armed timer is dropped so one chain of polls remains."""
        self.snapshot_poll.poll_now()

    # ---------------------------------------------------------------- handlers
    @on(ContextLoaded)
    def context_loaded(self, message: ContextLoaded) -> None:
        self.roster = message.roster
        self.group_names = message.group_names
        self.insurer_names = message.insurer_names
        self.plan = message.plan
        for summary in message.history:
            self.history.add(summary)
        first_time = not self._context_ready
        self._context_ready = True
        if first_time:
            self.poll()
        if message.notice:
            self.notify(message.notice, severity="warning", timeout=10)
        self._draw_history()

    @on(SnapshotTaken)
    def snapshot_taken(self, message: SnapshotTaken) -> None:
        snapshot = message.snapshot
        if message.live:
            self.history.add(summary_of(snapshot))
            if self.replay_at is not None:
                return  # keep recording while the lead looks back
        else:
            self.replay_at = snapshot.taken_at
        self.last = snapshot
        self._draw(snapshot, record_alerts=message.live)

    @on(PollFailed)
    def poll_failed(self, message: PollFailed) -> None:
        self.query_one("#lead-status", Static).update(
            _("Call system not answering ({reason}); retrying").format(reason=message.reason)
        )

    @on(LeadActionDone)
    def lead_action_done(self, message: LeadActionDone) -> None:
        self.notify(message.text, severity="information" if message.ok else "error")
        if message.ok:
            self.poll_now()  # the marks of who is supervised show at once

    @on(Input.Changed, "#agent-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        if self.last is not None:
            self._draw_agents(self.last)

    @on(DataTable.HeaderSelected, "#agents")
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        self._set_sort(AGENT_COLUMNS.index(str(event.column_key.value)))

    # ---------------------------------------------------------------- drawing
    def _draw(self, snapshot: WallboardSnapshot, *, record_alerts: bool) -> None:
        figures = {
            row.group_id: queue_figures(row, self.settings.indicators) for row in snapshot.queues
        }
        active = evaluate(self.settings.alerts, figures)
        if record_alerts:
            new_lines = changes(snapshot.taken_at, self.alerts, active)
            self._log_alerts(new_lines)
            if should_ring(self.settings.alerts, new_lines):
                self.app.bell()
        self.alerts = active
        rows = {
            q.group_id: queue_cells(
                q, figures[q.group_id], active, self._group_name(q.group_id, q.name)
            )
            for q in snapshot.queues
        }
        self.query_one("#queues", LiveTable).sync(rows)
        self._draw_agents(snapshot)
        self._draw_status(snapshot)
        self._draw_history()

    def _draw_agents(self, snapshot: WallboardSnapshot) -> None:
        table = self.query_one("#agents", LiveTable)
        rows = {}
        cells_of = AgentCells(snapshot.taken_at, self.insurer_names, self.services.user_id)
        for agent in snapshot.agents:
            cells = cells_of(agent)
            if agent_matches(cells, self.filter_text):
                rows[agent.agent_id] = cells
        table.sync(rows)
        if self.sort_index is not None:
            table.sort(AGENT_COLUMNS[self.sort_index], key=sort_value, reverse=self.sort_reverse)
        totals = team_totals(snapshot.agents)
        broker, seconded = totals["broker"], totals["seconded"]
        self.query_one("#agent-totals", Static).update(
            _(
                "Broker {b_in}/{b_all} signed in, {b_calls} calls, AHT {b_aht} · "
                "Seconded {s_in}/{s_all} signed in, {s_calls} calls, AHT {s_aht}"
            ).format(
                b_in=broker.signed_in,
                b_all=broker.agents,
                b_calls=broker.calls,
                b_aht=duration(broker.aht_seconds),
                s_in=seconded.signed_in,
                s_all=seconded.agents,
                s_calls=seconded.calls,
                s_aht=duration(seconded.aht_seconds),
            )
        )

    def _draw_status(self, snapshot: WallboardSnapshot) -> None:
        critical = sum(1 for a in self.alerts.values() if a.severity is Severity.CRITICAL)
        warning = sum(1 for a in self.alerts.values() if a.severity is Severity.WARNING)
        mode = (
            _("REPLAY {at}").format(at=f"{snapshot.taken_at:%H:%M:%S}")
            if self.replay_at is not None
            else _("LIVE {at}").format(at=f"{snapshot.taken_at:%H:%M:%S}")
        )
        waiting = sum(q.waiting for q in snapshot.queues)
        text = _(
            "{mode} · waiting {waiting} · signed in {signed} · alerts: {critical} critical, {warning} warning"
        ).format(
            mode=mode,
            waiting=waiting,
            signed=snapshot.signed_in,
            critical=critical,
            warning=warning,
        )
        mine = supervision.status_text(snapshot.agents, self.services.user_id, "e")
        self.query_one("#lead-status", Static).update(f"{text} · {mine}" if mine else text)

    def _draw_history(self) -> None:
        points = self.history.points()
        minutes = self.settings.staffing.interval_minutes
        forecast = [(row.start, row.calls) for row in self.plan.rows] if self.plan else []
        day = self.now().date()
        forecast = [(start, calls) for start, calls in forecast if start.date() == day]
        self.query_one("#intraday", IntradayChart).show(points, forecast, minutes)
        signed_now = self.last.signed_in if self.last else 0
        self.query_one("#staffing", StaffingPanel).show(self.plan, self.now(), signed_now, points)

    def _log_alerts(self, lines: list[AlertChange]) -> None:
        log = self.query_one("#alert-log", RichLog)
        for line in lines:
            self.alert_log.append(line)
            log.write(_alert_text(line, self._group_name(line.group_id, line.group_id)))

    def _group_name(self, group_id: str, fallback: str) -> str:
        return self.group_names.get(group_id, fallback)

    # ---------------------------------------------------------------- actions
    def action_filter(self) -> None:
        self.query_one(TabbedContent).active = "tab-agents"
        box = self.query_one("#agent-filter", Input)
        box.add_class("-visible")
        box.focus()

    def action_sort(self) -> None:
        next_index = 0 if self.sort_index is None else (self.sort_index + 1) % len(AGENT_COLUMNS)
        self._set_sort(next_index)

    def _set_sort(self, index: int) -> None:
        if self.sort_index == index:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_index, self.sort_reverse = index, False
        self.query_one("#agents", LiveTable).sort(
            AGENT_COLUMNS[index], key=sort_value, reverse=self.sort_reverse
        )

    def action_next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        order = ["tab-agents", "tab-intraday", "tab-staffing", "tab-alerts"]
        tabs.active = (
            order[(order.index(tabs.active) + 1) % len(order)] if tabs.active in order else order[0]
        )

    def action_poll_now(self) -> None:
        self.poll_now()

    def action_monitor(self) -> None:
        self._supervise("monitor")

    def action_coach(self) -> None:
        self._supervise("coach")

    def action_barge_in(self) -> None:
        self._supervise("barge_in")

    def action_reset_state(self) -> None:
        self._supervise("reset")

    def action_stop_supervising(self) -> None:
        row = supervision.my_supervision(
            self.last.agents if self.last else (), self.services.user_id
        )
        self.run_lead_action("stop", row.agent_id if row else "")

    def _supervise(self, kind: str) -> None:
        agent_id = self.query_one("#agents", LiveTable).selected_key()
        if agent_id is None:
            self.notify(_("Select an agent first."), severity="warning")
            return
        self.run_lead_action(kind, agent_id)

    @work(group="lead-action", exit_on_error=False)
    async def run_lead_action(self, kind: str, agent_id: str) -> None:
        port = self.services.call_center
        lead, device = self.services.user_id, self.services.device_id
        name = self.roster[agent_id].name if agent_id in self.roster else agent_id
        labels = {
            "monitor": _("Monitoring {agent}"),
            "coach": _("Coaching {agent}"),
            "barge_in": _("Barged in on {agent}"),
            "reset": _("Reset the state of {agent}"),
            "stop": _("Stopped supervising {agent}"),
        }
        try:
            if kind == "monitor":
                await port.monitor(lead, device, agent_id)
            elif kind == "coach":
                await port.coach(lead, device, agent_id)
            elif kind == "barge_in":
                await port.barge_in(lead, device, agent_id)
            elif kind == "stop":
                await port.stop_supervising(lead, device)
            else:
                await port.reset_agent_state(agent_id)
        except Exception as exc:  # the call system said no: tell the lead, keep the board
            await asyncio.to_thread(
                directory.audit_lead_action, self.services, kind, agent_id, ok=False
            )
            self.post_message(
                LeadActionDone(
                    _("{action} failed: {reason}").format(
                        action=labels[kind].format(agent=name), reason=exc
                    ),
                    ok=False,
                )
            )
            return
        await asyncio.to_thread(directory.audit_lead_action, self.services, kind, agent_id, ok=True)
        self.post_message(LeadActionDone(labels[kind].format(agent=name), ok=True))

    def action_replay(self, step: int) -> None:
        if self.snapshots is None:
            return
        anchor = self.replay_at or (self.last.taken_at if self.last else self.now())
        self.load_replay(anchor, step)

    @work(thread=True, exclusive=True, group="lead-replay", exit_on_error=False)
    def load_replay(self, anchor: datetime, step: int) -> None:
        assert self.snapshots is not None
        found = self.snapshots.neighbour(anchor, step)
        if found is None:
            self.post_message(LeadActionDone(_("No more stored snapshots that way."), ok=True))
            return
        self.post_message(SnapshotTaken(found, live=False))

    def action_live(self) -> None:
        box = self.query_one("#agent-filter", Input)
        if box.has_focus:
            box.remove_class("-visible")
            self.query_one("#agents", LiveTable).focus()
            return
        if self.replay_at is not None:
            self.replay_at = None
            self.poll_now()


def _alert_text(line: AlertChange, group: str) -> str:
    names = {
        "waiting_calls": _("waiting calls"),
        "longest_wait_seconds": _("longest wait (s)"),
        "service_level_percent": _("service level %"),
        "abandon_rate_percent": _("abandon rate %"),
    }
    levels = {
        Severity.OK: _("cleared"),
        Severity.WARNING: _("WARNING"),
        Severity.CRITICAL: _("CRITICAL"),
    }
    text = f"{line.at:%H:%M:%S} {levels[line.after]} {group}: {names[line.metric]} {line.value:.1f}"
    if line.threshold is not None:
        text += " " + _("(threshold {threshold:g})").format(threshold=line.threshold)
    return text
