"""An insurer whose configuration cannot work (no URL, secret missing from the keyring).

It still takes part in every lookup, answering with an error that says what to fix, so one bad
entry never hides the other insurers or crashes the desk.
"""

from __future__ import annotations

from cscdesk.insurers.port import ErrorKind, InsurerResult, LookupQuery


class MisconfiguredAdapter:
    def __init__(self, insurer_id: str, name: str, problem: str) -> None:
        self._id = insurer_id
        self._name = name
        self.problem = problem

    @property
    def id(self) -> str:
        return self._id

    @property
    def name(self) -> str:
        return self._name

    async def lookup(self, query: LookupQuery) -> InsurerResult:
        return InsurerResult(
            insurer_id=self._id,
            insurer_name=self._name,
            error=f"{self._name}: not configured correctly: {self.problem}",
            error_kind=ErrorKind.CONFIG,
        )
