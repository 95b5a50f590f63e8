"""``UpdateSubscription``: where the simulator pushes events (api-ccc-2020-07-01-updatesubscription).

Required: ``InstanceId``, ``AccessPoint``, ``EventSubscriptionsJson`` (Parameter.Blank when
missing, as the other pages' error tables word it). The list is ``[{"Name": ..., "Disabled":
bool}, ...]``; the page's own example writes the keys and names with a trailing space
(``"Name "``, ``"Dialing "``), so both are read stripped. The response ``Data`` carries
``AccessPoint``, ``EventList`` (``Name``, ``Disabled``, ``Topic``), ``InstanceId``, ``MqType``,
``ProducerId``, ``Topic`` (SDK UpdateSubscriptionResponseBodyData).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from cscdesk.callcenter.sim import wire
from cscdesk.callcenter.sim.events import DOCUMENTED_EVENTS, MQ_TYPES, Subscription
from cscdesk.callcenter.sim.handlers import Request, action
from cscdesk.callcenter.sim.model import SimError


def _event_list(raw: str) -> list[tuple[str, bool]]:
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SimError(
            "Parameter.Invalid",
            'EventSubscriptionsJson must be a JSON array of {"Name": ..., "Disabled": ...}.',
        )
    out: list[tuple[str, bool]] = []
    for item in items:
        fields = {str(k).strip(): v for k, v in item.items()}
        name = str(fields.get("Name", "")).strip()
        if name not in DOCUMENTED_EVENTS:
            raise SimError(
                "Parameter.Invalid", f"EventSubscriptionsJson names an unknown event {name!r}."
            )
        out.append((name, bool(fields.get("Disabled", False))))
    return out


@action("UpdateSubscription")
def update_subscription(req: Request) -> dict[str, Any]:
    access_point = req.text("AccessPoint", required=True)
    events = _event_list(req.text("EventSubscriptionsJson", required=True))
    mq_type = req.text("MqType", default="webhook")
    if mq_type not in MQ_TYPES:
        raise SimError(
            "Parameter.Invalid", f"MqType must be one of {sorted(MQ_TYPES)}, got {mq_type!r}."
        )
    if mq_type == "webhook" and urlsplit(access_point).scheme not in ("http", "https"):
        raise SimError("Parameter.Invalid", "AccessPoint must be an http(s) URL for a webhook.")
    topic = req.text("DefaultTopic")
    enabled = frozenset(name for name, disabled in events if not disabled)
    if req.model.pusher is not None:
        req.model.pusher.subscribe(Subscription(access_point, mq_type, enabled))
    data = {
        "AccessPoint": access_point,
        "InstanceId": req.model.instance_id,
        "MqType": mq_type,
        "Topic": topic,
        "ProducerId": req.text("ProducerId"),
        "EventList": [
            {"Name": name, "Disabled": disabled, "Topic": topic} for name, disabled in events
        ],
    }
    return wire.ok(req.action, data)
