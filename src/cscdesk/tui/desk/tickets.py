"""Wrap-up, tickets and recordings: the work an agent does around and after a call.

The rules (what a wrap-up drafts, how an edit becomes workflow steps) live in
``domain.desk_tickets``; this module collects the agent's decisions and saves them in workers.
"""

from __future__ import annotations

from datetime import timedelta

from textual import on, work
from textual.widgets import DataTable

from cscdesk.callcenter.errors import CallCenterError, UnavailableError
from cscdesk.callcenter.port import OfferedCall
from cscdesk.domain.desk_tickets import (
    TicketChange,
    TicketDraftFields,
    change_steps,
    draft_from_wrap_up,
    ticket_from_draft,
    wrap_up_ticket_type,
)
from cscdesk.domain.models import Priority, Ticket, TicketType
from cscdesk.tui import actions_recording
from cscdesk.tui.call_errors import explain
from cscdesk.tui.desk.calls import DeskCalls
from cscdesk.tui.desk.state import RECORDING_URL_SECONDS, english
from cscdesk.tui.i18n import _
from cscdesk.tui.messages import (
    CallActionDone,
    RecordingReady,
    StoreFailed,
    TicketSaved,
    TicketsLoaded,
)
from cscdesk.tui.screens.assign_dialog import assignee_options
from cscdesk.tui.screens.dialogs import WrapUp, WrapUpDialog
from cscdesk.tui.screens.ticket_editor import TicketEditor
from cscdesk.tui.team_tickets import TeamContext
from cscdesk.tui.widgets.tickets_pane import TicketTable


class DeskTickets(DeskCalls):
    def action_wrap_up(self) -> None:
        if self.state.last_call is None:
            self.notify(_("No call to wrap up"), severity="warning")
            return
        self._start_wrap_up(force=True)

    def _start_wrap_up(self, force: bool = False) -> None:
        call = self.state.last_call
        if call is None:
            return
        if not force and isinstance(self.app.screen, WrapUpDialog):
            return
        self.state.wrapped_contact = call.contact_id
        if self.state.acw_contact != call.contact_id:  # after-call work began now
            self.state.acw_contact, self.state.acw_since = call.contact_id, self.call_now()
        group = self.directory.group(call.skill_group_id)
        required = bool(group and group.wrap_up_required)
        desk = self.services.settings.desk
        limit = desk.wrap_up_seconds_per_group.get(call.skill_group_id or "", desk.wrap_up_seconds)
        since = self.state.acw_since
        dialog = WrapUpDialog(
            self._codes("wrap"), required, suggest_ticket=self.state.member is not None,
            breaks=self._codes("break"), clock=self.call_now,
            deadline=since + timedelta(seconds=limit) if since else None,
            existing_ticket=self._ticket_of_call(call.contact_id),
        )  # fmt: skip
        self.app.push_screen(dialog, self._wrapped_up)

    def _ticket_of_call(self, contact_id: str) -> str | None:
        """The number of a ticket already linked to this call (made during it), if any: the
        wrap-up then does not offer a second one by default."""
        made_here = self.state.call_tickets.get(contact_id)
        for ticket in self.state.tickets:
            if ticket.contact_id == contact_id or ticket.id == made_here:
                return ticket.number or ticket.id
        return made_here

    def _wrapped_up(self, result: WrapUp | None) -> None:
        call = self.state.last_call
        if result is None or call is None:  # closed unfinished: it stays closed until w
            self.notify(_("Wrap-up not finished: w opens it again"))
            return
        self.state.after_wrap_up = result.then_break
        self.record_wrap_up(call.contact_id, result.code, result.notes)
        if result.create_ticket:
            self._open_ticket_editor(draft=self._draft_from_call(call, result))
        else:
            self._end_after_call_work()

    def _end_after_call_work(self) -> None:
        """Ready for the next call, or stay not ready with the break reason chosen at wrap-up."""
        code = self.state.after_wrap_up
        self.state.after_wrap_up = None
        if code:
            request = lambda c: c.take_break(self.agent_id, self.device, code)  # noqa: E731
            self.run_call_action("break", request, queue=True)
        else:
            self.run_call_action("ready", lambda c: c.ready(self.agent_id, self.device), queue=True)

    @work(thread=True, group="store-write", exit_on_error=False)
    def record_wrap_up(self, contact_id: str, code: str | None, notes: str) -> None:
        try:
            self.data.record_wrap_up(contact_id, code, notes)
            self.data.audit(self.agent_id, "call.wrap_up", "call", contact_id, True,
                            {"code": code or "", "has_notes": bool(notes)})  # fmt: skip
        except Exception as exc:
            self.post_message(StoreFailed(_("Wrap-up"), str(exc)))

    def _draft_from_call(self, call: OfferedCall, wrap: WrapUp) -> TicketDraftFields:
        in_english = english()
        return draft_from_wrap_up(
            code=wrap.code, notes=wrap.notes, member=self.state.member,
            code_label=self.directory.code_label("wrap", wrap.code, english=in_english),
            type_label=_(wrap_up_ticket_type(wrap.code).value), contact_id=call.contact_id,
            policy=self.state.selected_policy, claim=self.state.selected_claim,
        )  # fmt: skip

    @work(thread=True, exclusive=True, group="tickets", exit_on_error=False)
    def load_tickets(self) -> None:
        try:
            tickets = self.data.my_tickets(self.agent_id)
            backlog = self.data.backlog()
        except Exception as exc:
            self.post_message(StoreFailed(_("Tickets"), str(exc)))
            return
        self.post_message(TicketsLoaded(tickets, backlog))

    @on(TicketsLoaded)
    def _tickets_loaded(self, message: TicketsLoaded) -> None:
        self.state.tickets = sorted(
            message.tickets, key=lambda t: (t.due_at is None, t.due_at or t.created_at)
        )
        self.state.facts.backlog = message.backlog
        self.announce_arrivals(self.state.tickets)
        self._show_tickets()
        if self.state.current_ticket != self._focused_ticket:  # not on every poll
            self._focus_current_ticket()
            self._focused_ticket = self.state.current_ticket
        self._show_status()

    _focused_ticket: str | None = None

    def team_context(self) -> TeamContext:
        """Who is looking and how people are named (``DeskTeam`` knows the agent's groups)."""
        return TeamContext(agent_id=self.agent_id, groups=(), directory=self.directory,
                           now=self.services.now, english=english())  # fmt: skip

    def announce_arrivals(self, tickets: list[Ticket]) -> None:
        """Tickets new in the list since the last load (``DeskTeam`` names them)."""

    def action_new_ticket(self) -> None:
        member = self.state.member
        call = self.state.last_call
        draft = TicketDraftFields(
            type=TicketType.ENQUIRY,
            priority=Priority.NORMAL,
            title="",
            member_id=member.id if member else None,
            contact_id=call.contact_id if call else None,
            policy_no=self.state.selected_policy[1] if self.state.selected_policy else None,
            claim_no=self.state.selected_claim[1] if self.state.selected_claim else None,
        )
        self._open_ticket_editor(draft=draft)

    def action_edit_ticket(self) -> None:
        table = self.query_one(TicketTable)
        if not self.state.tickets or table.row_count == 0:
            self.notify(_("No ticket selected"), severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        ticket = next((t for t in self.state.tickets if t.id == key), None)
        if ticket is not None:
            self._open_ticket_editor(ticket=ticket)

    @on(DataTable.RowSelected, "#tickets")
    def _ticket_selected(self) -> None:
        self.action_edit_ticket()

    def _insurer_options(self) -> list[tuple[str, str]]:
        return [(self.directory.insurer_name(i.id), i.id) for i in self.directory.insurers]

    def _open_ticket_editor(
        self, *, ticket: Ticket | None = None, draft: TicketDraftFields | None = None
    ) -> None:
        editor = TicketEditor(
            self.data, ticket=ticket, draft=draft, insurers=self._insurer_options(),
            now=self.services.now(), zone=self.zone, can_call=ticket is not None and ticket.member_id is not None,
            team=self.team_context(),
            assignees=assignee_options(self.directory, english=english()),
        )  # fmt: skip

        def done(change: TicketChange | None) -> None:
            after_call = draft is not None and draft.contact_id is not None and self._in_acw()
            if change is not None:
                if change.callback and ticket is not None:
                    self.callback_customer(ticket)
                elif ticket is None and draft is not None:
                    self.create_ticket(draft, change)
                elif ticket is not None:
                    self.change_ticket(ticket, change)
            if after_call:
                self._end_after_call_work()

        self.app.push_screen(editor, done)

    @work(thread=True, group="store-write", exit_on_error=False)
    def create_ticket(self, draft: TicketDraftFields, change: TicketChange) -> None:
        try:
            ticket, event = ticket_from_draft(draft, change, ticket_id=self.data.new_ticket_id(),
                                              at=self.services.now(), actor=self.agent_id,
                                              sla=self.sla)  # fmt: skip
            self.data.save_new(ticket, event)
        except Exception as exc:
            self.post_message(StoreFailed(_("Saving the ticket"), str(exc)))
            return
        self.post_message(TicketSaved(ticket, True))

    @work(thread=True, group="store-write", exit_on_error=False)
    def change_ticket(self, ticket: Ticket, change: TicketChange) -> None:
        try:
            steps = change_steps(ticket, change, at=self.services.now(), actor=self.agent_id,
                                 sla=self.sla)  # fmt: skip
            if not steps:
                return
            saved = self.data.save_changes(ticket, steps)
        except Exception as exc:  # illegal transition, stale version, store trouble
            self.post_message(StoreFailed(_("Saving the ticket"), str(exc)))
            return
        self.post_message(TicketSaved(saved, False))

    @on(TicketSaved)
    def _ticket_saved(self, message: TicketSaved) -> None:
        self.state.current_ticket = message.ticket.id
        if message.created and message.ticket.contact_id:
            self.state.call_tickets[message.ticket.contact_id] = message.ticket.id
        verb = _("Ticket created") if message.created else _("Ticket saved")
        self.notify(f"{verb}: {message.ticket.id}")
        self.load_tickets()

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.notify_error(f"{message.what}: {message.reason}")

    @work(group="callback", exit_on_error=False)
    async def callback_customer(self, ticket: Ticket) -> None:
        import asyncio

        try:
            member = await asyncio.to_thread(self.services.store.members.get, ticket.member_id)
            if not member.mobile:
                self.post_message(
                    CallActionDone("callback", _("The customer has no mobile number"))
                )
                return
            await self.services.call_center.make_call(self.agent_id, self.device, member.mobile)
        except CallCenterError as exc:
            self.post_message(
                CallActionDone(
                    "callback", explain(exc, "callback"), isinstance(exc, UnavailableError)
                )
            )
            return
        except Exception as exc:
            self.post_message(CallActionDone("callback", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(CallActionDone("callback"))

    def action_callback(self) -> None:
        table = self.query_one(TicketTable)
        if table.row_count == 0:
            self.notify(_("No ticket selected"), severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        ticket = next((t for t in self.state.tickets if t.id == key), None)
        if ticket is not None and ticket.member_id:
            self.callback_customer(ticket)

    def action_recording(self) -> None:
        table = self.query_one("#timeline", DataTable)
        if table.row_count == 0:
            self.notify(_("Choose a call on the customer's timeline"), severity="warning")
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        kind, _sep, ref = key.partition(":")
        if kind != "call":
            self.notify(_("Choose a call on the customer's timeline"), severity="warning")
            return
        self.notify(_("Fetching the recording…"))
        self.open_recording(ref)

    @on(DataTable.RowSelected, "#timeline")
    def _timeline_selected(self) -> None:
        self.action_recording()

    @work(group="recording", exit_on_error=False)
    async def open_recording(self, contact_id: str) -> None:
        result = await actions_recording.fetch_and_play(
            self.services, self.data, self.agent_id, contact_id, RECORDING_URL_SECONDS
        )
        self.post_message(result)

    @on(RecordingReady)
    def _recording_ready(self, message: RecordingReady) -> None:
        if message.error:
            self.notify_error(_("Recording") + f" {message.contact_id}: {message.error}")
        elif message.played_with:
            self.notify(_("Playing with {player}; a copy is at {path}").format(
                player=message.played_with, path=message.path))  # fmt: skip
        else:
            self.notify(
                _("No audio player found; saved a copy to {path}").format(path=message.path)
            )
