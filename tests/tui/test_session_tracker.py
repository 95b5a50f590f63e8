"""The desk's session tracker without a terminal: previous state and one poll give the change.

Screen pop happens once per ringing job, however often the poll sees it ring; the wrap-up opens
when a call ends into WORKING, once per contact."""

from __future__ import annotations

from cscdesk.callcenter.port import AgentSession, AgentStatus, CallState, OfferedCall
from cscdesk.tui.desk.state import track_session


def _call(state: CallState, job: str = "j1") -> OfferedCall:
    return OfferedCall(job, "c1", "13800000000", "95500", "sg", state, None)


def _session(status: AgentStatus, call: OfferedCall | None = None) -> AgentSession:
    return AgentSession("a1", status, None, ("sg",), call)


def test_a_ringing_call_pops_once_and_the_banner_goes_when_it_is_answered() -> None:
    ringing = _session(AgentStatus.RINGING, _call(CallState.OFFERED))
    first = track_session(_session(AgentStatus.READY), ringing, last_call=None,
                          offered_job=None, wrapped_contact=None)  # fmt: skip
    assert first.newly_offered is not None and first.ringing
    again = track_session(ringing, ringing, last_call=first.last_call, offered_job="j1",
                          wrapped_contact=None)  # fmt: skip
    assert again.newly_offered is None and again.ringing
    talking = track_session(ringing, _session(AgentStatus.TALKING, _call(CallState.TALKING)),
                            last_call=again.last_call, offered_job="j1", wrapped_contact=None)  # fmt: skip
    assert not talking.ringing and not talking.start_wrap_up


def test_wrap_up_starts_when_a_call_ends_into_work_and_not_again_once_done() -> None:
    talking = _session(AgentStatus.TALKING, _call(CallState.TALKING))
    working = _session(AgentStatus.WORKING, _call(CallState.TALKING))
    ended = track_session(talking, working, last_call=_call(CallState.TALKING), offered_job="j1",
                          wrapped_contact=None)  # fmt: skip
    assert ended.start_wrap_up and ended.call is None and ended.last_call is not None
    done = track_session(working, working, last_call=ended.last_call, offered_job="j1",
                         wrapped_contact="c1")  # fmt: skip
    assert not done.start_wrap_up
    from_break = track_session(_session(AgentStatus.BREAK), working, last_call=ended.last_call,
                               offered_job="j1", wrapped_contact=None)  # fmt: skip
    assert not from_break.start_wrap_up
