"""An insurer whose configuration cannot work (no URL, secret missing from the keyring).

It still takes part in every lookup, answering with an error that says what to fix, so one bad
entry never hides the other insurers or crashes the desk.
"""

from __future__ import annotations

from cscdesk.insurers.adapters.base import NamedAdapter
from cscdesk.insurers.port import ErrorKind, InsurerResult, LookupQuery


class MisconfiguredAdapter(NamedAdapter):
    def __init__(self, insurer_id: str, name: str, problem: str) -> None:
        super().__init__(insurer_id, name)
        self.problem = problem

    async def lookup(self, query: LookupQuery) -> InsurerResult:
        return InsurerResult(
            insurer_id=self._id,
            insurer_name=self._name,
            error=f"{self._name}: not configured correctly: {self.problem}",
            error_kind=ErrorKind.CONFIG,
        )
