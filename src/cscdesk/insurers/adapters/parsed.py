"""What every payload parser returns before the adapter wraps it in an ``InsurerResult``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cscdesk.domain.models import Claim, Policy


@dataclass(frozen=True, slots=True)
class Parsed:
    policies: tuple[Policy, ...]
    claims: tuple[Claim, ...]
    as_of: datetime | None = None  # when the insurer says its data was true; None: now
