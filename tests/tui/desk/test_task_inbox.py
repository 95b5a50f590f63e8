"""A ticket handed to the customer's account manager is answered in the manager's task inbox,
and the agent sees the answer on the ticket and a tracked "tell the customer" step (告知)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from desk_harness import WALL_NOW, agent_screen, caller_with_one_match, screen_text, wait_for
from textual.app import App
from textual.widgets import DataTable, Input

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.domain.access import Role, User
from cscdesk.domain.handoffs import HandoffState, NoticeMethod, NoticeTrigger, Route
from cscdesk.domain.models import TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import new_ticket
from cscdesk.store.customer_notices import CustomerNotices
from cscdesk.store.handoffs import Handoffs
from cscdesk.store.task_inbox import TaskInbox
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.task_inbox import TaskInboxScreen, TextDialog, staff_inbox
from cscdesk.tui.screens.ticket_editor import TicketEditor

TITLE = "员工加保咨询"
NOTICES = {NoticeTrigger.ANSWER: NoticeMethod.CALLBACK}


class StaffApp(App[None]):
    """The business staff member's terminal: the task inbox is all they have."""

    def __init__(self, screen: TaskInboxScreen) -> None:
        super().__init__()
        self._first = screen

    def on_mount(self) -> None:
        self.push_screen(self._first)


async def _type(pilot: Any, app: App[Any], text: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, TextDialog), "the text dialog")
    app.screen.query_one("#text", Input).value = text
    await pilot.press("enter")


async def test_handed_to_the_account_manager_answered_and_shown_on_the_agents_ticket(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    ticket, created = new_ticket(ticket_id=store.tickets.new_ticket_id(), type=TicketType.ENQUIRY,
                                 title=TITLE, created_at=WALL_NOW, created_by=DEMO_AGENT_ID,
                                 sla=SlaPolicy(), owner=DEMO_AGENT_ID, member_id=member.id)  # fmt: skip
    store.tickets.save_new(ticket, created)
    inbox = TaskInbox(store, Handoffs(store, NOTICES))
    routes = (Route(ticket_type="claim_assist", team="claims"),
              Route(employer=member.employer_id, assignee="am_zhang"))  # fmt: skip

    app = make_app(make_sim([]))
    app.services = replace(app.services, task_inbox=inbox, handoff_routes=routes)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await wait_for(pilot, lambda: any(t.id == ticket.id for t in screen.state.tickets),
                       "the agent's ticket")  # fmt: skip
        table = screen.query_one("#tickets", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(ticket.id))
        await pilot.press("o")
        await _type(pilot, app, "客户要求为配偶加保，请核对并答复")
        await wait_for(pilot, lambda: Handoffs(store).for_ticket(ticket.id), "the hand-off")
    [handed] = Handoffs(store).for_ticket(ticket.id)
    assert (handed.assignee, handed.team, handed.state) == ("am_zhang", None, HandoffState.QUEUED)

    manager = User("am_zhang", "张经理", Role.BUSINESS_STAFF)
    services = replace(app.services, task_inbox=inbox)
    staff = StaffApp(staff_inbox(services, manager))
    async with staff.run_test(size=(120, 30)) as pilot:
        rows = staff.screen.query_one("#inbox-table", DataTable)
        await wait_for(pilot, lambda: rows.row_count == 1, "the task in the manager's inbox")
        assert TITLE in " ".join(str(cell) for cell in rows.get_row_at(0))
        await pilot.press("a")
        await wait_for(pilot, lambda: Handoffs(store).for_ticket(ticket.id)[0].state
                       is HandoffState.ACKNOWLEDGED, "taken")  # fmt: skip
        await pilot.press("r")
        await _type(pilot, staff, "已核对，配偶可于本月加保，需提交结婚证")
        await wait_for(pilot, lambda: rows.row_count == 0, "the answered task leaves the inbox")

    notes = [e.note for e in store.tickets.events(ticket.id) if e.kind == "note"]
    assert notes == ["[答复 reply · 张经理] 已核对，配偶可于本月加保，需提交结婚证"]
    [notice] = CustomerNotices(store).open_for(DEMO_AGENT_ID)
    assert (notice.ticket_id, notice.method) == (ticket.id, NoticeMethod.CALLBACK)

    app = make_app(make_sim([]))
    app.services = replace(app.services, task_inbox=inbox, handoff_routes=routes)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await wait_for(pilot, lambda: any(t.id == ticket.id for t in screen.state.tickets),
                       "the agent's ticket")  # fmt: skip
        table = screen.query_one("#tickets", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(ticket.id))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket editor")
        await wait_for(
            pilot, lambda: "需提交结婚证" in screen_text(app), "the answer in its history"
        )
        await pilot.press("escape")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskInboxScreen), "the inbox")
        rows = app.screen.query_one("#inbox-table", DataTable)
        await wait_for(pilot, lambda: rows.row_count == 1, "the customer to tell")
        await wait_for(pilot, lambda: "Call the customer" in screen_text(app), "what to do")
        await pilot.press("d")
        await wait_for(pilot, lambda: rows.row_count == 0, "told")
    assert CustomerNotices(store).open_for(DEMO_AGENT_ID) == []
    [done] = CustomerNotices(store).for_ticket(ticket.id)
    assert done.done_by == DEMO_AGENT_ID


async def test_a_ticket_no_rule_routes_is_refused_with_what_was_looked_for(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    ticket, created = new_ticket(ticket_id=store.tickets.new_ticket_id(), type=TicketType.ENQUIRY,
                                 title=TITLE, created_at=WALL_NOW, created_by=DEMO_AGENT_ID,
                                 sla=SlaPolicy(), owner=DEMO_AGENT_ID)  # fmt: skip
    store.tickets.save_new(ticket, created)
    app = make_app(make_sim([]))
    app.services = replace(app.services, task_inbox=TaskInbox(store, Handoffs(store)),
                           handoff_routes=(Route(ticket_type="complaint", team="claims"),))  # fmt: skip
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await wait_for(pilot, lambda: any(t.id == ticket.id for t in screen.state.tickets),
                       "the agent's ticket")  # fmt: skip
        table = screen.query_one("#tickets", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(ticket.id))
        await pilot.press("o")
        await _type(pilot, app, "请处理")
        await wait_for(pilot, lambda: any("no hand-off route" in str(n.message)
                                          for n in app._notifications), "the refusal")  # fmt: skip
    assert Handoffs(store).for_ticket(ticket.id) == []
