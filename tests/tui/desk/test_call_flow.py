"""The agent's call flow end to end: the desk against the real simulator and a real store.

Simulated time only moves when a test advances it, so each step is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from desk_harness import (
    WALL_NOW,
    agent_screen,
    call_state,
    caller_with_one_match,
    offer_a_call,
    screen_text,
    sign_in_and_ready,
    status,
    wait_for,
)
from textual.widgets import DataTable, Input, OptionList, Select, SelectionList

from cscdesk.callcenter.port import AgentStatus, CallState
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.domain.models import Relation, TicketType
from cscdesk.domain.privacy import mask_name
from cscdesk.tui.app import DeskApp
from cscdesk.tui.screens.dialogs import ChooserDialog, TransferDialog, WrapUpDialog
from cscdesk.tui.screens.search import SearchScreen
from cscdesk.tui.screens.ticket_editor import TicketEditor


async def _until_offered(pilot: Any, app: DeskApp, sim: SimulatorHandle) -> None:
    await offer_a_call(pilot, sim, DEMO_AGENT_ID)


async def test_offered_call_pops_the_callers_profile_then_answer_hold_and_release(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        await _until_offered(pilot, app, sim)
        screen = agent_screen(app)
        assert screen.state.banner_kind == "-offered"
        # the profile pops from the caller number without simulated time moving on
        await wait_for(pilot, lambda: screen.state.member is not None, "the screen pop")
        assert screen.state.member is not None and screen.state.member.id == member.id
        assert member.mobile not in screen_text(app) and member.id_number not in screen_text(app)

        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        assert screen.state.banner_kind == ""
        await pilot.press("h")
        await wait_for(pilot, lambda: call_state(app) is CallState.HOLDING, "on hold")
        await pilot.press("h")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "retrieved")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, WrapUpDialog), "the wrap-up dialog")
        assert status(app) is AgentStatus.WORKING


async def test_wrap_up_code_is_required_where_the_queue_says_so_and_the_ticket_is_prefilled(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: agent_screen(app).state.me is not None, "the directory")
        await pilot.press("g")
        await wait_for(pilot, lambda: app.screen.query(SelectionList), "the sign-in dialog")
        groups = app.screen.query_one(SelectionList)
        groups.deselect_all()
        groups.select("sg_group_claims")  # 团险理赔: wrap-up code required
        await pilot.click("#ok")
        await wait_for(pilot, lambda: status(app) not in (None, AgentStatus.OFFLINE), "signed in")
        await pilot.press("r")
        await wait_for(pilot, lambda: status(app) is AgentStatus.READY, "ready")
        await _until_offered(pilot, app, sim)
        screen = agent_screen(app)
        await wait_for(pilot, lambda: screen.state.member is not None, "the screen pop")
        contact_id = screen.state.last_call.contact_id  # type: ignore[union-attr]
        assert screen.state.last_call.skill_group_id == "sg_group_claims"  # type: ignore[union-attr]
        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, WrapUpDialog), "the wrap-up dialog")

        await pilot.click("#ok")  # no code chosen
        await pilot.pause()
        assert isinstance(app.screen, WrapUpDialog), "a required wrap-up code was skipped"
        assert "requires a wrap-up code" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#code", Select).value = "claim_progress"
        notes = app.screen.query_one("#notes", Input)
        notes.value = "asked when the claim is paid"
        notes.focus()
        await pilot.press("enter")  # Enter in the notes field finishes the wrap-up
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the prefilled ticket")
        await pilot.click("#ok")
        await wait_for(
            pilot, lambda: list(store.tickets.for_contact(contact_id)), "the ticket saved"
        )
        (ticket,) = store.tickets.for_contact(contact_id)
        assert ticket.member_id == member.id
        assert ticket.contact_id == contact_id
        assert ticket.type is TicketType.CLAIM_ASSIST
        assert ticket.owner == screen.agent_id
        assert ticket.due_at == WALL_NOW + timedelta(hours=240)  # claim_assist clock
        assert ticket.first_response_due_at == WALL_NOW + timedelta(hours=24)
        await wait_for(pilot, lambda: status(app) is AgentStatus.READY, "ready again")
        await wait_for(pilot, lambda: ticket.id in {t.id for t in screen.state.tickets}, "listed")

        # once the archive has the CDR, the ticket shows the call it came from
        record = await screen.services.call_center.get_call_record(contact_id)
        store.calls.upsert_many([record])
        table = screen.query_one("#tickets", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(ticket.id))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket editor")
        linked = app.screen.query_one("#linked-calls")
        await wait_for(pilot, lambda: contact_id in str(linked.render()), "the linked call")


async def test_blind_transfer_hands_the_call_to_an_insurer_team(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        await _until_offered(pilot, app, sim)
        contact_id = agent_screen(app).state.session.call.contact_id  # type: ignore[union-attr]
        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferDialog), "the transfer dialog")
        app.screen.query_one(Select).value = "skillgroup:sg_ins_ruian"
        await pilot.click("#ok")
        await wait_for(pilot, lambda: isinstance(app.screen, WrapUpDialog), "after-call work")
        assert status(app) is AgentStatus.WORKING
        assert sim.model.call(contact_id).groups[-1] == "sg_ins_ruian"


async def test_unknown_number_puts_the_search_box_in_focus(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([], unknown_share=1.0)
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        await _until_offered(pilot, app, sim)
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the search box")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), "focus in the search box")
        assert app.focused is not None and app.focused.id == "query"


async def test_call_system_unreachable_shows_the_offline_banner_tickets_still_save_and_it_recovers(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        screen = agent_screen(app)
        sim.faults.set(reset_rate=1.0)
        await wait_for(pilot, lambda: screen.state.facts.offline, "the offline state")
        await wait_for(
            pilot,
            lambda: "tickets are saved locally" in screen_text(app),
            "the offline banner on screen",
        )  # painted at the next refresh

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket editor")
        app.screen.query_one("#title", Input).value = "Customer asks for a callback"
        await pilot.click("#ok")
        await wait_for(pilot, lambda: any(t.title == "Customer asks for a callback"
                                          for t in screen.state.tickets),
                       "the ticket saved and listed while offline")  # fmt: skip

        sim.faults.clear()
        await wait_for(pilot, lambda: not screen.state.facts.offline, "recovery")
        assert "tickets are saved locally" not in screen_text(app)
        assert status(app) is AgentStatus.READY


async def test_attended_transfer_consults_then_completes(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        await _until_offered(pilot, app, sim)
        contact_id = agent_screen(app).state.session.call.contact_id  # type: ignore[union-attr]
        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferDialog), "the transfer dialog")
        app.screen.query_one(Select).value = "skillgroup:sg_ins_jiahe"
        await pilot.click("#attended")
        await pilot.click("#ok")
        await wait_for(pilot, lambda: sim.model.call(contact_id).consult_agent is not None,
                       "consulting the insurer's agent")  # fmt: skip
        await pilot.press("t")  # complete the transfer
        await wait_for(pilot, lambda: isinstance(app.screen, WrapUpDialog), "after-call work")
        assert "sg_ins_jiahe" in sim.model.call(contact_id).groups


async def test_a_number_shared_by_two_customers_asks_who_is_calling(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    employee = caller_with_one_match(store)
    spouse = replace(employee, id=employee.id + "S", name="林晓", relation=Relation.SPOUSE,
                     id_number="110101199202023347", main_member_id=employee.id,
                     employee_no=None)  # fmt: skip
    store.members.add_many([spouse])  # a spouse who calls from the employee's phone
    sim = make_sim([employee.mobile])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        await _until_offered(pilot, app, sim)
        await wait_for(pilot, lambda: isinstance(app.screen, ChooserDialog)
                       and app.screen.query(OptionList), "the chooser")  # fmt: skip
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        shown = " ".join(str(options.get_option_at_index(i).prompt) for i in range(2))
        assert employee.id_number not in shown and spouse.id_number not in shown
        assert mask_name(spouse.name) in shown
        index = next(i for i in range(2) if options.get_option_at_index(i).id == spouse.id)
        options.highlighted = index
        await pilot.press("enter")
        screen = agent_screen(app)
        await wait_for(pilot, lambda: screen.state.member is not None, "the chosen profile")
        assert screen.state.member.id == spouse.id  # type: ignore[union-attr]


async def test_call_system_errors_become_notices_and_the_desk_carries_on(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([])
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        sim.faults.set(error_rates={"Throttling.User": 1.0})
        await wait_for(pilot, lambda: any("busy" in str(n.message)
                                          for n in app._notifications), "a notice")  # fmt: skip
        assert not agent_screen(app).state.facts.offline  # busy is not unreachable
        sim.faults.clear()
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ChooserDialog)
                       and app.screen.query(OptionList), "break reasons")  # fmt: skip
        await pilot.press("enter")
        await wait_for(pilot, lambda: status(app) is AgentStatus.BREAK, "on a break")


async def test_a_desk_started_while_the_call_system_is_down_catches_up_when_it_returns(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    sim = make_sim([])
    sim.faults.set(reset_rate=1.0)
    app = make_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await wait_for(pilot, lambda: screen.state.facts.offline, "the offline banner")
        assert screen.state.me is None
        sim.faults.clear()
        await sign_in_and_ready(pilot)  # the directory loads once the link is back
        assert not screen.state.facts.offline
