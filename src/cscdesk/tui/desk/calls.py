"""Call control: sign in, ready, break, answer, hold, transfer, hang up.

Each action runs as one request in a worker; its answer (or failure) comes back as
``CallActionDone`` and asks for the new session state at once, through the one session poll.
"""

from __future__ import annotations

from typing import Any

from textual import on, work

from cscdesk.callcenter.errors import CallCenterError, NoVoiceDeviceError, UnavailableError
from cscdesk.callcenter.port import CallState
from cscdesk.tui.desk.customer import DeskCustomer
from cscdesk.tui.i18n import _
from cscdesk.tui.messages import CallActionDone, PollFailed
from cscdesk.tui.screens.dialogs import ChooserDialog, SignInDialog, TransferDialog, TransferRequest


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
        if call is None or call.state not in (CallState.TALKING, CallState.HOLDING):
            self.notify(_("No call to hold"), severity="warning")
            return
        if call.state is CallState.HOLDING:
            self.run_call_action(
                "retrieve", lambda c: c.retrieve(self.agent_id, self.device, call.job_id)
            )
        else:
            self.run_call_action("hold", lambda c: c.hold(self.agent_id, self.device, call.job_id))

    def action_release(self) -> None:
        call = self._current_call()
        if call is None:
            self.notify(_("No call to hang up"), severity="warning")
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
        if call is None or call.state not in (
            CallState.TALKING,
            CallState.HOLDING,
            CallState.CONSULTING,
        ):
            self.notify(_("No call to transfer"), severity="warning")
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

    @work(group="call-action", exit_on_error=False)
    async def run_call_action(self, action: str, request: Any) -> None:
        try:
            await request(self.services.call_center)
        except NoVoiceDeviceError as exc:  # plain words: the phone, not the vendor's state code
            self.post_message(CallActionDone(action, _(exc.summary)))
            return
        except CallCenterError as exc:
            self.post_message(CallActionDone(action, str(exc), isinstance(exc, UnavailableError)))
            return
        except Exception as exc:
            self.post_message(CallActionDone(action, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(CallActionDone(action))

    @on(CallActionDone)
    def _call_action_done(self, message: CallActionDone) -> None:
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
            self.notify(_("Consulting: t completes the transfer, x cancels it"))
        elif message.action in ("complete_transfer", "cancel_transfer", "release"):
            self.state.consulting = False
        self.session_poll.poll_now()  # show the new state now rather than at the next tick
