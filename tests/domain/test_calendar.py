"""Working days on the official Chinese calendar: holidays off, 调休 weekend days on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscdesk.domain.calendar import WorkingCalendar

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before the 2026 Spring Festival break
        (date(2026, 2, 14), True),  # Saturday, 调休 make-up working day
        (date(2026, 2, 15), False),  # Sunday, first day of the break
        (date(2026, 2, 17), False),  # 春节
        (date(2026, 2, 20), False),  # Friday, day off moved from 14 Feb
        (date(2026, 2, 23), False),  # Monday, day off moved from 28 Feb
        (date(2026, 2, 24), True),  # back at work
        (date(2026, 2, 28), True),  # Saturday, 调休 make-up working day
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2025, 1, 26), True),  # Sunday, 调休 before the 2025 Spring Festival
        (date(2025, 2, 4), False),  # 2025 break, moved from Saturday 8 Feb
        (date(2025, 2, 8), True),  # Saturday, 调休 make-up working day
        (date(2025, 10, 1), False),  # 国庆节
    ],
)
def test_official_calendar(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_days_off_have_a_name_for_the_explanation() -> None:
    assert CAL.holiday_name(date(2026, 2, 17)) is not None
    assert CAL.holiday_name(date(2026, 2, 14)) is None


def test_adding_working_days_jumps_the_spring_festival_break() -> None:
    # After Fri 13 Feb 2026: Sat 14 (调休) is 1, then nothing until Tue 24 Feb, which is 2.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_going_back_and_zero() -> None:
    assert CAL.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 15), 0) == date(2026, 2, 15)
    assert CAL.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    n=st.integers(min_value=0, max_value=40),
)
def test_counting_is_the_inverse_of_adding(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, end) == n
    if n:
        assert CAL.is_working_day(end)
        # and no working day was skipped: the day before the n-th is at most the (n-1)-th
        assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1
