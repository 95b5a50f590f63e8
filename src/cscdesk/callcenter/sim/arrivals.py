"""Non-homogeneous Poisson arrivals by thinning: a peak rate per skill group, shaped by an
intraday profile (hourly) and a seasonal multiplier (monthly: enrolment and claim seasons).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

# 0-8 closed (IVR only), morning and afternoon peaks, evening tail
DEMO_INTRADAY: tuple[float, ...] = (
    0, 0, 0, 0, 0, 0, 0, 0.1, 0.5, 1.0, 0.95, 0.8,
    0.45, 0.7, 0.9, 0.85, 0.7, 0.45, 0.2, 0.1, 0.05, 0, 0, 0,
)  # fmt: skip
# January: enrolment (投保) for the new policy year; March-April: claim season after the
# annual check-ups and the Spring Festival; December: renewal (续保).
DEMO_SEASONAL: tuple[float, ...] = (1.6, 1.1, 1.4, 1.3, 1.0, 0.9, 0.8, 0.8, 0.9, 1.0, 1.1, 1.5)

DEMO_CALLS_PER_HOUR: dict[str, float] = {
    "sg_group_claims": 40.0,
    "sg_group_enquiry": 30.0,
    "sg_personal": 10.0,
    "sg_complaints": 4.0,
    "sg_ins_ruian": 6.0,
    "sg_ins_jiahe": 6.0,
    "sg_ins_huaying": 4.0,
    "sg_ins_anhe": 4.0,
}

# The embedded demo for one person at the desk: their own line (enquiry, which only the desk
# serves in the demo's small shift) rings about every 15 s, so a call reaches them within a
# minute of Ready at any hour and month (at the usual 30 an hour it took minutes: issue 16).
DEMO_DESK_LINE = "sg_group_enquiry"
DEMO_DESK_LINE_PER_HOUR = 240.0
# The lead's demo watches a claims-season peak day: half as many calls again as usual, so queues
# build and the wallboard's alerts show within minutes (with the demo's faster clock).
DEMO_LEAD_PEAK = 1.5


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """Peak calls per hour per skill group, scaled by hour of day and month of year."""

    calls_per_hour: Mapping[str, float] = field(default_factory=lambda: dict(DEMO_CALLS_PER_HOUR))
    intraday: tuple[float, ...] = DEMO_INTRADAY
    seasonal: tuple[float, ...] = DEMO_SEASONAL

    def __post_init__(self) -> None:
        if len(self.intraday) != 24 or len(self.seasonal) != 12:
            raise ValueError("intraday needs 24 hourly factors and seasonal 12 monthly factors")
        if min(self.intraday) < 0 or min(self.seasonal) < 0:
            raise ValueError("traffic factors must not be negative")

    @classmethod
    def constant(cls, calls_per_hour: Mapping[str, float]) -> TrafficProfile:
        """A flat load all day, all year (for checks against queueing theory)."""
        return cls(dict(calls_per_hour), (1.0,) * 24, (1.0,) * 12)

    @classmethod
    def demo_desk(cls) -> TrafficProfile:
        """The desk demo's arrivals: flat, with the desk's own line busy (a call within a minute)."""
        return cls.constant({**DEMO_CALLS_PER_HOUR, DEMO_DESK_LINE: DEMO_DESK_LINE_PER_HOUR})

    @classmethod
    def demo_lead(cls) -> TrafficProfile:
        """The lead demo's arrivals: the usual day shape at a claims-season peak."""
        return cls({g: rate * DEMO_LEAD_PEAK for g, rate in DEMO_CALLS_PER_HOUR.items()})

    def factor(self, local: datetime) -> float:
        return self.intraday[local.hour] * self.seasonal[local.month - 1]

    def peak_factor(self) -> float:
        return max(self.intraday) * max(self.seasonal)


class ArrivalProcess:
    """Draws the next arrival per skill group with Lewis-Shedler thinning."""

    def __init__(self, profile: TrafficProfile, rng: random.Random) -> None:
        self.profile = profile
        self.rng = rng

    def next_arrival(
        self, group_id: str, after: float, local_time_of: Callable[[float], datetime]
    ) -> float | None:
        """Seconds of the next arrival after ``after``; None when the group gets no calls."""
        peak_per_second = self.profile.calls_per_hour.get(group_id, 0.0) / 3600.0
        bound = peak_per_second * self.profile.peak_factor()
        if bound <= 0:
            return None
        t = after
        while True:
            t += self.rng.expovariate(bound)
            accept = peak_per_second * self.profile.factor(local_time_of(t)) / bound
            if accept >= 1.0 or self.rng.random() < accept:
                return t
