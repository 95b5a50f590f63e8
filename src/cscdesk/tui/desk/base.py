"""The agent desk's layout and drawing: panes, status, banner, and everything shown from state.

Every ``_show_*`` redraws one pane from ``DeskState``; handlers in the other modules change state
and call them. Every pane is composed once and lives as long as the screen: the layout switches
between tabs (narrow) and columns (wide) by CSS class (``-narrow``/``-wide`` and the open tab's
``-tab-…``), so a redraw never lands between two layouts and never finds a pane missing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, Tab, Tabs

from cscdesk.callcenter.port import AgentStatus, OfferedCall
from cscdesk.domain.center_directory import CenterDirectory
from cscdesk.domain.claim_duties import claim_duty_clocks
from cscdesk.domain.models import Agent, Member
from cscdesk.domain.sla import SlaPolicy
from cscdesk.tui.data import DeskData
from cscdesk.tui.desk.key_states import STATEFUL, applicable_actions
from cscdesk.tui.desk.state import WIDE_COLUMNS, DeskState, english, local_results
from cscdesk.tui.i18n import _
from cscdesk.tui.polling import RearmingPoll
from cscdesk.tui.services import DeskServices
from cscdesk.tui.widgets.policies_pane import PoliciesPane
from cscdesk.tui.widgets.profile_pane import ProfilePane
from cscdesk.tui.widgets.queue_pane import CallPanel, QueuePane, QueueTable
from cscdesk.tui.widgets.status_bar import StatusBar
from cscdesk.tui.widgets.tickets_pane import TicketTable

TABS = ("tab-call", "tab-profile", "tab-policies", "tab-tickets")

LAYOUT_CSS = """
AgentScreen #main { height: 1fr; }
AgentScreen.-wide #tabs { display: none; }
AgentScreen.-wide #left { width: 40%; max-width: 60; min-width: 44; }
AgentScreen.-wide #right { width: 1fr; }
AgentScreen.-wide #tickets { height: 30%; min-height: 6; border-top: solid $primary; }
AgentScreen.-narrow #left, AgentScreen.-narrow #right { width: 1fr; }
AgentScreen.-narrow #tickets { display: none; }
AgentScreen.-narrow.-tab-call #right { display: none; }
AgentScreen.-narrow.-tab-profile #left, AgentScreen.-narrow.-tab-policies #left { display: none; }
AgentScreen.-narrow.-tab-profile PoliciesPane { display: none; }
AgentScreen.-narrow.-tab-policies ProfilePane { display: none; }
AgentScreen.-narrow.-tab-tickets #main { display: none; }
AgentScreen.-narrow.-tab-tickets #tickets { display: block; height: 1fr; }
"""


class DeskLayout(Screen[None]):
    AUTO_FOCUS = ".-narrow #tabs, QueueTable"  # the tab bar where it shows, else the queues
    services: DeskServices
    data: DeskData
    state: DeskState
    directory: CenterDirectory
    zone: ZoneInfo
    sla: SlaPolicy
    session_poll: RearmingPoll
    queue_poll: RearmingPoll
    _candidates: list[Member]

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static("", id="banner")
        yield Tabs(
            Tab("1 " + _("Call"), id="tab-call"),
            Tab("2 " + _("Profile"), id="tab-profile"),
            Tab("3 " + _("Policies"), id="tab-policies"),
            Tab("4 " + _("Tickets"), id="tab-tickets"),
            id="tabs",
        )
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield QueuePane()
            with Vertical(id="right"):
                yield ProfilePane()
                yield PoliciesPane()
        yield TicketTable(id="tickets")
        yield Footer(compact=True, show_command_palette=self.wide)  # 80 columns: room for keys

    @property
    def wide(self) -> bool:
        """Every pane at once (wide terminal) rather than one tab at a time."""
        return self.has_class("-wide")

    def lay_out(self, width: int) -> None:
        """Columns from ``WIDE_COLUMNS`` on, tabs below: a class switch, the panes stay."""
        wide = width >= WIDE_COLUMNS
        self.update_classes({"-wide": wide, "-narrow": not wide})  # one restyle of the screen
        for footer in self.query(Footer):  # narrow: the palette key (^p, listed on F1) gives
            footer.show_command_palette = wide  # its room to the call's keys
        if wide and isinstance(self.focused, Tabs):  # the tab bar hides: keys go to the queues
            self.query_one(QueueTable).focus()

    def on_resize(self) -> None:
        self.lay_out(self.app.size.width)

    @on(Tabs.TabActivated, "#tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        self._show_tab(event.tab.id or TABS[0])

    def _show_tab(self, tab: str) -> None:
        # one restyle of the whole screen for the lot, and none when the tab is already shown:
        # each class change restyles every widget on it (a tab key cost four of them before)
        self.update_classes({f"-{name}": name == tab for name in TABS})

    def _repaint(self) -> None:
        """Redraw every pane from state (after the first paint or a language switch)."""
        self._show_status()
        self._show_banner()
        self._show_call()
        self._show_queues()
        if self.state.profile is not None:
            self.query_one(ProfilePane).show(self.state.profile, self.zone, self._describe_call)
            self._show_policies(restart=True)
        self._show_tickets()

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
        known = self.directory.group_name(group_id, english=english())
        if known is not None:
            return known
        info = self.state.groups.get(group_id)
        return info.name if info else group_id

    def _describe_call(self, summary: str) -> str:
        """A timeline call's wrap-up code or skill group, in the desk's language."""
        if self.directory.is_wrap_up_code(summary):
            return self.directory.code_label("wrap", summary, english=english())
        return self.group_name(summary) or summary

    def _codes(self, kind: str) -> list[tuple[str, str]]:
        return self.directory.codes(kind, english=english())

    def notify_error(self, text: str) -> None:
        self.notify(text, severity="error", timeout=8)

    def _tick(self) -> None:
        self._show_status()
        self._show_call()
        self.query_one(TicketTable).tick(self.state.tickets, self.services.now())

    def _show_status(self) -> None:
        facts = self.state.facts
        if self.services.sim_clock is not None:
            facts.sim_time = self.services.sim_clock().astimezone(self.zone)
        self.query_one(StatusBar).show(facts, self.call_now())

    def _show_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        for kind in ("-offline", "-offered", "-info"):
            banner.set_class(self.state.banner_kind == kind, kind)
        banner.update(self.state.banner)

    def set_banner(self, text: str, kind: str) -> None:
        self.state.banner = text
        self.state.banner_kind = kind if text else ""
        self._show_banner()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A call key shows in the footer, and works, only where it applies (``key_states``)."""
        return action not in STATEFUL or action in self._keys_now

    @property
    def _keys_now(self) -> frozenset[str]:
        return applicable_actions(self.state.session, self.state.consulting)

    def _refresh_keys(self) -> None:
        """Redraw the footer when the set of call keys that apply changed (not every tick)."""
        keys = self._keys_now
        if keys != getattr(self, "_keys_shown", None):
            self._keys_shown = keys
            self.refresh_bindings()

    def _show_call(self) -> None:
        self._refresh_keys()
        session = self.state.session
        status = session.status if session else AgentStatus.OFFLINE
        call = session.call if session and status is not AgentStatus.WORKING else None
        group = self.group_name(call.skill_group_id) if call else None
        since = self.state.facts.state_since if session else None
        marks = self.state.call_marks
        self.query_one(CallPanel).show(
            status, call, group, since, self.call_now(), consulting=self.state.consulting,
            talk_since=marks.talk_since, hold_since=marks.hold_since,
            colleague=self.colleague_name(call.consulted) if call and call.consulted else None,
        )  # fmt: skip

    def colleague_name(self, user_id: str) -> str:
        """A colleague by name (the directory's, else the call system's), never a bare id."""
        agent = self.directory.agent(user_id)
        if agent is not None:
            return agent.name
        user = next((u for u in self.state.users if u.id == user_id), None)
        return user.display_name if user else user_id

    def _show_queues(self) -> None:
        mine = set(self.state.session.signed_in_groups) if self.state.session else set()
        names = {q.skill_group_id: self.group_name(q.skill_group_id) for q in self.state.queues}
        queues = self.state.queues
        if self.state.me is not None:
            serve = set(self.state.me.skill_groups) | mine
            queues = [q for q in queues if q.skill_group_id in serve] or queues
        self.query_one(QueueTable).show(queues, names, mine)

    def _show_tickets(self) -> None:
        self.query_one(TicketTable).show(
            self.state.tickets, self.services.now(), self.state.current_ticket
        )

    def _insurer_name(self, insurer_id: str | None) -> str:
        return self.directory.insurer_name(insurer_id)

    def _member_names(self) -> dict[str, str]:
        profile = self.state.profile
        if profile is None:
            return {}
        people = [profile.member, *profile.dependants]
        if profile.main_member is not None:
            people.append(profile.main_member)
        return {m.id: m.name for m in people}

    def _show_policies(self, restart: bool = False) -> None:
        pane = self.query_one(PoliciesPane)
        profile = self.state.profile
        if profile is None:
            return
        if restart:
            pane.start(self.state.pending_insurers)
        results = self.state.results
        if self.services.gateway is None:
            results = self._scoped(local_results(profile, self._insurer_name))
        now = self.services.now()
        duties = (lambda claim: claim_duty_clocks(claim, self.sla, now), now)
        pane.show(results, self._member_names(), self.state.pending_insurers, duties)

    def _scoped(self, results: list[Any]) -> list[Any]:
        """The store's own policy and claim copies, cut to the signed-in user's data scope."""
        session, security = getattr(self.app, "session", None), self.services.security
        if session is None or security is None:
            return results
        from cscdesk.security.scope import scope_result

        return [scope_result(session.user, r, security.others) for r in results]

    def _all_results(self) -> list[Any]:
        if self.services.gateway is None and self.state.profile is not None:
            return self._scoped(local_results(self.state.profile, self._insurer_name))
        return self.state.results

    def _agent(self) -> Agent | None:
        """This desk's agent in the center's directory (broker or seconded, usual groups)."""
        return self.directory.agent(self.agent_id)

    def _current_call(self) -> OfferedCall | None:
        session = self.state.session
        return session.call if session else None

    def _in_acw(self) -> bool:
        session = self.state.session
        return session is not None and session.status is AgentStatus.WORKING

    def _focus_current_ticket(self) -> None:
        table = self.query_one(TicketTable)
        current = self.state.current_ticket
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))

    def action_tab(self, tab: str) -> None:
        """Open a tab (narrow layout); the wide layout shows every pane and keeps the choice."""
        self.query_one("#tabs", Tabs).active = tab
        self._show_tab(tab)
