"""The ticket form, its history and sync conflicts (issue 15, item 3): visible labels, checked
policy and claim numbers, a multi-line description, the assignee; history in the agent's
language; both values of a conflicting field; the sync badge right after a sync round."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from desk_harness import WALL_NOW, agent_screen, caller_with_one_match, screen_text, wait_for
from test_knowledge import open_member
from textual.widgets import DataTable, Input, Select, TextArea

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.domain.models import (
    Priority,
    SyncState,
    Ticket,
    TicketEvent,
    TicketStatus,
    TicketType,
)  # fmt: skip
from cscdesk.sync.codec import Snapshot, ticket_fields
from cscdesk.sync.storage import ConflictCopy, SyncStorage
from cscdesk.sync.tickets import TicketSync
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.conflict_screen import ConflictScreen
from cscdesk.tui.screens.ticket_editor import TicketEditor
from cscdesk.tui.widgets.status_bar import StatusBar
from cscdesk.tui.widgets.tickets_pane import TicketTable
from cscdesk.wiring import demo_directory

OTHER = "agent007@ccc-demo"


def _ticket(store: Any, tid: str, **fields: Any) -> Ticket:
    at = WALL_NOW - timedelta(hours=2)
    values: dict[str, Any] = {
        "id": tid, "type": TicketType.ENQUIRY, "status": TicketStatus.NEW,
        "priority": Priority.NORMAL, "title": "咨询报销进度", "created_at": at, "updated_at": at,
        "created_by": DEMO_AGENT_ID, "owner": DEMO_AGENT_ID, "description": "客户来电",
    }  # fmt: skip
    values.update(fields)
    ticket = Ticket(**values)
    saved: Ticket = store.tickets.save_new(
        ticket, TicketEvent(tid, at, ticket.created_by, "created")
    )
    return saved


async def test_the_form_labels_its_fields_and_refuses_a_policy_no_the_customer_lacks(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    own_policy = store.policies.for_member(member.id)[0].policy_no
    app = make_app(make_sim([]))
    async with app.run_test(size=(140, 45)) as pilot:
        await open_member(pilot, app, member.mobile)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "a new ticket")
        editor = app.screen
        text = screen_text(app)
        for label in ("Type", "Priority", "Assignee", "Title", "Description", "Policy no.",
                      "Claim no."):  # fmt: skip
            assert f"\n{label}" in text or f" {label} " in text or label in text, label
        editor.query_one("#title", Input).value = "报销材料"
        editor.query_one("#description", TextArea).text = "客户问门诊报销\n需补发票原件"
        editor.query_one("#policy_no", Input).value = "ab12"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "is not one of this customer's" in screen_text(app),
                       "the refusal")  # fmt: skip
        assert own_policy in screen_text(app)  # what the customer does have
        assert isinstance(app.screen, TicketEditor)  # nothing lost: the form stays open
        editor.query_one("#policy_no", Input).value = own_policy.lower()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, TicketEditor), "saved")
        await wait_for(pilot, lambda: store.tickets.for_member(member.id), "the ticket")
        (saved,) = [t for t in store.tickets.for_member(member.id) if t.title == "报销材料"]
        assert saved.description == "客户问门诊报销\n需补发票原件"
        assert saved.owner == DEMO_AGENT_ID and saved.number is not None


async def test_a_new_ticket_goes_to_a_group_queue_from_the_form_in_chinese(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]), language="zh_CN")
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "a new ticket")
        editor = app.screen
        assert "受理人" in screen_text(app) and "保单号" in screen_text(app)
        editor.query_one("#title", Input).value = "投诉：理赔太慢"
        editor.query_one("#claim_no", Input).value = "12"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "不是该客户的" in screen_text(app), "the refusal in Chinese")
        editor.query_one("#claim_no", Input).value = ""
        editor.query_one("#assignee", Select).value = "group:sg_complaints"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, TicketEditor), "saved")
        found = store.tickets.search("理赔太慢")
        assert [(t.owner, t.group_id) for t in found] == [(None, "sg_complaints")]


async def test_history_speaks_the_agents_language_with_names_and_local_times(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    ticket = _ticket(store, "T-HIST-1", owner=OTHER)
    at = WALL_NOW - timedelta(minutes=30)  # 09:35 北京时间
    long_note = "客户说明：" + "发票原件已于周一寄出，请跟进保险公司收件情况并回电告知" * 3
    moved = store.tickets.require(ticket.id)
    from cscdesk.domain.assignment import assign_to_agent

    handed, event = assign_to_agent(moved, DEMO_AGENT_ID, at=at, actor=OTHER, note=long_note)
    store.tickets.save_change(handed, event, base_version=moved.version)
    app = make_app(make_sim([]), language="zh_CN")
    async with app.run_test(size=(140, 45)) as pilot:
        table = app.screen.query_one(TicketTable)
        await wait_for(pilot, lambda: ticket.id in [str(k.value) for k in table.rows], "my list")
        table.move_cursor(row=table.get_row_index(ticket.id))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket")
        history = app.screen.query_one("#history", DataTable)
        await wait_for(pilot, lambda: history.row_count == 2, "the history")
        when, who, what, detail = (str(c) for c in history.get_row_at(1))
        assert when == "03-10 09:35"  # the center's clock, not UTC (01:35)
        other, me = (demo_directory().agent(a).name for a in (OTHER, DEMO_AGENT_ID))  # type: ignore[union-attr]
        assert who == other  # by name
        assert what == "转交"
        assert detail.startswith(f"处理人: {other} → {me} 客户说明："), detail
        assert detail.endswith("…") and len(detail) < len(long_note)  # cut in the cell
        history.focus()
        history.move_cursor(row=1)
        await pilot.pause()
        shown = str(app.screen.query_one("#history-detail").render())
        assert long_note in shown.replace("\n", "")  # the whole line below the table


def _in_conflict(store: Any, ticket: Ticket) -> None:
    """What sync leaves when both sides changed the description since they last agreed."""
    storage = SyncStorage(store)
    base_fields = ticket_fields(ticket)
    local = dict(base_fields, description="客户已补交发票")
    remote = dict(base_fields, description="保险公司要求补病历")
    base = Snapshot(ticket.id, 1, "c1", base_fields)
    storage.record_conflict(ConflictCopy(
        ticket_id=ticket.id, base=base, local_fields=local,
        remote=base.successor("c2", remote, ()), fields=("description",),
        detected_at=WALL_NOW,
    ))  # fmt: skip
    current = store.tickets.require(ticket.id)
    edited = dataclasses.replace(
        current,
        description="客户已补交发票",
        version=current.version + 1,
        sync_state=SyncState.CONFLICT,
    )
    event = TicketEvent(
        ticket.id, WALL_NOW, DEMO_AGENT_ID, "field", {"description": ("客户来电", "客户已补交发票")}
    )
    store.tickets.save_change(edited, event, base_version=current.version)


@pytest.mark.parametrize(
    ("language", "here", "there", "state"),
    [("en", "This desk", "Call system", "conflict"), ("zh_CN", "本工作台", "呼叫中心系统", "冲突")],
)
async def test_a_conflict_shows_both_values_and_a_merged_one_keeps_everything(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp],
    language: str, here: str, there: str, state: str,
) -> None:  # fmt: skip
    ticket = _ticket(store, "T-CONFLICT-1")
    _in_conflict(store, ticket)
    app = make_app(make_sim([]), language=language)
    async with app.run_test(size=(140, 45)) as pilot:
        table = app.screen.query_one(TicketTable)
        await wait_for(pilot, lambda: ticket.id in [str(k.value) for k in table.rows], "my list")
        assert table.get_cell(ticket.id, "sync").plain == state
        table.move_cursor(row=table.get_row_index(ticket.id))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict")
        await wait_for(pilot, lambda: app.screen.query("#choose-description"), "the field")
        text = screen_text(app)
        assert f"{here}: 客户已补交发票" in text and f"{there}: 保险公司要求补病历" in text
        app.screen.query_one("#choose-description", Select).value = "merged"
        merged = app.screen.query_one("#merged-description", Input)
        assert merged.value == "客户已补交发票 / 保险公司要求补病历"
        merged.value = "客户已补交发票；保险公司另要求补病历"
        await pilot.click("#ok")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket after")
        saved = store.tickets.require(ticket.id)
        assert saved.description == "客户已补交发票；保险公司另要求补病历"
        assert saved.sync_state is SyncState.PENDING  # pushed by the next sync
        note = store.tickets.events(ticket.id)[-1].note or ""
        assert "客户已补交发票" in note and "保险公司要求补病历" in note  # nothing lost
        assert SyncStorage(store).conflict(ticket.id) is None


async def test_the_sync_badge_and_rows_update_right_after_a_sync_round(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    first = _ticket(store, "T-SYNC-1")
    second = _ticket(store, "T-SYNC-2")
    sim = make_sim([])
    app = make_app(sim)
    async with app.run_test(size=(140, 45)) as pilot:
        bar = app.screen.query_one(StatusBar)
        table = app.screen.query_one(TicketTable)
        await wait_for(pilot, lambda: "outbox 2" in str(bar.render()), "two to push")
        assert table.get_cell(first.id, "sync").plain == "pending"
        client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                                 scheme="http", max_retries=0, timeout=5.0)  # fmt: skip
        port = AliyunCallCenter(client, sim.instance_id)
        report = await TicketSync(
            port, SyncStorage(store), clock=lambda: datetime.now(UTC)
        ).run_once()
        assert report.created == 2, json.dumps(report.errors)
        await wait_for(pilot, lambda: "outbox 0" in str(bar.render()), "the badge after sync")
        for ticket in (first, second):
            assert table.get_cell(ticket.id, "sync").plain == "synced"
