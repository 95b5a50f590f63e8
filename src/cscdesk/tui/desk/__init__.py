"""The agent desk (坐席工作台) as a package, like ``tui.lead``: one module per part of the job.

``screen`` puts the parts together: ``base`` (layout and drawing) ← ``customer`` (screen pop,
profile, insurer lookup) ← ``calls`` (call control) ← ``tickets`` (wrap-up, tickets, recordings)
← ``polling`` (directory, session and queue polls) ← ``screen``; ``state`` holds what they share.
"""

from cscdesk.tui.desk.screen import AgentScreen

__all__ = ["AgentScreen"]
