"""A ticket's history as the agent reads it: in their language, people by name, local times.

The store keeps history in the workflow's terms (field ids, agent ids, ISO times, enum values);
this turns one event into (when, who, what, detail) for the desk: field names translated, an
agent id or group id shown as the name, a moment in the center's time zone on the desk's clock,
status and type values translated. Nothing here shortens text: the editor shows the full detail
of the highlighted line below the table.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from cscdesk.domain.models import TicketEvent
from cscdesk.tui.format import local_time
from cscdesk.tui.i18n import _
from cscdesk.tui.team_tickets import TeamContext

FIELD_LABELS = {
    "status": "Status", "type": "Type", "priority": "Priority", "title": "Title",
    "description": "Description", "owner": "Owner", "group_id": "Group",
    "member_id": "Customer", "policy_no": "Policy no.", "claim_no": "Claim no.",
    "insurer_id": "Insurer", "complexity": "Complexity", "csat": "Satisfaction",
    "due_at": "Due", "first_response_at": "First response", "resolved_at": "Resolved",
    "closed_at": "Closed", "number": "Ticket",
}  # fmt: skip
_TRANSLATED_VALUES = frozenset({"status", "type", "priority", "complexity"})
_PEOPLE = frozenset({"owner", "created_by"})


def field_label(name: str) -> str:
    return _(FIELD_LABELS.get(name, name))


def value_text(name: str, value: str | None, team: TeamContext | None, zone: tzinfo | None) -> str:
    """One history value as the agent reads it."""
    if value is None or value == "":
        return "—"
    if name in _PEOPLE and team is not None:
        return team.person(value)
    if name == "group_id" and team is not None:
        return team.group(value)
    if name == "insurer_id" and team is not None:
        return team.insurer(value)
    if name in _TRANSLATED_VALUES:
        return _(value)
    if name.endswith("_at"):
        try:
            return local_time(datetime.fromisoformat(value), zone, "%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return value


def history_row(event: TicketEvent, team: TeamContext | None,
                zone: tzinfo | None) -> tuple[str, str, str, str]:  # fmt: skip
    """(when, who, what, detail) of one history line; ``detail`` whole, never cut."""
    changes = "; ".join(
        f"{field_label(name)}: {value_text(name, old, team, zone)} → "
        f"{value_text(name, new, team, zone)}"
        for name, (old, new) in event.changes.items()
    )
    detail = " ".join(part for part in (changes, event.note or "") if part)
    who = team.person(event.actor) if team is not None else event.actor
    return local_time(event.at, zone, "%m-%d %H:%M"), who, _(event.kind), detail
