"""A team lead on an agent's call: monitor (监听), coach (辅导), barge in (强插), and leave.

As CCC 2020-07-01 documents them:

- ``MonitorCall`` (help.aliyun.com/document_detail/439615): ``UserId``, ``DeviceId`` and
  ``MonitoredUserId``; the call must be connected between agent and customer. The reply's
  channel of the supervisor carries ``ChannelFlags`` ``MONITORING``.
- ``CoachCall`` (document_detail/439605): ``JobId`` and ``CoachedUserId``; the coached agent hears
  the coach, the customer does not. Reply ``CallType`` ``COACH``, flag ``COACHING``.
- ``BargeInCall``: ``JobId`` and ``BargedUserId``; agent and customer both hear the supervisor
  (``CallType`` enumeration ``BARGE`` 强插, same pages).
- Leaving: ``ReleaseCall`` (document_detail/439620) with the supervisor's ``UserId`` and the
  ``JobId``; ``ChannelId`` left out means "the channel this UserId is on", so only the
  supervisor's leg ends and agent and customer talk on.
- ``ListRealtimeAgentStates`` (document_detail/439676) shows the watched agent with
  ``StateCode`` ``Monitored`` and ``CounterParty`` the other party (the page's example row).

A supervisor must be a user of the instance with its device registered; the leg ends by itself
when the agent's leg ends (the model's ``end_supervision``).
"""

from __future__ import annotations

from cscdesk.callcenter.sim import agent_ops
from cscdesk.callcenter.sim.model import CallCenterModel, SimError
from cscdesk.callcenter.sim.records import AgentRuntime, CallRuntime, UserState

MODES = ("MONITOR", "COACH", "BARGE")
# ChannelFlags of page 439618: COACHING, MONITORING, MONITORED, COACHED (a barged-in leg is a
# plain talking leg: no flag is documented for it)
SUPERVISOR_FLAG = {"MONITOR": "MONITORING", "COACH": "COACHING", "BARGE": ""}
WATCHED_FLAG = {"MONITOR": "MONITORED", "COACH": "COACHED", "BARGE": ""}
# ListRealtimeAgentStates StateCode of the watched agent: "Monitored" is the page's example;
# "Coached" and "Barged" follow it by analogy (UNVERIFIED: not in the docs we could find)
WATCHED_STATE_CODE = {"MONITOR": "Monitored", "COACH": "Coached", "BARGE": "Barged"}


def _device_ready(rt: AgentRuntime) -> None:
    if rt.state is UserState.OFFLINE:
        raise SimError(
            "InvalidOperation.UserState",
            f"User {rt.agent.id} is OFFLINE; sign in with a device to supervise calls.",
            400,
        )
    agent_ops.require_device(rt)


def supervise(
    model: CallCenterModel, lead_id: str, watched_id: str, mode: str, job_id: str | None = None
) -> CallRuntime:
    """Join ``watched_id``'s connected call as ``mode``; a lead already on that call changes
    mode (monitor, then coach or barge in), a lead on another call is refused."""
    lead = model.agent(lead_id)
    watched = model.agent(watched_id)
    _device_ready(lead)
    call = watched.call
    if call is None or watched.state is not UserState.TALKING or call.answered_at is None:
        raise SimError("InvalidOperation.UserState", f"User {watched_id} is not in a call.", 400)
    if job_id and job_id != call.contact_id:
        raise SimError("NotExists.JobId", f"User {watched_id} has no call {job_id}.", 404)
    if lead.call is not None and lead.call is not call:
        raise SimError(
            "InvalidOperation.UserState", f"User {lead_id} is already in another call.", 400
        )
    if lead_id == watched_id:
        raise SimError("Parameter.Invalid", "A user cannot supervise their own call.")
    if lead.call is None:
        lead.state_before_supervision = lead.state
        lead.call = call
        model._set_state(lead, UserState.TALKING)
    lead.supervising, lead.supervision_mode = watched_id, mode
    call.supervisors[lead_id] = mode
    call.events.append((model.now, lead_id, mode.title()))
    return call


def release(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    """``ReleaseCall``: a supervisor's ends their own leg only (page 439620), an agent's the call."""
    rt = model.agent(user_id)
    return leave(model, rt, job_id) if rt.supervising else agent_ops.release(model, user_id, job_id)


def leave(model: CallCenterModel, lead: AgentRuntime, job_id: str | None) -> AgentRuntime:
    """``ReleaseCall`` by a supervisor: their own leg ends, the call goes on."""
    call = lead.call
    if call is None or (job_id and job_id != call.contact_id):
        raise SimError("NotExists.JobId", f"User {lead.agent.id} has no call {job_id or ''}.", 404)
    model.end_supervision(call, only=lead.agent.id)
    return lead


def watched_by(call: CallRuntime | None) -> tuple[str, str] | None:
    """(supervisor, mode) of the lead on this call, if any (the first when several)."""
    if call is None or not call.supervisors:
        return None
    lead_id = next(iter(call.supervisors))
    return lead_id, call.supervisors[lead_id]
