"""What a human desk (or a team lead) can do to the model through the API.

Each function checks the agent's state the way the vendor does and raises ``SimError`` with a
vendor-style code when the request does not fit; otherwise it changes the model and returns the
agent whose context the response shows.
"""

from __future__ import annotations

from cscdesk.callcenter.sim.model import CallCenterModel, SimError
from cscdesk.callcenter.sim.records import AgentRuntime, CallRuntime, UserState
from cscdesk.domain.models import CallDirection, CallOutcome

IN_CALL = (UserState.CALLING, UserState.TALKING)


def _require_state(rt: AgentRuntime, *states: UserState) -> None:
    if rt.state not in states:
        allowed = "/".join(s.value for s in states)
        raise SimError(
            "InvalidOperation.UserState",
            f"User {rt.agent.id} is {rt.state.value}; this operation needs {allowed}.",
            400,
        )


def require_device(rt: AgentRuntime) -> None:
    """Audio needs a registered voice device. UNVERIFIED code: no API page lists the error; the
    wording is the one Alibaba's console shows for SignInGroup with an offline device ("操作不允许。
    设备状态(OFFLINE)与期望状态(ONLINE)不符", developer.aliyun.com/ask/535566), in the form of the
    documented InvalidOperation.UserState message."""
    if not rt.device_online:
        raise SimError(
            "InvalidOperation.DeviceState",
            "The operation is not allowed. Device state (OFFLINE) does not meet "
            "expectations (ONLINE).",
            400,
        )


def set_device(
    model: CallCenterModel,
    user_id: str,
    *,
    online: bool,
    device_id: str | None = None,
    work_mode: str | None = None,
) -> AgentRuntime:
    """The agent's phone or softphone registers (``online``) or drops its registration; not an
    API operation: the simulator's stand-in for the SIP registrar."""
    rt = model.agent(user_id)
    rt.device_online = online
    if device_id is not None:
        rt.device_id = device_id
    if work_mode is not None:
        rt.work_mode = work_mode
    return rt


def _job(rt: AgentRuntime, job_id: str | None) -> CallRuntime:
    call = rt.call
    if call is None or (job_id and call.contact_id != job_id):
        raise SimError("NotExists.JobId", f"User {rt.agent.id} has no call {job_id or ''}.", 404)
    return call


def sign_in(
    model: CallCenterModel, user_id: str, groups: list[str], device_id: str
) -> AgentRuntime:
    rt = model.agent(user_id)
    unknown = [g for g in groups if g not in model.groups]
    if unknown:
        raise SimError("Parameter.Invalid", f"SignedSkillGroupIdList: unknown {unknown[0]}")
    require_device(rt)
    # whoever signs in through the API is a person at a desk: the model stops playing them
    # (their simulated call, if any, still ends as scheduled)
    rt.human = True
    chosen = groups or [g for g in rt.agent.skill_groups if g in model.groups]
    rt.signed_groups = tuple(chosen)
    rt.device_id = device_id
    if rt.state is UserState.OFFLINE:
        model._set_state(rt, UserState.BREAK, "")
    model.emit("AgentCheckIn", UserId=user_id)
    return rt


def sign_out(model: CallCenterModel, user_id: str) -> AgentRuntime:
    rt = model.agent(user_id)
    _require_state(rt, UserState.READY, UserState.BREAK, UserState.WORKING, UserState.OFFLINE)
    model.finish_wrap_up(rt)
    rt.signed_groups = ()
    model._set_state(rt, UserState.OFFLINE)
    return rt


def ready(model: CallCenterModel, user_id: str) -> AgentRuntime:
    rt = model.agent(user_id)
    if rt.state is UserState.OFFLINE:
        raise SimError("InvalidOperation.UserState", f"User {user_id} must SignInGroup first.", 400)
    _require_state(rt, UserState.READY, UserState.BREAK, UserState.WORKING)
    model.finish_wrap_up(rt)
    model._become_ready(rt)
    return rt


def take_break(model: CallCenterModel, user_id: str, code: str) -> AgentRuntime:
    rt = model.agent(user_id)
    _require_state(rt, UserState.READY, UserState.BREAK, UserState.WORKING)
    model.finish_wrap_up(rt)
    model._set_state(rt, UserState.BREAK, code)
    return rt


def answer(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.CALLING)
    require_device(rt)
    if call.direction is CallDirection.OUTBOUND:
        raise SimError(
            "InvalidOperation.UserState", "An outbound call is answered by the callee.", 400
        )
    model.answer(rt, call)
    patience = max(30.0, model.rng.expovariate(1.0 / model.config.mean_talk_seconds) * 2)
    model._schedule(patience, _caller_hangs_up, model, rt, call, call.token)
    return rt


def _caller_hangs_up(
    model: CallCenterModel, rt: AgentRuntime, call: CallRuntime, token: int
) -> None:
    if call.token != token or rt.call is not call or call.ended_at is not None:
        return
    model._end_leg(rt, call)
    model._finish(call, CallOutcome.ANSWERED, "customer")
    model._start_wrap_up(rt, call)


def release(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, *IN_CALL)
    if rt.state is UserState.CALLING and call.answered_at is None:
        if call.direction is CallDirection.OUTBOUND:
            call.ring_seconds += model.now - (call.offered_at or model.now)
            model._finish(call, CallOutcome.TIMEOUT, "agent")
            rt.call = None
            model._set_state(rt, UserState.WORKING)
            return rt
        raise SimError("InvalidOperation.UserState", "Answer the call before releasing it.", 400)
    _drop_consult(model, call)
    model._end_leg(rt, call)
    model._finish(call, CallOutcome.ANSWERED, "agent")
    model._start_wrap_up(rt, call)
    return rt


def hold(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.TALKING)
    if call.hold_started is None:
        call.hold_started = model.now
        call.events.append((model.now, user_id, "Hold"))
    return rt


def retrieve(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.TALKING)
    if call.hold_started is not None:
        call.hold_seconds += model.now - call.hold_started
        call.hold_started = None
        call.events.append((model.now, user_id, "Retrieve"))
    return rt


def _target_group(model: CallCenterModel, transferee: str, kind: str) -> tuple[str, str | None]:
    """(skill group, preferred agent) for a transfer target given as a group or a user."""
    if kind.lower() == "agent" or transferee in model.agents:
        target = model.agent(transferee)
        if target.state is not UserState.READY or not target.signed_groups:
            raise SimError(
                "InvalidOperation.UserState", f"Transferee {transferee} is not ready.", 400
            )
        return target.signed_groups[0], transferee
    if transferee not in model.groups:
        raise SimError(
            "NotExists.SkillGroupId", f"The skill group {transferee} does not exist.", 404
        )
    return transferee, None


def blind_transfer(
    model: CallCenterModel, user_id: str, job_id: str | None, transferee: str, kind: str
) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.TALKING)
    group_id, preferred = _target_group(model, transferee, kind)
    model._end_leg(rt, call)
    call.transfers_blind += 1
    call.preferred_agent = preferred
    call.serial_open_at = None
    call.events.append((model.now, user_id, "BlindTransfer"))
    model._start_wrap_up(rt, call)
    model._enqueue(call, group_id)
    return rt


def initiate_attended(
    model: CallCenterModel, user_id: str, job_id: str | None, transferee: str, kind: str
) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    _require_state(rt, UserState.TALKING)
    if call.consult_agent:
        raise SimError("InvalidOperation.UserState", "A consultation is already in progress.", 400)
    group_id, preferred = _target_group(model, transferee, kind)
    candidates = [
        a
        for a in model.agents.values()
        if a.state is UserState.READY
        and group_id in a.signed_groups
        and a.agent.id != user_id
        and (preferred is None or a.agent.id == preferred)
    ]
    if not candidates:
        raise SimError("NotAvailable.Agent", f"No agent of {group_id} is free to consult.", 400)
    target = min(candidates, key=lambda a: (a.idle_since, a.agent.id))
    if call.hold_started is None:
        call.hold_started = model.now
    call.consult_agent = target.agent.id
    target.consult = call
    model._set_state(target, UserState.TALKING)
    if group_id not in call.groups:
        call.groups.append(group_id)
    call.events.append((model.now, user_id, "InitiateAttendedTransfer"))
    return rt


def _drop_consult(model: CallCenterModel, call: CallRuntime) -> None:
    if call.consult_agent:
        target = model.agents[call.consult_agent]
        target.consult = None
        call.consult_agent = None
        call.conference = False
        model._become_ready(target)


def complete_attended(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    if not call.consult_agent:
        raise SimError("InvalidOperation.UserState", "No consultation to complete.", 400)
    target = model.agents[call.consult_agent]
    target.consult = None
    call.consult_agent = None
    model._end_leg(rt, call)
    call.transfers_attended += 1
    model._start_wrap_up(rt, call)
    target.call = call
    call.current_agent = target.agent.id
    call.offered_at = model.now
    model.answer(target, call)
    if not target.human:
        talk = model.rng.expovariate(1.0 / model.config.mean_talk_seconds)
        model._schedule(talk, model._sim_talk_end, target, call, call.token)
    return rt


def cancel_attended(model: CallCenterModel, user_id: str, job_id: str | None) -> AgentRuntime:
    rt = model.agent(user_id)
    call = _job(rt, job_id)
    if not call.consult_agent:
        raise SimError("InvalidOperation.UserState", "No consultation to cancel.", 400)
    _drop_consult(model, call)
    retrieve(model, user_id, job_id)
    return rt


def make_call(model: CallCenterModel, user_id: str, caller: str, callee: str) -> AgentRuntime:
    rt = model.agent(user_id)
    _require_state(rt, UserState.READY, UserState.BREAK, UserState.WORKING)
    require_device(rt)
    if not callee.isdigit():
        raise SimError("Parameter.Invalid", f"Callee {callee!r} is not a phone number.")
    model.finish_wrap_up(rt)
    call = model.new_call(CallDirection.OUTBOUND, caller or "4008001234", callee)
    call.recorded = True
    if rt.signed_groups:
        call.skill_group = rt.signed_groups[0]
        call.groups.append(call.skill_group)
    call.current_agent = user_id
    call.agent_ids.append(user_id)
    call.offered_at = model.now
    rt.call = call
    model._set_state(rt, UserState.CALLING)
    model._schedule(model.rng.uniform(3, 10), _callee_answers, model, rt, call, call.token)
    return rt


def _callee_answers(
    model: CallCenterModel, rt: AgentRuntime, call: CallRuntime, token: int
) -> None:
    if call.token != token or rt.call is not call:
        return
    model.answer(rt, call)
    talk = max(30.0, model.rng.expovariate(1.0 / model.config.mean_talk_seconds) * 2)
    model._schedule(talk, _caller_hangs_up, model, rt, call, call.token)


def reset(model: CallCenterModel, user_id: str) -> AgentRuntime:
    """Force an agent back to READY (team lead fixing a stuck state); a ringing offer re-queues."""
    rt = model.agent(user_id)
    call = rt.call
    if (
        call is not None
        and rt.state is UserState.CALLING
        and call.direction is CallDirection.INBOUND
    ):
        rt.call = None
        model._enqueue(call, call.groups[-1], front=True)
    elif call is not None and rt.state is UserState.TALKING:
        release(model, user_id, call.contact_id)
    model.finish_wrap_up(rt)
    if not rt.signed_groups:
        rt.signed_groups = tuple(g for g in rt.agent.skill_groups if g in model.groups)
    model._become_ready(rt)
    return rt
