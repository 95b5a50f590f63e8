"""Service indicators over call records (formulas: reference cn-csc-standards.md §2).

Percentages are 0–100 floats; a ratio whose denominator is zero is ``None`` ("no data"), never
0 or 100, so a quiet night does not look like a perfect or a failed shift. Targets are not here:
they are configuration, compared by whoever reports.

Which calls count: an *agent request* (人工请求) is an inbound call that asked for an agent and
ended answered, abandoned in queue or timed out. IVR-only and outbound calls are no requests.

Bad data is counted, not flattered: an abandoned or timed-out request with no end time has an
unknown wait, so it is never taken for a short abandon (which would drop it from both
denominators, raising the service level and zeroing the abandon rate); it counts as a full
abandon and :func:`incomplete_requests` reports how many there were.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cscdesk.domain.models import Call, CallDirection, CallOutcome

REQUEST_OUTCOMES = frozenset({CallOutcome.ANSWERED, CallOutcome.ABANDONED, CallOutcome.TIMEOUT})


def _percent(part: float, whole: float) -> float | None:
    return None if whole <= 0 else part / whole * 100.0


def _requests(calls: Iterable[Call]) -> list[Call]:
    return [
        c for c in calls if c.direction is CallDirection.INBOUND and c.outcome in REQUEST_OUTCOMES
    ]


def _answered(calls: Iterable[Call]) -> list[Call]:
    return [c for c in _requests(calls) if c.outcome is CallOutcome.ANSWERED]


def _wait(call: Call) -> float:
    """Queue wait; a request with no queue time recorded went straight through (0 s)."""
    wait = call.wait_seconds
    return 0.0 if wait is None else wait


def _is_short_abandon(call: Call, short_abandon_seconds: float) -> bool:
    """A caller who hung up within the grace time (dialled by mistake, changed mind).

    Only a wait that is known can be short: an abandon with no end time is a full abandon."""
    if call.outcome is not CallOutcome.ABANDONED:
        return False
    if call.queued_at is not None and call.wait_seconds is None:
        return False  # queued, then no end time: the wait is unknown
    return _wait(call) < short_abandon_seconds


def incomplete_requests(calls: Iterable[Call]) -> int:
    """Requests that queued but never got an answer or an end time: bad data to look into."""
    return sum(
        1
        for c in _requests(calls)
        if c.queued_at is not None and c.answered_at is None and c.ended_at is None
    )


@dataclass(frozen=True)
class ServiceLevelRule:
    """Service level X/T and its variant, recorded because the variants give different numbers.

    ``count_abandons``: abandoned and timed-out requests count against the level (they were
    not answered within T). ``short_abandon_seconds``: abandons quicker than this are dropped
    from the calculation altogether. Timeouts are never short.
    """

    threshold_seconds: float
    short_abandon_seconds: float = 0.0
    count_abandons: bool = True

    def __post_init__(self) -> None:
        if self.threshold_seconds <= 0:
            raise ValueError(f"service level threshold must be > 0 s, got {self.threshold_seconds}")
        if self.short_abandon_seconds < 0:
            raise ValueError(f"short abandon time must be >= 0 s, got {self.short_abandon_seconds}")

    def describe(self) -> str:
        """The variant in one line, for report footers and the wallboard tooltip."""
        t = f"{self.threshold_seconds:g}"
        if not self.count_abandons:
            return f"answered within {t} s ÷ answered (abandoned calls not counted)"
        if self.short_abandon_seconds > 0:
            return (
                f"answered within {t} s ÷ (answered + abandoned − abandoned within "
                f"{self.short_abandon_seconds:g} s)"
            )
        return f"answered within {t} s ÷ (answered + abandoned)"


def agent_requests(calls: Sequence[Call]) -> int:
    """人工请求量: inbound calls that asked for an agent."""
    return len(_requests(calls))


def connect_rate(calls: Sequence[Call]) -> float | None:
    """人工接通率 = answered ÷ agent requests × 100."""
    return _percent(len(_answered(calls)), agent_requests(calls))


def service_level(calls: Sequence[Call], rule: ServiceLevelRule) -> float | None:
    """Share of requests answered within T, under the rule's variant."""
    requests = _requests(calls)
    answered = [c for c in requests if c.outcome is CallOutcome.ANSWERED]
    within = sum(1 for c in answered if _wait(c) <= rule.threshold_seconds)
    unanswered = [c for c in requests if c.outcome is not CallOutcome.ANSWERED]
    short = sum(1 for c in unanswered if _is_short_abandon(c, rule.short_abandon_seconds))
    return service_level_of_counts(within, len(answered), len(unanswered) - short, rule)


def service_level_of_counts(
    within: int, answered: int, unanswered: int, rule: ServiceLevelRule
) -> float | None:
    """The one service-level formula, over counts (the wallboard has counters, not calls).

    ``unanswered``: abandoned and timed-out requests, short abandons already left out.
    """
    if not rule.count_abandons:
        return _percent(within, answered)
    return _percent(within, answered + unanswered)


def abandon_rate(calls: Sequence[Call], short_abandon_seconds: float = 0.0) -> float | None:
    """Abandoned ÷ queued × 100; short abandons left out of both. Timeouts are not abandons."""
    requests = _requests(calls)
    short = sum(1 for c in requests if _is_short_abandon(c, short_abandon_seconds))
    abandoned = sum(1 for c in requests if c.outcome is CallOutcome.ABANDONED) - short
    return _percent(abandoned, len(requests) - short)


def average_speed_of_answer(calls: Sequence[Call]) -> float | None:
    """ASA in seconds: mean queue wait of answered requests (GB/T 32312)."""
    answered = _answered(calls)
    if not answered:
        return None
    return sum(_wait(c) for c in answered) / len(answered)


def average_handle_time(calls: Sequence[Call]) -> float | None:
    """AHT in seconds: (talk + hold + after-call work) ÷ answered requests."""
    answered = _answered(calls)
    if not answered:
        return None
    return sum(c.handle_seconds for c in answered) / len(answered)


def occupancy(handle_seconds: float, idle_seconds: float | None) -> float | None:
    """Occupancy = handling time ÷ (handling + available idle time) × 100.

    ``idle_seconds`` None means the idle time is not known: no figure, rather than 100 %."""
    if idle_seconds is None:
        return None
    return _percent(handle_seconds, handle_seconds + idle_seconds)


def first_contact_resolution(calls: Sequence[Call]) -> float | None:
    """FCR over the calls whose outcome is known (resolved_first_contact not None)."""
    known = [c.resolved_first_contact for c in calls if c.resolved_first_contact is not None]
    return _percent(sum(1 for solved in known if solved), len(known))


def csat(scores: Iterable[int | None], satisfied_min: int = 4) -> float | None:
    """客户满意率 = satisfied ÷ surveyed × 100; unsurveyed (None) calls are not in the base."""
    surveyed = [s for s in scores if s is not None]
    return _percent(sum(1 for s in surveyed if s >= satisfied_min), len(surveyed))


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """Every indicator for one set of calls, plus the service-level variant used."""

    agent_requests: int
    answered: int
    abandoned: int
    timeouts: int
    connect_rate: float | None
    service_level: float | None
    abandon_rate: float | None
    average_speed_of_answer: float | None
    average_handle_time: float | None
    occupancy: float | None
    first_contact_resolution: float | None
    csat: float | None
    service_level_rule: str
    incomplete: int = 0  # requests with no answer and no end time (bad data)


def compute_all(
    calls: Sequence[Call],
    rule: ServiceLevelRule,
    idle_seconds: float | None = None,
    satisfied_min: int = 4,
) -> IndicatorSet:
    """All indicators at once; occupancy uses the answered calls' handling time and is None
    unless the agents' idle time is given (0 idle given means fully occupied, as measured)."""
    requests = _requests(calls)
    answered = [c for c in requests if c.outcome is CallOutcome.ANSWERED]
    return IndicatorSet(
        agent_requests=len(requests),
        answered=len(answered),
        abandoned=sum(1 for c in requests if c.outcome is CallOutcome.ABANDONED),
        timeouts=sum(1 for c in requests if c.outcome is CallOutcome.TIMEOUT),
        connect_rate=connect_rate(calls),
        service_level=service_level(calls, rule),
        abandon_rate=abandon_rate(calls, rule.short_abandon_seconds),
        average_speed_of_answer=average_speed_of_answer(calls),
        average_handle_time=average_handle_time(calls),
        occupancy=occupancy(sum(c.handle_seconds for c in answered), idle_seconds),
        first_contact_resolution=first_contact_resolution(calls),
        csat=csat((c.satisfaction for c in calls), satisfied_min),
        service_level_rule=rule.describe(),
        incomplete=incomplete_requests(calls),
    )
