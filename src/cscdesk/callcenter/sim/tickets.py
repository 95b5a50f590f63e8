"""Tickets (工单) with templates whose process is a fixed list of tasks; ``UpdatedTime`` moves on
every change so a client can pull incrementally.

States and close codes are the GetTicket page's words (api-ccc-2020-07-01-getticket): a ticket is
``Processing`` until its last task is finished (``Closed``, CloseCode ``Completed``) or it is
terminated (``Closed``, CloseCode ``Terminated``). TicketIds are UUIDs, as on that page
(``b3a6a131-359e-46bd-9bc5-1f5cb0ea093f``): a counter from 1 would hand a restarted simulator's
new tickets the ids of tickets a store already syncs.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from cscdesk.callcenter.sim.model import SimError


@dataclass(frozen=True, slots=True)
class Template:
    template_id: str
    name: str
    category_id: str
    steps: tuple[str, ...]


TEMPLATES: tuple[Template, ...] = (
    Template("tpl-enquiry", "咨询", "cat-service", ("受理", "答复")),
    Template("tpl-claim-assist", "理赔协助", "cat-claims", ("受理", "转保险公司", "跟进", "回访")),
    Template("tpl-policy-change", "保全变更", "cat-service", ("受理", "保险公司处理", "回访")),
    Template("tpl-complaint", "投诉", "cat-complaint", ("登记", "调查", "处理决定", "回访")),
    Template("tpl-follow-up", "回访", "cat-service", ("回访",)),
)


@dataclass(slots=True)
class Ticket:
    ticket_id: str
    template: Template
    title: str
    context: str
    customer_id: str
    contact_id: str
    source: str
    creator: str
    created_ms: int
    updated_ms: int
    state: str = "Processing"
    close_code: str = ""  # Completed / Terminated once Closed
    step: int = 0
    task_seq: int = 1
    assignee: str = ""
    task_started_ms: int = 0
    comment: str = ""
    end_ms: int | None = None
    extra_tasks: list[str] = field(default_factory=list)

    @property
    def task_id(self) -> str:
        return f"{self.ticket_id}-t{self.task_seq}"

    @property
    def task_name(self) -> str:
        if self.extra_tasks:
            return self.extra_tasks[-1]
        return self.template.steps[min(self.step, len(self.template.steps) - 1)]


class TicketBook:
    def __init__(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self._last_ms = 0

    def _stamp(self, now_ms: int) -> int:
        """Strictly increasing change times, so incremental pulls never miss a same-ms change."""
        self._last_ms = max(now_ms, self._last_ms + 1)
        return self._last_ms

    def template(self, template_id: str) -> Template:
        for t in TEMPLATES:
            if t.template_id == template_id:
                return t
        raise SimError("NotExists.TemplateId", f"The template {template_id} does not exist.", 404)

    def get(self, ticket_id: str) -> Ticket:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise SimError("NotExists.TicketId", f"The ticket {ticket_id} does not exist.", 404)
        return ticket

    def create(self, *, template_id: str, title: str, context: str, customer_id: str,
               contact_id: str, source: str, creator: str, now_ms: int) -> Ticket:  # fmt: skip
        template = self.template(template_id or TEMPLATES[0].template_id)
        if context:
            try:
                json.loads(context)
            except json.JSONDecodeError:
                raise SimError("Parameter.Invalid", "Context must be a JSON object.") from None
        stamp = self._stamp(now_ms)
        ticket = Ticket(
            ticket_id=str(uuid.uuid4()), template=template, title=title, context=context,
            customer_id=customer_id, contact_id=contact_id, source=source or "Manual",
            creator=creator, created_ms=stamp, updated_ms=stamp, assignee=creator,
            task_started_ms=stamp,
        )  # fmt: skip
        self.tickets[ticket.ticket_id] = ticket
        return ticket

    def _active(self, ticket_id: str, task_id: str | None = None) -> Ticket:
        ticket = self.get(ticket_id)
        if ticket.state != "Processing":
            raise SimError(
                "Forbidden.TicketState", f"The ticket {ticket_id} is {ticket.state}.", 403
            )
        if task_id and task_id != ticket.task_id:
            raise SimError("NotExists.TaskId", f"The task {task_id} is not the current task.", 404)
        return ticket

    def update(self, ticket_id: str, changes: dict[str, Any], now_ms: int) -> Ticket:
        ticket = self._active(ticket_id)
        for name, value in changes.items():
            if value is not None:
                setattr(ticket, name, value)
        ticket.updated_ms = self._stamp(now_ms)
        return ticket

    def _next_task(self, ticket: Ticket, now_ms: int) -> None:
        ticket.task_seq += 1
        ticket.task_started_ms = ticket.updated_ms = self._stamp(now_ms)

    def add_task(
        self, ticket_id: str, assignee: str, comment: str, now_ms: int, *, task_id: str
    ) -> Ticket:
        ticket = self._active(ticket_id, task_id)
        ticket.extra_tasks.append(f"加签:{assignee}")
        ticket.assignee, ticket.comment = assignee, comment
        self._next_task(ticket, now_ms)
        return ticket

    def finish_task(self, ticket_id: str, task_id: str | None, comment: str, now_ms: int) -> Ticket:
        ticket = self._active(ticket_id, task_id)
        ticket.comment = comment
        if ticket.extra_tasks:
            ticket.extra_tasks.pop()
        elif ticket.step + 1 >= len(ticket.template.steps):
            ticket.state, ticket.close_code = "Closed", "Completed"
            ticket.end_ms = ticket.updated_ms = self._stamp(now_ms)
            return ticket
        else:
            ticket.step += 1
        self._next_task(ticket, now_ms)
        return ticket

    def transfer_task(self, ticket_id: str, task_id: str | None, assignee: str,
                      comment: str, now_ms: int) -> Ticket:  # fmt: skip
        if not assignee:
            raise SimError("Parameter.Invalid", "Assignee is required.")
        ticket = self._active(ticket_id, task_id)
        ticket.assignee, ticket.comment = assignee, comment
        ticket.updated_ms = self._stamp(now_ms)
        return ticket

    def terminate(self, ticket_id: str, comment: str, now_ms: int) -> Ticket:
        ticket = self._active(ticket_id)
        ticket.state, ticket.close_code, ticket.comment = "Closed", "Terminated", comment
        ticket.end_ms = ticket.updated_ms = self._stamp(now_ms)
        return ticket
