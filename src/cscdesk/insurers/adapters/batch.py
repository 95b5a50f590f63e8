"""Insurers without an API (e.g. 安和): answers come from their last imported daily extract.

Results are marked ``source="batch"`` with the extract date as their as-of time, and stale when
the newest extract is older than ``max_age``, so the desk can say "as of yesterday's file".
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cscdesk.insurers.adapters.base import Clock, NamedAdapter, utc_now
from cscdesk.insurers.batch_import import find_records
from cscdesk.insurers.fields import CHINA
from cscdesk.insurers.port import ErrorKind, InsurerResult, LookupQuery

if TYPE_CHECKING:
    from cscdesk.store import Store

DEFAULT_MAX_AGE = timedelta(hours=48)


class BatchAdapter(NamedAdapter):
    def __init__(
        self,
        insurer_id: str,
        name: str,
        *,
        store: Store,
        clock: Clock = utc_now,
        max_age: timedelta = DEFAULT_MAX_AGE,
    ) -> None:
        super().__init__(insurer_id, name)
        self._store = store
        self._clock = clock
        self._max_age = max_age

    def _failed(self, error: str, kind: ErrorKind, elapsed_ms: float = 0.0) -> InsurerResult:
        return InsurerResult(
            insurer_id=self._id,
            insurer_name=self._name,
            source="batch",
            error=f"{self._name}: {error}",
            error_kind=kind,
            elapsed_ms=elapsed_ms,
        )

    async def lookup(self, query: LookupQuery) -> InsurerResult:
        started = time.perf_counter()
        try:
            answer = find_records(
                self._store,
                self._id,
                member_ids=query.member_ids,
                policy_no=query.policy_no,
                claim_no=query.claim_no,
            )
        except (sqlite3.Error, ValueError, KeyError) as exc:  # a damaged row
            return self._failed(
                f"batch extract unreadable ({type(exc).__name__})", ErrorKind.PAYLOAD
            )
        elapsed = (time.perf_counter() - started) * 1000
        if answer.extract_date is None:
            return self._failed(
                "no batch extract has been imported yet", ErrorKind.UNAVAILABLE, elapsed
            )
        as_of = datetime.combine(answer.extract_date, datetime.min.time(), tzinfo=CHINA)
        age = (self._clock() - as_of).total_seconds()
        return InsurerResult(
            insurer_id=self._id,
            insurer_name=self._name,
            policies=answer.policies,
            claims=answer.claims,
            as_of=as_of,
            source="batch",
            stale=age > self._max_age.total_seconds(),
            age_seconds=max(0.0, age),
            elapsed_ms=elapsed,
        )
