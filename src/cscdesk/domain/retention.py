"""How long a call record or recording must be kept (保存期限), and whether it may be purged.

保险法 第87条 counts from the end of the contract: at least 5 years for cover of one year or
less, at least 10 years for longer cover. The center's own rule is "recordings ≥ 5 years from the
call", and the deployment may configure a longer minimum. The keep-until date is the latest of
them all, so adding a rule can only lengthen retention, never shorten it. A legal hold (诉讼保全,
监管调查) blocks purge whatever the date says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CALL_YEARS = 5
SHORT_POLICY_YEARS = 5
LONG_POLICY_YEARS = 10


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class PolicyTerm:
    """The period of the policy a record concerns (only the dates matter for retention)."""

    start: date
    end: date

    @property
    def longer_than_a_year(self) -> bool:
        return self.end > add_years(self.start, 1)


def keep_until(
    call_day: date,
    *,
    policies: tuple[PolicyTerm, ...] = (),
    min_years: int = CALL_YEARS,
) -> date:
    """The first day the record may be purged: the latest of every applicable rule.

    ``min_years`` is the configured minimum counted from the call; it never goes below the
    statutory five years.
    """
    candidates = [add_years(call_day, max(CALL_YEARS, min_years))]
    for policy in policies:
        years = LONG_POLICY_YEARS if policy.longer_than_a_year else SHORT_POLICY_YEARS
        candidates.append(add_years(policy.end, years))
    return max(candidates)


def may_purge(*, keep_until_day: date, legal_hold: bool, today: date) -> bool:
    """True only when the keep-until day has arrived and nothing holds the record."""
    return not legal_hold and today >= keep_until_day
