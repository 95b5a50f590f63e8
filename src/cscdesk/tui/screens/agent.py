"""The agent screen (坐席工作台): status, queue and call, customer profile, policies, tickets.

Concurrency follows harlequin and dolphie: call-system requests run in async workers and store
requests in thread workers; workers only post messages, and the handlers below own all state and
touch the widgets. Each poll re-arms itself with ``set_timer`` after its answer was handled, so a
slow call system never stacks polls. Nothing a remote sends can crash the desk: every worker
turns failures into a message, and the handlers show them as notices or the offline banner.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual.worker import Worker

from cscdesk.callcenter.errors import CallCenterError, UnavailableError
from cscdesk.callcenter.port import (
    AgentSession,
    AgentStatus,
    CallState,
    OfferedCall,
    QueueState,
    SkillGroupInfo,
    UserInfo,
)
from cscdesk.domain.desk_tickets import (
    TicketChange,
    TicketDraftFields,
    change_steps,
    draft_from_wrap_up,
    ticket_from_draft,
    wrap_up_ticket_type,
)
from cscdesk.domain.models import (
    Agent,
    AgentKind,
    Member,
    Priority,
    Ticket,
    TicketType,
)
from cscdesk.domain.privacy import mask_mobile
from cscdesk.domain.sla import SlaPolicy
from cscdesk.tui import actions_recording
from cscdesk.tui.data import DeskData
from cscdesk.tui.i18n import _, current_language
from cscdesk.tui.keys import AGENT_BINDINGS, localize
from cscdesk.tui.messages import (
    CallActionDone,
    DirectoryLoaded,
    InsurerAnswered,
    LookupFinished,
    MembersFound,
    PollFailed,
    ProfileData,
    ProfileLoaded,
    QueuesPolled,
    RecordingReady,
    SessionPolled,
    StoreFailed,
    TicketSaved,
    TicketsLoaded,
)
from cscdesk.tui.polling import RearmingPoll
from cscdesk.tui.screens.dialogs import (
    ChooserDialog,
    SignInDialog,
    TransferDialog,
    TransferRequest,
    WrapUp,
    WrapUpDialog,
)
from cscdesk.tui.screens.help import HelpScreen
from cscdesk.tui.screens.search import SearchScreen
from cscdesk.tui.screens.ticket_editor import TicketEditor
from cscdesk.tui.services import DeskServices
from cscdesk.tui.widgets.policies_pane import PoliciesPane
from cscdesk.tui.widgets.profile_pane import ProfilePane, member_line
from cscdesk.tui.widgets.queue_pane import CallPanel, QueuePane, QueueTable
from cscdesk.tui.widgets.status_bar import StatusBar, StatusFacts
from cscdesk.tui.widgets.tickets_pane import TicketTable

WIDE_COLUMNS = 120
QUEUE_POLL_FACTOR = 3  # queues are polled every third session poll
RECORDING_URL_SECONDS = 600
IN_CALL = {AgentStatus.RINGING, AgentStatus.TALKING, AgentStatus.HOLDING, AgentStatus.OUTBOUND}


@dataclass
class DeskState:
    """Everything the screen shows; only message handlers change it."""

    session: AgentSession | None = None
    me: UserInfo | None = None
    groups: dict[str, SkillGroupInfo] = field(default_factory=dict)
    users: list[UserInfo] = field(default_factory=list)
    queues: list[QueueState] = field(default_factory=list)
    facts: StatusFacts = field(default_factory=StatusFacts)
    offered_job: str | None = None
    last_call: OfferedCall | None = None
    wrapped_contact: str | None = None
    member: Member | None = None
    profile: ProfileData | None = None
    lookup_id: int = 0
    results: list[Any] = field(default_factory=list)
    pending_insurers: list[str] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    current_ticket: str | None = None
    selected_policy: tuple[str, str] | None = None  # (insurer id, policy no.)
    selected_claim: tuple[str, str] | None = None  # (insurer id, claim no.)
    banner: str = ""
    banner_kind: str = ""
    consulting: bool = False  # an attended transfer is waiting to be completed or cancelled


P = ParamSpec("P")


def _if_composed(method: Callable[P, None]) -> Callable[P, None]:
    """Skip a repaint that lands while the layout is being swapped (narrow ↔ wide)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        with contextlib.suppress(NoMatches):
            method(*args, **kwargs)

    return wrapper


class AgentScreen(Screen[None]):
    BINDINGS = AGENT_BINDINGS
    DEFAULT_CSS = """
    AgentScreen #banner { height: auto; padding: 0 1; display: none; }
    AgentScreen #banner.-offline { display: block; background: $error; color: $text; text-style: bold; }
    AgentScreen #banner.-offered { display: block; background: $warning; color: black; text-style: bold; }
    AgentScreen #banner.-info { display: block; background: $primary-darken-2; }
    AgentScreen #main { height: 1fr; }
    AgentScreen #left { width: 40%; max-width: 60; min-width: 44; }
    AgentScreen #left QueuePane { height: 1fr; }
    AgentScreen QueueTable { height: 1fr; }
    AgentScreen TicketTable.-docked { height: 30%; min-height: 6; border-top: solid $primary; }
    AgentScreen #right { width: 1fr; }
    AgentScreen ProfilePane { height: 1fr; }
    AgentScreen #identity { height: auto; padding: 0 1; }
    AgentScreen #timeline { height: 1fr; }
    AgentScreen PoliciesPane { height: 1fr; border-top: solid $primary; }
    AgentScreen #insurer-status { height: auto; max-height: 5; padding: 0 1; }
    AgentScreen #policies { height: 1fr; }
    AgentScreen #claims { height: auto; max-height: 6; }
    AgentScreen #policy-detail { height: auto; max-height: 4; padding: 0 1; color: $text-muted; }
    AgentScreen TabbedContent { height: 1fr; }
    AgentScreen TabPane { padding: 0; }
    """

    wide: reactive[bool] = reactive(False, recompose=True)

    def __init__(self, services: DeskServices) -> None:
        super().__init__()
        localize(self)
        self.services = services
        self.data = DeskData(services.store, actor=lambda: services.user_id)
        self.state = DeskState()
        self.zone = ZoneInfo(services.settings.sla.timezone)
        self.sla = SlaPolicy(**services.settings.sla.model_dump())
        interval = services.settings.desk.poll_interval_seconds
        self.session_poll = RearmingPoll(self, "poll", self.poll_session, lambda: interval)
        self.queue_poll = RearmingPoll(
            self, "queues", self.poll_queues, lambda: interval * QUEUE_POLL_FACTOR
        )
        self.set_reactive(AgentScreen.wide, self.app.size.width >= WIDE_COLUMNS)
        self.directory = services.directory

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static("", id="banner")
        if self.wide:
            with Horizontal(id="main"):
                with Vertical(id="left"):
                    yield QueuePane()
                with Vertical(id="right"):
                    yield ProfilePane()
                    yield PoliciesPane()
            yield TicketTable(id="tickets", classes="-docked")
        else:
            with TabbedContent(id="tabs"):
                with TabPane("1 " + _("Call"), id="tab-call"):
                    yield QueuePane()
                with TabPane("2 " + _("Profile"), id="tab-profile"):
                    yield ProfilePane()
                with TabPane("3 " + _("Policies"), id="tab-policies"):
                    yield PoliciesPane()
                with TabPane("4 " + _("Tickets"), id="tab-tickets"):
                    yield TicketTable(id="tickets")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        """After the first paint: directory, polls, tickets (nothing blocks the first frame)."""
        self.set_interval(1.0, self._tick)
        self.load_directory()
        self.session_poll.poll_now()
        self.queue_poll.poll_now()
        self.load_tickets()
        self._repaint()

    def on_resize(self) -> None:
        wide = self.app.size.width >= WIDE_COLUMNS
        if wide != self.wide:
            self.wide = wide

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._repaint)

    @_if_composed
    def _repaint(self) -> None:
        """Redraw every pane from state (after a layout change or a language switch)."""
        if not self.query(StatusBar):
            return
        self._show_status()
        self._show_banner()
        self._show_call()
        self._show_queues()
        if self.state.profile is not None:
            self.query_one(ProfilePane).show(self.state.profile, self.zone, self._describe_call)
            self._show_policies(restart=True)
        self._show_tickets()

    # ------------------------------------------------------------- helpers
    @property
    def agent_id(self) -> str:
        return self.services.user_id

    @property
    def device(self) -> str:
        return self.services.device_id

    def call_now(self) -> datetime:
        clock = self.services.sim_clock
        return clock() if clock is not None else self.services.now()

    def group_name(self, group_id: str | None) -> str:
        if not group_id:
            return ""
        known = self.directory.group_name(group_id, english=_english())
        if known is not None:
            return known
        info = self.state.groups.get(group_id)
        return info.name if info else group_id

    def _describe_call(self, summary: str) -> str:
        """A timeline call's wrap-up code or skill group, in the desk's language."""
        if self.directory.is_wrap_up_code(summary):
            return self.directory.code_label("wrap", summary, english=_english())
        return self.group_name(summary) or summary

    def _codes(self, kind: str) -> list[tuple[str, str]]:
        return self.directory.codes(kind, english=_english())

    def notify_error(self, text: str) -> None:
        self.notify(text, severity="error", timeout=8)

    # ---------------------------------------------------------------- ticking
    @_if_composed
    def _tick(self) -> None:
        if not self.query(StatusBar):
            return  # between layouts (recompose)
        self._show_status()
        self._show_call()
        table = self.query(TicketTable)
        if table:
            table.first().tick(self.state.tickets, self.services.now())

    @_if_composed
    def _show_status(self) -> None:
        facts = self.state.facts
        if self.services.sim_clock is not None:
            facts.sim_time = self.services.sim_clock().astimezone(self.zone)
        self.query_one(StatusBar).show(facts, self.call_now())

    @_if_composed
    def _show_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        for kind in ("-offline", "-offered", "-info"):
            banner.set_class(self.state.banner_kind == kind, kind)
        banner.update(self.state.banner)

    def set_banner(self, text: str, kind: str) -> None:
        self.state.banner = text
        self.state.banner_kind = kind if text else ""
        self._show_banner()

    @_if_composed
    def _show_call(self) -> None:
        session = self.state.session
        status = session.status if session else AgentStatus.OFFLINE
        call = session.call if session and status is not AgentStatus.WORKING else None
        group = self.group_name(call.skill_group_id) if call else None
        since = session.state_since if session else None
        self.query_one(CallPanel).show(
            status, call, group, since, self.call_now(), consulting=self.state.consulting
        )

    @_if_composed
    def _show_queues(self) -> None:
        mine = set(self.state.session.signed_in_groups) if self.state.session else set()
        names = {q.skill_group_id: self.group_name(q.skill_group_id) for q in self.state.queues}
        queues = self.state.queues
        if self.state.me is not None:
            serve = set(self.state.me.skill_groups) | mine
            queues = [q for q in queues if q.skill_group_id in serve] or queues
        self.query_one(QueueTable).show(queues, names, mine)

    @_if_composed
    def _show_tickets(self) -> None:
        self.query_one(TicketTable).show(
            self.state.tickets, self.services.now(), self.state.current_ticket
        )

    # ------------------------------------------------------------ directory
    @work(exclusive=True, group="directory", exit_on_error=False)
    async def load_directory(self) -> None:
        center = self.services.call_center
        try:
            me = await center.get_user(self.agent_id)
            groups = await center.list_skill_groups()
            users = await center.list_users()
        except CallCenterError as exc:
            self.post_message(PollFailed(str(exc), isinstance(exc, UnavailableError)))
            return
        except Exception as exc:  # a malformed answer must not kill the desk
            self.post_message(PollFailed(f"{type(exc).__name__}: {exc}", False))
            return
        self.post_message(DirectoryLoaded(me, groups, users))

    @on(DirectoryLoaded)
    def _directory_loaded(self, message: DirectoryLoaded) -> None:
        self.state.me = message.me
        self.state.groups = {g.id: g for g in message.groups}
        self.state.users = message.users
        facts = self.state.facts
        facts.agent_name = message.me.display_name
        agent = self._agent()
        if agent is not None and agent.kind is AgentKind.SECONDED:
            facts.affiliation = _("seconded") + f": {self._insurer_name(agent.insurer_id)}"
        else:
            facts.affiliation = _("broker")
        self._show_status()
        self._show_queues()

    def _insurer_name(self, insurer_id: str | None) -> str:
        return self.directory.insurer_name(insurer_id)

    # ---------------------------------------------------------------- polling
    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll_session(self) -> None:
        started = time.perf_counter()
        try:
            session = await self.services.call_center.poll_agent_session(self.agent_id, self.device)
        except CallCenterError as exc:
            self.post_message(PollFailed(str(exc), isinstance(exc, UnavailableError)))
            return
        except Exception as exc:  # nothing a remote sends may crash the desk
            self.post_message(PollFailed(f"{type(exc).__name__}: {exc}", False))
            return
        self.post_message(SessionPolled(session, (time.perf_counter() - started) * 1000))

    @work(exclusive=True, group="queues", exit_on_error=False)
    async def poll_queues(self) -> None:
        try:
            queues = await self.services.call_center.list_queue_states()
        except Exception:  # the session poll reports link trouble; queues just wait
            queues = None
        self.post_message(QueuesPolled(queues if queues is not None else []))

    @on(QueuesPolled)
    def _queues_polled(self, message: QueuesPolled) -> None:
        if message.queues:
            self.state.queues = message.queues
            self._show_queues()

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        facts = self.state.facts
        if message.offline:
            if not facts.offline:
                facts.offline = True
                self.set_banner(
                    _("Offline — the call system cannot be reached; tickets are saved locally"),
                    "-offline",
                )
        else:
            self.notify_error(message.reason)
        self._show_status()

    @on(SessionPolled)
    def _session_polled(self, message: SessionPolled) -> None:
        state = self.state
        facts = state.facts
        facts.last_ok = self.call_now()
        facts.latency_ms = message.latency_ms
        if facts.offline:
            facts.offline = False
            self.set_banner("", "")
            self.notify(_("The call system is reachable again"))
        if self.state.me is None and not any(
            w.group == "directory" and w.is_running for w in self.workers
        ):
            self.load_directory()  # it failed while the call system was out of reach
        previous = state.session
        session = message.session
        state.session = session
        facts.status = session.status
        facts.state_since = session.state_since
        facts.break_label = (
            self.directory.code_label("break", session.break_code, english=_english())
            if session.break_code
            else None
        )
        call = session.call if session.status is not AgentStatus.WORKING else None
        if call is None:
            state.consulting = False
        if call is not None:
            state.last_call = call
            if call.state is CallState.OFFERED and call.job_id != state.offered_job:
                self._call_offered(call)
        if state.banner_kind == "-offered" and (
            call is None or call.state is not CallState.OFFERED
        ):
            self.set_banner("", "")
        was_in_call = previous is not None and previous.status in IN_CALL
        if (
            session.status is AgentStatus.WORKING
            and state.last_call is not None
            and state.wrapped_contact != state.last_call.contact_id
            and (was_in_call or previous is None or previous.status is AgentStatus.WORKING)
        ):
            self._start_wrap_up()
        self._show_status()
        self._show_call()

    # ------------------------------------------------------------- screen pop
    def _call_offered(self, call: OfferedCall) -> None:
        self.state.offered_job = call.job_id
        if self.services.settings.desk.bell:
            self.app.bell()
        group = self.group_name(call.skill_group_id)
        text = (
            _("Incoming call")
            + f"  {mask_mobile(call.caller)}  {group}  — "
            + _("press a to answer")
        )
        self.set_banner(text, "-offered")
        self.find_caller(call.caller)

    @work(thread=True, exclusive=True, group="members", exit_on_error=False)
    def find_caller(self, number: str) -> None:
        try:
            members = self.data.members_for_caller(number)
        except Exception as exc:
            self.post_message(StoreFailed(_("Screen pop"), str(exc)))
            return
        self.post_message(MembersFound("pop", members, number))

    @_if_composed
    @on(MembersFound)
    def _members_found(self, message: MembersFound) -> None:
        members = message.members
        if len(members) == 1:
            self.open_member(members[0].id)
        elif len(members) > 1:
            self._candidates = members
            self.action_choose_member()
        else:
            self.notify(_("Unknown number: search for the caller"), severity="warning")
            self.state.member = None
            self.state.profile = None
            self.query_one(ProfilePane).clear(
                _("Unknown caller — search by ID number, name or policy")
            )
            self.app.push_screen(SearchScreen(self.data), self._search_done)

    def action_choose_member(self) -> None:
        candidates: list[Member] = getattr(self, "_candidates", [])
        if not candidates:
            self.notify(_("Only one customer matches"))
            return
        options = [(m.id, member_line(m)) for m in candidates]
        self.app.push_screen(
            ChooserDialog(_("Several customers share this number — who is calling?"), options),
            self._search_done,
        )

    def _search_done(self, member_id: str | None) -> None:
        if member_id:
            self.open_member(member_id)

    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.data), self._search_done)

    def open_member(self, member_id: str) -> None:
        self.load_profile(member_id)

    @work(thread=True, exclusive=True, group="profile", exit_on_error=False)
    def load_profile(self, member_id: str) -> None:
        try:
            profile = self.data.profile(member_id)
        except Exception as exc:
            self.post_message(StoreFailed(_("Customer profile"), str(exc)))
            return
        self.post_message(ProfileLoaded(profile))

    @_if_composed
    @on(ProfileLoaded)
    def _profile_loaded(self, message: ProfileLoaded) -> None:
        profile = message.profile
        self.state.member = profile.member
        self.state.profile = profile
        self.state.selected_policy = None
        self.state.selected_claim = None
        self.query_one(ProfilePane).show(profile, self.zone, self._describe_call)
        self.state.lookup_id += 1
        self.state.results = []
        gateway = self.services.gateway
        if gateway is None:
            self.state.pending_insurers = []
            self._show_policies(restart=True)
            return
        insurers = sorted({p.insurer_id for p in profile.local_policies})
        self.state.pending_insurers = [self._insurer_name(i) for i in insurers] or [
            _("all insurers")
        ]
        self._show_policies(restart=True)
        self.lookup_policies(self.state.lookup_id, profile, tuple(insurers))

    @work(exclusive=True, group="lookup", exit_on_error=False)
    async def lookup_policies(
        self, lookup_id: int, profile: ProfileData, insurers: tuple[str, ...]
    ) -> None:
        from cscdesk.insurers.port import LookupQuery

        member = profile.member
        query = LookupQuery(
            id_number=member.id_number,
            mobile=member.mobile,
            member_ids=(member.id,),
            insurer_ids=insurers,
            actor=self.agent_id,
        )
        try:
            async for result in self.services.gateway.lookup(query):  # type: ignore[union-attr]
                self.post_message(InsurerAnswered(lookup_id, result))
        except Exception as exc:  # the gateway should not raise; if it does, say so
            self.post_message(LookupFinished(lookup_id, str(exc)))
            return
        self.post_message(LookupFinished(lookup_id))

    @on(InsurerAnswered)
    def _insurer_answered(self, message: InsurerAnswered) -> None:
        if message.lookup_id != self.state.lookup_id:
            return  # an answer about the previous customer
        result = message.result
        self.state.results.append(result)
        self.state.pending_insurers = [n for n in self.state.pending_insurers
                                       if n not in (result.insurer_name, self._insurer_name(result.insurer_id))]  # fmt: skip
        self._show_policies()

    @on(LookupFinished)
    def _lookup_finished(self, message: LookupFinished) -> None:
        if message.lookup_id != self.state.lookup_id:
            return
        self.state.pending_insurers = []
        if message.error:
            self.notify_error(_("Policy lookup failed") + f": {message.error}")
        self._show_policies()

    def _member_names(self) -> dict[str, str]:
        profile = self.state.profile
        if profile is None:
            return {}
        people = [profile.member, *profile.dependants]
        if profile.main_member is not None:
            people.append(profile.main_member)
        return {m.id: m.name for m in people}

    @_if_composed
    def _show_policies(self, restart: bool = False) -> None:
        pane = self.query_one(PoliciesPane)
        profile = self.state.profile
        if profile is None:
            return
        if restart:
            pane.start(self.state.pending_insurers)
        results = self.state.results
        if self.services.gateway is None:
            results = self._scoped(_local_results(profile, self._insurer_name))
        pane.show(results, self._member_names(), self.state.pending_insurers)

    @_if_composed
    @on(DataTable.RowHighlighted, "#policies")
    def _policy_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value or ""
        insurer, policy_no, _sub = ([*key.split(":"), "", "", ""])[:3]
        self.state.selected_policy = (insurer, policy_no)
        for result in self._all_results():
            for policy in result.policies:
                if result.insurer_id == insurer and policy.policy_no == policy_no:
                    lines = Text(
                        f"{policy.product} · {policy.policy_no}/{policy.sub_policy_no}\n", "bold"
                    )
                    for cover in policy.coverages:
                        lines.append(
                            f"{cover.name} {_('limit')} {cover.limit:,.0f} {_('deductible')} "
                            f"{cover.deductible:,.0f} {_('ratio')} {cover.ratio:.0%}   "
                        )
                    self.query_one(PoliciesPane).detail(lines)
                    return

    @_if_composed
    @on(DataTable.RowHighlighted, "#claims")
    def _claim_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value or ""
        insurer, _sep, claim_no = key.partition(":")
        self.state.selected_claim = (insurer, claim_no)
        for result in self._all_results():
            for claim in result.claims:
                if result.insurer_id == insurer and claim.claim_no == claim_no:
                    text = Text(f"{claim.claim_no} · {_(claim.stage.value)}", "bold")
                    text.append(f"  {_('accident')} {claim.accident_date:%Y-%m-%d}")
                    if claim.refusal_reason:
                        text.append(f"  {_('refused')}: {claim.refusal_reason}", "red")
                    self.query_one(PoliciesPane).detail(text)
                    return

    def _scoped(self, results: list[Any]) -> list[Any]:
        """The store's own policy and claim copies, cut to the signed-in user's data scope."""
        session, security = getattr(self.app, "session", None), self.services.security
        if session is None or security is None:
            return results
        from cscdesk.security.scope import scope_result

        return [scope_result(session.user, r, security.others) for r in results]

    def _all_results(self) -> list[Any]:
        if self.services.gateway is None and self.state.profile is not None:
            return self._scoped(_local_results(self.state.profile, self._insurer_name))
        return self.state.results

    # ---------------------------------------------------------- agent state
    def action_sign_in(self) -> None:
        groups = list(self.state.groups)
        if not groups:
            self.notify(_("The skill groups are not loaded yet"), severity="warning")
            return
        me, agent = self.state.me, self._agent()
        usual = set(
            me.skill_groups if me and me.skill_groups else agent.skill_groups if agent else ()
        )
        options = [(g, self.group_name(g)) for g in groups]
        selected = set(self.state.session.signed_in_groups) if self.state.session else set()
        self.app.push_screen(
            SignInDialog(options, selected or (usual & set(groups)) or set(groups)), self._signed_in
        )

    def _agent(self) -> Agent | None:
        """This desk's agent in the center's directory (broker or seconded, usual groups)."""
        return self.directory.agent(self.agent_id)

    def _signed_in(self, groups: list[str] | None) -> None:
        if groups:
            self.run_call_action("sign_in", lambda c: c.sign_in(self.agent_id, groups, self.device))

    def action_ready(self) -> None:
        self.run_call_action("ready", lambda c: c.ready(self.agent_id, self.device))

    def action_take_break(self) -> None:
        self.app.push_screen(
            ChooserDialog(_("Break reason"), self._codes("break")), self._break_chosen
        )

    def _break_chosen(self, code: str | None) -> None:
        if code:
            self.run_call_action("break", lambda c: c.take_break(self.agent_id, self.device, code))

    # ---------------------------------------------------------- call control
    def _current_call(self) -> OfferedCall | None:
        session = self.state.session
        return session.call if session else None

    def action_answer(self) -> None:
        call = self._current_call()
        if call is None or call.state is not CallState.OFFERED:
            self.notify(_("No call is ringing"), severity="warning")
            return
        self.run_call_action("answer", lambda c: c.answer(self.agent_id, self.device, call.job_id))

    def action_hold(self) -> None:
        call = self._current_call()
        if call is None or call.state not in (CallState.TALKING, CallState.HOLDING):
            self.notify(_("No call to hold"), severity="warning")
            return
        if call.state is CallState.HOLDING:
            self.run_call_action(
                "retrieve", lambda c: c.retrieve(self.agent_id, self.device, call.job_id)
            )
        else:
            self.run_call_action("hold", lambda c: c.hold(self.agent_id, self.device, call.job_id))

    def action_release(self) -> None:
        call = self._current_call()
        if call is None:
            self.notify(_("No call to hang up"), severity="warning")
            return
        if call.state is CallState.CONSULTING or self.state.consulting:
            self.run_call_action(
                "cancel_transfer",
                lambda c: c.cancel_attended_transfer(self.agent_id, self.device, call.job_id),
            )
            return
        self.run_call_action(
            "release", lambda c: c.release(self.agent_id, self.device, call.job_id)
        )

    def action_transfer(self) -> None:
        call = self._current_call()
        if call is None or call.state not in (
            CallState.TALKING,
            CallState.HOLDING,
            CallState.CONSULTING,
        ):
            self.notify(_("No call to transfer"), severity="warning")
            return
        if call.state is CallState.CONSULTING or self.state.consulting:
            self.run_call_action(
                "complete_transfer",
                lambda c: c.complete_attended_transfer(self.agent_id, self.device, call.job_id),
            )
            return
        groups = [(g, self.group_name(g)) for g in self.state.groups]
        agents = [(u.id, u.display_name) for u in self.state.users if u.id != self.agent_id]
        self.app.push_screen(TransferDialog(groups, agents), self._transfer_chosen)

    def _transfer_chosen(self, request: TransferRequest | None) -> None:
        call = self._current_call()
        if request is None or call is None:
            return
        if request.attended:
            self.run_call_action(
                "attended_transfer",
                lambda c: c.start_attended_transfer(
                    self.agent_id, self.device, call.job_id, request.target, request.target_type
                ),
            )
        else:
            self.run_call_action(
                "transfer",
                lambda c: c.blind_transfer(
                    self.agent_id, self.device, call.job_id, request.target, request.target_type
                ),
            )

    @work(group="call-action", exit_on_error=False)
    async def run_call_action(self, action: str, request: Any) -> None:
        try:
            await request(self.services.call_center)
        except CallCenterError as exc:
            self.post_message(CallActionDone(action, str(exc), isinstance(exc, UnavailableError)))
            return
        except Exception as exc:
            self.post_message(CallActionDone(action, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(CallActionDone(action))

    @on(CallActionDone)
    def _call_action_done(self, message: CallActionDone) -> None:
        if message.error:
            if message.offline:
                self.post_message(PollFailed(message.error, True))
            else:
                self.notify_error(message.error)
            return
        if message.action == "callback":
            self.notify(_("Calling the customer back"))
        if message.action == "answer" and self.state.profile is not None:
            self.action_tab("tab-profile")  # small terminal: the caller's details while talking
        if message.action == "attended_transfer":
            self.state.consulting = True
            self.notify(_("Consulting: t completes the transfer, x cancels it"))
        elif message.action in ("complete_transfer", "cancel_transfer", "release"):
            self.state.consulting = False
        self.session_poll.poll_now()  # show the new state now rather than at the next tick

    # -------------------------------------------------------------- wrap-up
    def action_wrap_up(self) -> None:
        if self.state.last_call is None:
            self.notify(_("No call to wrap up"), severity="warning")
            return
        self._start_wrap_up(force=True)

    def _start_wrap_up(self, force: bool = False) -> None:
        call = self.state.last_call
        if call is None:
            return
        if not force and isinstance(self.app.screen, WrapUpDialog):
            return
        self.state.wrapped_contact = call.contact_id
        group = self.directory.group(call.skill_group_id)
        required = bool(group and group.wrap_up_required)
        dialog = WrapUpDialog(
            self._codes("wrap"), required, suggest_ticket=self.state.member is not None
        )
        self.app.push_screen(dialog, self._wrapped_up)

    def _wrapped_up(self, result: WrapUp | None) -> None:
        call = self.state.last_call
        if result is None or call is None:
            self.state.wrapped_contact = None  # not finished: w opens it again
            return
        self.record_wrap_up(call.contact_id, result.code, result.notes)
        if result.create_ticket:
            self._open_ticket_editor(draft=self._draft_from_call(call, result))
        else:
            self.action_ready()

    @work(thread=True, group="store-write", exit_on_error=False)
    def record_wrap_up(self, contact_id: str, code: str | None, notes: str) -> None:
        try:
            self.data.record_wrap_up(contact_id, code, notes)
            self.data.audit(self.agent_id, "call.wrap_up", "call", contact_id, True,
                            {"code": code or "", "has_notes": bool(notes)})  # fmt: skip
        except Exception as exc:
            self.post_message(StoreFailed(_("Wrap-up"), str(exc)))

    def _draft_from_call(self, call: OfferedCall, wrap: WrapUp) -> TicketDraftFields:
        english = _english()
        return draft_from_wrap_up(
            code=wrap.code, notes=wrap.notes, member=self.state.member,
            code_label=self.directory.code_label("wrap", wrap.code, english=english),
            type_label=_(wrap_up_ticket_type(wrap.code).value), contact_id=call.contact_id,
            policy=self.state.selected_policy, claim=self.state.selected_claim,
        )  # fmt: skip

    # ---------------------------------------------------------------- tickets
    @work(thread=True, exclusive=True, group="tickets", exit_on_error=False)
    def load_tickets(self) -> None:
        try:
            tickets = self.data.my_tickets(self.agent_id)
            backlog = self.data.backlog()
        except Exception as exc:
            self.post_message(StoreFailed(_("Tickets"), str(exc)))
            return
        self.post_message(TicketsLoaded(tickets, backlog))

    @on(TicketsLoaded)
    def _tickets_loaded(self, message: TicketsLoaded) -> None:
        self.state.tickets = sorted(
            message.tickets, key=lambda t: (t.due_at is None, t.due_at or t.created_at)
        )
        self.state.facts.backlog = message.backlog
        self._show_tickets()
        self._focus_current_ticket()
        self._show_status()

    @_if_composed
    def _focus_current_ticket(self) -> None:
        table = self.query_one(TicketTable)
        current = self.state.current_ticket
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))

    def action_new_ticket(self) -> None:
        member = self.state.member
        call = self.state.last_call
        draft = TicketDraftFields(
            type=TicketType.ENQUIRY,
            priority=Priority.NORMAL,
            title="",
            member_id=member.id if member else None,
            contact_id=call.contact_id if call else None,
            policy_no=self.state.selected_policy[1] if self.state.selected_policy else None,
            claim_no=self.state.selected_claim[1] if self.state.selected_claim else None,
        )
        self._open_ticket_editor(draft=draft)

    def action_edit_ticket(self) -> None:
        table = self.query_one(TicketTable)
        if not self.state.tickets or table.row_count == 0:
            self.notify(_("No ticket selected"), severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        ticket = next((t for t in self.state.tickets if t.id == key), None)
        if ticket is not None:
            self._open_ticket_editor(ticket=ticket)

    @on(DataTable.RowSelected, "#tickets")
    def _ticket_selected(self) -> None:
        self.action_edit_ticket()

    def _insurer_options(self) -> list[tuple[str, str]]:
        return [(self.directory.insurer_name(i.id), i.id) for i in self.directory.insurers]

    def _open_ticket_editor(
        self, *, ticket: Ticket | None = None, draft: TicketDraftFields | None = None
    ) -> None:
        editor = TicketEditor(
            self.data, ticket=ticket, draft=draft, insurers=self._insurer_options(),
            now=self.services.now(), zone=self.zone, can_call=ticket is not None and ticket.member_id is not None,
        )  # fmt: skip

        def done(change: TicketChange | None) -> None:
            after_call = draft is not None and draft.contact_id is not None and self._in_acw()
            if change is not None:
                if change.callback and ticket is not None:
                    self.callback_customer(ticket)
                elif ticket is None and draft is not None:
                    self.create_ticket(draft, change)
                elif ticket is not None:
                    self.change_ticket(ticket, change)
            if after_call:
                self.action_ready()

        self.app.push_screen(editor, done)

    def _in_acw(self) -> bool:
        session = self.state.session
        return session is not None and session.status is AgentStatus.WORKING

    @work(thread=True, group="store-write", exit_on_error=False)
    def create_ticket(self, draft: TicketDraftFields, change: TicketChange) -> None:
        try:
            ticket, event = ticket_from_draft(draft, change, ticket_id=self.data.new_ticket_id(),
                                              at=self.services.now(), actor=self.agent_id,
                                              sla=self.sla)  # fmt: skip
            self.data.save_new(ticket, event)
        except Exception as exc:
            self.post_message(StoreFailed(_("Saving the ticket"), str(exc)))
            return
        self.post_message(TicketSaved(ticket, True))

    @work(thread=True, group="store-write", exit_on_error=False)
    def change_ticket(self, ticket: Ticket, change: TicketChange) -> None:
        try:
            steps = change_steps(ticket, change, at=self.services.now(), actor=self.agent_id,
                                 sla=self.sla)  # fmt: skip
            if not steps:
                return
            saved = self.data.save_changes(ticket, steps)
        except Exception as exc:  # illegal transition, stale version, store trouble
            self.post_message(StoreFailed(_("Saving the ticket"), str(exc)))
            return
        self.post_message(TicketSaved(saved, False))

    @on(TicketSaved)
    def _ticket_saved(self, message: TicketSaved) -> None:
        self.state.current_ticket = message.ticket.id
        verb = _("Ticket created") if message.created else _("Ticket saved")
        self.notify(f"{verb}: {message.ticket.id}")
        self.load_tickets()

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.notify_error(f"{message.what}: {message.reason}")

    @work(group="callback", exit_on_error=False)
    async def callback_customer(self, ticket: Ticket) -> None:
        import asyncio

        try:
            member = await asyncio.to_thread(self.services.store.members.get, ticket.member_id)
            if not member.mobile:
                self.post_message(
                    CallActionDone("callback", _("The customer has no mobile number"))
                )
                return
            await self.services.call_center.make_call(self.agent_id, self.device, member.mobile)
        except CallCenterError as exc:
            self.post_message(
                CallActionDone("callback", str(exc), isinstance(exc, UnavailableError))
            )
            return
        except Exception as exc:
            self.post_message(CallActionDone("callback", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(CallActionDone("callback"))

    def action_callback(self) -> None:
        table = self.query_one(TicketTable)
        if table.row_count == 0:
            self.notify(_("No ticket selected"), severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        ticket = next((t for t in self.state.tickets if t.id == key), None)
        if ticket is not None and ticket.member_id:
            self.callback_customer(ticket)

    # --------------------------------------------------------------- recordings
    def action_recording(self) -> None:
        table = self.query_one("#timeline", DataTable)
        if table.row_count == 0:
            self.notify(_("Choose a call on the customer's timeline"), severity="warning")
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        kind, _sep, ref = key.partition(":")
        if kind != "call":
            self.notify(_("Choose a call on the customer's timeline"), severity="warning")
            return
        self.notify(_("Fetching the recording…"))
        self.open_recording(ref)

    @on(DataTable.RowSelected, "#timeline")
    def _timeline_selected(self) -> None:
        self.action_recording()

    @work(group="recording", exit_on_error=False)
    async def open_recording(self, contact_id: str) -> None:
        result = await actions_recording.fetch_and_play(
            self.services, self.data, self.agent_id, contact_id, RECORDING_URL_SECONDS
        )
        self.post_message(result)

    @on(RecordingReady)
    def _recording_ready(self, message: RecordingReady) -> None:
        if message.error:
            self.notify_error(_("Recording") + f" {message.contact_id}: {message.error}")
        elif message.played_with:
            self.notify(_("Playing with {player}; a copy is at {path}").format(
                player=message.played_with, path=message.path))  # fmt: skip
        else:
            self.notify(
                _("No audio player found; saved a copy to {path}").format(path=message.path)
            )

    # --------------------------------------------------------------- the rest
    def action_help(self) -> None:
        rows = []
        for key, active in self.active_bindings.items():
            binding = active.binding
            if binding.action in ("help",) or binding.description:
                rows.append((binding.key_display or key, binding.description, binding.id or ""))
        self.app.push_screen(HelpScreen(sorted(set(rows), key=lambda r: r[2])))

    def action_refresh(self) -> None:
        self.session_poll.poll_now()
        self.load_tickets()

    def action_tab(self, tab: str) -> None:
        tabs = self.query(TabbedContent)
        if tabs:
            tabs.first().active = tab

    def pause_polling(self) -> None:
        """Stop re-arming polls (tests take still snapshots; a lead's replay might too)."""
        self.session_poll.stop()
        self.queue_poll.stop()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Each poll duty arms its next poll when its worker ended; nothing else re-arms."""
        self.session_poll.worker_changed(event) or self.queue_poll.worker_changed(event)


def _english() -> bool:
    return current_language() != "zh_CN"


def _local_results(profile: ProfileData, insurer_name: Any) -> list[Any]:
    """Without an insurer gateway: the broker's own placement data, marked as such."""
    from cscdesk.insurers.port import InsurerResult

    by_insurer: dict[str, tuple[list[Any], list[Any]]] = {}
    for policy in profile.local_policies:
        by_insurer.setdefault(policy.insurer_id, ([], []))[0].append(policy)
    for claim in profile.local_claims:
        by_insurer.setdefault(claim.insurer_id, ([], []))[1].append(claim)
    return [
        InsurerResult(
            insurer_id=i,
            insurer_name=insurer_name(i),
            policies=tuple(p),
            claims=tuple(c),
            source="batch",
            stale=True,
        )
        for i, (p, c) in sorted(by_insurer.items())
    ]
