"""One registry per screen generates its bindings, help rows and palette entries (issue 13): the
binding ids people put in ``[keymap]`` stay what they were, and nothing the palette offers is
missing from the screen."""

from __future__ import annotations

from cscdesk.tui.desk import AgentScreen
from cscdesk.tui.keys import AGENT_ACTIONS, LEAD_ACTIONS, palette_entries
from cscdesk.tui.lead.screen import LeadScreen

AGENT_IDS = [
    "answer", "release", "hold", "transfer", "mute", "keypad", "conference", "wrap-up", "ready",
    "break", "sign-in", "new-ticket", "edit-ticket", "knowledge", "search", "help", "find-ticket",
    "callback", "recording", "choose-member", "refresh", "tab-call", "tab-profile",
    "tab-policies", "tab-tickets", "missed-calls", "task-inbox", "hand-off", "ticket-views",
]  # fmt: skip
LEAD_IDS = [
    "lead-filter", "lead-sort", "lead-monitor", "lead-coach", "lead-barge-in",
    "lead-reset-state", "lead-next-tab", "lead-refresh", "lead-replay-back",
    "lead-replay-forward", "lead-live", "lead-stop-supervising", "lead-tickets",
]  # fmt: skip


def test_binding_ids_stay_and_the_bindings_come_from_the_registry() -> None:
    assert [a.id for a in AGENT_ACTIONS] == AGENT_IDS
    assert [a.id for a in LEAD_ACTIONS] == LEAD_IDS
    for screen, actions in ((AgentScreen, AGENT_ACTIONS), (LeadScreen, LEAD_ACTIONS)):
        ids = [b.id for b in screen.BINDINGS]  # type: ignore[union-attr]
        assert ids == [a.id for a in actions]


def test_every_palette_entry_is_an_action_of_its_screen() -> None:
    entries = palette_entries(AGENT_ACTIONS)
    assert {action for action, _title, _help in entries} >= {"search", "new_ticket", "ready"}
    for action, title, help_text in entries:
        assert callable(getattr(AgentScreen, f"action_{action}", None)), action
        assert title and help_text
