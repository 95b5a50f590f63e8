"""Finding people and tickets from the desk (issue 18): any part of a Chinese name, the true
count, namesakes told apart without unmasking; any ticket of the center by its words."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from desk_harness import WALL_NOW, agent_screen, screen_text, wait_for
from textual.widgets import DataTable, Input

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.domain.models import Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.search import SearchScreen
from cscdesk.tui.screens.ticket_editor import TicketEditor
from cscdesk.tui.screens.ticket_search import TicketSearchScreen


def _given_name_part(store: Any) -> tuple[str, int]:
    """A character from inside some given name, and how many members LIKE finds with it."""
    conn = sqlite3.connect(store.path)
    try:
        (name,) = conn.execute("SELECT name FROM members WHERE length(name) = 3 LIMIT 1").fetchone()
        part = name[2]
        (count,) = conn.execute(
            "SELECT count(*) FROM members WHERE name LIKE ?", [f"%{part}%"]
        ).fetchone()
    finally:
        conn.close()
    return part, int(count)


async def test_a_given_name_finds_everyone_like_finds_with_the_true_count(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    part, expected = _given_name_part(store)
    app = make_app(make_sim([]))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the search dialog")
        app.screen.query_one("#query", Input).value = part
        await pilot.press("enter")
        table = app.screen.query_one("#results", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0, "results")
        assert table.row_count == min(expected, 50)
        counted = str(app.screen.query_one("#count").render())
        assert str(expected) in counted
        row = [str(cell) for cell in table.get_row_at(0)]
        member = store.members.get(str(table.coordinate_to_cell_key((0, 0)).row_key.value))
        assert member.name not in row and member.id_number not in row  # masked
        assert str(member.birth_date.year) in row  # what tells namesakes apart
        assert store.members.employer_name(member.employer_id) in row


async def test_any_ticket_of_the_center_is_found_by_its_words_and_opens(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    at = WALL_NOW - timedelta(days=2)
    ticket = Ticket(id="T-SEARCH-0001", type=TicketType.CLAIM_ASSIST, status=TicketStatus.OPEN,
                    priority=Priority.NORMAL, title="客户询问理赔进度，需补充材料", created_at=at,
                    updated_at=at, created_by="agent007@ccc-demo",
                    owner="agent007@ccc-demo")  # fmt: skip
    store.tickets.save_new(ticket, TicketEvent(ticket.id, at, ticket.created_by, "created"))
    app = make_app(make_sim([]))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        assert ticket.id not in screen_text(app)  # another agent's ticket: not in my list
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketSearchScreen), "the dialog")
        app.screen.query_one("#ticket-query", Input).value = "理赔 材料"  # two words, both 2 chars
        await pilot.press("enter")
        table = app.screen.query_one("#ticket-results", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0, "results")
        ids = [
            str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)
        ]
        assert ticket.id in ids
        table.move_cursor(row=ids.index(ticket.id))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket editor")
        assert ticket.title in screen_text(app)
