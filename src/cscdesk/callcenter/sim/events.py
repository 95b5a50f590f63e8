"""Event push, as CCC does it after ``UpdateSubscription`` with ``MqType=webhook``.

The model calls ``EventPusher.publish`` (under its lock) when a call is answered or released, a
CDR is written, a recording is ready, or an agent changes state; a daemon thread POSTs each
event as JSON to the subscribed ``AccessPoint`` over real HTTP, so a receiver is tested the way
production would reach it.

What the documentation says and what it does not (api-ccc-2020-07-01-updatesubscription):
- the parameters (``InstanceId``, ``AccessPoint``, ``EventSubscriptionsJson`` required;
  ``MqType`` rocketmq4 / rocketmq5 / webhook; ``ProducerId`` PID_Webhook and ``DefaultTopic``
  Topic_Webhook for a webhook) and the event names listed below are from that page's example;
- the page names no signature, header or token for webhook deliveries. A receiver can only
  trust what the ``AccessPoint`` URL itself carries, so cscdesk puts a shared secret into that
  URL (our choice, see ``cscdesk.sync.events``);
- the event body fields are NOT confirmed: the page "事件通知格式"
  (help.aliyun.com/zh/ccs/use-cases/event-notification-formats) was not reachable from here.
  UNVERIFIED body shape used: ``EventType``, ``InstanceId``, ``EventTime`` (epoch ms) and
  ``JobId`` (the ContactId) for call events, ``UserId`` for agent events. No event id is
  assumed; a receiver de-duplicates on the body itself.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_log = logging.getLogger(__name__)

# The names in the EventSubscriptionsJson example of the UpdateSubscription page, plus the agent
# events the reference notes from "事件通知格式" (AgentCheckIn, AgentDialing; unverified here).
DOCUMENTED_EVENTS = frozenset(
    {
        "StopConsultant", "QueueingRerouted", "IvrTracking", "DualTrackRecordingReady",
        "SatisfactionSurveyResponse", "Dialing", "Abandoned", "QueueingCancelled",
        "RecordingReady", "StopCoach", "Established", "InitiateConsultant", "Route2IVR",
        "Retrieved", "CampaignPaused", "TextStream", "AgentRelease", "VoicemailReady",
        "Released", "CDRReady", "CaseAttempted", "AgentBreak", "AgentRingingTimeout",
        "AgentReady", "CampaignResumed", "AgentCheckIn", "AgentDialing",
    }
)  # fmt: skip
MQ_TYPES = frozenset({"rocketmq4", "rocketmq5", "webhook"})
DELIVERY_ATTEMPTS = 3  # our simulator's retry count; CCC's own retry policy is not documented


@dataclass(frozen=True, slots=True)
class Subscription:
    access_point: str
    mq_type: str
    enabled: frozenset[str]


@dataclass(slots=True)
class PushStats:
    delivered: int = 0  # POSTs answered 2xx
    refused: int = 0  # POSTs answered 4xx (never retried)
    failed: int = 0  # events given up after DELIVERY_ATTEMPTS
    published: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)  # bodies handed to the thread


class EventPusher:
    """Delivers subscribed events in order from one background thread."""

    def __init__(self, *, retry_seconds: float = 0.2, timeout: float = 2.0) -> None:
        self.subscription: Subscription | None = None
        self.stats = PushStats()
        self.duplicates = 1  # deliveries per event; tests raise it to model at-least-once push
        self.retry_seconds = retry_seconds  # between attempts; tests shorten it
        self._timeout = timeout
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="sim-events", daemon=True)
        self._thread.start()

    def subscribe(self, subscription: Subscription) -> None:
        self.subscription = subscription

    def publish(self, body: Mapping[str, Any]) -> None:
        sub = self.subscription
        if sub is None or sub.mq_type != "webhook" or body.get("EventType") not in sub.enabled:
            return
        event = dict(body)
        with self._idle:
            self._pending += 1
            self.stats.published += 1
            self.stats.log.append(event)
        self._queue.put(event)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every published event was delivered or given up (tests and benches)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import httpx

        with httpx.Client(timeout=self._timeout) as client:
            while True:
                event = self._queue.get()
                if event is None:
                    return
                try:
                    for _ in range(self.duplicates):
                        self._deliver(client, event)
                finally:
                    with self._idle:
                        self._pending -= 1
                        self._idle.notify_all()

    def _deliver(self, client: Any, event: dict[str, Any]) -> None:
        import httpx

        sub = self.subscription
        if sub is None:
            return
        data = json.dumps(event, ensure_ascii=False).encode()
        headers = {"content-type": "application/json"}
        for attempt in range(1, DELIVERY_ATTEMPTS + 1):
            try:
                response = client.post(sub.access_point, content=data, headers=headers)
            except httpx.HTTPError as exc:
                _log.info("event push to the webhook failed (attempt %d): %s", attempt, exc)
            else:
                if response.status_code < 300:
                    self.stats.delivered += 1
                    return
                if response.status_code < 500:
                    self.stats.refused += 1
                    _log.warning(
                        "webhook refused %s: HTTP %d", event["EventType"], response.status_code
                    )
                    return
            if attempt < DELIVERY_ATTEMPTS:
                threading.Event().wait(self.retry_seconds)
        self.stats.failed += 1
