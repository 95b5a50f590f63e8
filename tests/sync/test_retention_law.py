"""Retention as the rules say, on a real store: the group contract's end, complaints holding
their recordings, a released hold keeping them two more years, and today's rules at purge time.

Rules (reference cn-csc-standards.md §1.3, §1.5): 保险法 §87 "自保险合同终止之日起计算，保险期间在
一年以下的不得少于五年，保险期间超过一年的不得少于十年"; 保险销售行为可回溯管理暂行办法 (news summary):
where there is a complaint or lawsuit, kept until at least 2 years after the dispute ends.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cscdesk.domain.complaints import Notice, decide, new_complaint
from cscdesk.domain.models import (
    Call,
    CallDirection,
    CallOutcome,
    Employer,
    IdType,
    Insurer,
    Member,
    Policy,
    PolicyStatus,
    Recording,
    Sex,
)
from cscdesk.domain.retention import Dispute, PolicyTerm, keep_until, may_purge
from cscdesk.store import open_store
from cscdesk.store.complaints import Complaints
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.retention_ops import (
    hold_complaint_recordings,
    purge_recordings,
    release_legal_hold,
)
from cscdesk.sync.storage import SyncStorage

SH = ZoneInfo("Asia/Shanghai")


def test_group_contract_end_counts_not_the_insureds_own_early_end() -> None:
    # the insured left on 30 Jun 2026; the group contract ran to 31 Dec 2026 (1 year: 5 years)
    own = PolicyTerm(date(2026, 1, 1), date(2026, 6, 30), contract_end=date(2026, 12, 31))
    assert keep_until(date(2026, 3, 1), policies=(own,)) == date(2031, 12, 31)


def test_open_dispute_holds_and_ended_one_keeps_two_more_years() -> None:
    assert not may_purge(keep_until_day=date(2031, 3, 1), legal_hold=False, today=date(2040, 1, 1),
                         disputes=(Dispute(date(2026, 3, 1)),))  # fmt: skip
    ended = (Dispute(date(2026, 3, 1), date(2030, 6, 1)),)
    assert keep_until(date(2026, 3, 1), disputes=ended) == date(2032, 6, 1)
    assert not may_purge(keep_until_day=date(2031, 3, 1), legal_hold=False,
                         today=date(2032, 5, 31), disputes=ended)  # fmt: skip
    assert may_purge(keep_until_day=date(2031, 3, 1), legal_hold=False, today=date(2032, 6, 1),
                     disputes=ended)  # fmt: skip


def _archive(root: Path) -> tuple[SyncStorage, BlobStore]:
    store = open_store(root / "a.db")
    store.employers.put_many([Employer("e1", "示例公司")])
    store.insurers.put_many([Insurer("ins-a", "甲保险")])
    store.members.add_many([
        Member("m1", "张三", IdType.RESIDENT_ID, "110101199001011234", date(1990, 1, 1), Sex.MALE,
               "13800000001", "e1"),
        Member("m2", "李四", IdType.RESIDENT_ID, "110101199001015678", date(1990, 1, 1), Sex.FEMALE,
               "13800000002", "e1"),
    ])  # fmt: skip
    store.policies.add_many([
        Policy("GP1", "01", "ins-a", "e1", "m1", "团体医疗", date(2026, 1, 1), date(2026, 4, 30),
               PolicyStatus.TERMINATED),
        Policy("GP1", "02", "ins-a", "e1", "m2", "团体医疗", date(2026, 1, 1), date(2026, 12, 31),
               PolicyStatus.ACTIVE),
    ])  # fmt: skip
    store.calls.upsert_many([
        Call("c1", CallDirection.INBOUND, "13800000001", "400", datetime(2026, 3, 1, 2, tzinfo=UTC),
             CallOutcome.ANSWERED, member_id="m1", recorded=True),
    ])  # fmt: skip
    storage = SyncStorage(store)
    blobs = BlobStore(root / "blobs")
    audio = b"recording c1"
    sha = hashlib.sha256(audio).hexdigest()
    path = blobs.path_for(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(audio)
    # archived with the insured's own end (30 Apr 2026 + 5 years), as the download path does
    storage.recording_stored(Recording("c1", sha, len(audio), "audio/wav",
                                       datetime(2026, 3, 2, tzinfo=UTC), date(2031, 4, 30)))  # fmt: skip
    return storage, blobs


def test_purge_uses_the_group_contract_end_and_todays_minimum(tmp_path: Path) -> None:
    storage, blobs = _archive(tmp_path)
    # 1 May 2031: past the stored date, but the group contract ended 31 Dec 2026 → 2031-12-31
    report = purge_recordings(storage, blobs, today=date(2031, 5, 1), actor="u", dry_run=True)
    assert report.due == []
    # a later configured minimum of 7 years from the call applies to this older recording
    report = purge_recordings(storage, blobs, today=date(2032, 1, 1), actor="u", dry_run=True,
                              min_years=7)  # fmt: skip
    assert report.due == []
    report = purge_recordings(storage, blobs, today=date(2032, 1, 1), actor="u", dry_run=True)
    assert [r.contact_id for r in report.due] == ["c1"]


def test_a_complaint_holds_its_recordings_until_two_years_after_it_ends(tmp_path: Path) -> None:
    storage, blobs = _archive(tmp_path)
    repo = Complaints(storage.store)
    complaint = new_complaint("CP1", received_at=datetime(2031, 11, 1, 10, tzinfo=SH),
                              channel="hotline", category="claims", member_id="m1")  # fmt: skip
    repo.save(complaint, step="received", actor="u", at=datetime(2031, 11, 1, tzinfo=UTC))
    report = purge_recordings(storage, blobs, today=date(2032, 1, 1), actor="u", dry_run=True)
    assert report.due == [] and [r.contact_id for r in report.held] == ["c1"]
    notice = Notice("决定", "letter", datetime(2031, 11, 10, 10, tzinfo=SH), "理由", "可申请核查")
    repo.save(decide(complaint, notice), step="decided", actor="u",
              at=datetime(2031, 11, 10, tzinfo=UTC))  # fmt: skip
    assert purge_recordings(storage, blobs, today=date(2033, 11, 9), actor="u",
                            dry_run=True).due == []  # fmt: skip
    due = purge_recordings(storage, blobs, today=date(2033, 11, 10), actor="u", dry_run=True).due
    assert [(r.contact_id, r.keep_until) for r in due] == [("c1", date(2033, 11, 10))]
    assert hold_complaint_recordings(storage, "m1", "CP1", actor="u") == ["c1"]
    recording = storage.recording("c1")
    assert recording is not None and recording.legal_hold


def test_released_hold_keeps_the_recording_two_years_after_the_dispute(tmp_path: Path) -> None:
    storage, _ = _archive(tmp_path)
    storage.set_legal_hold("c1", True, actor="u", reason="诉讼")
    released = release_legal_hold(storage, "c1", dispute_ended=date(2033, 3, 15), actor="u",
                                  reason="判决生效")  # fmt: skip
    assert released is not None and not released.legal_hold
    assert released.keep_until == date(2035, 3, 15)
