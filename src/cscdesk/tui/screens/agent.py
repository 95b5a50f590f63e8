"""The agent screen moved to the ``tui.desk`` package; this name stays for older imports (bench)."""

from cscdesk.tui.desk import AgentScreen

__all__ = ["AgentScreen"]
