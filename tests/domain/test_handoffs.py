"""Hand-off rules: states and their moments, delivery backoff, routing to business staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cscdesk.domain.handoffs import (
    Channel,
    Handoff,
    HandoffState,
    IllegalHandoffStep,
    NoRoute,
    RetryPolicy,
    Route,
    may_work,
    route_task,
    step,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _handoff(channel: Channel = Channel.STAFF, **kw: object) -> Handoff:
    return Handoff(id="H1", ticket_id="T1", channel=channel, state=HandoffState.QUEUED,
                   created_at=T0, created_by="agent1", idempotency_key="T1:1", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_each_state_records_its_moment_once() -> None:
    sent = step(_handoff(Channel.API), HandoffState.SENT, T0 + timedelta(minutes=1))
    taken = step(sent, HandoffState.ACKNOWLEDGED, T0 + timedelta(minutes=5))
    answered = step(taken, HandoffState.ANSWERED, T0 + timedelta(hours=3), reply="ok")
    again = step(answered, HandoffState.ANSWERED, T0 + timedelta(hours=4))
    assert (again.sent_at, again.acknowledged_at, again.answered_at) == (
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=5),
        T0 + timedelta(hours=3),
    )


def test_an_answer_taken_straight_from_the_queue_counts_as_acknowledged_then() -> None:
    answered = step(_handoff(), HandoffState.ANSWERED, T0 + timedelta(hours=1))
    assert answered.acknowledged_at == answered.answered_at == T0 + timedelta(hours=1)


def test_a_closed_handoff_cannot_be_answered_and_the_message_says_what_is_allowed() -> None:
    closed = step(_handoff(), HandoffState.CLOSED, T0)
    with pytest.raises(IllegalHandoffStep, match="H1: cannot go from closed to answered"):
        step(closed, HandoffState.ANSWERED, T0)


def test_backoff_doubles_up_to_its_cap_and_gives_up_after_the_last_attempt() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(seconds=30), max_attempts=4)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]
    assert not policy.exhausted(3)
    assert policy.exhausted(4)


ROUTES = (
    Route(ticket_type="claim_assist", team="claims"),
    Route(employer="G01", assignee="am_zhang"),
    Route(employer="G01", ticket_type="policy_change", assignee="uw_li"),
    Route(insurer="jiahe", team="underwriting"),
)


def test_the_most_specific_route_wins() -> None:
    assert (
        route_task(ROUTES, employer="G01", ticket_type="policy_change", insurer=None).assignee
        == "uw_li"
    )
    assert (
        route_task(ROUTES, employer="G01", ticket_type="enquiry", insurer=None).assignee
        == "am_zhang"
    )
    assert route_task(ROUTES, employer="G02", ticket_type="claim_assist", insurer="jiahe").team == "claims"  # fmt: skip
    assert route_task(ROUTES, employer="G02", ticket_type="enquiry", insurer="jiahe").team == "underwriting"  # fmt: skip


def test_no_route_names_what_was_looked_for() -> None:
    with pytest.raises(NoRoute, match="employer G09, ticket type enquiry, insurer -"):
        route_task(ROUTES, employer="G09", ticket_type="enquiry", insurer=None)


def test_who_may_work_a_handoff() -> None:
    task = _handoff(assignee="am_zhang", team="claims")
    assert may_work(task, user_id="am_zhang", teams=(), insurer_id=None)
    assert may_work(task, user_id="cl_wang", teams=("claims",), insurer_id=None)
    assert not may_work(task, user_id="uw_li", teams=("underwriting",), insurer_id=None)
    request = _handoff(Channel.SECONDED, insurer_id="anhe")
    assert may_work(request, user_id="s1", teams=(), insurer_id="anhe")
    assert not may_work(request, user_id="s2", teams=(), insurer_id="jiahe")
