"""SVG snapshots of the ticket form with its history (English) and of a sync conflict (Chinese).

Polling is stopped and the status bar's link figures fixed before the picture, as in
test_snapshots. Update with ``--snapshot-update`` and read the SVG's text.
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

from desk_harness import agent_screen, steady_cursors, wait_for
from test_ticket_form import OTHER, _in_conflict, _ticket
from textual.pilot import Pilot
from textual.widgets import DataTable

from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.domain.assignment import assign_to_agent
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.conflict_screen import ConflictScreen
from cscdesk.tui.screens.ticket_editor import TicketEditor
from cscdesk.tui.widgets.tickets_pane import TicketTable

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_ticket_snapshots"


def _open(sim: SimulatorHandle, ticket_id: str, screen_type: type,
          ready: Callable[[DeskApp], object]) -> Callable[[Pilot[None]], Any]:  # fmt: skip
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, DeskApp)
        desk = agent_screen(app)
        table = desk.query_one(TicketTable)
        await wait_for(pilot, lambda: ticket_id in [str(k.value) for k in table.rows], "listed")
        desk.pause_polling()
        await pilot.pause(0.3)
        table.move_cursor(row=table.get_row_index(ticket_id))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, screen_type), "the screen")
        await wait_for(pilot, lambda: ready(app), "its content")
        desk.state.facts.latency_ms = 12.0
        desk.state.facts.last_ok = sim.clock.now()
        desk._repaint()
        app.clear_notifications()
        steady_cursors(app)
        await pilot.pause()

    return run_before


def _svg_text(name: str) -> str:
    return unescape((SNAPSHOTS / name).read_text("utf-8")).replace("\xa0", " ")


def test_ticket_form_with_its_history(
    snap_compare: Any, store: Any, make_sim: Callable[..., SimulatorHandle],
    make_app: Callable[..., DeskApp],
) -> None:  # fmt: skip
    ticket = _ticket(store, "T-SNAP-1", owner=OTHER)
    handed, event = assign_to_agent(ticket, DEMO_AGENT_ID, at=ticket.created_at, actor=OTHER,
                                    note="客户要求回电，请跟进理赔材料")  # fmt: skip
    store.tickets.save_change(handed, event, base_version=ticket.version)
    sim = make_sim([])

    def ready(app: DeskApp) -> object:
        return app.screen.query_one("#history", DataTable).row_count == 2

    run_before = _open(sim, ticket.id, TicketEditor, ready)
    assert snap_compare(make_app(sim), terminal_size=(120, 56), run_before=run_before)
    text = _svg_text("test_ticket_form_with_its_history.svg")
    for label in ("Type", "Priority", "Assignee", "Title", "Description", "Policy no.",
                  "Add a note", "History", "Owner: 赵敏 → 王芳 客户要求回电"):  # fmt: skip
        assert label in text, label


def test_sync_conflict_in_chinese(
    snap_compare: Any, store: Any, make_sim: Callable[..., SimulatorHandle],
    make_app: Callable[..., DeskApp],
) -> None:  # fmt: skip
    ticket = _ticket(store, "T-SNAP-2")
    _in_conflict(store, ticket)
    sim = make_sim([])

    def ready(app: DeskApp) -> object:
        return app.screen.query("#choose-description")

    run_before = _open(sim, ticket.id, ConflictScreen, ready)
    assert snap_compare(make_app(sim, language="zh_CN"), terminal_size=(120, 36),
                        run_before=run_before)  # fmt: skip
    text = _svg_text("test_sync_conflict_in_chinese.svg")
    for line in ("同步冲突", "本工作台: 客户已补交发票", "呼叫中心系统: 保险公司要求补病历",
                 "保留本工作台的值"):  # fmt: skip
        assert line in text, line
