"""The knowledge panel on the agent desk: opened with ``k`` beside the call, suggesting the
articles of the caller's insurers and products, and kept current as leads edit the folder.

Beside the call means: on a wide terminal the panel takes the customer column and the call
column stays; on a narrow one it takes the main area, and the status bar and banner above it
still show the call. The folder is re-read in a thread worker every ``reload_seconds``.
"""

from __future__ import annotations

from textual import on, work
from textual.message import Message

from cscdesk.knowledge import CallerContext, Entry, KnowledgeBase, LoadProblem
from cscdesk.tui.desk.base import DeskLayout
from cscdesk.tui.i18n import _
from cscdesk.tui.messages import ProfileLoaded
from cscdesk.tui.widgets.knowledge_panel import KnowledgePanel
from cscdesk.tui.widgets.queue_pane import QueueTable

PANEL_ID = "knowledge"


class KnowledgeReloaded(Message):
    def __init__(self, changed: bool, problems: tuple[LoadProblem, ...]) -> None:
        super().__init__()
        self.changed = changed
        self.problems = problems


class DeskKnowledge(DeskLayout):
    SCOPED_CSS = False
    DEFAULT_CSS = """
    DeskKnowledge #knowledge { display: none; }
    DeskKnowledge.-knowledge #knowledge { display: block; width: 1fr; }
    DeskKnowledge.-knowledge #right { display: none; }
    DeskKnowledge.-knowledge.-narrow #left { display: none; }
    """
    _knowledge_problems: tuple[LoadProblem, ...] = ()

    @property
    def knowledge(self) -> KnowledgeBase:
        found = getattr(self.services, "knowledge", None)
        if found is None:
            found = self.__dict__.setdefault("_no_knowledge", KnowledgeBase(None))
        return found

    @on(ProfileLoaded)
    def _knowledge_customer(self) -> None:
        self.call_after_refresh(self._knowledge_context)  # after the profile handler has run

    def on_mount(self) -> None:  # every class's on_mount runs (Textual walks the MRO)
        if self.knowledge.configured:
            seconds = self.services.settings.knowledge.reload_seconds
            self.set_interval(seconds, self.reload_knowledge)
            self.call_after_refresh(self.reload_knowledge)

    @work(thread=True, exclusive=True, group="knowledge", exit_on_error=False)
    def reload_knowledge(self) -> None:
        changed = self.knowledge.reload_if_changed()
        self.post_message(KnowledgeReloaded(changed, self.knowledge.problems))

    @on(KnowledgeReloaded)
    def _knowledge_reloaded(self, message: KnowledgeReloaded) -> None:
        new = [p for p in message.problems if p not in self._knowledge_problems]
        self._knowledge_problems = message.problems
        if new:
            self.notify(
                _("Knowledge: {n} files not loaded ({first}); see the panel (k)").format(
                    n=len(message.problems), first=new[0].path
                ),
                severity="warning", timeout=10,
            )  # fmt: skip
        panel = self._knowledge_panel()
        if message.changed and panel is not None:
            panel.refresh_results()

    def _knowledge_panel(self) -> KnowledgePanel | None:
        found = self.query(f"#{PANEL_ID}")
        return found.first(KnowledgePanel) if found else None

    def caller_context(self) -> CallerContext:
        """The caller's cover (insurer, product) and the call's skill group."""
        policies: dict[tuple[str, str], None] = {}
        profile = self.state.profile
        if profile is not None:
            for policy in profile.local_policies:
                policies[(policy.insurer_id, policy.product)] = None
            for result in self._all_results():
                for policy in result.policies:
                    policies[(result.insurer_id, policy.product)] = None
        session = self.state.session
        call = (session.call if session else None) or self.state.last_call
        return CallerContext(tuple(policies), call.skill_group_id if call else None)

    def _knowledge_context(self) -> None:
        panel = self._knowledge_panel()
        if panel is not None:
            panel.set_context(self.caller_context())

    def action_knowledge(self) -> None:
        """Open the panel (or go back to its search box); ``k`` again or Escape closes it."""
        panel = self._knowledge_panel()
        if panel is not None and self.has_class("-knowledge"):
            if panel.query_one("#kb-query").has_focus:
                self._close_knowledge()
            else:
                panel.focus_search()
            return
        self._open_knowledge()

    def show_knowledge_entry(self, entry: Entry) -> None:
        """Open the panel on one entry (a script chosen with no note field to put it in)."""
        self._open_knowledge(pinned=entry)

    def _open_knowledge(self, pinned: Entry | None = None) -> None:
        if not self.wide:
            super().action_tab("tab-call")  # the main area, not the tickets list, holds the panel
        self.add_class("-knowledge")
        panel = self._knowledge_panel()
        if panel is None:  # searches and takes the focus once composed
            panel = KnowledgePanel(self.knowledge, self.caller_context(), pinned, id=PANEL_ID)
            self.query_one("#main").mount(panel)
            return
        panel.pinned = pinned
        panel.set_context(self.caller_context())
        panel.focus_search()

    @on(KnowledgePanel.Closed)
    def _knowledge_closed(self) -> None:
        self._close_knowledge()

    def action_tab(self, tab: str) -> None:
        if self.has_class("-knowledge"):
            self._close_knowledge()
        super().action_tab(tab)

    def _close_knowledge(self) -> None:
        self.remove_class("-knowledge")
        self.query_one(QueueTable).focus()
