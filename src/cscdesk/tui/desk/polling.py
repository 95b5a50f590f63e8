"""Polling the call system: the directory once, the agent's session and the queue states.

One ``RearmingPoll`` per duty (session, queues): the next poll is armed when the last one
ended, and a refresh or a call action never starts a second chain (issue 13).
"""

from __future__ import annotations

import time

from textual import on, work

from cscdesk.callcenter.errors import UnavailableError
from cscdesk.domain.models import AgentKind
from cscdesk.tui.call_errors import explain
from cscdesk.tui.desk.state import track_session
from cscdesk.tui.desk.tickets import DeskTickets
from cscdesk.tui.i18n import _
from cscdesk.tui.messages import DirectoryLoaded, PollFailed, QueuesPolled, SessionPolled
from cscdesk.tui.widgets.status_bar import break_reason


class DeskPolling(DeskTickets):
    @work(exclusive=True, group="directory", exit_on_error=False)
    async def load_directory(self) -> None:
        center = self.services.call_center
        try:
            me = await center.get_user(self.agent_id)
            groups = await center.list_skill_groups()
            users = await center.list_users()
        except Exception as exc:  # a malformed answer must not kill the desk
            offline = isinstance(exc, UnavailableError)
            self.post_message(PollFailed(explain(exc, "directory"), offline))
            return
        self.post_message(DirectoryLoaded(me, groups, users))

    @on(DirectoryLoaded)
    def _directory_loaded(self, message: DirectoryLoaded) -> None:
        self.state.me = message.me
        self.state.groups = {g.id: g for g in message.groups}
        self.state.users = message.users
        facts = self.state.facts
        facts.agent_name = message.me.display_name
        agent = self._agent()
        if agent is not None and agent.kind is AgentKind.SECONDED:
            facts.affiliation = _("seconded") + f": {self._insurer_name(agent.insurer_id)}"
        else:
            facts.affiliation = _("broker")
        self._show_status()
        self._show_queues()

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll_session(self) -> None:
        started = time.perf_counter()
        sent = time.monotonic()
        try:
            session = await self.services.call_center.poll_agent_session(self.agent_id, self.device)
        except Exception as exc:  # nothing a remote sends may crash the desk
            offline = isinstance(exc, UnavailableError)
            self.post_message(PollFailed(explain(exc, "session poll"), offline))
            return
        polled = SessionPolled(session, (time.perf_counter() - started) * 1000)
        polled.sent = sent
        self.post_message(polled)

    @work(exclusive=True, group="queues", exit_on_error=False)
    async def poll_queues(self) -> None:
        try:
            queues = await self.services.call_center.list_queue_states()
        except Exception:  # the session poll reports link trouble; queues just wait
            queues = None
        self.post_message(QueuesPolled(queues if queues is not None else []))

    @on(QueuesPolled)
    def _queues_polled(self, message: QueuesPolled) -> None:
        if message.queues:
            self.state.queues = message.queues
            self._show_queues()

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        self.settle_call_action(None)
        facts = self.state.facts
        if message.offline:
            if not facts.offline:
                facts.offline = True
                self.set_banner(
                    _("Offline — the call system cannot be reached; tickets are saved locally"),
                    "-offline",
                )
        else:
            self.notify_error(message.reason)
        self._show_status()

    @on(SessionPolled)
    def _session_polled(self, message: SessionPolled) -> None:
        state = self.state
        facts = state.facts
        facts.last_ok = self.call_now()
        facts.latency_ms = message.latency_ms
        if facts.offline:
            facts.offline = False
            self.set_banner("", "")
            self.notify(_("The call system is reachable again"))
        if self.state.me is None and not any(
            w.group == "directory" and w.is_running for w in self.workers
        ):
            self.load_directory()  # it failed while the call system was out of reach
        session = message.session
        change = track_session(state.session, session, last_call=state.last_call,
                               offered_job=state.offered_job,
                               wrapped_contact=state.wrapped_contact)  # fmt: skip
        state.session = session
        state.last_call = change.last_call
        state.call_marks.track(change.call, self.call_now())
        self.settle_call_action(message.sent)
        if facts.status is not session.status or facts.state_since is None:
            # the desk's clock (the simulator's in the demo), like the call panel's timers: the
            # adapter stamps wall time, which a demo running at 10:00 made read 00:00 all along
            facts.state_since = self.call_now()
        facts.status = session.status
        facts.device_id = session.device_id
        facts.work_mode = session.work_mode
        facts.break_label = (
            break_reason(session.break_code, dict(self._codes("break")))
            if session.break_code
            else None
        )
        if change.call is None:
            state.consulting = False
        if change.newly_offered is not None:
            self._call_offered(change.newly_offered)
        if state.banner_kind == "-offered" and not change.ringing:
            self.set_banner("", "")
        if change.start_wrap_up:
            self._start_wrap_up()
        self._show_status()
        self._show_call()
