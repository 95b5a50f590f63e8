"""One wallboard poll as plain data: the center at one moment, recorded and replayable.

A snapshot keeps raw counters (not rates) so that any later reader can recompute service level,
abandon rate and ASA with the configured rule, and so interval figures can be rebuilt by
differencing the since-midnight counters of two snapshots (the dolphie record-and-replay idea).
Snapshots are recorded by a background duty under the ``wallboard.snapshots`` lease in whichever
process holds it (a desk or the daemon), not by the wallboard screen: the occupancy report reads
them, so they must exist whether or not a lead is watching, and exactly once per moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from cscdesk.callcenter.port import AgentState, CallCenterPort, QueueState, SummaryReport
from cscdesk.domain.models import Agent, AgentKind
from cscdesk.store.wallboard import WallboardSnapshots


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One skill group: realtime state plus today's counters."""

    group_id: str
    name: str
    waiting: int
    longest_wait_seconds: float
    ready: int
    talking: int
    working: int
    on_break: int
    logged_in: int
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_within_threshold: int = 0
    total_wait_answered: float = 0.0


@dataclass(frozen=True, slots=True)
class AgentRow:
    """One agent as the lead sees them; ``kind``/``insurer_id`` come from the roster."""

    agent_id: str
    name: str
    kind: str
    insurer_id: str | None
    status: str
    state_since: datetime | None
    calls_today: int = 0
    handle_seconds_today: float = 0.0
    contact_id: str | None = None
    supervision: str | None = None  # "monitor" / "coach" / "barge" while a lead is on the call
    supervised_by: str | None = None  # that lead's call-center user id

    @property
    def aht_seconds(self) -> float | None:
        return self.handle_seconds_today / self.calls_today if self.calls_today else None


@dataclass(frozen=True, slots=True)
class WallboardSnapshot:
    taken_at: datetime
    queues: tuple[QueueRow, ...]
    agents: tuple[AgentRow, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def signed_in(self) -> int:
        """Agents not offline: who the staffing plan is compared with."""
        return sum(1 for agent in self.agents if agent.status != "offline")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["taken_at"] = self.taken_at.isoformat()
        data["queues"] = [asdict(q) for q in self.queues]
        data["agents"] = [
            {**asdict(a), "state_since": a.state_since.isoformat() if a.state_since else None}
            for a in self.agents
        ]
        data["meta"] = dict(self.meta)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WallboardSnapshot:
        agents = []
        for raw in data.get("agents", []):
            since = raw.get("state_since")
            agents.append(
                AgentRow(**{**raw, "state_since": datetime.fromisoformat(since) if since else None})
            )
        return cls(
            taken_at=datetime.fromisoformat(data["taken_at"]),
            queues=tuple(QueueRow(**raw) for raw in data.get("queues", [])),
            agents=tuple(agents),
            meta=dict(data.get("meta", {})),
        )


def build_snapshot(
    taken_at: datetime,
    queue_states: list[QueueState],
    agent_states: list[AgentState],
    group_reports: list[SummaryReport],
    agent_reports: list[SummaryReport],
    roster: Mapping[str, Agent],
) -> WallboardSnapshot:
    """Join realtime states with since-midnight counters and the roster."""
    by_group = {r.subject_id: r for r in group_reports}
    queues = []
    for state in queue_states:
        report = by_group.get(state.skill_group_id)
        queues.append(
            QueueRow(
                group_id=state.skill_group_id,
                name=state.skill_group_name,
                waiting=state.waiting_calls,
                longest_wait_seconds=state.longest_wait_seconds,
                ready=state.ready_agents,
                talking=state.talking_agents,
                working=state.working_agents,
                on_break=state.break_agents,
                logged_in=state.logged_in_agents,
                offered=report.offered if report else 0,
                answered=report.answered if report else 0,
                abandoned=report.abandoned if report else 0,
                short_abandoned=report.short_abandoned if report else 0,
                answered_within_threshold=report.answered_within_threshold if report else 0,
                total_wait_answered=report.total_wait_seconds_answered if report else 0.0,
            )
        )
    by_agent = {r.subject_id: r for r in agent_reports}
    agents = []
    for agent_state in agent_states:
        known = roster.get(agent_state.agent_id)
        report = by_agent.get(agent_state.agent_id)
        agents.append(
            AgentRow(
                agent_id=agent_state.agent_id,
                name=known.name if known else agent_state.agent_name,
                kind=str(known.kind) if known else str(AgentKind.BROKER),
                insurer_id=known.insurer_id if known else None,
                status=str(agent_state.status),
                state_since=agent_state.state_since,
                calls_today=report.answered if report else 0,
                handle_seconds_today=(
                    report.total_talk_seconds
                    + report.total_hold_seconds
                    + report.total_work_seconds
                    if report
                    else 0.0
                ),
                contact_id=agent_state.contact_id,
                supervision=agent_state.supervision,
                supervised_by=agent_state.supervised_by,
            )
        )
    return WallboardSnapshot(taken_at, tuple(queues), tuple(agents))


async def poll_snapshot(
    port: CallCenterPort, taken_at: datetime, roster: Mapping[str, Agent]
) -> WallboardSnapshot:
    """Ask the call system for everything the wallboard shows, concurrently."""
    queue_states, agent_states, group_reports, agent_reports = await asyncio.gather(
        port.list_queue_states(),
        port.list_agent_states(),
        port.skill_group_reports_since_midnight(),
        port.agent_reports_since_midnight(),
    )
    return build_snapshot(
        taken_at, queue_states, agent_states, group_reports, agent_reports, roster
    )


@dataclass(frozen=True, slots=True)
class TeamTotals:
    """Broker vs seconded: the mix the center has to balance."""

    agents: int
    signed_in: int
    calls: int
    handle_seconds: float

    @property
    def aht_seconds(self) -> float | None:
        return self.handle_seconds / self.calls if self.calls else None


def team_totals(agents: tuple[AgentRow, ...] | list[AgentRow]) -> dict[str, TeamTotals]:
    out: dict[str, TeamTotals] = {}
    for kind in (str(AgentKind.BROKER), str(AgentKind.SECONDED)):
        team = [a for a in agents if a.kind == kind]
        out[kind] = TeamTotals(
            agents=len(team),
            signed_in=sum(1 for a in team if a.status != "offline"),
            calls=sum(a.calls_today for a in team),
            handle_seconds=sum(a.handle_seconds_today for a in team),
        )
    return out


def record_snapshot(repository: WallboardSnapshots, snapshot: WallboardSnapshot) -> None:
    """Store one snapshot: the totals the intraday chart needs, and the whole for replay."""
    repository.save(
        snapshot.taken_at,
        offered=sum(q.offered for q in snapshot.queues),
        answered=sum(q.answered for q in snapshot.queues),
        signed_in=snapshot.signed_in,
        waiting=sum(q.waiting for q in snapshot.queues),
        payload=snapshot.to_json(),
    )
