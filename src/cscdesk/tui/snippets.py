"""Insert a canned note or call script into whatever note field has the cursor: a ticket's note
or description, the wrap-up notes, any ``Input`` or ``TextArea`` of any screen. Nothing here
knows those forms; the ticket type comes from the open form's ``#type`` choice when it has one,
the skill group from the agent desk's call.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from cscdesk.domain.models import TicketType
from cscdesk.knowledge import CallerContext, Entry, KnowledgeBase
from cscdesk.tui.i18n import _


def insert_text(target: Widget, text: str) -> bool:
    """Put ``text`` at the cursor of a text field; False when ``target`` is not one. A one-line
    field gets the lines joined with spaces."""
    if isinstance(target, TextArea):
        if target.read_only:
            return False
        target.insert(text)
        return True
    if isinstance(target, Input):
        target.insert_text_at_cursor(
            " ".join(line.strip() for line in text.splitlines() if line.strip())
        )
        return True
    return False


def _ticket_type(app: App[Any]) -> TicketType | None:
    found = app.screen.query("#type")
    if found and isinstance(found.first(), Select):
        value = found.first(Select).value
        try:
            return TicketType(str(value))
        except ValueError:
            return None
    return None


def _desk(app: App[Any]) -> Any | None:
    """The agent desk under the open dialogs, if there is one (duck-typed: tui.desk sits above)."""
    for screen in reversed(app.screen_stack):
        if hasattr(screen, "caller_context"):
            return screen
    return None


def _field_name(target: Widget | None) -> str:
    if isinstance(target, Input | TextArea):
        placeholder = getattr(target, "placeholder", "") or ""
        return str(placeholder or target.id or _("text field"))
    return _("the knowledge panel")


def pick_and_insert(app: App[Any], knowledge: KnowledgeBase) -> None:
    """Open the picker; the chosen text goes into the field that had the cursor, or, with no
    field, into the desk's knowledge panel to read out."""
    from cscdesk.tui.login import LockScreen, LoginScreen
    from cscdesk.tui.screens.snippet_picker import SnippetPicker

    desk = _desk(app)
    if desk is None or isinstance(app.screen, SnippetPicker | LockScreen | LoginScreen):
        return  # an agent's key; never over the lock or over itself
    target = app.focused
    base = desk.caller_context()
    context = CallerContext(base.policies, base.skill_group, _ticket_type(app))
    writable = isinstance(target, Input | TextArea) and not getattr(target, "read_only", False)
    if isinstance(target, Input) and target.id in ("kb-query", "snippet-filter"):
        writable = False  # a search box is not a note

    def chosen(entry: Entry | None) -> None:
        if entry is None:
            return
        if writable and target is not None and insert_text(target, entry.body):
            target.focus()
            return
        show = getattr(desk, "show_knowledge_entry", None)
        if show is not None and app.screen is desk:
            show(entry)
        else:
            app.notify(_("Put the cursor in a note field first"), severity="warning")

    app.push_screen(
        SnippetPicker(knowledge, context, target=_field_name(target if writable else None)),
        chosen,
    )
