"""Purge past keep-until and verify checksums: the archive's two maintenance jobs.

Purge never removes anything the retention rule still protects or a legal hold covers, and it
leaves an audit event per recording. The keep-until date is worked out again at purge time with
today's rules (``domain.retention.keep_until``): the configured minimum, the group contract's
end (not only the insured's own record), and the caller's complaints, which hold their
recordings while open and for two years after they end; the stored date is never shortened. The manifest row goes first (with its audit event, in one
transaction), the file second: a crash in between leaves an orphan file that ``verify`` reports,
never a manifest row that points at nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime

from cscdesk.domain.complaints import Complaint, ComplaintStepError, as_dispute
from cscdesk.domain.models import Recording
from cscdesk.domain.retention import (
    CALL_YEARS,
    DISPUTE_YEARS,
    Dispute,
    PolicyTerm,
    add_years,
    keep_until,
    may_purge,
)
from cscdesk.domain.sla import SlaPolicy
from cscdesk.store.calls import UnknownCall
from cscdesk.store.complaints import Complaints
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.storage import SyncStorage


@dataclass(frozen=True, slots=True)
class RetentionFacts:
    """What the rules need about one recording's call, read from the store."""

    call_day: date
    policies: tuple[PolicyTerm, ...]
    disputes: tuple[Dispute, ...]


def retention_facts(storage: SyncStorage, recording: Recording) -> RetentionFacts:
    """The call's day, its policies with the group contract's end, the caller's complaints."""
    store = storage.store
    try:
        call = store.calls.get(recording.contact_id)
    except UnknownCall:
        return RetentionFacts(recording.archived_at.date(), (), ())
    day = call.started_at.date()
    if call.member_id is None:
        return RetentionFacts(day, (), ())
    terms = []
    for policy in store.policies.for_member(call.member_id):
        if not policy.start <= day <= policy.end:
            continue
        group = store.policies.by_policy_no(policy.policy_no)
        contract_end = max((p.end for p in group), default=policy.end)
        terms.append(PolicyTerm(policy.start, policy.end, contract_end))
    sla = SlaPolicy()
    disputes = tuple(as_dispute(c, sla) for c in Complaints(store).for_member(call.member_id))
    return RetentionFacts(day, tuple(terms), disputes)


def effective_keep_until(
    recording: Recording, facts: RetentionFacts, *, min_years: int = CALL_YEARS
) -> date:
    """Today's keep-until: every rule as it stands now, never earlier than the stored date."""
    return keep_until(
        facts.call_day,
        policies=facts.policies,
        min_years=min_years,
        disputes=facts.disputes,
        stored=recording.keep_until,
    )


@dataclass(slots=True)
class PurgeReport:
    due: list[Recording] = field(default_factory=list)
    held: list[Recording] = field(default_factory=list)  # past keep-until but on legal hold
    purged: int = 0
    dry_run: bool = True


def purge_recordings(
    storage: SyncStorage,
    blobs: BlobStore,
    *,
    today: date,
    actor: str,
    dry_run: bool,
    min_years: int = CALL_YEARS,
) -> PurgeReport:
    """Purge what today's rules no longer protect; ``min_years`` is [archive] min_retention_years."""
    report = PurgeReport(dry_run=dry_run)
    manifest = storage.recordings()
    for stored in manifest:
        facts = retention_facts(storage, stored)
        until = effective_keep_until(stored, facts, min_years=min_years)
        recording = dataclasses.replace(stored, keep_until=until)
        if may_purge(keep_until_day=until, legal_hold=stored.legal_hold, today=today,
                     disputes=facts.disputes):  # fmt: skip
            report.due.append(recording)
        elif today >= until and (stored.legal_hold or any(d.ended is None for d in facts.disputes)):
            report.held.append(recording)
    if dry_run:
        return report
    still_used = {r.sha256 for r in manifest} - {r.sha256 for r in report.due}
    for recording in report.due:
        storage.purge_recording(recording, actor=actor)
        if recording.sha256 not in still_used:
            blobs.delete(recording.sha256)
        report.purged += 1
    return report


def release_legal_hold(
    storage: SyncStorage,
    contact_id: str,
    *,
    dispute_ended: date,
    actor: str,
    reason: str,
) -> Recording | None:
    """Lift a legal hold once the dispute ended, keeping the recording at least two more years.

    The keep-until date becomes the later of the stored one and ``dispute_ended`` + 2 years, in
    the same step as the release, so the recording is never purgeable in between."""
    current = storage.recording(contact_id)
    if current is None:
        return None
    until = max(current.keep_until, add_years(dispute_ended, DISPUTE_YEARS))
    storage.store.recordings.put(dataclasses.replace(current, keep_until=until))
    storage.set_legal_hold(contact_id, False, actor=actor, reason=reason)
    storage.audit(actor, "recording.keep_until_extended", f"recording:{contact_id}",
                  {"keep_until": until.isoformat(), "dispute_ended": dispute_ended.isoformat()})  # fmt: skip
    return storage.recording(contact_id)


def hold_complaint_recordings(
    storage: SyncStorage, member_id: str, complaint_id: str, *, actor: str
) -> list[str]:
    """Put a legal hold on the archived recordings of a complainant's calls (投诉: evidence)."""
    held = []
    for call in storage.store.calls.for_member(member_id, limit=1000):
        recording = storage.recording(call.contact_id)
        if recording is not None and not recording.legal_hold:
            storage.set_legal_hold(call.contact_id, True, actor=actor,
                                   reason=f"complaint {complaint_id}")  # fmt: skip
            held.append(call.contact_id)
    return held


def open_complaint(
    storage: SyncStorage, complaint: Complaint, *, actor: str, at: datetime
) -> list[str]:
    """Record a new complaint and put its caller's archived recordings on legal hold.

    Every path that opens a complaint goes through here, so the evidence is held from the start
    (the purge also spares them while the complaint is open, but a hold is visible and audited).
    Returns the contact ids newly held. A complaint id already in the store is refused: steps
    on an existing complaint are saved with ``store.complaints.save``."""
    complaints = storage.store.complaints
    if complaints.get(complaint.id) is not None:
        raise ComplaintStepError(
            f"complaint {complaint.id}: already recorded; it cannot be opened again"
        )
    complaints.save(complaint, step="open", actor=actor, at=at)
    if complaint.member_id is None:
        return []
    return hold_complaint_recordings(storage, complaint.member_id, complaint.id, actor=actor)


@dataclass(slots=True)
class VerifyReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # contact ids whose file is gone
    corrupt: list[str] = field(default_factory=list)  # contact ids whose bytes changed
    orphans: list[str] = field(default_factory=list)  # files no manifest row names
    re_read: int | None = None  # recordings read in full (a bucket samples; None: all of them)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


def verify_recordings(storage: SyncStorage, blobs: BlobStore) -> VerifyReport:
    """Recompute every recording's SHA-256 against its manifest row."""
    report = VerifyReport()
    known: set[str] = set()
    for recording in storage.recordings():
        report.checked += 1
        known.add(recording.sha256)
        actual = blobs.checksum(recording.sha256)
        if actual is None:
            report.missing.append(recording.contact_id)
        elif actual != recording.sha256:
            report.corrupt.append(recording.contact_id)
    report.orphans = sorted(h for h in blobs.iter_hashes() if h not in known)
    report.re_read = getattr(blobs, "sampled", None)  # S3BlobStore: a sample re-read in full
    return report
