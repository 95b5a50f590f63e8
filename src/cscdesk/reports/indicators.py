"""Service indicators from the archive (服务指标报表): by day, interval, queue or agent.

The formulas live in ``domain.indicators`` (cn-csc-standards §2); this module only picks the
calls, groups them, applies each queue's service-level rule, states that rule's variant in the
header and marks every figure that misses its configured target.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from cscdesk.config import IndicatorSettings, QueueIndicatorSettings
from cscdesk.domain import indicators as formulas
from cscdesk.domain.models import Call
from cscdesk.reports.output import Column, Report

GroupBy = Literal["day", "interval", "queue", "agent"]
GROUPINGS: tuple[GroupBy, ...] = ("day", "interval", "queue", "agent")
TOTAL_KEY = "TOTAL"

# metric → (column label, kind, direction): "min" targets must be reached, "max" not exceeded.
METRICS: dict[str, tuple[str, Literal["percent", "seconds"], Literal["min", "max"]]] = {
    "connect_rate": ("人工接通率 connect rate", "percent", "min"),
    "service_level": ("service level", "percent", "min"),
    "abandon_rate": ("abandon rate", "percent", "max"),
    "asa": ("ASA", "seconds", "max"),
    "aht": ("AHT", "seconds", "max"),
    "occupancy": ("occupancy", "percent", "max"),
    "fcr": ("FCR", "percent", "min"),
    "csat": ("CSAT", "percent", "min"),
}


def rule_for(settings: QueueIndicatorSettings) -> formulas.ServiceLevelRule:
    return formulas.ServiceLevelRule(
        threshold_seconds=settings.threshold_seconds,
        short_abandon_seconds=settings.short_abandon_seconds,
        count_abandons=settings.count_abandons,
    )


def targets_for(indicators: IndicatorSettings, queue: QueueIndicatorSettings) -> dict[str, float]:
    return {
        "connect_rate": indicators.connect_rate_target,
        "service_level": queue.target_percent,
        "abandon_rate": indicators.abandon_rate_max,
        "asa": indicators.asa_max_seconds,
        "aht": indicators.aht_max_seconds,
        "occupancy": indicators.occupancy_max,
        "fcr": indicators.fcr_target,
        "csat": indicators.csat_target,
    }


def breaches(values: Mapping[str, float | None], targets: Mapping[str, float]) -> set[str]:
    out = set()
    for metric, (_, _, direction) in METRICS.items():
        value = values.get(metric)
        if value is None:
            continue
        target = targets[metric]
        if (direction == "min" and value < target) or (direction == "max" and value > target):
            out.add(metric)
    return out


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    key: str
    label: str
    requests: int
    answered: int
    values: dict[str, float | None]
    breached: frozenset[str]


def _bucket_key(by: GroupBy, interval_minutes: int, tz: tzinfo) -> Callable[[Call], str | None]:
    def key(call: Call) -> str | None:
        moment = (call.queued_at or call.started_at).astimezone(tz)
        if by == "day":
            return moment.date().isoformat()
        if by == "interval":
            floored = moment.replace(second=0, microsecond=0)
            floored -= timedelta(minutes=floored.minute % interval_minutes)
            return floored.strftime("%Y-%m-%d %H:%M")
        if by == "queue":
            return call.skill_group
        return call.agent_id

    return key


def group_calls(
    calls: Iterable[Call], by: GroupBy, *, interval_minutes: int, tz: tzinfo
) -> dict[str, list[Call]]:
    """Calls per bucket, buckets in natural order; calls with no queue/agent are left out."""
    key = _bucket_key(by, interval_minutes, tz)
    groups: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        bucket = key(call)
        if bucket is not None:
            groups[bucket].append(call)
    return dict(sorted(groups.items()))


def indicator_values(
    calls: Sequence[Call],
    rule: formulas.ServiceLevelRule,
    indicators: IndicatorSettings,
    idle_seconds: float | None,
) -> tuple[formulas.IndicatorSet, dict[str, float | None]]:
    """The eight indicators for one set of calls, as percentages and seconds.

    Occupancy needs the agents' available idle time, which calls do not carry; it comes from
    the stored wallboard snapshots, and is left blank (not 100 %) when none cover the period.
    """
    found = formulas.compute_all(
        calls,
        rule,
        idle_seconds=idle_seconds or 0.0,
        satisfied_min=indicators.csat_satisfied_min_score,
    )

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return found, {
        "connect_rate": rounded(found.connect_rate),
        "service_level": rounded(found.service_level),
        "abandon_rate": rounded(found.abandon_rate),
        "asa": rounded(found.average_speed_of_answer),
        "aht": rounded(found.average_handle_time),
        "occupancy": rounded(found.occupancy) if idle_seconds is not None else None,
        "fcr": rounded(found.first_contact_resolution),
        "csat": rounded(found.csat),
    }


def indicator_rows(
    calls: Sequence[Call],
    by: GroupBy,
    indicators: IndicatorSettings,
    *,
    interval_minutes: int,
    names: Mapping[str, str] | None = None,
    idle_seconds: Mapping[str, float] | None = None,
) -> list[IndicatorRow]:
    """One row per bucket and a TOTAL row; each queue bucket uses its own SL rule and target."""
    names = names or {}
    tz = ZoneInfo(indicators.default.timezone)
    rows = []
    buckets = group_calls(calls, by, interval_minutes=interval_minutes, tz=tz)
    for key, bucket in [*buckets.items(), (TOTAL_KEY, list(calls))]:
        queue = indicators.for_queue(key) if by == "queue" else indicators.default
        found, values = indicator_values(
            bucket,
            rule_for(queue),
            indicators,
            (idle_seconds or {}).get(key),
        )
        rows.append(
            IndicatorRow(
                key=key,
                label=names.get(key, key),
                requests=found.agent_requests,
                answered=found.answered,
                values=values,
                breached=frozenset(breaches(values, targets_for(indicators, queue))),
            )
        )
    return rows


def describe_rules(indicators: IndicatorSettings, by: GroupBy, keys: Iterable[str]) -> list[str]:
    """The header lines that say which service-level variant each figure used."""
    lines = [
        f"Service level (default): {rule_for(indicators.default).describe()}, "
        f"target {indicators.default.target_percent:g}%"
    ]
    if by == "queue":
        for key in keys:
            if key in indicators.queues:
                queue = indicators.queues[key]
                lines.append(
                    f"Service level ({key}): {rule_for(queue).describe()}, "
                    f"target {queue.target_percent:g}%"
                )
    return lines


def indicators_report(
    calls: Sequence[Call],
    by: GroupBy,
    indicators: IndicatorSettings,
    *,
    start: datetime,
    end: datetime,
    interval_minutes: int,
    names: Mapping[str, str] | None = None,
    idle_seconds: Mapping[str, float] | None = None,
) -> Report:
    rows = indicator_rows(
        calls,
        by,
        indicators,
        interval_minutes=interval_minutes,
        names=names,
        idle_seconds=idle_seconds,
    )
    columns = [
        Column("key", by),
        Column("label", "name"),
        Column("requests", "人工请求 requests", "int"),
        Column("answered", "answered", "int"),
        *(Column(metric, label, kind) for metric, (label, kind, _) in METRICS.items()),
    ]
    report = Report(
        title=f"Service indicators by {by}, {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}",
        columns=columns,
        notes=describe_rules(indicators, by, (r.key for r in rows)),
    )
    if by not in ("queue", "agent"):
        columns.pop(1)  # day and interval keys name themselves
    for index, row in enumerate(rows):
        report.rows.append(
            {
                "key": row.key,
                "label": row.label,
                "requests": row.requests,
                "answered": row.answered,
                **row.values,
            }
        )
        report.breaches.update((index, metric) for metric in row.breached)
    report.highlights.add(len(rows) - 1)
    report.footer.append("! marks a figure that misses its configured target.")
    return report
