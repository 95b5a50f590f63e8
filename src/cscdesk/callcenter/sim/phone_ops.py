"""The phone's own controls during a call: mute, keypad tones, and a consult turned into a
three-way conference.

Each follows its CCC 2020-07-01 page: ``MuteCall`` / ``UnmuteCall`` (api-ccc-2020-07-01-mutecall,
-unmutecall: only an agent in a call, only their own channel; the customer no longer hears
them), ``SendDtmfSignaling`` (page 439626: ``ChannelId`` and ``Dtmf`` required, keys 0-9, * and
#, sent on the customer's channel), ``HoldCall`` / ``RetrieveCall`` (api-ccc-2020-07-01-holdcall,
-retrievecall: ``ChannelId`` of the channel to hold / retrieve is required), ``SwitchToConference`` and ``EndConference`` (SDK
``SwitchToConferenceRequest`` / ``EndConferenceRequest``: turn the call into a conference; an
agent leaves it). CCC has no "swap" between the held customer and the consulted colleague.
"""

from __future__ import annotations

import re

from cscdesk.callcenter.sim import agent_ops
from cscdesk.callcenter.sim.agent_ops import IN_CALL, _job, _require_state, complete_attended
from cscdesk.callcenter.sim.model import CallCenterModel, SimError
from cscdesk.callcenter.sim.records import AgentRuntime, UserState
from cscdesk.callcenter.sim.wire import call_context, customer_channel_id

DTMF_KEYS = re.compile(r"[0-9*#]+")


def mute(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.TALKING)
    if user_id not in call.muted:
        call.muted.add(user_id)
        call.events.append((model.now, user_id, "Mute"))
    return rt


def unmute(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, *IN_CALL)
    if user_id in call.muted:
        call.muted.discard(user_id)
        call.events.append((model.now, user_id, "Unmute"))
    return rt


def hold(model: CallCenterModel, user_id: str, job_id: str | None, channel_id: str) -> AgentRuntime:
    """``HoldCall`` on one of the job's channels (the desk holds the customer's)."""
    _require_channel(model, user_id, job_id, channel_id)
    return agent_ops.hold(model, user_id, job_id)


def retrieve(
    model: CallCenterModel, user_id: str, job_id: str | None, channel_id: str
) -> AgentRuntime:
    """``RetrieveCall`` on the held channel of the job."""
    _require_channel(model, user_id, job_id, channel_id)
    return agent_ops.retrieve(model, user_id, job_id)


def _require_channel(
    model: CallCenterModel, user_id: str, job_id: str | None, channel_id: str
) -> None:
    """A ChannelId of another job (or none of this one) is refused as the vendor does."""
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    channels = {c["ChannelId"] for c in call_context(model, call, user_id)["ChannelContexts"]}
    if channel_id not in channels:
        raise _not_a_channel(channel_id, call.contact_id)


def _not_a_channel(channel_id: str, contact_id: str) -> SimError:
    """The vendor's refusal of a ChannelId the operation cannot act on."""
    return SimError(
        "Parameter.Invalid", f"ChannelId {channel_id!r} is not a channel of {contact_id}."
    )


def send_dtmf(
    model: CallCenterModel, user_id: str, job_id: str | None, channel_id: str, dtmf: str
) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.TALKING)
    if not DTMF_KEYS.fullmatch(dtmf):
        raise SimError("Parameter.Invalid", f"Dtmf {dtmf!r}: only 0-9, * and # are keys.")
    if channel_id != customer_channel_id(call.contact_id):  # keys go to the customer only
        raise _not_a_channel(channel_id, call.contact_id)
    call.digits.append(dtmf)
    call.events.append((model.now, user_id, "Dtmf"))
    return rt


def switch_to_conference(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    """The consulted colleague joins the customer and the agent: the customer leaves hold."""
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.TALKING)
    if not call.consult_agent:
        raise SimError(
            "InvalidOperation.UserState", "No consultation to turn into a conference.", 400
        )
    if not call.conference:
        call.conference = True
        if call.hold_started is not None:
            call.hold_seconds += model.now - call.hold_started
            call.hold_started = None
        call.events.append((model.now, user_id, "SwitchToConference"))
    return rt


def end_conference(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    """The agent leaves the conference; the colleague keeps talking with the customer."""
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    if not call.conference:
        raise SimError("InvalidOperation.UserState", "The call is not a conference.", 400)
    call.conference = False
    call.muted.discard(user_id)
    call.events.append((model.now, user_id, "EndConference"))
    return complete_attended(model, user_id, job_id)
