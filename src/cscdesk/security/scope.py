"""Data scope on the way to the screen: a seconded agent sees other insurers' data routing-only.

The pure rule is ``domain.access.scoped_claim`` / ``scoped_policy``; this module applies it to
everything that reaches the desk — insurer gateway answers (live, batch and cache alike) and
claims or policies read from the store — so no screen can forget to ask.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any

from cscdesk.domain.access import Scope, User, scoped_claim, scoped_policy
from cscdesk.domain.models import Claim, Policy
from cscdesk.insurers.port import InsurerLookup, InsurerResult, LookupQuery


def scope_claims(user: User, claims: Iterable[Claim], others: Scope) -> tuple[Claim, ...]:
    return tuple(c for c in (scoped_claim(user, claim, others) for claim in claims) if c)


def scope_policies(user: User, policies: Iterable[Policy], others: Scope) -> tuple[Policy, ...]:
    return tuple(p for p in (scoped_policy(user, policy, others) for policy in policies) if p)


def scope_result(user: User, result: InsurerResult, others: Scope) -> InsurerResult:
    return replace(
        result,
        policies=scope_policies(user, result.policies, others),
        claims=scope_claims(user, result.claims, others),
    )


class ScopedLookup:
    """An ``InsurerLookup`` that answers as the signed-in user may see, and names them as actor."""

    def __init__(self, inner: InsurerLookup, user: User, others: Scope = Scope.ROUTING) -> None:
        self._inner = inner
        self.user = user
        self.others = others

    def __getattr__(self, name: str) -> Any:
        """Everything else (breaker states, aclose, channels) is the gateway's own."""
        return getattr(self._inner, name)

    async def lookup(self, query: LookupQuery) -> AsyncIterator[InsurerResult]:
        asked = replace(query, actor=self.user.id)
        async for result in self._inner.lookup(asked):
            yield scope_result(self.user, result, self.others)
