"""Scripts and knowledge on the desk (issue 16): the knowledge panel beside the call with the
caller's insurer first, canned notes and call scripts inserted with F3 into a ticket's fields,
a lead's edits picked up while the desk runs, a bad file named in the desk's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from desk_harness import (
    agent_screen,
    call_state,
    caller_with_one_match,
    offer_a_call,
    screen_text,
    sign_in_and_ready,
    wait_for,
)
from textual.widgets import Input, OptionList, Select, TextArea

from cscdesk.callcenter.port import CallState
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.knowledge import KnowledgeBase
from cscdesk.tui.app import DeskApp
from cscdesk.tui.keys import help_rows
from cscdesk.tui.screens.search import SearchScreen
from cscdesk.tui.screens.snippet_picker import SnippetPicker
from cscdesk.tui.screens.ticket_editor import TicketEditor
from cscdesk.tui.widgets.knowledge_panel import KnowledgePanel
from cscdesk.tui.widgets.queue_pane import CallPanel
from cscdesk.wiring import demo_directory, demo_knowledge_folder


def with_knowledge(app: DeskApp, folder: Path | None = None) -> KnowledgeBase:
    knowledge = KnowledgeBase(folder or demo_knowledge_folder(), demo_directory())
    app.services = replace(app.services, knowledge=knowledge)
    return knowledge


def panel(app: DeskApp) -> KnowledgePanel:
    return agent_screen(app).query_one("#knowledge", KnowledgePanel)


async def open_member(pilot: Any, app: DeskApp, mobile: str) -> None:
    await pilot.press("slash")
    await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), "the search dialog")
    app.screen.query_one("#query", Input).value = mobile
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.query_one("#results").row_count, "a result")
    await pilot.press("enter")
    await wait_for(pilot, lambda: agent_screen(app).state.member is not None, "the profile")


def text_of(widget: Any) -> str:
    return str(widget.text if isinstance(widget, TextArea) else widget.value)


async def test_waiting_period_beside_the_call_shows_the_callers_insurer_first(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    sim = make_sim([member.mobile])
    app = make_app(sim)
    with_knowledge(app)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await sign_in_and_ready(pilot)
        await offer_a_call(pilot, sim, DEMO_AGENT_ID)
        await wait_for(pilot, lambda: screen.state.profile is not None, "the screen pop")
        await pilot.press("a")
        await wait_for(pilot, lambda: call_state(app) is CallState.TALKING, "talking")
        insurer = screen.state.profile.local_policies[0].insurer_id  # type: ignore[union-attr]
        name = demo_directory().insurer_name(insurer)

        await pilot.press("k")
        await wait_for(pilot, lambda: screen.query("#knowledge") and panel(app).hits, "the panel")
        await pilot.press(*"等待期")  # typed into the search box the panel focused
        await wait_for(pilot, lambda: panel(app).query_text == "等待期", "the search")
        first = panel(app).hits[0]
        assert first.entry.title == f"{name} 企业补充医疗保险 等待期" and first.for_caller
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert f"★ {name} 企业补充医疗保险 等待期" in shown.replace("\xa0", " ")
        assert "年中新增的员工" in shown  # the article itself, rendered from Markdown
        assert screen.query_one(CallPanel).display and call_state(app) is CallState.TALKING

        await pilot.press("escape")  # back to the desk keys: h, x, w work again
        assert not screen.has_class("-knowledge")
        await pilot.press("h")
        await wait_for(
            pilot, lambda: call_state(app) is CallState.HOLDING, "held with the panel closed"
        )


async def test_a_canned_note_goes_into_the_ticket_fields_with_f3(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    member = caller_with_one_match(store)
    app = make_app(make_sim([]))
    with_knowledge(app)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = agent_screen(app)
        await open_member(pilot, app, member.mobile)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "a new ticket")
        editor = app.screen
        editor.query_one("#type", Select).value = "complaint"
        editor.query_one("#title", Input).value = "理赔太慢"
        description = editor.query_one("#description")
        description.focus()
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetPicker), "the picker")
        picker = app.screen
        assert isinstance(picker, SnippetPicker)
        # a complaint ticket (no call, so no skill group): what is for complaints first
        assert {h.entry.title for h in picker.hits[:3]} == {
            "投诉受理",
            "投诉已登记并告知时限",
            "已升级保险公司处理",
        }
        assert all(h.for_caller for h in picker.hits[:3]) and not picker.hits[3].for_caller
        await pilot.press(*"登记")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is editor, "back in the ticket")
        assert "已告知客户 15 日内答复" in text_of(description)
        assert app.focused is description
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: any(t.title == "理赔太慢" for t in screen.state.tickets), "saved"
        )
        ticket = next(t for t in screen.state.tickets if t.title == "理赔太慢")
        assert "15 日内答复" in store.tickets.get(ticket.id).description

        # an existing ticket's note: the highlighted snippet is chosen from the list
        table = screen.query_one("#tickets")
        table.focus()
        table.move_cursor(row=table.get_row_index(ticket.id))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "the ticket")
        note = app.screen.query_one("#note")
        note.focus()
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetPicker), "the picker")
        await pilot.press(*"回电")
        picker = app.screen
        assert isinstance(picker, SnippetPicker)  # the complaint script mentions 回电 too
        assert [h.entry.title for h in picker.hits] == ["投诉受理", "客户要求回电"]
        await pilot.press("down", "down", "enter")  # into the list, then the second one
        await wait_for(pilot, lambda: isinstance(app.screen, TicketEditor), "back in the ticket")
        assert text_of(note).startswith("客户要求回电")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("客户要求回电" in (e.note or "") for e in store.tickets.events(ticket.id)),
                       "the note saved")  # fmt: skip


async def test_f3_on_the_desk_shows_the_script_in_the_panel_and_escape_inserts_nothing(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    app = make_app(make_sim([]))
    with_knowledge(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = agent_screen(app)
        keys = {(key, label) for key, label, _id in help_rows(screen)}
        assert {("k", "Knowledge"), ("F3", "Scripts")} <= keys  # on the help screen (F1)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetPicker), "the picker")
        await pilot.press("escape")
        assert app.screen is screen and not screen.has_class("-knowledge")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetPicker), "the picker")
        await pilot.press(*"开场白", "enter")
        await wait_for(pilot, lambda: screen.query("#knowledge") and panel(app).shown, "the panel")
        assert panel(app).shown == str(Path("话术/开场白与身份核实.md"))
        await pilot.pause(0.2)
        assert "请您提供被保险人的姓名和身份证号后四位" in screen_text(app)


async def test_a_leads_edit_shows_without_a_restart_and_a_bad_file_is_named_in_chinese(
    tmp_path: Path, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "a.md").write_text('+++\ntitle = "住院须知"\n+++\n二级以上医院\n', "utf-8")
    (folder / "b.md").write_bytes('+++\ntitle = "等待期"\n+++\n三十天\n'.encode("gb18030"))
    app = make_app(make_sim([]), language="zh_CN")
    with_knowledge(app, folder)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = agent_screen(app)
        await pilot.press("k")
        await wait_for(pilot, lambda: screen.query("#knowledge") and panel(app).hits, "the panel")
        assert [h.entry.title for h in panel(app).hits] == ["住院须知"]
        problems = str(panel(app).query_one("#kb-problems").render())
        assert "b.md" in problems and "GBK/GB18030" in problems and "请另存为 UTF-8" in problems

        (folder / "b.md").write_text('+++\ntitle = "等待期"\n+++\n三十天\n', "utf-8")
        (folder / "c.md").write_text('+++\ntitle = "门诊材料"\n+++\n发票\n', "utf-8")
        screen.reload_knowledge()  # what the interval does every reload_seconds
        await wait_for(pilot, lambda: len(panel(app).hits) == 3, "the edits")
        assert not panel(app).query_one("#kb-problems").display
        options = panel(app).query_one(OptionList)
        assert options.option_count == 3


async def test_f3_before_the_desk_is_built_does_nothing(
    make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp]
) -> None:
    import threading

    from cscdesk.tui.app import DeskStart, StartingScreen

    services = make_app(make_sim([])).services
    release = threading.Event()

    def build() -> Any:  # still opening the store while the agent presses F3
        release.wait(30)
        return services

    app = DeskApp(DeskStart(services.settings, "en", build))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartingScreen)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, StartingScreen) and app.return_code is None
        release.set()
        await wait_for(pilot, lambda: not isinstance(app.screen, StartingScreen), "the desk")
        agent_screen(app)
