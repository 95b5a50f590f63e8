"""Tickets from the desk: create, move through the workflow, escalate to an insurer, note,
history, and the outbound callback; every edit lands in the local store at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from desk_harness import (
    WALL_NOW,
    agent_screen,
    caller_with_one_match,
    sign_in_and_ready,
    status,
    wait_for,
)
from textual.widgets import DataTable, Input, Select

from cscdesk.callcenter.port import AgentStatus
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.domain.models import SyncState, Ticket, TicketStatus
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.search import SearchScreen
from cscdesk.tui.screens.ticket_editor import TicketEditor


async def _open_member(pilot: Any, app: DeskApp, mobile: str) -> None:
    await pilot.press("slash")
    await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the search dialog")
    app.screen.query_one("#query", Input).value = mobile
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.query_one("#results", DataTable).row_count, "a result")
    await pilot.press("enter")
    await wait_for(pilot, lambda: agent_screen(app).state.member is not None, "the profile")


def _titled(screen: Any, title: str) -> Ticket | None:
    return next((t for t in screen.state.tickets if t.title == title), None)


def _select_ticket(screen: Any, title: str) -> None:
    """Put the cursor on the ticket's row (the seed gives the agent tickets of their own)."""
    ticket = _titled(screen, title)
    assert ticket is not None
    table = screen.query_one("#tickets", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(ticket.id))


async def _edit(pilot: Any, app: DeskApp) -> TicketEditor:
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket editor")
    editor = app.screen
    assert isinstance(editor, TicketEditor)
    return editor


async def test_ticket_created_moved_escalated_and_noted_with_its_history(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    app = make_app(make_sim([]))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await _open_member(pilot, app, member.mobile)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "a new ticket")
        app.screen.query_one("#type", Select).value = "complaint"
        app.screen.query_one("#title", Input).value = "Claim paid late"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _titled(screen, "Claim paid late"), "the ticket listed")
        ticket = _titled(screen, "Claim paid late")
        assert ticket is not None
        assert ticket.member_id == member.id and ticket.sync_state is SyncState.PENDING
        assert ticket.due_at is not None and ticket.due_at > WALL_NOW + timedelta(days=14)

        _select_ticket(screen, "Claim paid late")
        editor = await _edit(pilot, app)
        editor.query_one("#transition", Select).value = TicketStatus.OPEN.value
        editor.query_one("#note", Input).value = "called the customer"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: store.tickets.get(ticket.id).status is TicketStatus.OPEN,
                       "the transition saved")  # fmt: skip

        editor = await _edit(pilot, app)
        editor.query_one("#insurer", Select).value = "ruian"
        editor.query_one("#due", Input).value = "48"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: store.tickets.get(ticket.id).status is TicketStatus.ESCALATED,
                       "the escalation saved")  # fmt: skip
        saved = store.tickets.get(ticket.id)
        assert saved.insurer_id == "ruian"
        assert saved.due_at == WALL_NOW + timedelta(hours=48)  # earlier than the complaint clock
        kinds = [e.kind for e in store.tickets.events(ticket.id)]
        assert kinds == ["created", "status", "note", "escalated"]

        editor = await _edit(pilot, app)
        history = editor.query_one("#history", DataTable)
        await wait_for(pilot, lambda: history.row_count == 4, "the history timeline")
        await pilot.press("escape")


async def test_call_back_from_a_ticket_dials_the_customer(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        await _open_member(pilot, app, member.mobile)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "a new ticket")
        app.screen.query_one("#title", Input).value = "Call back about documents"
        await pilot.press("ctrl+s")
        screen = agent_screen(app)
        title = "Call back about documents"
        await wait_for(pilot, lambda: _titled(screen, title), "the ticket listed")
        _select_ticket(screen, title)
        await pilot.press("c")
        await wait_for(pilot, lambda: status(app) in (AgentStatus.OUTBOUND, AgentStatus.TALKING),
                       "dialling out")  # fmt: skip
        dialled = [c for c in sim.model.active.values() if c.direction.value == "outbound"]
        assert any(c.callee == member.mobile for c in dialled)
