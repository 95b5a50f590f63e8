"""Working days on the official Chinese calendar (国务院办公厅 holiday notice), 调休 included.

Two uses. Statutory limits are calendar days (日), but 民法典 §203 moves a last day that is a
statutory holiday or rest day to the day after the holiday ends: :meth:`roll_forward` and
:meth:`statutory_last_day`. Internal targets may count working days (工作日):
:meth:`add_working_days`. In China neither is "Monday to Friday minus holidays": the State
Council moves weekend days around each holiday, so some Saturdays and Sundays are working days
(调休上班). The ``holidays`` package keeps both the days off and those make-up working weekend
days, year by year, so no date list lives in this project.

Years the State Council has not yet announced carry only the fixed public holidays; a clock that
runs into such a year is as good as the library's data for it.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays


class WorkingCalendar:
    """Answers "is this a working day?" and counts working days on the mainland calendar."""

    def __init__(self) -> None:
        # Years are filled in lazily by the library when a date of that year is first asked for.
        self._china = holidays.China()

    def is_working_day(self, day: date) -> bool:
        """True on Monday–Friday that are not days off, and on 调休 make-up weekend days."""
        return bool(self._china.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        """The library's (English) name of a day off, for explaining a clock; None otherwise."""
        name = self._china.get(day)
        return str(name) if name is not None else None

    def roll_forward(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it.

        民法典 §203: "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日".
        Weekends are rest days; a 调休 make-up Saturday is a working day, so a period ending
        on one does not move.
        """
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def statutory_last_day(self, start: date, days: int) -> date:
        """Last day of a period of ``days`` calendar days that starts on ``start``.

        民法典 §201: the start day is not counted (day 0), so the last day is ``start + days``;
        §203 then rolls it forward over holidays and rest days.
        """
        if days < 0:
            raise ValueError(f"a statutory period cannot be negative, got {days} days")
        return self.roll_forward(start + timedelta(days=days))

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

        ``start`` itself is never counted, the way a "within 15 working days of receipt" rule
        counts: the day a complaint arrives is day 0. ``n == 0`` returns ``start`` unchanged.
        """
        step = timedelta(days=1 if n >= 0 else -1)
        day = start
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

        The inverse of :meth:`add_working_days` going forward:
        ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n >= 0``.
        """
        if b == a:
            return 0
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
