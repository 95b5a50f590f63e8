"""Retention: five years from the call, 5 or 10 years from the policy end, configured minimum."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cscdesk.domain.retention import PolicyTerm, add_years, keep_until, may_purge

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


def test_call_alone_is_kept_five_years() -> None:
    assert keep_until(date(2024, 3, 15)) == date(2029, 3, 15)


def test_leap_day_falls_back_to_28_february() -> None:
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)


def test_one_year_policy_is_kept_five_years_after_its_end() -> None:
    policy = PolicyTerm(start=date(2024, 1, 1), end=date(2025, 1, 1))
    assert not policy.longer_than_a_year
    assert keep_until(date(2024, 6, 1), policies=(policy,)) == date(2030, 1, 1)


def test_multi_year_policy_is_kept_ten_years_after_its_end() -> None:
    policy = PolicyTerm(start=date(2024, 1, 1), end=date(2026, 12, 31))
    assert policy.longer_than_a_year
    assert keep_until(date(2024, 6, 1), policies=(policy,)) == date(2036, 12, 31)


def test_configured_minimum_lengthens_but_never_shortens() -> None:
    assert keep_until(date(2024, 6, 1), min_years=8) == date(2032, 6, 1)
    assert keep_until(date(2024, 6, 1), min_years=1) == date(2029, 6, 1)


def test_legal_hold_blocks_purge_even_long_after_keep_until() -> None:
    assert not may_purge(keep_until_day=date(2030, 1, 1), legal_hold=True, today=date(2090, 1, 1))
    assert may_purge(keep_until_day=date(2030, 1, 1), legal_hold=False, today=date(2030, 1, 1))


@given(
    call_day=days,
    terms=st.lists(st.tuples(days, st.integers(1, 365 * 6)), max_size=3),
    min_years=st.integers(0, 30),
    today=days,
    hold=st.booleans(),
)
def test_nothing_younger_than_any_rule_is_ever_purgeable(
    call_day: date,
    terms: list[tuple[date, int]],
    min_years: int,
    today: date,
    hold: bool,
) -> None:
    policies = tuple(PolicyTerm(start, start + timedelta(days=length)) for start, length in terms)
    until = keep_until(call_day, policies=policies, min_years=min_years)
    purgeable = may_purge(keep_until_day=until, legal_hold=hold, today=today)
    if purgeable:
        assert not hold
        assert today >= add_years(call_day, 5)
        assert today >= add_years(call_day, min_years)
        for policy in policies:
            assert today >= add_years(policy.end, 10 if policy.longer_than_a_year else 5)
    else:
        assert hold or today < until
