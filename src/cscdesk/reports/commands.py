"""`cscdesk report …`: read the archive, build the report, print it. The CLI only wires.

Every user mistake (a bad date, an unknown grouping, a forecast file with a bad cell) raises
``ReportInputError`` with a message naming what and where; the CLI prints it and exits 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cscdesk.config import Settings, color_allowed
from cscdesk.domain.sla import SlaPolicy
from cscdesk.reports.complaints import GROUPINGS as COMPLAINT_GROUPINGS
from cscdesk.reports.complaints import ComplaintGrouping, complaints_report
from cscdesk.reports.indicators import GROUPINGS, GroupBy, indicators_report
from cscdesk.reports.occupancy import idle_seconds_by
from cscdesk.reports.output import Format, Report, emit
from cscdesk.reports.scorecard import (
    broker_figures,
    insurer_scores,
    scorecard_report,
    service_terms,
)
from cscdesk.reports.source import ArchiveSource
from cscdesk.reports.staffing import (
    ForecastError,
    forecast_from_history,
    plan_staffing,
    read_forecast,
    staffing_report,
)

Write = Callable[[str], None]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")
HISTORY_DAYS = 28


class ReportInputError(ValueError):
    """Something the person asked for cannot be used as given."""


def parse_moment(text: str, *, option: str, tz: ZoneInfo, end: bool) -> datetime:
    """``YYYY-MM-DD`` or an ISO date-time; a bare ``--to`` date includes that whole day."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(0, 0), tzinfo=tz)
            return moment + timedelta(days=1) if end else moment
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ReportInputError(
            f"{option} {text!r}: expected a date (2026-03-02) or date-time (2026-03-02T09:30)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def period(settings: Settings, start: str, end: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.indicators.default.timezone)
    begin = parse_moment(start, option="--from", tz=tz, end=False)
    finish = parse_moment(end, option="--to", tz=tz, end=True)
    if finish <= begin:
        raise ReportInputError(f"--to {end!r} is not after --from {start!r}")
    return begin, finish


def _emit(report: Report, fmt: str, write: Write, color: bool | None) -> None:
    if fmt not in FORMATS:
        raise ReportInputError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    chosen: Format = fmt
    if color is None:  # colour only for a person at a terminal who did not ask for none
        color = sys.stdout.isatty() and color_allowed()
    emit(report, chosen, write, color=color)


def run_indicators(
    source: ArchiveSource,
    settings: Settings,
    *,
    start: str,
    end: str,
    by: str,
    fmt: str,
    write: Write,
    color: bool | None = None,
) -> None:
    if by not in GROUPINGS:
        raise ReportInputError(f"--by {by!r}: choose one of {', '.join(GROUPINGS)}")
    grouping: GroupBy = by
    begin, finish = period(settings, start, end)
    interval = settings.staffing.interval_minutes
    tz = ZoneInfo(settings.indicators.default.timezone)
    calls = source.calls_between(begin, finish)
    idle = idle_seconds_by(
        source.snapshots_between(begin, finish), grouping, interval_minutes=interval, tz=tz
    )
    names = source.group_names() if grouping == "queue" else source.agent_names()
    report = indicators_report(
        calls,
        grouping,
        settings.indicators,
        start=begin,
        end=finish,
        interval_minutes=interval,
        names=names if grouping in ("queue", "agent") else None,
        idle_seconds=idle or None,
    )
    if not calls:
        report.notes.append("No agent requests in the archive for this period.")
    _emit(report, fmt, write, color)


def run_insurers(
    source: ArchiveSource,
    settings: Settings,
    *,
    start: str,
    end: str,
    fmt: str,
    write: Write,
    now: datetime,
    color: bool | None = None,
) -> None:
    begin, finish = period(settings, start, end)
    calls = source.calls_between(begin, finish)
    agents = source.agents()
    groups = source.skill_groups()
    scores = insurer_scores(
        insurers=source.insurers(),
        tickets=source.tickets_created_between(begin, finish),
        calls=calls,
        agents=agents,
        groups=groups,
        members_by_insurer=source.members_by_insurer(),
        indicators=settings.indicators,
        now=now,
        claims=source.store.policies.claims_reported_between(begin, finish),
        sla=SlaPolicy(**settings.sla.model_dump()),
        handoffs=source.insurer_handoffs(begin, finish),
        terms=service_terms(settings.handoffs),
    )
    broker = broker_figures(calls, agents, groups, settings.indicators)
    report = scorecard_report(
        scores, broker, settings.sla, settings.indicators, start=begin, end=finish
    )
    _emit(report, fmt, write, color)


def run_complaints(
    source: ArchiveSource,
    settings: Settings,
    *,
    start: str,
    end: str,
    by: str,
    fmt: str,
    write: Write,
    now: datetime,
    color: bool | None = None,
) -> None:
    """Complaints received in the period by category and/or channel, with timeliness."""
    from cscdesk.store.complaints import Complaints

    if by not in COMPLAINT_GROUPINGS:
        raise ReportInputError(f"--by {by!r}: choose one of {', '.join(COMPLAINT_GROUPINGS)}")
    grouping: ComplaintGrouping = by
    begin, finish = period(settings, start, end)
    complaints = Complaints(source.store).received_between(begin, finish)
    policy = SlaPolicy(**settings.sla.model_dump())
    report = complaints_report(complaints, policy, by=grouping, start=begin, end=finish, now=now)
    _emit(report, fmt, write, color)


def run_staffing(
    source: ArchiveSource | None,
    settings: Settings,
    *,
    forecast: Path | None,
    day: str | None,
    aht: float,
    fmt: str,
    write: Write,
    today: date | None = None,
    color: bool | None = None,
) -> None:
    tz = ZoneInfo(settings.indicators.default.timezone)
    try:
        plan_day = date.fromisoformat(day) if day else (today or date.today())
    except ValueError:
        raise ReportInputError(f"--date {day!r}: expected a date such as 2026-03-02") from None
    if forecast is not None:
        try:
            intervals = read_forecast(forecast, default_aht_seconds=aht, day=plan_day, tz=tz)
        except ForecastError as exc:
            raise ReportInputError(str(exc)) from None
    else:
        if source is None:
            raise ReportInputError("--from-history needs the archive, and there is none yet")
        midnight = datetime.combine(plan_day, time(0, 0), tzinfo=tz)
        history = source.calls_between(midnight - timedelta(days=HISTORY_DAYS), midnight)
        intervals = forecast_from_history(
            history, day=plan_day, interval_minutes=settings.staffing.interval_minutes, tz=tz
        )
        if not intervals:
            raise ReportInputError(
                f"--from-history: no answered agent requests on a {plan_day:%A} in the"
                f" {HISTORY_DAYS} days before {plan_day}; give a --forecast file instead"
            )
    plan = plan_staffing(intervals, settings.staffing, settings.indicators.default)
    _emit(staffing_report(plan), fmt, write, color)
