"""Wallboard alerts: k9s-style warning/critical levels per metric, overridable per skill group.

Pure logic (no Textual): the screen feeds each poll's figures in and gets back the alerts in
force plus the changes since the last poll, which go to the alert log and may ring the bell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from cscdesk.config import AlertLevel, AlertSettings

# Metrics where a smaller value is worse (service level): the thresholds are floors.
LOWER_IS_WORSE = frozenset({"service_level_percent"})
METRICS = (
    "waiting_calls",
    "longest_wait_seconds",
    "service_level_percent",
    "abandon_rate_percent",
)


class Severity(IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2


@dataclass(frozen=True, slots=True)
class Alert:
    group_id: str
    metric: str
    severity: Severity
    value: float
    threshold: float


@dataclass(frozen=True, slots=True)
class AlertChange:
    """A line of the alert log: an alert raised, escalated, eased or cleared."""

    at: datetime
    group_id: str
    metric: str
    before: Severity
    after: Severity
    value: float
    threshold: float | None


def level_for(settings: AlertSettings, group_id: str, metric: str) -> AlertLevel:
    override = settings.per_queue.get(group_id, {})
    if metric in override:
        return override[metric]
    level: AlertLevel = getattr(settings, metric)
    return level


def classify(metric: str, value: float, level: AlertLevel) -> tuple[Severity, float | None]:
    """Severity of ``value`` and the threshold it crossed (None when OK)."""
    if metric in LOWER_IS_WORSE:
        if value <= level.critical:
            return Severity.CRITICAL, level.critical
        if value <= level.warning:
            return Severity.WARNING, level.warning
        return Severity.OK, None
    if value >= level.critical:
        return Severity.CRITICAL, level.critical
    if value >= level.warning:
        return Severity.WARNING, level.warning
    return Severity.OK, None


def evaluate(
    settings: AlertSettings, figures: Mapping[str, Mapping[str, float | None]]
) -> dict[tuple[str, str], Alert]:
    """Alerts in force for ``figures`` = {group_id: {metric: value or None}}."""
    active: dict[tuple[str, str], Alert] = {}
    for group_id, values in figures.items():
        for metric in METRICS:
            value = values.get(metric)
            if value is None:
                continue  # no calls yet: no rate, no alert
            severity, threshold = classify(metric, value, level_for(settings, group_id, metric))
            if severity is not Severity.OK and threshold is not None:
                active[(group_id, metric)] = Alert(group_id, metric, severity, value, threshold)
    return active


def changes(
    at: datetime,
    before: Mapping[tuple[str, str], Alert],
    after: Mapping[tuple[str, str], Alert],
) -> list[AlertChange]:
    """What the alert log records between two polls (sorted: worst first)."""
    out: list[AlertChange] = []
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        old_sev = old.severity if old else Severity.OK
        new_sev = new.severity if new else Severity.OK
        if old_sev == new_sev:
            continue
        source = new or old
        assert source is not None
        out.append(
            AlertChange(
                at=at,
                group_id=key[0],
                metric=key[1],
                before=old_sev,
                after=new_sev,
                value=source.value,
                threshold=new.threshold if new else None,
            )
        )
    out.sort(key=lambda c: (-c.after, c.group_id, c.metric))
    return out


def should_ring(settings: AlertSettings, log_lines: Iterable[AlertChange]) -> bool:
    """The bell rings only when configured and something got worse."""
    return settings.bell and any(c.after > c.before for c in log_lines)
