"""The archive as the reports read it: one narrow view over the store.

Keeping every store call the reports make in this one class means a store change touches one
file, and the tests can build the same view over a store they filled themselves. Directory data
is what the store holds: a report never names a demo agent or insurer the deployment does not
have (the demo seeds its own into its store).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from cscdesk.domain.handoffs import Handoff
from cscdesk.domain.models import Agent, Call, Insurer, SkillGroup, Ticket
from cscdesk.store.handoffs import Handoffs
from cscdesk.store.wallboard import StoredSnapshot, WallboardSnapshots

if TYPE_CHECKING:
    from cscdesk.store import Store


class ArchiveSource:
    def __init__(self, store: Store) -> None:
        self.store = store

    def calls_between(self, start: datetime, end: datetime) -> list[Call]:
        return self.store.calls.between(start, end)

    def snapshots_between(self, start: datetime, end: datetime) -> Iterator[StoredSnapshot]:
        return WallboardSnapshots(self.store).snapshots_between(start, end)

    def tickets_created_between(self, start: datetime, end: datetime) -> list[Ticket]:
        return self.store.tickets.created_between(start, end)

    def agents(self) -> list[Agent]:
        return self.store.agents.all()

    def skill_groups(self) -> list[SkillGroup]:
        return self.store.skill_groups.all()

    def insurers(self) -> list[Insurer]:
        return self.store.insurers.all()

    def insurer_handoffs(self, start: datetime, end: datetime) -> list[Handoff]:
        """Service requests handed to insurers in the period (api or seconded channel)."""
        return Handoffs(self.store).for_insurers(start, end)

    def members_by_insurer(self) -> dict[str, int]:
        return self.store.policies.members_by_insurer()

    def group_names(self) -> dict[str, str]:
        return {g.id: g.name for g in self.skill_groups()}

    def agent_names(self) -> dict[str, str]:
        return {a.id: a.name for a in self.agents()}
