"""The lead's ticket board, reached from the wallboard with k: open tickets per group and agent,
due within the hour, overdue, escalated to each insurer and waiting on the customer; a bucket
lists its tickets, Enter reads one with its history, Escape goes back to the wallboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from lead_harness import LeadApp, first_snapshot, tables_settled, wait_for
from test_lead_snapshots import assert_no_personal_numbers
from textual.pilot import Pilot
from textual.widgets import DataTable

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.domain.models import Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import add_note, escalate, new_ticket, transition
from cscdesk.store import Store
from cscdesk.tui.lead.screen import LeadScreen
from cscdesk.tui.lead.ticket_board import TicketBoardScreen
from cscdesk.tui.lead.ticket_detail import TicketDetailScreen

AGENT_A, AGENT_B = "agent001@ccc-demo", "agent101@ccc-demo"


def _open(store: Store, tid: str, title: str, now: datetime, **fields: object) -> Ticket:
    ticket, event = new_ticket(ticket_id=tid, type=TicketType.ENQUIRY, title=title,
                               created_at=now - timedelta(hours=3), created_by=AGENT_A,
                               sla=SlaPolicy(), owner=AGENT_A)  # fmt: skip
    ticket = Ticket(**{**{f: getattr(ticket, f) for f in ticket.__slots__}, **fields})  # type: ignore[arg-type]
    return store.tickets.save_new(ticket, event)


def _change(store: Store, ticket: Ticket, step: tuple[Ticket, TicketEvent]) -> Ticket:
    store.tickets.save_change(step[0], step[1], base_version=ticket.version)
    return store.tickets.require(ticket.id)


def seed_center(store: Store, now: datetime) -> None:
    """Five open tickets and a finished one, in every bucket the board has."""
    _open(store, "T-SOON", "理赔材料补充提醒", now, due_at=now + timedelta(minutes=30),
          group_id="sg_group_claims")  # fmt: skip
    late = _open(store, "T-LATE", "门诊报销比例咨询", now, due_at=now - timedelta(hours=2),
                 owner=AGENT_B)  # fmt: skip
    late = _change(store, late, add_note(late, "已致电客户，待回复", at=now - timedelta(hours=1),
                                         actor=AGENT_B))  # fmt: skip
    late = _change(store, late, transition(late, TicketStatus.OPEN, at=now, actor=AGENT_B))
    _change(store, late, transition(late, TicketStatus.PENDING_CUSTOMER, at=now, actor=AGENT_B))
    esc = _open(store, "T-ESC", "住院理赔进度", now, owner=None, group_id="sg_group_claims")
    _change(store, esc, escalate(esc, "ruian", due_at=now + timedelta(days=2), at=now,
                                 actor=AGENT_A, note="转瑞安核赔"))  # fmt: skip
    _open(store, "T-DONE", "已解决的咨询", now, status=TicketStatus.RESOLVED)


def _board_text(screen: TicketBoardScreen) -> dict[str, str]:
    board = screen.query_one("#board", DataTable)
    return {str(board.get_row_at(i)[0]): str(board.get_row_at(i)[1])
            for i in range(board.row_count)}  # fmt: skip


async def open_board(app: LeadApp, pilot: Pilot[None]) -> TicketBoardScreen:
    await first_snapshot(app, pilot)
    await pilot.press("k")
    await wait_for(lambda: isinstance(app.screen, TicketBoardScreen), pilot)
    screen = app.screen
    assert isinstance(screen, TicketBoardScreen)
    await wait_for(lambda: screen.query_one("#board", DataTable).row_count > 0, pilot)
    await wait_for(lambda: screen.showing is not None, pilot)
    return screen


async def test_board_counts_drill_down_and_ticket_history(
    sim: SimulatorHandle, lead_app: Callable[..., LeadApp]
) -> None:
    app = lead_app()
    seed_center(app.services.store, sim.clock.now())
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_board(app, pilot)
        counts = _board_text(screen)
        assert counts["All open tickets"] == "3"
        assert counts["Due within the hour"] == "1"
        assert counts["Overdue"] == "1"
        assert counts["Waiting on the customer"] == "1"
        assert counts["Unassigned"] == "1"
        assert counts["Escalated to 瑞安演示"] == "1" and counts["Escalated to 嘉禾演示"] == "0"
        assert counts["Group Group claims"] == "2"
        agent_a = app.services.directory.agent(AGENT_A)
        assert agent_a is not None and counts[f"Agent {agent_a.name}"] == "1"

        board = screen.query_one("#board", DataTable)
        board.move_cursor(row=list(counts).index("Overdue"))
        listing = screen.query_one("#board-tickets", DataTable)
        await wait_for(lambda: screen.showing == "overdue:", pilot)
        assert listing.row_count == 1
        number = str(listing.get_row_at(0)[0])
        assert number.startswith("GD-")  # the number a person reads out, not the internal id

        await pilot.press("enter")  # into the list
        await pilot.press("enter")  # open the ticket
        await wait_for(lambda: isinstance(app.screen, TicketDetailScreen), pilot)
        detail = app.screen
        history = detail.query_one("#detail-history", DataTable)
        await wait_for(lambda: history.row_count == 4, pilot)
        notes = " ".join(str(history.get_row_at(i)[3]) for i in range(history.row_count))
        assert "已致电客户，待回复" in notes and "open → pending_customer" in notes

        await pilot.press("escape")
        now = sim.clock.now()  # another desk's ticket falls overdue meanwhile: F5 counts it
        _open(app.services.store, "T-LATE2", "保全变更进度", now, due_at=now - timedelta(minutes=1))
        await pilot.press("f5")
        await wait_for(lambda: _board_text(screen)["Overdue"] == "2", pilot)
        await wait_for(lambda: listing.row_count == 2, pilot)  # the list shown is refreshed too
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, LeadScreen), pilot)


async def board_still(pilot: Pilot[None]) -> None:
    await open_board(pilot.app, pilot)  # type: ignore[arg-type]
    await tables_settled(pilot)
    assert_no_personal_numbers(pilot.app.export_screenshot())


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_ticket_board_snapshot(language: str, sim: SimulatorHandle,
                               lead_app: Callable[..., LeadApp],
                               snap_compare: Callable[..., bool]) -> None:  # fmt: skip
    app = lead_app(language=language)
    seed_center(app.services.store, sim.clock.now())
    assert snap_compare(app, terminal_size=(130, 40), run_before=board_still)
