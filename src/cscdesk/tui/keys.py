"""Key bindings: every one has an id (for ``settings.keymap``), a translated footer label and a
place on the help screen.

Bindings are declared with English msgids; ``localize`` swaps in the chosen language per
instance, because class-level ``BINDINGS`` are built before the language is known.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode

from cscdesk.tui.i18n import _


def localize(node: DOMNode) -> None:
    """Translate the descriptions of ``node``'s bindings into the current language."""
    translated = [
        replace(binding, description=_(binding.description) if binding.description else "")
        for bindings in node._bindings.key_to_bindings.values()
        for binding in bindings
    ]
    node._bindings = BindingsMap(translated)


AGENT_BINDINGS: list[BindingType] = [
    Binding("f1,question_mark", "help", "Help", id="help", key_display="F1"),
    Binding("slash", "search", "Search", id="search", key_display="/"),
    Binding("g", "sign_in", "Sign in", id="sign-in"),
    Binding("r", "ready", "Ready", id="ready"),
    Binding("b", "take_break", "Break", id="break"),
    Binding("a", "answer", "Answer", id="answer"),
    Binding("h", "hold", "Hold", id="hold"),
    Binding("t", "transfer", "Transfer", id="transfer"),
    Binding("x", "release", "Hang up", id="release"),
    Binding("w", "wrap_up", "Wrap up", id="wrap-up"),
    Binding("n", "new_ticket", "New ticket", id="new-ticket"),
    Binding("e", "edit_ticket", "Ticket", id="edit-ticket"),
    Binding("c", "callback", "Call back", id="callback", show=False),
    Binding("p", "recording", "Recording", id="recording", show=False),
    Binding("m", "choose_member", "Matches", id="choose-member", show=False),
    Binding("f5", "refresh", "Refresh", id="refresh", show=False),
    Binding("1", "tab('tab-call')", "Call", id="tab-call", show=False),
    Binding("2", "tab('tab-profile')", "Profile", id="tab-profile", show=False),
    Binding("3", "tab('tab-policies')", "Policies", id="tab-policies", show=False),
    Binding("4", "tab('tab-tickets')", "Tickets", id="tab-tickets", show=False),
]
