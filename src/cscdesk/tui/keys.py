"""Key bindings: every one has an id (for ``settings.keymap``), a translated footer label and a
place on the help screen.

Bindings are declared with English msgids; ``localize`` swaps in the chosen language per
instance, because class-level ``BINDINGS`` are built before the language is known.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from cscdesk.tui.i18n import _


def localize(node: DOMNode) -> None:
    """Translate the descriptions of ``node``'s bindings into the current language."""
    translated = [
        replace(binding, description=_(binding.description) if binding.description else "")
        for bindings in node._bindings.key_to_bindings.values()
        for binding in bindings
    ]
    node._bindings = BindingsMap(translated)


@dataclass(frozen=True, slots=True)
class DeskAction:
    """One thing a person can do on a screen: its key(s), footer label, help line and, when
    ``palette`` is set, a command-palette entry. Bindings, the help screen and the palette are
    all generated from these, so they cannot disagree; ``id`` is what ``[keymap]`` remaps."""

    id: str
    keys: str
    action: str
    label: str
    palette: str | None = None  # the palette's help line; None: not in the palette
    palette_title: str | None = None  # the palette's title when it differs from the label
    show: bool = True
    key_display: str | None = None
    priority: bool = False  # before the focused widget's keys, and in dialogs too

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label, id=self.id, show=self.show,
                       key_display=self.key_display, priority=self.priority)  # fmt: skip


def bindings(actions: tuple[DeskAction, ...]) -> list[BindingType]:
    return [a.binding() for a in actions]


def palette_entries(actions: tuple[DeskAction, ...]) -> list[tuple[str, str, str]]:
    """(action, title, help) msgids for the command palette, in the registry's order."""
    return [(a.action, a.palette_title or a.label, a.palette) for a in actions if a.palette]


def help_rows(node: Screen[Any]) -> list[tuple[str, str, str]]:
    """(key, what it does, id) for the help screen: the screen's own actions in registry order,
    as remapped by the keymap and whether or not they apply this moment, then the app's (quit,
    lock, command palette). Textual's own widget keys (cursor moves in a table) are left out:
    they are not the desk's and have no translation."""
    order = {action.id: i for i, action in enumerate(getattr(node, "ACTIONS", ()))}
    own: set[tuple[int, str, str, str]] = set()
    for namespace, bindings_map in node._modal_binding_chain:
        if namespace is not node and namespace is not node.app:
            continue
        rank = 0 if namespace is node else len(order) + 1
        for key, group in bindings_map.key_to_bindings.items():
            for binding in group:
                ours = binding.id is not None or binding.action == "command_palette"
                if not binding.description or not ours:  # Textual's own: focus, copy...
                    continue
                display = binding.key_display or key
                place = order.get(binding.id or "", rank)
                own.add((place, display, binding.description, binding.id or binding.action))
    return [(key, what, ident) for _place, key, what, ident in sorted(own)]


# Footer order: the keys of a call first (the footer hides those that do not apply now, see
# ``DeskCalls.check_action``), so at 80 columns hang-up, wrap-up and the ticket keys stay visible.
AGENT_ACTIONS: tuple[DeskAction, ...] = (
    DeskAction("answer", "a", "answer", "Answer"),
    DeskAction("release", "x", "release", "Hang up"),
    DeskAction("hold", "h", "hold", "Hold"),
    DeskAction("transfer", "t", "transfer", "Transfer"),
    DeskAction("mute", "u", "mute", "Mute"),
    DeskAction("keypad", "d", "keypad", "Keypad", show=False),  # the call panel names it
    DeskAction("conference", "f", "conference", "Three-way"),
    DeskAction("wrap-up", "w", "wrap_up", "Wrap up"),
    DeskAction("ready", "r", "ready", "Ready", palette="Take calls"),
    DeskAction("break", "b", "take_break", "Break", palette="Pause with a reason code"),
    DeskAction("sign-in", "g", "sign_in", "Sign in to groups", palette="Choose the queues to serve",
               palette_title="Sign in to skill groups"),
    DeskAction("new-ticket", "n", "new_ticket", "New ticket",
               palette="Open a ticket for the customer on screen"),
    DeskAction("edit-ticket", "e", "edit_ticket", "Ticket"),
    DeskAction("knowledge", "k", "knowledge", "Knowledge",
               palette="Articles per insurer and product, the caller's first",
               palette_title="Knowledge base"),
    DeskAction("search", "slash", "search", "Search", key_display="/",
               palette="By mobile, ID number, name, policy no. or claim no.",
               palette_title="Search customers"),
    DeskAction("help", "f1,question_mark", "help", "Help", key_display="F1",
               palette="Every key and its binding id", palette_title="Keys"),
    DeskAction("find-ticket", "ctrl+f", "find_ticket", "Find ticket", key_display="^f",
               palette="Any ticket of the center by number or words", show=False),
    DeskAction("callback", "c", "callback", "Call back", show=False),
    DeskAction("recording", "p", "recording", "Recording", show=False),
    DeskAction("choose-member", "m", "choose_member", "Matches", show=False),
    DeskAction("refresh", "f5", "refresh", "Refresh", show=False),
    DeskAction("tab-call", "1", "tab('tab-call')", "Call", show=False),
    DeskAction("tab-profile", "2", "tab('tab-profile')", "Profile", show=False),
    DeskAction("tab-policies", "3", "tab('tab-policies')", "Policies", show=False),
    DeskAction("tab-tickets", "4", "tab('tab-tickets')", "Tickets", show=False),
    DeskAction("missed-calls", "l", "missed_calls", "Missed calls", show=False,
               palette="Call back customers whose calls were lost (漏话回拨)"),
    DeskAction("task-inbox", "i", "task_inbox", "Tasks", show=False,
               palette="Hand-offs to work and customers to tell (转办 / 告知)",
               palette_title="Task inbox"),
    DeskAction("hand-off", "o", "hand_off", "Hand off", show=False,
               palette="Hand the selected ticket to business staff by the routing rules",
               palette_title="Hand off to business staff"),
    DeskAction("ticket-views", "v", "ticket_views", "Ticket views", show=False,
               palette="Mine, my groups' queues, unassigned, due soon, overdue, escalated, waiting"),
)  # fmt: skip
AGENT_BINDINGS = bindings(AGENT_ACTIONS)

# Bound on the app with priority, so they work in every dialog too (a ticket's note, the
# wrap-up notes): a modal screen hides the app's other bindings.
APP_ACTIONS: tuple[DeskAction, ...] = (
    DeskAction("insert-snippet", "f3", "insert_snippet", "Scripts", key_display="F3",
               priority=True, show=False),
)  # fmt: skip

LEAD_ACTIONS: tuple[DeskAction, ...] = (
    DeskAction("lead-filter", "slash", "filter", "Filter"),
    DeskAction("lead-sort", "s", "sort", "Sort"),
    DeskAction("lead-monitor", "m", "monitor", "Monitor"),
    DeskAction("lead-coach", "c", "coach", "Coach"),
    DeskAction("lead-barge-in", "b", "barge_in", "Barge in"),
    DeskAction("lead-reset-state", "x", "reset_state", "Reset state"),
    DeskAction("lead-next-tab", "t", "next_tab", "Next tab"),
    DeskAction("lead-refresh", "r", "poll_now", "Refresh"),
    DeskAction("lead-replay-back", "left_square_bracket", "replay(-1)", "Replay back"),
    DeskAction("lead-replay-forward", "right_square_bracket", "replay(1)", "Replay fwd"),
    DeskAction("lead-live", "escape", "live", "Live"),
    DeskAction("lead-stop-supervising", "e", "stop_supervising", "End monitoring"),
    DeskAction("lead-tickets", "k", "team_tickets", "Tickets"),
)
