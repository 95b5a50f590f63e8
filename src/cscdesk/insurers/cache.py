"""The last good answer of each insurer to each question, kept in the store.

Within the TTL a cached answer is served instead of asking again; past it, the insurer is asked,
and if it cannot answer the cached one is still shown, marked stale with its age, because an
agent on a call is better served by yesterday's claim stage than by nothing.
Rows hold normalised domain data only (no raw payloads) and are keyed by the query hash; the
store keeps them as JSON text (``store/insurer_cache.py``) and this module owns the encoding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cscdesk.domain.models import Claim, Policy
from cscdesk.insurers.codec import claim_from_json, claim_to_json, policy_from_json, policy_to_json
from cscdesk.insurers.port import InsurerResult

if TYPE_CHECKING:
    from cscdesk.store import Store


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    policies: tuple[Policy, ...]
    claims: tuple[Claim, ...]
    as_of: datetime
    fetched_at: datetime


class AnswerCache:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, insurer_id: str, query_key: str) -> CachedAnswer | None:
        row = self._store.insurer_cache.get(insurer_id, query_key)
        if row is None:
            return None
        payload = json.loads(row.payload)
        return CachedAnswer(
            policies=tuple(policy_from_json(p) for p in payload["policies"]),
            claims=tuple(claim_from_json(c) for c in payload["claims"]),
            as_of=row.as_of,
            fetched_at=row.fetched_at,
        )

    def put(self, query_key: str, result: InsurerResult, fetched_at: datetime) -> None:
        payload = {
            "policies": [policy_to_json(p) for p in result.policies],
            "claims": [claim_to_json(c) for c in result.claims],
        }
        as_of = result.as_of or fetched_at
        self._store.insurer_cache.put(
            result.insurer_id,
            query_key,
            json.dumps(payload, ensure_ascii=False),
            as_of,
            fetched_at,
        )
