"""Scripts and knowledge for agents on a call: articles per insurer and product, canned notes
and call scripts (话术), read from a folder leads edit, searched in Chinese, caller first.

Imports only ``domain``; the desk shows it, ``wiring`` builds it.
"""

from cscdesk.knowledge.base import KnowledgeBase
from cscdesk.knowledge.entries import Entry, Kind, LoadProblem
from cscdesk.knowledge.search import CallerContext, Hit

__all__ = ["CallerContext", "Entry", "Hit", "Kind", "KnowledgeBase", "LoadProblem"]
