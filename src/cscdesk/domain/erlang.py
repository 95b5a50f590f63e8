"""Erlang C staffing: how many agents an interval needs for a service-level target.

Traffic A (Erlangs) = calls × AHT ÷ interval. P(wait) comes from the Erlang B recursion
B(k) = A·B(k−1) / (k + A·B(k−1)), then C = N·B / (N − A·(1 − B)): no factorials or powers,
so it stays finite and exact enough for thousands of agents. Erlang C assumes nobody
abandons, so it errs on the side of more staff, which is the safe side for a peak plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def offered_traffic(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """Offered load in Erlangs: the average number of calls in progress."""
    if interval_seconds <= 0:
        raise ValueError(f"interval must be > 0 s, got {interval_seconds}")
    if calls < 0 or aht_seconds < 0:
        raise ValueError(f"calls and AHT must be >= 0, got {calls} calls, AHT {aht_seconds} s")
    return calls * aht_seconds / interval_seconds


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of ``agents`` servers offered ``traffic`` Erlangs (no queue)."""
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def probability_wait(traffic: float, agents: int) -> float:
    """Erlang C: chance an arriving call finds every agent busy and queues (0..1)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0  # the queue grows without bound
    blocking = erlang_b(traffic, agents)
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def service_level(
    traffic: float, agents: int, aht_seconds: float, threshold_seconds: float
) -> float:
    """Share (0..1) of calls answered within ``threshold_seconds``."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waiting = probability_wait(traffic, agents)
    level = 1.0 - waiting * math.exp(-(agents - traffic) * threshold_seconds / aht_seconds)
    return min(1.0, max(0.0, level))


def average_speed_of_answer(traffic: float, agents: int, aht_seconds: float) -> float:
    """ASA in seconds over all calls; infinite when the agents cannot keep up."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return probability_wait(traffic, agents) * aht_seconds / (agents - traffic)


def occupancy(traffic: float, agents: int) -> float:
    """Share (0..1) of agents' time spent on calls: A ÷ N, at most 1."""
    if agents <= 0:
        return 1.0 if traffic > 0 else 0.0
    return min(1.0, traffic / agents)


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """One interval's answer: agents on the phones, heads to roster, and what they achieve."""

    agents: int  # needed on the phones
    rostered: int  # scheduled, after shrinkage (breaks, training, leave)
    service_level: float  # 0..1
    asa_seconds: float
    occupancy: float  # 0..1
    traffic: float  # Erlangs


def rostered_headcount(agents: int, shrinkage: float) -> int:
    """Agents ÷ (1 − shrinkage), rounded up; tolerant of float noise (14 ÷ 0.7 is 20, not 21)."""
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def agents_required(
    calls: float,
    interval_seconds: float,
    aht_seconds: float,
    threshold_seconds: float,
    target_service_level: float,
    occupancy_cap: float = 1.0,
    shrinkage: float = 0.0,
) -> StaffingResult:
    """The smallest agent count meeting the service-level target with occupancy ≤ the cap."""
    if not 0.0 <= target_service_level < 1.0:
        raise ValueError(
            f"target service level must be a fraction from 0 up to (not including) 1, "
            f"got {target_service_level}"
        )
    if not 0.0 < occupancy_cap <= 1.0:
        raise ValueError(f"occupancy cap must be a fraction in (0, 1], got {occupancy_cap}")
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage must be a fraction in [0, 1), got {shrinkage}")
    if aht_seconds <= 0 or threshold_seconds < 0:
        raise ValueError(
            f"AHT must be > 0 s and the answer threshold >= 0 s, got {aht_seconds} / {threshold_seconds}"
        )
    traffic = offered_traffic(calls, interval_seconds, aht_seconds)
    if traffic == 0:
        return StaffingResult(0, 0, 1.0, 0.0, 0.0, 0.0)
    # round() first: 4.2 / 0.7 is 6.000000000000001 in floats, and ceil would add an agent
    agents = max(1, math.floor(traffic) + 1, math.ceil(round(traffic / occupancy_cap, 9)))
    while (
        service_level(traffic, agents, aht_seconds, threshold_seconds) < target_service_level
        or round(occupancy(traffic, agents), 9) > occupancy_cap
    ):
        agents += 1
    return StaffingResult(
        agents=agents,
        rostered=rostered_headcount(agents, shrinkage),
        service_level=service_level(traffic, agents, aht_seconds, threshold_seconds),
        asa_seconds=average_speed_of_answer(traffic, agents, aht_seconds),
        occupancy=occupancy(traffic, agents),
        traffic=traffic,
    )
