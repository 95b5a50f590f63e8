"""Today's rates for one skill group, from the since-midnight counters a snapshot carries.

The call system reports counters, not rates, so the wallboard applies the configured service-level
variant (cn-csc-standards §2) with the reports' own formula (``domain.indicators``); abandon rate = abandoned ÷ offered
(short abandons excluded from both sides); ASA = total wait of answered calls ÷ answered.
"""

from __future__ import annotations

from cscdesk.config import IndicatorSettings
from cscdesk.domain.indicators import ServiceLevelRule, service_level_of_counts
from cscdesk.sync.wallboard import QueueRow


def _ratio(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole > 0 else None


def queue_figures(row: QueueRow, indicators: IndicatorSettings) -> dict[str, float | None]:
    """The four alertable metrics plus ASA for one queue row."""
    rule = indicators.for_queue(row.group_id)
    level = service_level_of_counts(
        row.answered_within_threshold,
        row.answered,
        row.offered - row.answered - row.short_abandoned,
        ServiceLevelRule(rule.threshold_seconds, rule.short_abandon_seconds, rule.count_abandons),
    )
    counted_offered = row.offered - row.short_abandoned
    counted_abandons = row.abandoned - row.short_abandoned
    return {
        "waiting_calls": float(row.waiting),
        "longest_wait_seconds": row.longest_wait_seconds,
        "service_level_percent": level,
        "abandon_rate_percent": _ratio(counted_abandons, counted_offered),
        "asa_seconds": row.total_wait_answered / row.answered if row.answered else None,
    }
