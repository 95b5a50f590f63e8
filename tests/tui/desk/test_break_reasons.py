"""Why an agent is on a break, in the desk's language (issue 20: the Chinese desk said
``小休: MissedCall``). The call system sets some breaks itself (a call that rang out:
CCC's system code ``RingingTimeout``), and a tenant may define codes the desk has no name for;
both must read as words of the desk's language, or at least as a code, never crash it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from desk_harness import agent_screen, offer_a_call, sign_in_and_ready, status, wait_for

from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
from cscdesk.callcenter.aliyun.client import AliyunRpcClient
from cscdesk.callcenter.port import AgentStatus
from cscdesk.callcenter.sim.server import SimulatorHandle
from cscdesk.demo.scenario import DEMO_AGENT_ID
from cscdesk.tui.app import DeskApp
from cscdesk.tui.widgets.status_bar import StatusBar

RING_TIMEOUT_SECONDS = 600  # the desk tests' simulator (conftest.make_sim)


def bar_text(app: DeskApp) -> str:
    return str(agent_screen(app).query_one(StatusBar).render())


@pytest.mark.parametrize(("language", "shown"), [("zh_CN", "小休: 未接来电"),
                                                 ("en", "Break: Missed a call")])  # fmt: skip
async def test_a_call_that_rang_out_is_a_missed_call_break_in_the_desks_language(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp],
    language: str, shown: str,
) -> None:  # fmt: skip
    sim = make_sim(["13800000000"], unknown_share=1.0)
    app = make_app(sim, language=language)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        await offer_a_call(pilot, sim, DEMO_AGENT_ID)
        await asyncio.to_thread(sim.advance, RING_TIMEOUT_SECONDS + 5)  # nobody answers
        await wait_for(pilot, lambda: status(app) is AgentStatus.BREAK, "the call system's break")
        await wait_for(pilot, lambda: shown in bar_text(app), f"{shown!r} in the status bar")
        assert "RingingTimeout" not in bar_text(app)


@pytest.mark.parametrize(
    ("language", "code", "shown"),
    [
        ("en", "CoffeeRun", "Break: reason code CoffeeRun"),
        ("zh_CN", "\x1b[31m巡检\n", "小休: 原因代码 [31m巡检"),  # no control characters
    ],
)
async def test_a_break_code_the_desk_does_not_know_is_shown_as_a_code(
    store: Any, make_sim: Callable[..., SimulatorHandle], make_app: Callable[..., DeskApp],
    language: str, code: str, shown: str,
) -> None:  # fmt: skip
    """A supervisor's tool (or the vendor's console) put the agent on a break with a custom
    code: the desk names it as a code rather than pass it off as words."""
    sim = make_sim([])
    app = make_app(sim, language=language)
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in_and_ready(pilot)
        session = agent_screen(app).state.session
        assert session is not None and session.device_id
        client = AliyunRpcClient(sim.endpoint, sim.access_key_id, sim.access_key_secret,
                                 scheme="http", max_retries=0, timeout=5.0)  # fmt: skip
        other_tool = AliyunCallCenter(client, sim.instance_id)
        try:
            await other_tool.take_break(DEMO_AGENT_ID, session.device_id, code)
        finally:
            await other_tool.aclose()
        await wait_for(pilot, lambda: shown in bar_text(app), f"{shown!r} in the status bar")
        assert status(app) is AgentStatus.BREAK
