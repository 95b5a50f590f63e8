"""Ticket numbers a person can read out on the phone: ``GD-20261130-0042``.

``GD`` (工单), the center's calendar day the ticket was opened, and the day's running count. The
internal id (a ULID) stays the key everything links by; the number is what the customer hears,
what an agent types into the search and what a lead reads on the wallboard. The store hands the
count out inside the transaction that saves the ticket, so no two desks or processes on one
store ever get the same number.
"""

from __future__ import annotations

import re
from datetime import date

PREFIX = "GD"
_SPOKEN = re.compile(r"^([A-Z]{2})(?:[-\s]+(\d{8})[-\s]+(\d{1,6})|(\d{8})(\d{4,6}))$")


def format_number(day: date, count: int, prefix: str = PREFIX) -> str:
    """``GD-YYYYMMDD-NNNN``: four digits (a fifth only after 9999 tickets in one day)."""
    if count < 1:
        raise ValueError(f"a ticket number counts from 1, not {count}")
    return f"{prefix}-{day:%Y%m%d}-{count:04d}"


def normalise_number(text: str) -> str | None:
    """The number as stored, from what an agent typed (``gd 20261130 0042``, ``GD202611300042``);
    None when the text is not a ticket number."""
    match = _SPOKEN.match(text.strip().upper())
    if match is None:
        return None
    prefix, day, count, solid_day, solid_count = match.groups()
    day, count = day or solid_day, count or solid_count
    return f"{prefix}-{day}-{int(count):04d}"
