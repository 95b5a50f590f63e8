"""The center's directory: who works here, which queues and insurers exist, what the codes mean.

Loaded once per process by the composition root from the deployment (its store, then the call
system's own names), so every screen and report reads the same names. The embedded demo fills
it from its fictional center; nothing else does. A desk that fell back to demo data whenever a
list was empty once showed fictional insurers in the "escalate to" list of a real deployment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from cscdesk.domain.models import Agent, Insurer, SkillGroup

_Entry = TypeVar("_Entry", Agent, SkillGroup, Insurer)
Code = tuple[str, str, str]  # (code, 中文, English)

# Codes the desk's rules know (wrap-up → ticket type, break reasons the status bar names): the
# center's working vocabulary, not demo data.
STANDARD_BREAK_CODES: tuple[Code, ...] = (
    ("rest", "休息", "Rest"),
    ("meal", "用餐", "Meal"),
    ("training", "培训", "Training"),
    ("meeting", "会议", "Meeting"),
    ("backoffice", "后台处理", "Back office"),
)
STANDARD_WRAP_UP_CODES: tuple[Code, ...] = (
    ("resolved", "已解答", "Answered"),
    ("ticket", "已建工单", "Ticket opened"),
    ("claim_progress", "理赔进度查询", "Claim progress"),
    ("coverage", "保障范围咨询", "Coverage question"),
    ("transfer_insurer", "转保险公司", "Transferred to insurer"),
    ("complaint", "投诉登记", "Complaint recorded"),
    ("wrong_number", "打错/无效", "Wrong number"),
)


@dataclass(frozen=True)
class CenterDirectory:
    agents: tuple[Agent, ...] = ()
    skill_groups: tuple[SkillGroup, ...] = ()
    insurers: tuple[Insurer, ...] = ()
    break_codes: tuple[Code, ...] = STANDARD_BREAK_CODES
    wrap_up_codes: tuple[Code, ...] = STANDARD_WRAP_UP_CODES

    def agent(self, agent_id: str | None) -> Agent | None:
        return next((a for a in self.agents if a.id == agent_id), None)

    def group(self, group_id: str | None) -> SkillGroup | None:
        return next((g for g in self.skill_groups if g.id == group_id), None)

    def group_name(self, group_id: str, *, english: bool) -> str | None:
        group = self.group(group_id)
        if group is None:
            return None
        return group.name_en if english else group.name

    def insurer_name(self, insurer_id: str | None) -> str:
        """The short name people use; the id itself for an insurer the directory does not know."""
        for insurer in self.insurers:
            if insurer.id == insurer_id:
                return insurer.short_name or insurer.name
        return insurer_id or ""

    def codes(self, kind: str, *, english: bool) -> list[tuple[str, str]]:
        """(code, label) for the break or wrap-up chooser, in the desk's language."""
        codes = self.break_codes if kind == "break" else self.wrap_up_codes
        return [(key, en if english else zh) for key, zh, en in codes]

    def code_label(self, kind: str, code: str | None, *, english: bool) -> str:
        return dict(self.codes(kind, english=english)).get(code or "", code or "")

    def is_wrap_up_code(self, code: str) -> bool:
        return any(key == code for key, _zh, _en in self.wrap_up_codes)

    def filled_from(self, other: CenterDirectory) -> CenterDirectory:
        """This directory, with entries only ``other`` knows added (the demo fills a fresh store)."""
        return CenterDirectory(
            agents=_union(self.agents, other.agents),
            skill_groups=_union(self.skill_groups, other.skill_groups),
            insurers=_union(self.insurers, other.insurers),
            break_codes=self.break_codes or other.break_codes,
            wrap_up_codes=self.wrap_up_codes or other.wrap_up_codes,
        )


def _union(mine: Iterable[_Entry], theirs: Iterable[_Entry]) -> tuple[_Entry, ...]:
    known = {item.id: item for item in theirs}
    known.update({item.id: item for item in mine})
    return tuple(known.values())
