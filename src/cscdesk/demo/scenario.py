"""The fictional center the demo, the simulator and the tests share.

Insurer names carry 演示 (demo) so that nobody mistakes them for real companies.
"""

from __future__ import annotations

from cscdesk.domain.center_directory import STANDARD_BREAK_CODES, STANDARD_WRAP_UP_CODES
from cscdesk.domain.models import Agent, AgentKind, Insurer, Routing, SkillGroup

INSTANCE_ID = "ccc-demo"

INSURERS: tuple[Insurer, ...] = (
    Insurer(id="ruian", name="瑞安演示人寿保险", short_name="瑞安演示"),
    Insurer(id="jiahe", name="嘉禾演示健康保险", short_name="嘉禾演示"),
    Insurer(id="huaying", name="华盈演示财产保险", short_name="华盈演示"),
    Insurer(id="anhe", name="安和演示保险", short_name="安和演示"),
)

SKILL_GROUPS: tuple[SkillGroup, ...] = (
    SkillGroup("sg_group_claims", "团险理赔", "Group claims", Routing.SERIAL, None, True),
    SkillGroup("sg_group_enquiry", "团险咨询", "Group enquiries", Routing.PARALLEL, None, False),
    SkillGroup("sg_personal", "个人业务", "Personal lines", Routing.PARALLEL, None, False),
    SkillGroup("sg_complaints", "投诉受理", "Complaints", Routing.SERIAL, None, True),
    *(
        SkillGroup(
            f"sg_ins_{i.id}",
            f"{i.short_name}专席",
            f"{i.id.title()} team",
            Routing.PARALLEL,
            i.id,
            False,
        )
        for i in INSURERS
    ),
)


def _user(n: int) -> str:
    return f"agent{n:03d}@{INSTANCE_ID}"


def _broker_agents() -> list[Agent]:
    names = [
        "王芳",
        "李娜",
        "张伟",
        "刘洋",
        "陈静",
        "杨磊",
        "赵敏",
        "黄丽",
        "周杰",
        "吴倩",
        "徐强",
        "孙悦",
    ]
    groups = ("sg_group_claims", "sg_group_enquiry", "sg_personal", "sg_complaints")
    return [
        Agent(
            id=_user(i + 1),
            name=name,
            kind=AgentKind.BROKER,
            skill_groups=groups if i % 3 else groups[:2],
        )
        for i, name in enumerate(names)
    ]


def _seconded_agents() -> list[Agent]:
    names = ["郑浩", "冯雪", "何晨", "高源", "林悦", "罗斌", "梁欣", "宋佳"]
    agents = []
    for i, name in enumerate(names):
        insurer = INSURERS[i % len(INSURERS)]
        agents.append(
            Agent(
                id=_user(101 + i),
                name=name,
                kind=AgentKind.SECONDED,
                insurer_id=insurer.id,
                skill_groups=(f"sg_ins_{insurer.id}", "sg_group_claims", "sg_group_enquiry"),
            )
        )
    return agents


AGENTS: tuple[Agent, ...] = (*_broker_agents(), *_seconded_agents())

DEMO_AGENT_ID = AGENTS[0].id  # the desk signs in as this user in the demo
DEMO_LEAD_ID = f"lead001@{INSTANCE_ID}"
# Team leads are users of the call center too (a supervisor signs in with a device to monitor,
# coach or barge in); they serve no skill group, so no call is ever routed to them.
LEADS: tuple[Agent, ...] = (
    Agent(id=DEMO_LEAD_ID, name="值班组长", kind=AgentKind.BROKER, skill_groups=()),
)

# The demo center uses the standard working vocabulary (one list, in domain.center_directory).
BREAK_CODES = STANDARD_BREAK_CODES
WRAP_UP_CODES = STANDARD_WRAP_UP_CODES
