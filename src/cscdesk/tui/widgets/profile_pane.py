"""The customer profile: who is calling (masked), their cover context, and their recent history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from cscdesk.domain.models import Member
from cscdesk.domain.privacy import mask_id_number, mask_mobile, mask_name
from cscdesk.tui.format import local_time
from cscdesk.tui.i18n import _
from cscdesk.tui.messages import ProfileData

RELATION_LABELS = {"self": "Employee", "spouse": "Spouse", "child": "Child", "parent": "Parent"}


def member_line(member: Member) -> str:
    """How a member appears in lists: masked name, masked ID, masked mobile."""
    return "  ".join(
        (
            mask_name(member.name),
            mask_id_number(member.id_number),
            mask_mobile(member.mobile) if member.mobile else "—",
        )
    )


class TimelineTable(DataTable[str | Text]):
    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_column(_("When"), key="when")
        self.add_column(_("Kind"), key="kind")
        self.add_column(_("Summary"), key="summary")
        self.add_column(_("Outcome"), key="outcome")


class ProfilePane(Vertical):
    """Filled by ``show``; the screen owns the profile and hands it over."""

    def compose(self) -> ComposeResult:
        yield Static(_("No customer on screen. Press / to search."), id="identity")
        yield TimelineTable(id="timeline")

    def clear(self, message: str) -> None:
        self.query_one("#identity", Static).update(Text(message, "dim"))
        self.query_one(TimelineTable).clear()

    def show(self, profile: ProfileData, zone: tzinfo | None,
             describe: Callable[[str], str] = _) -> None:  # fmt: skip
        """``describe`` turns a call's wrap-up code or skill group into words."""
        m = profile.member
        text = Text()
        text.append(mask_name(m.name), "bold")
        sex = _("male") if m.sex.value == "M" else _("female")
        text.append(f"  {sex}  {m.birth_date.year}", "dim")
        if m.flags:
            for flag in m.flags:
                text.append(f"  [{_(flag)}]", "bold red")
        text.append("\n" + _("ID") + ": " + mask_id_number(m.id_number))
        text.append("   " + _("Mobile") + ": " + (mask_mobile(m.mobile) if m.mobile else "—"))
        text.append("\n" + _("Employer") + ": " + (profile.employer_name or m.employer_id))
        text.append("   " + _("Employee no.") + ": " + (m.employee_no or "—"))
        text.append("\n" + _("Relation") + ": " + _(RELATION_LABELS.get(m.relation.value, "")))
        if profile.main_member is not None:
            text.append(" (" + _("of") + " " + mask_name(profile.main_member.name) + ")")
        text.append("   " + _("Plan") + ": " + (m.plan_tier or "—"))
        if profile.dependants:
            names = ", ".join(
                f"{mask_name(d.name)} ({_(RELATION_LABELS.get(d.relation.value, ''))})"
                for d in profile.dependants[:6]
            )
            text.append("\n" + _("Family") + ": " + names)
        self.query_one("#identity", Static).update(text)
        table = self.query_one(TimelineTable)
        table.clear()
        for entry in profile.timeline:
            kind = (
                _("Call") + (" ♪" if entry.recorded else "")
                if entry.kind == "call"
                else _("Ticket")
            )
            table.add_row(
                local_time(entry.at, zone),
                kind,
                describe(entry.summary) if entry.kind == "call" else entry.summary,
                _(entry.outcome),
                key=f"{entry.kind}:{entry.ref}",
            )
