"""Is a policy or claim number on a ticket real? Checked before the ticket is saved.

A number is accepted when it is one of the customer's own policies or claims (the broker's
placement data), or, when we do not hold it (a policy issued this morning, a claim reported by
phone to the insurer), when it has the shape of the insurer's numbers. Anything else is refused
with the reason and what the customer does have, so a mistyped digit is caught at the desk and
not by the insurer a week later.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

# The shape of a number when the insurer has not told us its own: letters and digits (dashes
# allowed), 8 to 32 characters, at least 6 digits. ``formats`` overrides it per insurer.
GENERIC_FORMAT = re.compile(r"^(?=(?:[^0-9]*[0-9]){6})[A-Z0-9][A-Z0-9-]{6,30}[A-Z0-9]$")


@dataclass(frozen=True, slots=True)
class RefProblem:
    """``field``: policy_no / claim_no; ``known``: the customer's own numbers of that kind."""

    field: str
    number: str
    known: tuple[str, ...]
    insurer_id: str | None


def normalise_ref(text: str | None) -> str | None:
    value = re.sub(r"\s", "", text or "").upper()
    return value or None


def check_ref(field: str, text: str | None, *, known: Collection[str], insurer_id: str | None,
              formats: Mapping[str, re.Pattern[str]] | None = None) -> RefProblem | None:  # fmt: skip
    """None when ``text`` is empty, one of ``known``, or shaped like the insurer's numbers."""
    number = normalise_ref(text)
    if number is None or number in {normalise_ref(k) for k in known}:
        return None
    pattern = (formats or {}).get(insurer_id or "", GENERIC_FORMAT)
    if pattern.match(number):
        return None
    return RefProblem(field, number, tuple(sorted(known))[:5], insurer_id)
