"""Hand-offs on the agent desk: the task inbox (``i``) and handing a ticket to business staff
(``o``), routed by the center's rules (employer's account manager, ticket type, insurer).

The agent sees the answer on the ticket itself (its history), and what to tell the customer in
the inbox; a seconded agent also finds the service requests to their insurer there.
"""

from __future__ import annotations

from textual import on, work
from textual.message import Message

from cscdesk.domain.handoffs import NoRoute
from cscdesk.store.task_inbox import Worker
from cscdesk.tui.desk.base import DeskLayout
from cscdesk.tui.i18n import _
from cscdesk.tui.screens.task_inbox import TaskInboxScreen, TextDialog
from cscdesk.tui.widgets.tickets_pane import TicketTable


class HandedOff(Message):
    def __init__(self, text: str, error: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.error = error


class DeskHandoffs(DeskLayout):
    def _inbox_worker(self) -> Worker:
        services = self.services
        agent = self.directory.agent(services.user_id)
        teams = services.settings.handoffs.teams
        mine = tuple(sorted(t for t, members in teams.items() if services.user_id in members))
        return Worker(services.user_id, agent.name if agent else services.user_id, mine,
                      agent.insurer_id if agent else None)  # fmt: skip

    def action_task_inbox(self) -> None:
        inbox = self.services.task_inbox
        if inbox is None:
            self.notify(_("This desk has no task inbox"), severity="warning")
            return
        self.app.push_screen(TaskInboxScreen(
            inbox, self._inbox_worker(), zone=self.zone,
            now=self.call_now,
        ))  # fmt: skip

    def action_hand_off(self) -> None:
        table = self.query_one(TicketTable)
        tickets = self.state.tickets
        if not tickets or table.row_count == 0:
            self.notify(_("No ticket selected"), severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        ticket = next((t for t in tickets if t.id == key), None)
        if ticket is None:
            return

        def typed(note: str | None) -> None:
            if note:
                self.hand_off(ticket.id, note)

        self.app.push_screen(TextDialog(_("What should business staff do?")), typed)

    @work(thread=True, group="hand-off", exit_on_error=False)
    def hand_off(self, ticket_id: str, note: str) -> None:
        services = self.services
        if services.task_inbox is None:
            self.post_message(HandedOff("", _("This desk has no task inbox")))
            return
        try:
            handoff = services.task_inbox.hand_to_staff(
                ticket_id, services.handoff_routes, actor=services.user_id, note=note,
                at=self.call_now(),
            )  # fmt: skip
        except NoRoute as exc:
            self.post_message(HandedOff("", str(exc)))
            return
        except Exception as exc:  # a store failure is one line, never a crash
            self.post_message(HandedOff("", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(HandedOff(_("Handed to {who}").format(
            who=handoff.assignee or handoff.team or "?")))  # fmt: skip

    @on(HandedOff)
    def _handed_off(self, message: HandedOff) -> None:
        if message.error:
            self.notify(message.error, severity="error")
        else:
            self.notify(message.text)
