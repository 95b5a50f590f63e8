"""Which call keys apply in the agent's current state: the footer shows only those (so at 80
columns the keys of the call in front of the agent are the ones that fit), and a key that does
not apply does nothing rather than asking the call system for something it must refuse."""

from __future__ import annotations

from cscdesk.callcenter.port import AgentSession, AgentStatus, CallState

# actions whose key depends on the state; every other key always applies
STATEFUL = frozenset({"answer", "release", "hold", "transfer", "mute", "keypad", "conference",
                      "wrap_up", "ready", "take_break", "sign_in"})  # fmt: skip
IN_CALL = (AgentStatus.RINGING, AgentStatus.TALKING, AgentStatus.HOLDING, AgentStatus.OUTBOUND)

BY_CALL_STATE: dict[CallState, frozenset[str]] = {
    CallState.OFFERED: frozenset({"answer"}),
    CallState.TALKING: frozenset({"release", "hold", "transfer", "mute", "keypad", "wrap_up"}),
    CallState.HOLDING: frozenset({"release", "hold", "transfer", "mute", "wrap_up"}),
    CallState.CONSULTING: frozenset({"release", "transfer", "conference", "mute"}),
    CallState.CONFERENCE: frozenset({"release", "transfer", "mute"}),
    CallState.DIALING: frozenset({"release"}),
}
BY_STATUS: dict[AgentStatus, frozenset[str]] = {
    AgentStatus.OFFLINE: frozenset({"sign_in"}),
    AgentStatus.READY: frozenset({"take_break", "sign_in"}),
    AgentStatus.BREAK: frozenset({"ready", "take_break", "sign_in"}),
    AgentStatus.WORKING: frozenset({"wrap_up", "ready", "take_break", "sign_in"}),
    AgentStatus.UNKNOWN: frozenset({"ready", "take_break", "sign_in", "release"}),
}


def applicable_actions(session: AgentSession | None, consulting: bool) -> frozenset[str]:
    """The stateful actions that apply now (``consulting``: an attended transfer is open)."""
    if session is None:
        return BY_STATUS[AgentStatus.OFFLINE]
    call = session.call
    if session.status in IN_CALL:
        if call is None:
            return frozenset()
        state = call.state
        if consulting and state is not CallState.CONFERENCE:
            state = CallState.CONSULTING
        return BY_CALL_STATE.get(state, frozenset({"release"}))
    return BY_STATUS.get(session.status, frozenset())
