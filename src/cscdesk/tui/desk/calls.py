"""Call control: sign in, ready, break, answer, hold, mute, keypad, transfer, conference, hang up.

Each action runs as one request in a worker; its answer (or failure) comes back as
``CallActionDone`` and asks for the new session state at once, through the one session poll.
One action at a time: while one is in flight (sent, and its result not yet seen in a poll), the
keys of the others are ignored, so ``a a h h`` during the ring answers once and never asks the
call system for something the call is no longer in a state to do.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual import on, work

from cscdesk.callcenter.errors import UnavailableError
from cscdesk.callcenter.port import CallState
from cscdesk.tui.call_errors import explain
from cscdesk.tui.desk.customer import DeskCustomer
from cscdesk.tui.i18n import _
from cscdesk.tui.messages import CallActionDone, PollFailed
from cscdesk.tui.screens.dialogs import (
    ChooserDialog,
    KeypadDialog,
    SignInDialog,
    TransferDialog,
    TransferRequest,
)

IN_FLIGHT_LIMIT = 10.0  # seconds: an action never confirmed stops blocking the keys after this
LIVE = (CallState.TALKING, CallState.HOLDING, CallState.CONSULTING, CallState.CONFERENCE)


class DeskCalls(DeskCustomer):
    def action_sign_in(self) -> None:
        groups = list(self.state.groups)
        if not groups:
            self.notify(_("The skill groups are not loaded yet"), severity="warning")
            return
        me, agent = self.state.me, self._agent()
        usual = set(
            me.skill_groups if me and me.skill_groups else agent.skill_groups if agent else ()
        )
        options = [(g, self.group_name(g)) for g in groups]
        selected = set(self.state.session.signed_in_groups) if self.state.session else set()
        self.app.push_screen(
            SignInDialog(options, selected or (usual & set(groups)) or set(groups)), self._signed_in
        )

    def _signed_in(self, groups: list[str] | None) -> None:
        if groups:
            self.run_call_action("sign_in", lambda c: c.sign_in(self.agent_id, groups, self.device))

    def action_ready(self) -> None:
        self.run_call_action("ready", lambda c: c.ready(self.agent_id, self.device))

    def action_take_break(self) -> None:
        self.app.push_screen(
            ChooserDialog(_("Break reason"), self._codes("break")), self._break_chosen
        )

    def _break_chosen(self, code: str | None) -> None:
        if code:
            self.run_call_action("break", lambda c: c.take_break(self.agent_id, self.device, code))

    def action_answer(self) -> None:
        call = self._current_call()
        if call is None or call.state is not CallState.OFFERED:
            self.notify(_("No call is ringing"), severity="warning")
            return
        self.run_call_action("answer", lambda c: c.answer(self.agent_id, self.device, call.job_id))

    def action_hold(self) -> None:
        call = self._current_call()
        # HoldCall / RetrieveCall name the customer's channel (ChannelId is required)
        leg = call.customer_leg if call is not None else None
        if call is None or call.state not in (CallState.TALKING, CallState.HOLDING) or not leg:
            self.notify(_("No call to hold"), severity="warning")
            return
        if call.state is CallState.HOLDING:
            self.run_call_action(
                "retrieve", lambda c: c.retrieve(self.agent_id, self.device, call.job_id, leg)
            )
        else:
            self.run_call_action(
                "hold", lambda c: c.hold(self.agent_id, self.device, call.job_id, leg)
            )

    def action_release(self) -> None:
        call = self._current_call()
        if call is None:
            self.notify(_("No call to hang up"), severity="warning")
            return
        if call.state is CallState.CONFERENCE:
            self.run_call_action(
                "leave_conference",
                lambda c: c.leave_conference(self.agent_id, self.device, call.job_id),
            )
            return
        if call.state is CallState.CONSULTING or self.state.consulting:
            self.run_call_action(
                "cancel_transfer",
                lambda c: c.cancel_attended_transfer(self.agent_id, self.device, call.job_id),
            )
            return
        self.run_call_action(
            "release", lambda c: c.release(self.agent_id, self.device, call.job_id)
        )

    def action_transfer(self) -> None:
        call = self._current_call()
        if call is None or call.state not in LIVE:
            self.notify(_("No call to transfer"), severity="warning")
            return
        if call.state is CallState.CONFERENCE:  # handing over is leaving: the colleague stays
            self.action_release()
            return
        if call.state is CallState.CONSULTING or self.state.consulting:
            self.run_call_action(
                "complete_transfer",
                lambda c: c.complete_attended_transfer(self.agent_id, self.device, call.job_id),
            )
            return
        groups = [(g, self.group_name(g)) for g in self.state.groups]
        agents = [(u.id, u.display_name) for u in self.state.users if u.id != self.agent_id]
        self.app.push_screen(TransferDialog(groups, agents), self._transfer_chosen)

    def _transfer_chosen(self, request: TransferRequest | None) -> None:
        call = self._current_call()
        if request is None or call is None:
            return
        if request.attended:
            self.run_call_action(
                "attended_transfer",
                lambda c: c.start_attended_transfer(
                    self.agent_id, self.device, call.job_id, request.target, request.target_type
                ),
            )
        else:
            self.run_call_action(
                "transfer",
                lambda c: c.blind_transfer(
                    self.agent_id, self.device, call.job_id, request.target, request.target_type
                ),
            )

    def action_mute(self) -> None:
        call = self._current_call()
        if call is None or call.state not in LIVE:
            self.notify(_("No call to mute"), severity="warning")
            return
        if call.muted:
            self.run_call_action(
                "unmute", lambda c: c.unmute(self.agent_id, self.device, call.job_id)
            )
        else:
            self.run_call_action("mute", lambda c: c.mute(self.agent_id, self.device, call.job_id))

    def action_keypad(self) -> None:
        call = self._current_call()
        if call is None or call.state is not CallState.TALKING or not call.customer_leg:
            self.notify(_("The keypad works while talking with the customer"), severity="warning")
            return
        self.app.push_screen(KeypadDialog(self._send_tone))

    def _send_tone(self, key: str) -> None:
        call = self._current_call()
        if call is not None and call.customer_leg:
            self.send_tone(call.job_id, call.customer_leg, key)

    @work(group="dtmf", exit_on_error=False)
    async def send_tone(self, job_id: str, leg: str, key: str) -> None:
        """One key per request, in the order typed (the lock is first come, first served)."""
        async with self._tone_lock:
            try:
                await self.services.call_center.send_dtmf(
                    self.agent_id, self.device, job_id, leg, key
                )
            except Exception as exc:
                self.post_message(CallActionDone("dtmf", explain(exc, "dtmf")))

    @property
    def _tone_lock(self) -> asyncio.Lock:
        lock: asyncio.Lock | None = getattr(self, "_tones", None)
        if lock is None:
            lock = self._tones = asyncio.Lock()
        return lock

    def action_conference(self) -> None:
        call = self._current_call()
        if call is not None and call.state is CallState.CONFERENCE:
            self.notify(_("Already a three-way call: x leaves it to your colleague"))
            return
        if call is None or not (call.state is CallState.CONSULTING or self.state.consulting):
            self.notify(
                _("A three-way call starts from a consult: t, then Attended"), severity="warning"
            )
            return
        self.run_call_action(
            "conference", lambda c: c.start_conference(self.agent_id, self.device, call.job_id)
        )

    def run_call_action(self, action: str, request: Any, *, queue: bool = False) -> None:
        """Send one call action, unless another is still in flight: then a key is ignored, and
        a step the desk takes itself (``queue``: Ready after wrap-up) waits for it."""
        state = self.state
        if state.in_flight and time.monotonic() - state.in_flight_at < IN_FLIGHT_LIMIT:
            if queue:
                state.deferred = (action, request)
            return
        state.in_flight, state.in_flight_at, state.settle_after = action, time.monotonic(), None
        self._call_worker(action, request)

    def _run_deferred(self) -> None:
        deferred, self.state.deferred = self.state.deferred, None
        if deferred is not None:
            self.run_call_action(*deferred)

    @work(group="call-action", exit_on_error=False)
    async def _call_worker(self, action: str, request: Any) -> None:
        try:
            await request(self.services.call_center)
        except Exception as exc:  # the agent reads what to do; the detail goes to the log
            offline = isinstance(exc, UnavailableError)
            self.post_message(CallActionDone(action, explain(exc, action), offline))
            return
        self.post_message(CallActionDone(action))

    def settle_call_action(self, poll_started: float | None) -> None:
        """A session poll arrived: the action in flight is done once a poll sent after its
        answer shows the new state (or any poll failed: the keys must not stay blocked)."""
        state = self.state
        if state.in_flight is None or state.settle_after is None:
            return
        if poll_started is None or poll_started >= state.settle_after:
            state.in_flight = state.settle_after = None
            self._run_deferred()

    @on(CallActionDone)
    def _call_action_done(self, message: CallActionDone) -> None:
        if message.action != "dtmf" and message.action == self.state.in_flight:
            if message.error:
                self.state.in_flight = None
                self._run_deferred()
            else:
                self.state.settle_after = time.monotonic()
        if message.error:
            if message.offline:
                self.post_message(PollFailed(message.error, True))
            else:
                self.notify_error(message.error)
            return
        if message.action == "callback":
            self.notify(_("Calling the customer back"))
        if message.action == "answer" and self.state.profile is not None:
            self.action_tab("tab-profile")  # small terminal: the caller's details while talking
        if message.action == "attended_transfer":
            self.state.consulting = True
            self.notify(_("Consulting: t completes the transfer, f makes it three-way, x cancels"))
        elif message.action in (
            "complete_transfer",
            "cancel_transfer",
            "release",
            "leave_conference",
        ):
            self.state.consulting = False
        self.session_poll.poll_now()  # show the new state now rather than at the next tick
