"""Purge: only what is past keep-until and not on legal hold, with an audit event for each."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscdesk.domain.models import Recording
from cscdesk.domain.retention import PolicyTerm, add_years, keep_until
from cscdesk.store import open_store
from cscdesk.sync.blobstore import BlobStore
from cscdesk.sync.retention_ops import purge_recordings
from cscdesk.sync.storage import SyncStorage

TODAY = date(2032, 6, 1)

calls = st.lists(
    st.tuples(
        st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 12, 31)),  # call day
        st.one_of(
            st.none(),
            st.tuples(st.dates(date(2019, 1, 1), date(2031, 1, 1)), st.integers(30, 1500)),
        ),
        st.booleans(),  # legal hold
    ),
    min_size=1,
    max_size=12,
)


def _archive(
    root: Path, rows: list[tuple[date, tuple[date, int] | None, bool]]
) -> tuple[SyncStorage, BlobStore, dict[str, Recording]]:
    storage = SyncStorage(open_store(root / "a.db"))
    blobs = BlobStore(root / "blobs")
    made: dict[str, Recording] = {}
    for n, (call_day, policy, hold) in enumerate(rows):
        audio = f"recording {n}".encode()
        sha = hashlib.sha256(audio).hexdigest()
        path = blobs.path_for(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(audio)
        terms = (
            ()
            if policy is None
            else (PolicyTerm(policy[0], policy[0] + timedelta(days=policy[1])),)
        )
        recording = Recording(
            contact_id=f"job-{n}",
            sha256=sha,
            size=len(audio),
            content_type="audio/wav",
            archived_at=datetime(2026, 1, 1, tzinfo=UTC),
            keep_until=keep_until(call_day, policies=terms),
            legal_hold=hold,
        )
        storage.recording_stored(recording)
        made[recording.contact_id] = recording
    return storage, blobs, made


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=calls)
def test_purge_never_touches_anything_younger_than_keep_until_or_on_hold(
    rows: list[tuple[date, tuple[date, int] | None, bool]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        storage, blobs, made = _archive(Path(tmp), rows)
        preview = purge_recordings(storage, blobs, today=TODAY, actor="lead", dry_run=True)
        assert len(storage.recordings()) == len(made)  # a dry run removes nothing
        report = purge_recordings(storage, blobs, today=TODAY, actor="lead", dry_run=False)
        assert {r.contact_id for r in preview.due} == {r.contact_id for r in report.due}
        kept = {r.contact_id for r in storage.recordings()}
        for contact_id, recording in made.items():
            protected = recording.legal_hold or recording.keep_until > TODAY
            assert (contact_id in kept) == protected
            assert blobs.exists(recording.sha256) == protected


def test_legal_hold_blocks_purge_and_every_purge_is_audited(tmp_path: Path) -> None:
    rows = [(date(2020, 3, 1), None, False), (date(2020, 3, 2), None, False)]
    storage, blobs, _made = _archive(tmp_path, rows)
    assert storage.set_legal_hold("job-1", True, actor="lead", reason="诉讼保全 (2026)京01民初1号")
    report = purge_recordings(storage, blobs, today=TODAY, actor="lead", dry_run=False)
    assert [r.contact_id for r in report.due] == ["job-0"]
    assert [r.contact_id for r in report.held] == ["job-1"]
    assert [r.contact_id for r in storage.recordings()] == ["job-1"]
    actions = [entry.action for entry in storage.store.audit.list()]
    assert "recording.legal_hold" in actions and "recording.purged" in actions


def test_a_recording_is_kept_for_the_policy_it_concerns(tmp_path: Path) -> None:
    from cscdesk.demo.seed import seed_demo

    store = open_store(tmp_path / "demo.db")
    seed_demo(store, members=60, seed=3)
    storage = SyncStorage(store)
    everything = store.calls.between(
        datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    )
    call = next(
        c for c in everything if c.member_id and storage.policy_terms_for_call(c.contact_id)
    )
    terms = storage.policy_terms_for_call(call.contact_id)
    until = keep_until(call.started_at.date(), policies=terms)
    # the demo's group policies run one year: kept five years after the policy ends, which is
    # later than five years after the call
    assert until == max(add_years(t.end, 5) for t in terms)
    assert until > add_years(call.started_at.date(), 5)
    assert storage.policy_terms_for_call("no-such-call") == ()
