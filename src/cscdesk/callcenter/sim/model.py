"""The discrete-event call-center model behind the simulator.

Time advances by events (arrival, answer, hang-up, wrap-up end, patience running out...), never by
sleeping, so a test can run a week of traffic in seconds and get the same result for the same seed.
Simulated agents staff everyone except the users a human desk signs in as; those move only when
the API asks (``SimError`` tells the API layer what went wrong in vendor terms).
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cscdesk.callcenter.sim.arrivals import ArrivalProcess, TrafficProfile
from cscdesk.callcenter.sim.clock import SimClock
from cscdesk.callcenter.sim.ids import ContactIds
from cscdesk.callcenter.sim.records import AgentRuntime, CallRuntime, UserState
from cscdesk.domain.models import Agent, AgentKind, CallDirection, CallOutcome, Routing, SkillGroup

if TYPE_CHECKING:
    from cscdesk.callcenter.sim.events import EventPusher

CENTER_TZ = ZoneInfo("Asia/Shanghai")
HOTLINE = "4008001234"


# Agent state → the agent event named on the UpdateSubscription page (AgentReady, AgentBreak) or
# in the reference notes (AgentCheckIn is sent by sign-in, see agent_ops).
_AGENT_EVENTS = {UserState.READY: "AgentReady", UserState.BREAK: "AgentBreak"}


class SimError(Exception):
    """A request the vendor would refuse: carries its error code and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Behaviour knobs; the defaults give a plausible center, tests switch parts off."""

    mean_talk_seconds: float = 240.0
    hold_probability: float = 0.15
    mean_hold_seconds: float = 40.0
    mean_wrap_up_seconds: float = 30.0
    mean_patience_seconds: float | None = 120.0  # None: callers never abandon
    ring_seconds: float = 3.0  # how long a simulated agent lets it ring
    ring_timeout_seconds: float = 20.0  # unanswered offers go back to the queue
    transfer_probability: float = 0.06
    attended_share: float = 0.4  # of transfers, how many are attended
    serial_overflow_seconds: float = 30.0
    unknown_caller_share: float = 0.3
    recorded_share: float = 1.0
    outbound_per_hour: float = 6.0  # callbacks made by simulated agents
    break_probability: float = 0.03
    mean_break_seconds: float = 600.0
    human_acw_limit_seconds: float = 180.0
    survey_share: float = 0.5
    # Lost calls beyond queue abandons (0: none, so seeded runs stay as they were): callers who
    # hang up in the IVR before choosing a queue, and impatient callers the flow sends to
    # voicemail instead of letting them hang up (ContactDisposition AbandonedInIVR / Voicemail).
    ivr_abandon_share: float = 0.0
    voicemail_share: float = 0.0

    @classmethod
    def erlang_c(cls) -> ModelConfig:
        """M/M/N with FIFO and no abandons, transfers, holds, ring time or wrap-up."""
        return cls(
            hold_probability=0.0,
            mean_wrap_up_seconds=0.0,
            mean_patience_seconds=None,
            ring_seconds=0.0,
            transfer_probability=0.0,
            serial_overflow_seconds=0.0,
            outbound_per_hour=0.0,
            break_probability=0.0,
            survey_share=0.0,
        )


class CallCenterModel:
    def __init__(
        self,
        *,
        clock: SimClock,
        skill_groups: Sequence[SkillGroup],
        agents: Sequence[Agent],
        caller_numbers: Sequence[str] = (),
        human_agents: Iterable[str] = (),
        traffic: TrafficProfile | None = None,
        config: ModelConfig | None = None,
        seed: int = 7,
        instance_id: str = "ccc-demo",
        supervisors: Sequence[Agent] = (),
    ) -> None:
        self.clock = clock
        self.instance_id = instance_id
        self.config = config or ModelConfig()
        self.groups = {g.id: g for g in skill_groups}
        self.caller_numbers = list(caller_numbers)
        self.rng = random.Random(seed)
        self.arrivals = ArrivalProcess(traffic or TrafficProfile(), random.Random(seed + 1))
        self.miss_rng = random.Random(seed + 2)  # IVR and voicemail losses; own stream
        self.lock = threading.RLock()
        humans = set(human_agents)
        self.agents: dict[str, AgentRuntime] = {
            a.id: AgentRuntime(agent=a, human=a.id in humans) for a in agents
        }
        # team leads: users with a device but no skill group, so never routed a call; they
        # appear in the directory and supervise calls (sim/supervision.py)
        self.supervisors: dict[str, AgentRuntime] = {
            a.id: AgentRuntime(agent=a, human=True) for a in supervisors if a.id not in self.agents
        }
        self.queues: dict[str, deque[CallRuntime]] = {g: deque() for g in self.groups}
        self.active: dict[str, CallRuntime] = {}
        self.records: list[CallRuntime] = []  # finished calls in release order
        self.by_contact: dict[str, CallRuntime] = {}
        self.state_log: list[tuple[float, str, UserState, str]] = []  # (t, agent, state, code)
        self._events: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self._contact_ids = ContactIds()  # unique across restarts (sim/ids.py)
        # set by the server to an EventPusher.publish; called under ``lock`` (see sim/events.py)
        self.on_event: Callable[[dict[str, Any]], None] | None = None
        self.pusher: EventPusher | None = None  # what UpdateSubscription configures
        for rt in self.agents.values():
            if not rt.human:
                rt.signed_groups = tuple(g for g in rt.agent.skill_groups if g in self.groups)
                self._set_state(rt, UserState.READY)
        for group_id in self.groups:
            self._schedule_arrival(group_id, 0.0)
        if self.config.outbound_per_hour > 0:
            self._schedule(
                self.rng.expovariate(self.config.outbound_per_hour / 3600), self._outbound
            )

    # ----------------------------------------------------------------- time
    def local(self, seconds: float) -> datetime:
        return self.clock.at(seconds).astimezone(CENTER_TZ)

    @property
    def now(self) -> float:
        return self.clock.seconds

    def run_until(self, target: float) -> None:
        """Process every event up to ``target`` simulated seconds, then set the clock there."""
        with self.lock:
            while self._events and self._events[0][0] <= target:
                t, _, fn, args = heapq.heappop(self._events)
                self.clock.seconds = max(self.clock.seconds, t)
                fn(*args)
            self.clock.seconds = max(self.clock.seconds, target)

    def advance(self, seconds: float) -> None:
        self.run_until(self.clock.seconds + seconds)

    def catch_up(self) -> None:
        """Served mode: bring the model to where wall time × speed says it should be."""
        self.run_until(self.clock.wall_target())

    def emit(self, event_type: str, **fields: Any) -> None:
        """Hand one event to the subscriber, if any (body shape: see sim/events.py)."""
        pusher = self.pusher
        if self.on_event is not None and (pusher is None or pusher.subscription is not None):
            body = {
                "EventType": event_type,
                "InstanceId": self.instance_id,
                "EventTime": self.clock.epoch_ms(self.now),
                **fields,
            }
            self.on_event(body)

    def _schedule(self, delay: float, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._events, (self.now + max(0.0, delay), next(self._seq), fn, args))

    # ------------------------------------------------------------- arrivals
    def _schedule_arrival(self, group_id: str, after: float) -> None:
        t = self.arrivals.next_arrival(group_id, after, self.local)
        if t is not None:
            heapq.heappush(self._events, (t, next(self._seq), self._arrive, (group_id,)))

    def _caller(self) -> str:
        if self.caller_numbers and self.rng.random() >= self.config.unknown_caller_share:
            return self.rng.choice(self.caller_numbers)
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def new_call(self, direction: CallDirection, caller: str, callee: str) -> CallRuntime:
        contact_id = self._contact_ids.next()
        call = CallRuntime(contact_id, direction, caller, callee, started_at=self.now)
        self.active[contact_id] = call
        self.by_contact[contact_id] = call
        return call

    def _arrive(self, group_id: str) -> None:
        self._schedule_arrival(group_id, self.now)
        call = self.new_call(CallDirection.INBOUND, self._caller(), HOTLINE)
        call.recorded = self.rng.random() < self.config.recorded_share
        ivr_share = self.config.ivr_abandon_share
        if ivr_share and self.miss_rng.random() < ivr_share:
            self._schedule(self.miss_rng.uniform(5.0, 40.0), self._hang_up_in_ivr, call)
            return
        self._enqueue(call, group_id)
        patience = self.config.mean_patience_seconds
        if patience:
            self._schedule(self.rng.expovariate(1.0 / patience), self._abandon, call, call.token)

    def _enqueue(self, call: CallRuntime, group_id: str, *, front: bool = False) -> None:
        group = self.groups[group_id]
        if call.skill_group is None:
            call.skill_group = group_id
        if not call.groups or call.groups[-1] != group_id:
            call.groups.append(group_id)
        if call.queued_at is None:
            call.queued_at = self.now
        call.current_agent = None
        call.events.append((self.now, group_id, "Enqueue"))
        if group.routing is Routing.SERIAL and call.serial_open_at is None:
            call.serial_open_at = self.now + self.config.serial_overflow_seconds
            if self.config.serial_overflow_seconds > 0:
                self._schedule(self.config.serial_overflow_seconds, self._dispatch_group, group_id)
        queue = self.queues[group_id]
        if front:
            queue.appendleft(call)
        else:
            queue.append(call)
        self._dispatch_group(group_id)

    # -------------------------------------------------------------- routing
    def _eligible(self, rt: AgentRuntime, call: CallRuntime, group_id: str) -> bool:
        if rt.state is not UserState.READY or group_id not in rt.signed_groups:
            return False
        if call.preferred_agent and call.preferred_agent != rt.agent.id:
            return False
        if self.groups[group_id].routing is Routing.SERIAL and rt.agent.kind is AgentKind.SECONDED:
            return call.serial_open_at is not None and self.now >= call.serial_open_at
        return True

    def _dispatch_group(self, group_id: str) -> None:
        queue = self.queues[group_id]
        progressed = True
        while queue and progressed:
            progressed = False
            # Only ready agents of this group can take any call: with a long queue and a busy
            # team, checking every agent against every queued call made each arrival O(queue ×
            # agents) and a 500-agent center fell minutes behind at 60× (bench_simulator).
            ready = [
                rt
                for rt in self.agents.values()
                if rt.state is UserState.READY and group_id in rt.signed_groups
            ]
            if not ready:
                return
            for call in list(queue):
                candidates = [rt for rt in ready if self._eligible(rt, call, group_id)]
                if not candidates:
                    continue
                agent = min(candidates, key=lambda rt: (rt.idle_since, rt.agent.id))
                queue.remove(call)
                self._offer(call, agent)
                progressed = True
                break

    def _dispatch_agent(self, rt: AgentRuntime) -> None:
        """A freed agent takes the longest-waiting call it may serve (across its groups)."""
        best: tuple[float, str, CallRuntime] | None = None
        for group_id in rt.signed_groups:
            for call in self.queues.get(group_id, ()):
                if self._eligible(rt, call, group_id):
                    key = (call.queued_at or 0.0, group_id, call)
                    if best is None or key[:2] < best[:2]:
                        best = key
                    break
        if best is not None:
            self.queues[best[1]].remove(best[2])
            self._offer(best[2], rt)

    def _offer(self, call: CallRuntime, rt: AgentRuntime) -> None:
        call.token += 1
        call.current_agent = rt.agent.id
        call.offered_at = self.now
        rt.call = call
        rt.reserved_at = self.now
        rt.offer_token += 1
        self._set_state(rt, UserState.CALLING)
        call.events.append((self.now, rt.agent.id, "Ringing"))
        if rt.human:
            self._schedule(
                self.config.ring_timeout_seconds, self._ring_timeout, rt, call, rt.offer_token
            )
        else:
            self._schedule(self.config.ring_seconds, self._sim_answer, rt, call, call.token)

    def _ring_timeout(self, rt: AgentRuntime, call: CallRuntime, token: int) -> None:
        if rt.offer_token != token or rt.call is not call or rt.state is not UserState.CALLING:
            return
        call.ring_seconds += self.now - (call.offered_at or self.now)
        call.events.append((self.now, rt.agent.id, "RingTimeout"))
        rt.call = None
        self._set_state(rt, UserState.BREAK, "RingingTimeout")  # CCC's system break code
        self._enqueue(call, call.groups[-1], front=True)

    # ------------------------------------------------------- call lifecycle
    def _abandon(self, call: CallRuntime, token: int) -> None:
        if call.answered_at is not None or call.ended_at is not None:
            return
        for queue in self.queues.values():
            if call in queue:
                queue.remove(call)
        if call.current_agent:
            rt = self.agents[call.current_agent]
            if rt.call is call:
                rt.call = None
                call.ring_seconds += self.now - (call.offered_at or self.now)
                self._become_ready(rt)
        voicemail_share = self.config.voicemail_share
        queued = call.current_agent is None  # not ringing at an agent: still in the queue
        if voicemail_share and queued and self.miss_rng.random() < voicemail_share:
            call.voicemail = True
            self._finish(call, CallOutcome.TIMEOUT, "customer")
            return
        self._finish(call, CallOutcome.ABANDONED, "customer")

    def _hang_up_in_ivr(self, call: CallRuntime) -> None:
        """The caller left in the IVR menu, before any queue: a lost call with no skill group."""
        call.events.append((self.now, "ivr", "Route2IVR"))
        self._finish(call, CallOutcome.IVR_ONLY, "customer")

    def _sim_answer(self, rt: AgentRuntime, call: CallRuntime, token: int) -> None:
        if call.token != token or rt.call is not call:
            return
        self.answer(rt, call)
        talk = self.rng.expovariate(1.0 / self.config.mean_talk_seconds)
        if self.rng.random() < self.config.hold_probability:
            hold = self.rng.expovariate(1.0 / self.config.mean_hold_seconds)
            self._schedule(talk / 2, self._sim_hold, call, hold)
            talk += hold
        self._schedule(talk, self._sim_talk_end, rt, call, call.token)

    def _sim_hold(self, call: CallRuntime, hold: float) -> None:
        if call.ended_at is None:
            call.hold_seconds += hold
            call.events.append((self.now, call.current_agent or "", "Hold"))

    def answer(self, rt: AgentRuntime, call: CallRuntime) -> None:
        call.token += 1
        call.ring_seconds += self.now - (call.offered_at or self.now)
        if call.answered_at is None:
            call.answered_at = self.now
        call.talk_started = self.now
        if rt.agent.id not in call.agent_ids:
            call.agent_ids.append(rt.agent.id)
        call.events.append((self.now, rt.agent.id, "Answer"))
        self._set_state(rt, UserState.TALKING)
        self.emit("Established", JobId=call.contact_id, UserId=rt.agent.id)

    def _sim_talk_end(self, rt: AgentRuntime, call: CallRuntime, token: int) -> None:
        if call.token != token or rt.call is not call:
            return
        group = self.groups.get(call.groups[-1]) if call.groups else None
        targets = self._transfer_targets(rt, group)
        if (
            targets
            and call.transfer_count == 0
            and self.rng.random() < self.config.transfer_probability
        ):
            target = self.rng.choice(targets)
            attended = self.rng.random() < self.config.attended_share
            self._end_leg(rt, call)
            if attended:
                call.transfers_attended += 1
            else:
                call.transfers_blind += 1
            call.events.append((self.now, rt.agent.id, "Transfer"))
            call.serial_open_at = None
            self._enqueue(call, target)
            self._start_wrap_up(rt, call)
            return
        self._end_leg(rt, call)
        self._finish(call, CallOutcome.ANSWERED, self.rng.choice(("customer", "agent")))
        self._start_wrap_up(rt, call)

    def _transfer_targets(self, rt: AgentRuntime, group: SkillGroup | None) -> list[str]:
        """Serial groups escalate from broker agents to an insurer's team (转保险公司专席)."""
        if group is None or group.routing is not Routing.SERIAL:
            return []
        if rt.agent.kind is not AgentKind.BROKER:
            return []
        return sorted(g.id for g in self.groups.values() if g.insurer_id)

    def _end_leg(self, rt: AgentRuntime, call: CallRuntime) -> None:
        self.end_supervision(call)
        if call.hold_started is not None:
            call.hold_seconds += self.now - call.hold_started
            call.hold_started = None
        if call.talk_started is not None:
            call.talk_seconds += self.now - call.talk_started
            call.talk_started = None
        call.token += 1

    def _start_wrap_up(self, rt: AgentRuntime, call: CallRuntime) -> None:
        mean = self.config.mean_wrap_up_seconds
        acw = self.rng.expovariate(1.0 / mean) if mean > 0 else 0.0
        if rt.human:
            self._set_state(rt, UserState.WORKING)
            self._schedule(
                self.config.human_acw_limit_seconds, self._human_acw_end, rt, rt.offer_token
            )
            return
        if acw <= 0:
            call.acw_seconds += 0.0
            rt.call = None
            self._after_call(rt)
            return
        self._set_state(rt, UserState.WORKING)
        self._schedule(acw, self._sim_acw_end, rt, call, acw)

    def _sim_acw_end(self, rt: AgentRuntime, call: CallRuntime, acw: float) -> None:
        call.acw_seconds += acw
        rt.call = None
        self._after_call(rt)

    def _human_acw_end(self, rt: AgentRuntime, token: int) -> None:
        if rt.state is UserState.WORKING and rt.offer_token == token:
            self.finish_wrap_up(rt)
            self._become_ready(rt)

    def finish_wrap_up(self, rt: AgentRuntime) -> None:
        if rt.state is UserState.WORKING and rt.call is not None:
            rt.call.acw_seconds += self.now - rt.state_since
        rt.call = None

    def _after_call(self, rt: AgentRuntime) -> None:
        if self.rng.random() < self.config.break_probability:
            code = self.rng.choice(("rest", "meal", "backoffice"))
            self._set_state(rt, UserState.BREAK, code)
            duration = self.rng.expovariate(1.0 / self.config.mean_break_seconds)
            self._schedule(duration, self._become_ready, rt)
            return
        self._become_ready(rt)

    def _become_ready(self, rt: AgentRuntime) -> None:
        if rt.call is not None or (rt.state is UserState.OFFLINE and rt.human):
            return
        self._set_state(rt, UserState.READY)
        rt.idle_since = self.now
        self._dispatch_agent(rt)

    def end_supervision(self, call: CallRuntime, only: str | None = None) -> None:
        """The supervisors' legs end with the agent's leg (or one supervisor leaves: ``only``)."""
        for lead_id in [only] if only else list(call.supervisors):
            call.supervisors.pop(lead_id, None)
            rt = self.supervisors.get(lead_id) or self.agents.get(lead_id)
            if rt is None or rt.call is not call:
                continue
            rt.call = None
            rt.supervising = rt.supervision_mode = ""
            self._set_state(rt, rt.state_before_supervision or UserState.BREAK)
            rt.state_before_supervision = None
            call.events.append((self.now, lead_id, "StopMonitor"))

    def _finish(self, call: CallRuntime, outcome: CallOutcome, initiator: str) -> None:
        self.end_supervision(call)
        call.ended_at = self.now
        call.outcome = outcome
        call.release_initiator = initiator
        call.token += 1
        call.events.append((self.now, initiator, "Release"))
        if outcome is CallOutcome.ANSWERED and self.rng.random() < self.config.survey_share:
            call.satisfaction = self.rng.choices((1, 2, 3, 4, 5), (1, 1, 3, 8, 12))[0]
        if outcome is not CallOutcome.ANSWERED:
            call.recorded = False
        self.active.pop(call.contact_id, None)
        self.records.append(call)
        released = "Released" if outcome is CallOutcome.ANSWERED else "Abandoned"
        self.emit(released, JobId=call.contact_id)
        self.emit("CDRReady", JobId=call.contact_id)
        if call.recorded:
            self.emit("RecordingReady", JobId=call.contact_id)

    def _set_state(self, rt: AgentRuntime, state: UserState, code: str = "") -> None:
        rt.state = state
        rt.state_since = self.now
        rt.break_code = code if state is UserState.BREAK else ""
        self.state_log.append((self.now, rt.agent.id, state, code))
        agent_event = _AGENT_EVENTS.get(state)
        if agent_event is not None:
            self.emit(agent_event, UserId=rt.agent.id)

    # -------------------------------------------------------------- outbound
    def _outbound(self) -> None:
        rate = self.config.outbound_per_hour / 3600
        self._schedule(self.rng.expovariate(rate), self._outbound)
        if self.local(self.now).hour not in range(9, 18):
            return
        ready = [rt for rt in self.agents.values() if not rt.human and rt.state is UserState.READY]
        if not ready:
            return
        rt = self.rng.choice(ready)
        call = self.new_call(CallDirection.OUTBOUND, HOTLINE, self._caller())
        call.recorded = self.rng.random() < self.config.recorded_share
        if rt.agent.skill_groups:
            call.skill_group = rt.agent.skill_groups[0]
            call.groups.append(call.skill_group)
        call.current_agent = rt.agent.id
        call.agent_ids.append(rt.agent.id)
        rt.call = call
        call.offered_at = self.now
        self._set_state(rt, UserState.CALLING)
        if self.rng.random() < 0.7:
            self._schedule(self.rng.uniform(5, 20), self._outbound_answered, rt, call, call.token)
        else:
            self._schedule(30.0, self._outbound_no_answer, rt, call, call.token)

    def _outbound_answered(self, rt: AgentRuntime, call: CallRuntime, token: int) -> None:
        if call.token != token:
            return
        self.answer(rt, call)
        talk = self.rng.expovariate(1.0 / self.config.mean_talk_seconds)
        self._schedule(talk, self._outbound_end, rt, call, call.token)

    def _outbound_end(self, rt: AgentRuntime, call: CallRuntime, token: int) -> None:
        if call.token != token:
            return
        self._end_leg(rt, call)
        self._finish(call, CallOutcome.ANSWERED, "agent")
        self._start_wrap_up(rt, call)

    def _outbound_no_answer(self, rt: AgentRuntime, call: CallRuntime, token: int) -> None:
        if call.token != token:
            return
        call.ring_seconds += self.now - (call.offered_at or self.now)
        self._finish(call, CallOutcome.TIMEOUT, "system")
        rt.call = None
        self._become_ready(rt) if not rt.human else self._set_state(rt, UserState.WORKING)

    # ------------------------------------------------- helpers for the API
    def agent(self, user_id: str) -> AgentRuntime:
        rt = self.agents.get(user_id) or self.supervisors.get(user_id)
        if rt is None:
            raise SimError("NotExists.UserId", f"The user {user_id} does not exist.", 404)
        return rt

    def call(self, contact_id: str) -> CallRuntime:
        call = self.by_contact.get(contact_id)
        if call is None:
            raise SimError("NotExists.ContactId", f"The contact {contact_id} does not exist.", 404)
        return call

    def seconds_since_midnight(self) -> float:
        local = self.local(self.now)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return self.clock.seconds_of(midnight)
