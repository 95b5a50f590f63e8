"""The desk's questions to the local store, as plain blocking calls for thread workers.

The store is SQLite; these functions run only inside ``@work(thread=True)`` workers, which post
the answers as messages. Keeping the store's method names in this one module means a change
there touches one file of the desk.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cscdesk.domain.models import Member, Ticket, TicketEvent, TicketStatus
from cscdesk.domain.privacy import normalise_mobile
from cscdesk.domain.ticket_numbers import normalise_number
from cscdesk.store.members import MemberHit, MemberSearch
from cscdesk.tui.messages import ProfileData

TIMELINE_LIMIT = 20
SEARCH_LIMIT = 50
CUSTOMERS = 20  # people a ticket search by name looks at
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
_MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")
_OPEN = {TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, TicketStatus.ESCALATED}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a customer's history: a call or a ticket, newest first."""

    at: Any
    kind: str  # "call" / "ticket"
    ref: str  # contact id or ticket id
    summary: str
    outcome: str
    recorded: bool = False


class DeskData:
    """Read and write what the desk needs; every method blocks (call it from a worker)."""

    def __init__(self, store: Any, actor: Callable[[], str] = lambda: "desk") -> None:
        self.store = store
        self.actor = actor  # who is signed in: every lookup and ticket change is audited

    def _audited(self, action: str, target_type: str, target_id: str, **detail: Any) -> None:
        self.store.audit.append(self.actor(), action, target_type, target_id, detail=detail)

    # ---------------------------------------------------------------- members
    def members_for_caller(self, number: str) -> list[Member]:
        mobile = normalise_mobile(number)
        if not mobile:
            return []
        return list(self.store.members.by_mobile(mobile))

    def search(self, text: str) -> MemberSearch:
        """Mobile, ID number, name (any part), policy no. or claim no.; most specific first,
        with the true count and what tells namesakes apart (audited)."""
        found = self._search(text)
        if text.strip():  # the audit names the kind of query, never the number itself
            compact = re.sub(r"[\s\-]", "", text.strip())
            kind = ("mobile" if _MOBILE.match(compact)
                    else "id_number" if _ID_NUMBER.match(compact) else "text")  # fmt: skip
            self._audited("search", "member", "", kind=kind, found=found.total)
        return found

    def _search(self, text: str) -> MemberSearch:
        query = text.strip()
        exact = self._exact(query)
        if exact:
            return MemberSearch(query, len(exact), [self._hit(m) for m in exact])
        return self.store.members.lookup(query, limit=SEARCH_LIMIT)

    def _hit(self, member: Member) -> MemberHit:
        policies = len(self.store.policies.for_member(member.id))
        employer = self._employer_name(member.employer_id)
        return MemberHit(member, employer or member.employer_id, member.birth_date.year, policies)

    def _exact(self, query: str) -> list[Member]:
        """A whole mobile, ID number, claim no. or group policy no. names its people directly."""
        if not query:
            return []
        compact = re.sub(r"[\s\-]", "", query)
        if _MOBILE.match(compact):
            found = self.members_for_caller(compact)
            if found:
                return found
        if _ID_NUMBER.match(compact):
            found = list(self.store.members.by_id_number(compact.upper()))
            if found:
                return found
        return self._by_policy_or_claim(compact)

    def find_tickets(self, text: str) -> list[Ticket]:
        """Tickets by number (GD-20261130-0042), policy or claim no., customer (mobile, ID
        number, name) or every word of ``text`` in title and notes (audited: how, not what)."""
        query = text.strip()
        if not query:
            return []
        tickets = self.store.tickets
        number = normalise_number(query)
        found: list[Ticket] = tickets.by_number(number) if number else []
        how = "number"
        if not found:
            exact = tickets.get(query)
            found = [exact] if exact is not None else []
        if not found:
            how = "reference"
            found = tickets.for_reference(re.sub(r"\s", "", query), limit=SEARCH_LIMIT)
        if not found:
            how = "customer_or_words"
            people = [m.id for m in self._exact(query)] or [
                h.member.id for h in self.store.members.lookup(query, limit=CUSTOMERS).hits
            ]
            found = list(tickets.for_members(people, limit=SEARCH_LIMIT))
            seen = {t.id for t in found}
            found += [t for t in tickets.search(query, limit=SEARCH_LIMIT) if t.id not in seen]
        self._audited("search", "ticket", "", by=how, found=len(found))
        return found[:SEARCH_LIMIT]

    def _by_policy_or_claim(self, number: str) -> list[Member]:
        """A claim no. names one person; a group policy no. may name many (the first few)."""
        policies = self.store.policies
        claim = policies.claim_by_no(number)
        member_ids: list[str] = [claim.member_id] if claim is not None else []
        if not member_ids:
            member_ids = [p.member_id for p in policies.by_policy_no(number, limit=SEARCH_LIMIT)]
        seen: dict[str, Member] = {}
        for member_id in member_ids:
            if member_id not in seen:
                found = self.store.members.find(member_id)
                if found is not None:
                    seen[member_id] = found
        return list(seen.values())

    def profile(self, member_id: str, known: Member | None = None) -> ProfileData:
        """Everything the screen pop shows, read over one connection (on PostgreSQL one
        borrowed from the pool for the whole pop, not one per question); the audit record
        before, with no connection held (other desks' records may be committed with it).
        ``known``: the member as the caller's lookup read it a moment ago (a screen pop), not
        read again."""
        member = known if known is not None and known.id == member_id else None
        if member is None:
            member = self.store.members.get(member_id)
        self._audited("view_record", "member", member_id)
        with self.store.reading():
            return self._profile(member)

    def _profile(self, member: Member) -> ProfileData:
        members = self.store.members
        head_id = member.id  # the main insured: the member, or the one it depends on
        if member.main_member_id and member.main_member_id != member.id:
            head_id = member.main_member_id
        policies_ = self.store.policies
        reads = [
            members.dependants_read(head_id),
            members.employer_name_read(member.employer_id),
            self.store.calls.for_member_read(member.id, TIMELINE_LIMIT),
            self.store.tickets.for_member_read(member.id),
            policies_.for_member_read(member.id),
            policies_.coverages_for_member_read(member.id),
            policies_.claims_for_member_read(member.id),
        ]
        if head_id != member.id:
            reads.append(members.get_read(head_id))
        self.store.read_ahead(reads)  # on PostgreSQL all of these in one round trip
        main = members.get(head_id) if head_id != member.id else None
        dependants = [d for d in members.dependants_of(head_id) if d.id != member.id]
        employer_name = self._employer_name(member.employer_id)
        timeline = self.timeline(member)
        policies = list(policies_.for_member(member.id))
        claims = list(policies_.claims_for_member(member.id))
        return ProfileData(member, employer_name, main, dependants, timeline, policies, claims)

    def _employer_name(self, employer_id: str) -> str | None:
        name: str | None = self.store.members.employer_name(employer_id)
        return name

    def timeline(self, member: Member) -> list[TimelineEntry]:
        entries: list[TimelineEntry] = []
        for call in self.store.calls.for_member(member.id, limit=TIMELINE_LIMIT):
            entries.append(
                TimelineEntry(
                    at=call.started_at,
                    kind="call",
                    ref=call.contact_id,
                    summary=call.wrap_up_code or call.skill_group or "",
                    outcome=call.outcome.value,
                    recorded=call.recorded,
                )
            )
        for ticket in self.store.tickets.for_member(member.id):
            entries.append(
                TimelineEntry(
                    at=ticket.created_at,
                    kind="ticket",
                    ref=ticket.id,
                    summary=ticket.title,
                    outcome=ticket.status.value,
                )
            )
        entries.sort(key=lambda e: e.at, reverse=True)
        return entries[:TIMELINE_LIMIT]

    # ---------------------------------------------------------------- tickets
    def my_tickets(self, owner: str) -> list[Ticket]:
        return [t for t in self.store.tickets.open_for_owner(owner) if t.status in _OPEN]

    def ticket(self, ticket_id: str) -> Ticket:
        ticket: Ticket = self.store.tickets.require(ticket_id)
        return ticket

    def ticket_events(self, ticket_id: str) -> list[TicketEvent]:
        return list(self.store.tickets.events(ticket_id))

    def new_ticket_id(self) -> str:
        return str(self.store.tickets.new_ticket_id())

    def save_new(self, ticket: Ticket, event: TicketEvent) -> None:
        self.store.tickets.save_new(ticket, event)
        self._audited("ticket_change", "ticket", ticket.id, kind=str(event.kind))

    def save_changes(self, base: Ticket, changes: Iterable[tuple[Ticket, TicketEvent]]) -> Ticket:
        """Write successive edits of one ticket in one transaction: all of them or none (an
        escalation whose note failed must not leave the ticket escalated without it)."""
        version = base.version
        latest = base
        saved: list[TicketEvent] = []
        with self.store.transaction():
            for ticket, event in changes:
                self.store.tickets.save_change(ticket, event, base_version=version)
                version = ticket.version
                latest = ticket
                saved.append(event)
        for event in saved:  # audited once the steps are in the store
            self._audited("ticket_change", "ticket", latest.id, kind=str(event.kind))
        return latest

    def backlog(self) -> int | None:
        outbox = getattr(self.store, "outbox", None)
        return None if outbox is None else int(outbox.backlog_count())

    def calls_for_ticket(self, ticket: Ticket) -> list[Any]:
        calls = []
        if ticket.contact_id:
            with contextlib.suppress(KeyError):  # not archived yet
                calls.append(self.store.calls.get(ticket.contact_id))
        return calls

    def record_wrap_up(self, contact_id: str, code: str | None, notes: str) -> None:
        """Wrap-up on the call's own record (kept when the CDR is refreshed later)."""
        self.store.calls.set_wrap_up(contact_id, code, notes or None)

    # ------------------------------------------------------------------ audit
    def audit(self, actor: str, action: str, target_type: str, target_id: str, ok: bool,
              detail: dict[str, Any] | None = None) -> None:  # fmt: skip
        outcome = "success" if ok else "failure"
        self.store.audit.append(actor, action, target_type, target_id, outcome, detail or {})
