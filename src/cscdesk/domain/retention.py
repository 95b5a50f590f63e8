"""How long a call record or recording must be kept (保存期限), and whether it may be purged.

保险法 第87条 counts from the end of the contract: at least 5 years for cover of one year or
less, at least 10 years for longer cover. The center's own rule is "recordings ≥ 5 years from the
call", and the deployment may configure a longer minimum. The keep-until date is the latest of
them all, so adding a rule can only lengthen retention, never shorten it. A legal hold (诉讼保全,
监管调查) blocks purge whatever the date says.

Two more rules (reference cn-csc-standards.md §1.3/§1.5): the 5/10 years count from the end of
the *group contract* (团单), not of one insured's own record (分单) that ended early; and where
there is a complaint or lawsuit (保险销售行为可回溯管理暂行办法, as summarised there) the record is
kept while it is open and until at least 2 years after it ends. The date is worked out again
whenever it is needed (:func:`keep_until`), so a longer policy configured later applies to
records archived before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CALL_YEARS = 5
SHORT_POLICY_YEARS = 5
LONG_POLICY_YEARS = 10
DISPUTE_YEARS = 2


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
    contract_end: date | None = None  # the group contract's end, when later than this record's

    @property
    def counted_end(self) -> date:
        """保险法 §87 counts from the end of the contract: the group contract's when known."""
        return max(self.end, self.contract_end or self.end)

    @property
    def longer_than_a_year(self) -> bool:
        return self.counted_end > add_years(self.start, 1)


@dataclass(frozen=True, slots=True)
class Dispute:
    """A complaint or lawsuit the record is evidence for; ``ended`` None while it is open."""

    opened: date
    ended: date | None = None


def keep_until(
    call_day: date,
    *,
    policies: tuple[PolicyTerm, ...] = (),
    min_years: int = CALL_YEARS,
    disputes: tuple[Dispute, ...] = (),
    stored: date | None = None,
) -> date:
    """The first day the record may be purged: the latest of every applicable rule.

    ``min_years`` is the configured minimum counted from the call; it never goes below the
    statutory five years. ``stored`` is a date worked out earlier (it is never shortened).
    An open dispute has no date yet: :func:`may_purge` holds the record while it lasts.
    """
    candidates = [add_years(call_day, max(CALL_YEARS, min_years))]
    for policy in policies:
        years = LONG_POLICY_YEARS if policy.longer_than_a_year else SHORT_POLICY_YEARS
        candidates.append(add_years(policy.counted_end, years))
    candidates.extend(add_years(d.ended, DISPUTE_YEARS) for d in disputes if d.ended)
    if stored is not None:
        candidates.append(stored)
    return max(candidates)


def may_purge(
    *,
    keep_until_day: date,
    legal_hold: bool,
    today: date,
    disputes: tuple[Dispute, ...] = (),
) -> bool:
    """True only when the keep-until day has arrived and nothing holds the record: no legal
    hold, no open dispute, and every ended dispute at least two years behind."""
    if legal_hold or any(d.ended is None for d in disputes):
        return False
    ended = [add_years(d.ended, DISPUTE_YEARS) for d in disputes if d.ended]
    return today >= max([keep_until_day, *ended])
