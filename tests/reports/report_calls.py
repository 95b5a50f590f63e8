"""Hand-made calls whose indicators are worked out by hand in the tests' comments."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cscdesk.domain.models import Call, CallDirection, CallOutcome

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def call(
    n: int,
    outcome: CallOutcome,
    *,
    group: str | None,
    agent: str | None,
    wait: float | None,
    talk: float = 0.0,
    hold: float = 0.0,
    acw: float = 0.0,
    minute: int = 0,
    score: int | None = None,
    fcr: bool | None = None,
    direction: CallDirection = CallDirection.INBOUND,
) -> Call:
    started = DAY + timedelta(minutes=minute)
    queued = started + timedelta(seconds=15) if wait is not None else None
    end_of_wait = queued + timedelta(seconds=wait) if queued and wait is not None else None
    answered = end_of_wait if outcome is CallOutcome.ANSWERED else None
    ended = (answered + timedelta(seconds=talk + hold)) if answered else end_of_wait
    return Call(
        contact_id=f"c{n:03d}",
        direction=direction,
        caller="13800138000",
        callee="4008001234",
        started_at=started,
        outcome=outcome,
        skill_group=group,
        agent_id=agent if outcome is CallOutcome.ANSWERED else None,
        queued_at=queued,
        answered_at=answered,
        ended_at=ended or started + timedelta(seconds=30),
        talk_seconds=talk,
        hold_seconds=hold,
        acw_seconds=acw,
        satisfaction=score,
        resolved_first_contact=fcr,
    )


A, B = CallOutcome.ANSWERED, CallOutcome.ABANDONED

CALLS = [
    # sg_a, 09:00 interval, agent a1
    call(1, A, group="sg_a", agent="a1", wait=10, talk=200, acw=40, score=5, fcr=True),
    call(2, A, group="sg_a", agent="a1", wait=30, talk=100, hold=20, acw=60, score=3, fcr=False),
    call(3, B, group="sg_a", agent=None, wait=40),
    call(4, B, group="sg_a", agent=None, wait=3),  # a short abandon (< 5 s)
    # sg_b, 09:30 interval, agent a2
    call(5, A, group="sg_b", agent="a2", wait=5, talk=300, acw=60, minute=31, score=4, fcr=True),
    call(6, CallOutcome.TIMEOUT, group="sg_b", agent=None, wait=120, minute=35),
    # neither is an agent request
    call(7, CallOutcome.IVR_ONLY, group=None, agent=None, wait=None, minute=40),
    call(
        8,
        A,
        group="sg_b",
        agent="a2",
        wait=None,
        talk=50,
        minute=41,
        direction=CallDirection.OUTBOUND,
    ),
]
