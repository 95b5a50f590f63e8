"""Every start day of 2026: the statutory due date is the law's, checked against an oracle built
from the State Council's own holiday notice, not from the ``holidays`` package the code uses.

Law: 民法典 §201 "开始的当日不计入，自下一日开始计算"; §203 "期间的最后一日是法定休假日的，以法定
休假日结束的次日为期间的最后一日". Days off and make-up working days: 国务院办公厅关于2026年部分节假日
安排的通知 (元旦 1月1日–3日, 1月4日周日上班; 春节 2月15日–23日, 2月14日周六、2月28日周六上班; 清明
4月4日–6日; 劳动节 5月1日–5日, 5月9日周六上班; 端午 6月19日–21日; 中秋 9月25日–27日; 国庆 10月1日–7日,
9月20日周日、10月10日周六上班).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cscdesk.domain.calendar import WorkingCalendar
from cscdesk.domain.sla import SlaPolicy, statutory_due


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


NOTICE_2026_OFF = (
    _span(date(2026, 1, 1), date(2026, 1, 3))
    | _span(date(2026, 2, 15), date(2026, 2, 23))
    | _span(date(2026, 4, 4), date(2026, 4, 6))
    | _span(date(2026, 5, 1), date(2026, 5, 5))
    | _span(date(2026, 6, 19), date(2026, 6, 21))
    | _span(date(2026, 9, 25), date(2026, 9, 27))
    | _span(date(2026, 10, 1), date(2026, 10, 7))
)
NOTICE_2026_MAKE_UP = {
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
}


def _rest_day(day: date) -> bool:
    if day in NOTICE_2026_MAKE_UP:
        return False
    return day in NOTICE_2026_OFF or day.weekday() >= 5


def _law(start: date, days: int) -> date:
    last = start + timedelta(days=days)
    while _rest_day(last):
        last += timedelta(days=1)
    return last


START_DAYS_2026 = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
POLICY = SlaPolicy()
CAL = WorkingCalendar()


@pytest.mark.parametrize("days", [3, 10, 15, 30, 60])
def test_every_start_day_of_2026_matches_the_law(days: int) -> None:
    # Periods that end in 2027 depend on a notice not in the oracle; stop before them.
    wrong = [
        (start, statutory_due(start, days, POLICY, CAL).due_day, _law(start, days))
        for start in START_DAYS_2026
        if start + timedelta(days=days + 10) < date(2027, 1, 1)
        and statutory_due(start, days, POLICY, CAL).due_day != _law(start, days)
    ]
    assert wrong == []


@pytest.mark.parametrize("days", [3, 10, 15, 30, 60])
def test_properties_over_every_start_day(days: int) -> None:
    for start in START_DAYS_2026:
        worked = statutory_due(start, days, POLICY, CAL)
        nominal = start + timedelta(days=days)
        # never earlier than the plain count, and the start day itself is not counted
        assert worked.nominal_day == nominal and worked.due_day >= nominal
        # it ends on a working day, and every day skipped to get there was a day off
        assert CAL.is_working_day(worked.due_day)
        skipped = _span(nominal, worked.due_day - timedelta(days=1)) if worked.rolled else set()
        assert not any(CAL.is_working_day(d) for d in skipped)
        # ends at the end of the center's day
        assert (worked.due_at.hour, worked.due_at.minute) == (23, 59)
        assert worked.due_at.date() == worked.due_day


def test_the_plain_count_was_early_on_117_start_days_by_up_to_9_days() -> None:
    """The finding of issue 17, measured: adding 15 days without §203 is earlier than the law
    on 117 of the 365 start days of 2026, by as much as 9 days (a period ending on 15 Feb).
    Where the period ends in 2026 the law's date is the notice oracle's (test above)."""
    plain = {s: s + timedelta(days=15) for s in START_DAYS_2026}
    law = {s: statutory_due(s, 15, POLICY, CAL).due_day for s in START_DAYS_2026}
    early = {s: (law[s] - plain[s]).days for s in START_DAYS_2026 if law[s] != plain[s]}
    assert len(early) == 117 and max(early.values()) == 9
    assert early[date(2026, 1, 31)] == 9  # + 15 = 15 Feb, break until 23 Feb → 24 Feb
    assert all(law[s] == _law(s, 15) for s in START_DAYS_2026 if law[s].year == 2026)
