"""What the wallboard shows and does about supervision: who is monitored, coached or barged in
on and by whom, how the lead stops, and the lead's own sign-in to the call system.

The lead supervises with their own call-center user and device (a supervisor is a user of the
instance, CCC pages 439615/439605); the marks come from ``ListRealtimeAgentStates``
(``StateCode`` ``Monitored`` and ``CounterParty``, page 439676), so a lead also sees another
lead's monitoring.
"""

from __future__ import annotations

from collections.abc import Iterable

from cscdesk.sync.wallboard import AgentRow
from cscdesk.tui.i18n import _
from cscdesk.tui.services import DeskServices


def mode_label(mode: str) -> str:
    labels = {"monitor": _("monitored"), "coach": _("coached"), "barge": _("barged in")}
    return labels.get(mode, mode)


def who(user_id: str | None, me: str) -> str:
    if not user_id:
        return "?"
    return _("you") if user_id == me else user_id.split("@")[0]


def mark(row: AgentRow, me: str) -> str:
    """The state cell's suffix, for example " · monitored by you"; empty when nobody is on."""
    if not row.supervision:
        return ""
    return " · " + _("{mode} by {lead}").format(
        mode=mode_label(row.supervision), lead=who(row.supervised_by, me)
    )


def my_supervision(agents: Iterable[AgentRow], me: str) -> AgentRow | None:
    """The agent whose call this lead is on, if any."""
    return next((a for a in agents if a.supervision and a.supervised_by == me), None)


def status_text(agents: Iterable[AgentRow], me: str, stop_key: str) -> str:
    """The line that says what the lead is doing and how to stop it (empty when nothing)."""
    row = my_supervision(agents, me)
    if row is None:
        return ""
    doing = {
        "monitor": _("You are monitoring {agent} — {key} stops"),
        "coach": _("You are coaching {agent} — {key} stops"),
        "barge": _("You are barged in on {agent} — {key} stops"),
    }
    return doing.get(row.supervision or "", doing["monitor"]).format(agent=row.name, key=stop_key)


async def sign_in_lead(services: DeskServices) -> str | None:
    """The lead's user signs in with their device and no skill group (no call is routed to a
    lead); the reason when the call system refuses, None when signed in."""
    try:
        await services.call_center.sign_in(services.user_id, [], services.device_id)
    except Exception as exc:  # the wallboard still shows the center; supervising will say why
        return str(exc)
    return None
