"""The agent screen (坐席工作台): the desk's parts put together, its bindings and its start.

Concurrency follows harlequin and dolphie: call-system requests run in async workers and store
requests in thread workers; workers only post messages, and the handlers own all state and
touch the widgets. Nothing a remote sends can crash the desk: every worker turns failures into
a message, and the handlers show them as notices or the offline banner.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from textual.worker import Worker

from cscdesk.domain.sla import SlaPolicy
from cscdesk.tui.data import DeskData
from cscdesk.tui.desk.base import LAYOUT_CSS, TABS
from cscdesk.tui.desk.handoffs import DeskHandoffs
from cscdesk.tui.desk.knowledge import DeskKnowledge
from cscdesk.tui.desk.polling import DeskPolling
from cscdesk.tui.desk.state import QUEUE_POLL_FACTOR, DeskState
from cscdesk.tui.desk.team import DeskTeam
from cscdesk.tui.keys import AGENT_ACTIONS, AGENT_BINDINGS, help_rows, localize
from cscdesk.tui.polling import RearmingPoll, worker_failure
from cscdesk.tui.screens.help import HelpScreen
from cscdesk.tui.services import DeskServices


class AgentScreen(DeskKnowledge, DeskHandoffs, DeskTeam, DeskPolling):  # CSS follows the first base
    ACTIONS = AGENT_ACTIONS
    BINDINGS = AGENT_BINDINGS
    DEFAULT_CSS = (
        """
    AgentScreen #banner { height: auto; padding: 0 1; display: none; }
    AgentScreen #banner.-offline { display: block; background: $error; color: $text; text-style: bold; }
    AgentScreen #banner.-offered { display: block; background: $warning; color: black; text-style: bold; }
    AgentScreen #banner.-info { display: block; background: $primary-darken-2; }
    AgentScreen #left QueuePane { height: 1fr; }
    AgentScreen QueueTable { height: 1fr; }
    AgentScreen ProfilePane { height: 1fr; }
    AgentScreen #identity { height: auto; padding: 0 1; }
    AgentScreen #timeline { height: 1fr; }
    AgentScreen PoliciesPane { height: 1fr; border-top: solid $primary; }
    AgentScreen #insurer-status { height: auto; max-height: 5; padding: 0 1; }
    AgentScreen #policies { height: 1fr; }
    AgentScreen #claims { height: auto; max-height: 6; }
    AgentScreen #policy-detail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    """
        + LAYOUT_CSS
    )

    def __init__(self, services: DeskServices) -> None:
        super().__init__()
        localize(self)
        self.services = services
        self.data = DeskData(services.store, actor=lambda: services.user_id)
        self.state = DeskState()
        self.zone = ZoneInfo(services.settings.sla.timezone)
        self.sla = SlaPolicy(**services.settings.sla.model_dump())
        interval = services.settings.desk.poll_interval_seconds
        self.session_poll = RearmingPoll(self, "poll", self.poll_session, lambda: interval)
        self.queue_poll = RearmingPoll(
            self, "queues", self.poll_queues, lambda: interval * QUEUE_POLL_FACTOR
        )
        self.ticket_poll = RearmingPoll(  # handed-over tickets and sync states of other desks
            self, "tickets", self.load_tickets, lambda: interval * QUEUE_POLL_FACTOR
        )
        self.lay_out(self.app.size.width)
        self._show_tab(TABS[0])
        self.directory = services.directory

    def on_mount(self) -> None:
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        """After the first paint: directory, polls, tickets (nothing blocks the first frame)."""
        self.set_interval(1.0, self._tick)
        self.load_directory()
        self.session_poll.poll_now()
        self.queue_poll.poll_now()
        self.ticket_poll.poll_now()
        self._repaint()

    def action_missed_calls(self) -> None:
        from cscdesk.tui.screens.missed_calls import MissedCallsScreen

        me, agent = self.state.me, self._agent()  # the agent's usual groups, as sign-in offers
        groups = me.skill_groups if me and me.skill_groups else agent.skill_groups if agent else ()
        self.app.push_screen(MissedCallsScreen(
            self.services, groups=list(groups) or None,
            group_name=self.group_name, zone=self.zone, now=self.call_now,
        ))  # fmt: skip

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_rows(self)))

    def action_refresh(self) -> None:
        self.session_poll.poll_now()
        self.ticket_poll.poll_now()

    def pause_polling(self) -> None:
        """Stop re-arming polls (tests take still snapshots; a lead's replay might too)."""
        self.session_poll.stop()
        self.queue_poll.stop()
        self.ticket_poll.stop()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Each poll duty arms its next poll when its worker ended; nothing else re-arms. A worker
        that raised is shown as one line (workers normally post their failures themselves)."""
        for poll in (self.session_poll, self.queue_poll, self.ticket_poll):
            if poll.worker_changed(event):
                break
        failure = worker_failure(event)
        if failure is not None:
            self.notify_error(failure)
