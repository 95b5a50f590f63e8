"""The customer: screen pop from the caller's number, the profile, and the insurers' answers.

A ringing call looks the number up in the store; one match opens the profile, several ask who is
calling, none opens search. The profile then asks every insurer the member has cover with.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.widgets import DataTable

from cscdesk.callcenter.port import OfferedCall
from cscdesk.domain.models import Member
from cscdesk.domain.privacy import mask_mobile
from cscdesk.tui.desk.base import DeskLayout
from cscdesk.tui.i18n import _
from cscdesk.tui.messages import (
    InsurerAnswered,
    LookupFinished,
    MembersFound,
    ProfileData,
    ProfileLoaded,
    StoreFailed,
)
from cscdesk.tui.screens.dialogs import ChooserDialog
from cscdesk.tui.screens.search import SearchScreen
from cscdesk.tui.widgets.policies_pane import PoliciesPane
from cscdesk.tui.widgets.profile_pane import ProfilePane, member_line


class DeskCustomer(DeskLayout):
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

    @on(MembersFound)
    def _members_found(self, message: MembersFound) -> None:
        members = message.members
        if len(members) == 1:
            self.open_member(members[0].id, members[0])  # as just read: not read again
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

    def open_member(self, member_id: str, known: Member | None = None) -> None:
        self.load_profile(member_id, known)

    @work(thread=True, exclusive=True, group="profile", exit_on_error=False)
    def load_profile(self, member_id: str, known: Member | None = None) -> None:
        try:
            profile = self.data.profile(member_id, known)
        except Exception as exc:
            self.post_message(StoreFailed(_("Customer profile"), str(exc)))
            return
        self.post_message(ProfileLoaded(profile))

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
