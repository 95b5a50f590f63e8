"""Staffing plan (排班需求): Erlang C per interval → agents required → seconded agents to request.

The forecast comes from a CSV file (``interval_start,calls[,aht_seconds]``) or from the archive's
history (mean calls per interval of the day). For every interval the smallest agent count that
meets the target service level within the occupancy cap is found (``domain.erlang``), grossed up
for shrinkage; whatever the broker's own headcount cannot cover is what to ask insurers for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from cscdesk.config import QueueIndicatorSettings, StaffingSettings
from cscdesk.domain.erlang import agents_required
from cscdesk.domain.models import Call, CallOutcome
from cscdesk.reports.output import Column, Report

PEAK_COUNT = 3


class ForecastError(ValueError):
    """A forecast file a person can fix: file, line, column and what was wrong."""

    def __init__(self, file: str, line: int | None, column: str | None, problem: str) -> None:
        where = file
        if line is not None:
            where += f", line {line}"
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class ForecastInterval:
    start: datetime
    calls: float
    aht_seconds: float


@dataclass(frozen=True, slots=True)
class PlanRow:
    start: datetime
    calls: float
    aht_seconds: float
    agents: int  # on the phones (Erlang C with the occupancy cap)
    rostered: int  # grossed up for shrinkage
    service_level: float | None  # percent, predicted at ``agents``
    asa_seconds: float | None
    occupancy: float | None  # percent
    broker_available: int
    seconded_to_request: int
    peak: bool = False


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    rows: tuple[PlanRow, ...]
    interval_minutes: int
    target_percent: float
    threshold_seconds: float
    occupancy_cap: float
    shrinkage: float
    broker_headcount: int

    @property
    def peaks(self) -> list[PlanRow]:
        return [row for row in self.rows if row.peak]

    def row_at(self, moment: datetime) -> PlanRow | None:
        for row in self.rows:
            if row.start <= moment < row.start + timedelta(minutes=self.interval_minutes):
                return row
        return None


def _parse_start(text: str, day: date, tz: tzinfo) -> datetime:
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = datetime.combine(day, time.fromisoformat(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


FORECAST_COLUMNS = {
    "interval_start": ("interval_start", "时段", "开始时间", "时段开始"),
    "calls": ("calls", "来电量", "话务量", "呼入量"),
    "aht_seconds": ("aht_seconds", "aht", "平均处理时长"),
}


def read_forecast(
    path: Path, *, default_aht_seconds: float, day: date, tz: tzinfo
) -> list[ForecastInterval]:
    """Parse a forecast file (CSV in any encoding Excel writes, .xlsx, .xls); a bad cell names
    its row and column, and nothing half-read is used."""
    import itertools

    from cscdesk.importing import tabular

    name = str(path)
    if not path.is_file():
        raise ForecastError(name, None, None, "file not found")
    try:
        rows = tabular.read_rows(path)
        header, ahead = tabular.find_header(rows, FORECAST_COLUMNS, ("interval_start", "calls"))
        if header.missing:
            raise ForecastError(
                name, header.row, header.missing[0], "missing column (need interval_start,calls)"
            )
        out = [
            _forecast_row(name, line, cells, header.positions, default_aht_seconds, day, tz)
            for line, cells in itertools.chain(ahead, rows)
            if any(tabular.to_text(c) for c in cells)
        ]
    except tabular.TableError as exc:
        raise ForecastError(name, None, None, str(exc)) from None
    except OSError as exc:
        raise ForecastError(name, None, None, f"cannot be read ({exc})") from None
    if not out:
        raise ForecastError(name, None, None, "no intervals in the file")
    return sorted(out, key=lambda f: f.start)


def _forecast_row(
    name: str,
    line: int,
    cells: list[object],
    positions: dict[str, int],
    default_aht_seconds: float,
    day: date,
    tz: tzinfo,
) -> ForecastInterval:
    from cscdesk.importing import tabular

    def cell(column: str) -> object:
        index = positions.get(column)
        value = cells[index] if index is not None and index < len(cells) else None
        bad = tabular.control_character(value)
        if bad:
            raise ForecastError(name, line, column, f"control character {bad} in the cell")
        return value

    def number(column: str) -> float | None:
        text = tabular.number_text(cell(column)).strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise ForecastError(name, line, column, f"not a number: {text!r}") from None

    raw_start = tabular.to_text(cell("interval_start"))
    try:
        start = _parse_start(tabular.ascii_digits(raw_start), day, tz)
    except ValueError:
        raise ForecastError(
            name, line, "interval_start", f"not a time or date-time: {raw_start!r}"
        ) from None
    calls = number("calls")
    if calls is None:
        raise ForecastError(name, line, "calls", "not a number: ''")
    if calls < 0:
        raise ForecastError(name, line, "calls", "must not be negative")
    aht = number("aht_seconds")
    if aht is not None and aht <= 0:
        raise ForecastError(name, line, "aht_seconds", "must be above zero")
    return ForecastInterval(start, calls, default_aht_seconds if aht is None else aht)


def _slot(moment: datetime, minutes: int) -> int:
    return (moment.hour * 60 + moment.minute) // minutes


def forecast_from_history(
    calls: Iterable[Call], *, day: date, interval_minutes: int, tz: tzinfo
) -> list[ForecastInterval]:
    """Mean agent requests per interval over the archived days of the same weekday as ``day``,
    with their AHT.

    Only the same weekday: a Monday is planned from past Mondays. Averaging every day mixed the
    quiet weekend into it (a Monday forecast about 27 % low in the demo's history)."""
    requests: dict[int, int] = defaultdict(int)
    handle: dict[int, list[float]] = defaultdict(list)
    days: set[date] = set()
    all_handle: list[float] = []
    for call in calls:
        if call.queued_at is None or call.outcome == CallOutcome.IVR_ONLY:
            continue
        local = call.queued_at.astimezone(tz)
        if local.weekday() != day.weekday():
            continue
        days.add(local.date())
        slot = _slot(local, interval_minutes)
        requests[slot] += 1
        if call.outcome == CallOutcome.ANSWERED:
            handle[slot].append(call.handle_seconds)
            all_handle.append(call.handle_seconds)
    if not days or not all_handle:
        return []
    overall_aht = sum(all_handle) / len(all_handle)
    midnight = datetime.combine(day, time(0, 0), tzinfo=tz)
    out = []
    for slot in sorted(requests):
        slot_handle = handle.get(slot)
        aht = sum(slot_handle) / len(slot_handle) if slot_handle else overall_aht
        out.append(
            ForecastInterval(
                midnight + timedelta(minutes=slot * interval_minutes),
                requests[slot] / len(days),
                aht,
            )
        )
    return out


def plan_staffing(
    forecast: Sequence[ForecastInterval],
    staffing: StaffingSettings,
    service: QueueIndicatorSettings,
) -> StaffingPlan:
    interval_seconds = staffing.interval_minutes * 60
    rows: list[PlanRow] = []
    for item in forecast:
        if item.calls <= 0:
            rows.append(
                PlanRow(
                    item.start,
                    item.calls,
                    item.aht_seconds,
                    0,
                    0,
                    None,
                    None,
                    None,
                    staffing.broker_headcount,
                    0,
                )
            )
            continue
        result = agents_required(
            calls=item.calls,
            interval_seconds=interval_seconds,
            aht_seconds=item.aht_seconds,
            threshold_seconds=service.threshold_seconds,
            # the domain wants a fraction below 1: a 100 % target is met as closely as it can be
            target_service_level=min(service.target_percent / 100.0, 0.9999),
            occupancy_cap=staffing.occupancy_cap,
            shrinkage=staffing.shrinkage,
        )
        rows.append(
            PlanRow(
                start=item.start,
                calls=item.calls,
                aht_seconds=item.aht_seconds,
                agents=result.agents,
                rostered=result.rostered,
                service_level=100.0 * result.service_level,
                asa_seconds=result.asa_seconds,
                occupancy=100.0 * result.occupancy,
                broker_available=staffing.broker_headcount,
                seconded_to_request=max(0, result.rostered - staffing.broker_headcount),
            )
        )
    ranked = sorted(
        (r for r in rows if r.agents > 0), key=lambda r: (-r.rostered, -r.calls, r.start)
    )
    peak_starts = {r.start for r in ranked[:PEAK_COUNT]}
    rows = [replace(r, peak=r.start in peak_starts) for r in rows]
    return StaffingPlan(
        rows=tuple(rows),
        interval_minutes=staffing.interval_minutes,
        target_percent=service.target_percent,
        threshold_seconds=service.threshold_seconds,
        occupancy_cap=staffing.occupancy_cap,
        shrinkage=staffing.shrinkage,
        broker_headcount=staffing.broker_headcount,
    )


def staffing_report(plan: StaffingPlan) -> Report:
    columns = [
        Column("interval_start", "interval"),
        Column("calls", "calls", "number"),
        Column("aht_seconds", "AHT", "seconds"),
        Column("agents", "agents (Erlang C)", "int"),
        Column("rostered", "rostered", "int"),
        Column("service_level", "SL predicted", "percent"),
        Column("asa_seconds", "ASA predicted", "seconds"),
        Column("occupancy", "occupancy", "percent"),
        Column("broker_available", "broker headcount", "int"),
        Column("seconded_to_request", "seconded to request", "int"),
        Column("peak", "peak"),
    ]
    report = Report(
        title=f"Staffing plan per {plan.interval_minutes} min",
        columns=columns,
        notes=[
            f"Target service level {plan.target_percent:g}% answered within "
            f"{plan.threshold_seconds:g} s; occupancy cap {plan.occupancy_cap:.0%}; "
            f"shrinkage {plan.shrinkage:.0%}; broker headcount {plan.broker_headcount}.",
            "Erlang C assumes no caller abandons, so it errs on the side of more agents.",
        ],
    )
    for index, row in enumerate(plan.rows):
        report.rows.append(
            {
                "interval_start": row.start.strftime("%Y-%m-%d %H:%M"),
                "calls": round(row.calls, 2),
                "aht_seconds": round(row.aht_seconds, 1),
                "agents": row.agents,
                "rostered": row.rostered,
                "service_level": None if row.service_level is None else round(row.service_level, 1),
                "asa_seconds": None if row.asa_seconds is None else round(row.asa_seconds, 1),
                "occupancy": None if row.occupancy is None else round(row.occupancy, 1),
                "broker_available": row.broker_available,
                "seconded_to_request": row.seconded_to_request,
                "peak": "PEAK" if row.peak else "",
            }
        )
        if row.peak:
            report.highlights.add(index)
        if row.seconded_to_request:
            report.breaches.add((index, "seconded_to_request"))
    if plan.peaks:
        report.footer.append(
            "Peaks: "
            + ", ".join(
                f"{p.start:%H:%M} ({p.rostered} rostered, request {p.seconded_to_request} seconded)"
                for p in sorted(plan.peaks, key=lambda p: p.start)
            )
        )
    return report
