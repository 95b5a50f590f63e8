"""Tickets for the team (issue 15, item 3): views, claiming from a group queue, handing over,
and a ticket handed over by another process reaching the desk within one ticket poll."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from desk_harness import WALL_NOW, agent_screen, screen_text, wait_for
from textual.widgets import DataTable, Input, Select

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.domain.models import Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.assign_dialog import AssignDialog
from cscdesk.tui.screens.ticket_search import TicketSearchScreen
from cscdesk.tui.widgets.tickets_pane import TicketTable

OTHER = "agent007@ccc-demo"
HAND_OVER = """
import sys
from datetime import datetime
from cscdesk.domain.assignment import assign_to_agent
from cscdesk.store import open_store
store = open_store(sys.argv[1])
ticket = store.tickets.require(sys.argv[2])
moved, event = assign_to_agent(ticket, sys.argv[3], at=datetime.fromisoformat(sys.argv[4]),
                               actor=ticket.owner, note="请跟进理赔材料")
store.tickets.save_change(moved, event, base_version=ticket.version)
store.close()
"""


def _ticket(store: Any, tid: str, **fields: Any) -> Ticket:
    at = WALL_NOW - timedelta(hours=3)
    values: dict[str, Any] = {
        "id": tid, "type": TicketType.CLAIM_ASSIST, "status": TicketStatus.OPEN,
        "priority": Priority.NORMAL, "title": "理赔材料补充", "created_at": at, "updated_at": at,
        "created_by": OTHER, "owner": OTHER, "due_at": WALL_NOW + timedelta(days=2),
    }  # fmt: skip
    values.update(fields)
    ticket = Ticket(**values)
    saved: Ticket = store.tickets.save_new(ticket, TicketEvent(tid, at, OTHER, "created"))
    return saved


def _notices(app: DeskApp) -> str:
    return "\n".join(n.message for n in app._notifications)


def _rows(table: DataTable[Any]) -> list[str]:
    return [str(k.value) for k in table.rows]


async def test_a_ticket_another_process_hands_over_shows_within_one_poll(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    ticket = _ticket(store, "T-HANDED-1")
    app = make_app(make_sim([]))
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.screen.query_one(TicketTable)
        await wait_for(pilot, lambda: table.row_count > 0, "my tickets")
        assert ticket.id not in _rows(table)
        done = subprocess.run(
            [sys.executable, "-c", HAND_OVER, str(store.path), ticket.id, DEMO_AGENT_ID,
             WALL_NOW.isoformat()], capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        await wait_for(pilot, lambda: ticket.id in _rows(table), "the handed-over ticket")
        assert ticket.number is not None and ticket.number.startswith("GD-")
        assert table.get_cell(ticket.id, "id").plain == ticket.number  # as people read it out
        assert f"New in your tickets: {ticket.number}" in _notices(app)


async def test_claiming_from_my_groups_queue(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    queued = _ticket(store, "T-QUEUE-1", owner=None, group_id="sg_group_claims")
    elsewhere = _ticket(store, "T-QUEUE-2", owner=None, group_id="sg_personal")
    app = make_app(make_sim([]))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketSearchScreen), "the views")
        results = app.screen.query_one("#ticket-results", DataTable)
        await wait_for(pilot, lambda: queued.id in _rows(results), "my groups' queue")
        assert elsewhere.id not in _rows(results)  # not one of my groups
        assert "Group claims" in screen_text(app) and "Unassigned" not in _rows(results)
        results.move_cursor(row=results.get_row_index(queued.id))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: store.tickets.require(queued.id).owner == DEMO_AGENT_ID,
                       "the claim")  # fmt: skip
        await wait_for(pilot, lambda: "is now with" in _notices(app), "the claim's notice")
        app.screen.query_one("#ticket-view", Select).value = "unassigned"
        await wait_for(pilot, lambda: elsewhere.id in _rows(results), "the unassigned view")
        assert queued.id not in _rows(results)  # claimed: no longer unassigned
        results.move_cursor(row=results.get_row_index(elsewhere.id))
        await pilot.press("ctrl+g")  # sg_personal is not one of agent001's groups
        await wait_for(pilot, lambda: "another group's queue" in _notices(app), "the refusal")
        assert store.tickets.require(elsewhere.id).owner is None
        await pilot.press("escape")
        table = app.screen.query_one(TicketTable)
        await wait_for(pilot, lambda: queued.id in _rows(table), "the claimed ticket in my list")
        assert [e.kind for e in store.tickets.events(queued.id)] == ["created", "assigned"]


async def test_find_by_spoken_number_and_hand_over_to_a_group_in_chinese(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    mine = _ticket(store, "T-MINE-1", owner=DEMO_AGENT_ID, title="保单变更咨询")
    assert mine.number is not None
    app = make_app(make_sim([]), language="zh_CN")
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketSearchScreen), "the search")
        spoken = mine.number.lower().replace("-", " ")  # "gd 20260310 0007", as heard
        app.screen.query_one("#ticket-query", Input).value = spoken
        await pilot.press("enter")
        results = app.screen.query_one("#ticket-results", DataTable)
        await wait_for(pilot, lambda: _rows(results) == [mine.id], "the one ticket")
        assert "Ctrl+G 领取 · Ctrl+T 转交" in screen_text(app)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignDialog), "the hand-over")
        assert "转交工单" in screen_text(app)
        app.screen.query_one("#assignee", Select).value = "group:sg_complaints"
        app.screen.query_one("#assign-note", Input).value = "客户要求投诉处理"
        await pilot.click("#ok")
        await wait_for(pilot, lambda: store.tickets.require(mine.id).group_id == "sg_complaints",
                       "the hand-over saved")  # fmt: skip
        moved = store.tickets.require(mine.id)
        assert moved.owner is None  # in the complaints queue for one of them to claim
        assert store.tickets.events(mine.id)[-1].note == "客户要求投诉处理"
        await wait_for(pilot, lambda: "已转给 投诉受理" in _notices(app), "the notice")
