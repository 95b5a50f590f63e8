"""Authentication, paging and reach limits, recording URLs and archive: answered as the vendor does."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cscdesk.callcenter.sim.server import SimulatorHandle

from .conftest import body, signed_post


def test_signed_request_is_accepted(sim: SimulatorHandle) -> None:
    response = signed_post(sim, "ListSkillGroups", {"InstanceId": sim.instance_id})
    assert response.status_code == 200 and body(response)["Code"] == "OK"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"key_id": "LTAI-unknown"}, "InvalidAccessKeyId.NotFound"),
        ({"secret": "wrong-secret"}, "SignatureDoesNotMatch"),
        ({"tamper": True}, "SignatureDoesNotMatch"),
        ({"date": (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")},
         "InvalidTimeStamp.Expired"),
    ],
)  # fmt: skip
def test_bad_credentials_are_rejected_with_vendor_codes(
    sim: SimulatorHandle, kwargs: dict[str, object], code: str
) -> None:
    response = signed_post(sim, "ListSkillGroups", {"InstanceId": sim.instance_id}, **kwargs)  # type: ignore[arg-type]
    assert response.status_code in (400, 403, 404)
    assert body(response)["Code"] == code


def test_replayed_nonce_is_rejected(sim: SimulatorHandle) -> None:
    nonce = uuid.uuid4().hex
    first = signed_post(sim, "ListSkillGroups", {"InstanceId": sim.instance_id}, nonce=nonce)
    again = signed_post(sim, "ListSkillGroups", {"InstanceId": sim.instance_id}, nonce=nonce)
    assert first.status_code == 200
    assert again.status_code == 400 and body(again)["Code"] == "SignatureNonceUsed"


@pytest.mark.parametrize(("number", "size"), [(0, 10), (101, 10), (1, 101), (1, 0)])
def test_paging_outside_vendor_limits_is_invalid(
    sim: SimulatorHandle, number: int, size: int
) -> None:
    params = {"InstanceId": sim.instance_id, "PageNumber": str(number), "PageSize": str(size)}
    response = signed_post(sim, "ListCallDetailRecordsV2", params)
    assert response.status_code == 400 and body(response)["Code"] == "Parameter.Invalid"


def test_recent_cdr_query_reaches_back_at_most_180_days(sim: SimulatorHandle) -> None:
    now = sim.clock.epoch_ms()
    day = 86_400_000
    ok = signed_post(sim, "ListRecentCallDetailRecords",
                     {"InstanceId": sim.instance_id, "StartTime": str(now - 179 * day), "EndTime": str(now)})  # fmt: skip
    too_far = signed_post(sim, "ListRecentCallDetailRecords",
                          {"InstanceId": sim.instance_id, "StartTime": str(now - 181 * day), "EndTime": str(now)})  # fmt: skip
    assert ok.status_code == 200 and body(ok)["Data"]["TotalCount"] > 0
    assert too_far.status_code == 400 and body(too_far)["Code"] == "Parameter.Invalid"


def _recorded_contact(sim: SimulatorHandle, *, older_than_days: float = 0) -> str:
    limit = sim.clock.seconds - older_than_days * 86400
    return next(c.contact_id for c in sim.model.records if c.recorded and c.started_at < limit)


def test_recording_url_serves_wav_then_expires(sim: SimulatorHandle) -> None:
    contact = _recorded_contact(sim)
    got = signed_post(sim, "GetMonoRecording",
                      {"InstanceId": sim.instance_id, "ContactId": contact, "ExpireSeconds": "60"})  # fmt: skip
    url = body(got)["Data"]["FileUrl"]
    audio = httpx.get(url)
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    sim.advance(61)
    expired = httpx.get(url)
    assert expired.status_code == 403 and "Request has expired" in expired.text


def test_archived_recording_needs_restore(sim: SimulatorHandle) -> None:
    sim.vault.archive_after_seconds = 86400  # archive after one simulated day for this check
    contact = _recorded_contact(sim, older_than_days=1.5)
    params = {"InstanceId": sim.instance_id, "ContactId": contact}
    refused = signed_post(sim, "GetMonoRecording", params)
    assert refused.status_code == 403 and body(refused)["Code"] == "Forbidden.ArchivedRecording"
    restore = signed_post(sim, "RestoreArchivedRecordings",
                          {"InstanceId": sim.instance_id, "ContactIds": json.dumps([contact])})  # fmt: skip
    # "Completed or Progressing" (SDK doc comment of RestoreArchivedRecordings Data[].Status)
    assert body(restore)["Data"][0]["Status"] == "Progressing"
    assert signed_post(sim, "GetMonoRecording", params).status_code == 403
    sim.advance(sim.vault.restore_seconds + 1)
    restored = signed_post(sim, "GetMonoRecording", params)
    assert (
        restored.status_code == 200
        and httpx.get(body(restored)["Data"]["FileUrl"]).status_code == 200
    )
    again = signed_post(sim, "RestoreArchivedRecordings",
                        {"InstanceId": sim.instance_id, "ContactIds": json.dumps([contact])})  # fmt: skip
    assert body(again)["Data"][0]["Status"] == "Completed"


def test_an_unknown_user_is_404_not_exists_user_id(sim: SimulatorHandle) -> None:
    """ "NotExists.UserId ... The user %s does not exist in instance %s." HTTP 404 (SignInGroup and
    SignOutGroup error tables, pages 439627 / 439628)."""
    params = {"InstanceId": sim.instance_id, "UserId": "nobody@ccc-demo", "DeviceId": "SIP-1"}
    for action in ("PollUserStatus", "SignInGroup"):
        reply = signed_post(sim, action, {**params, "SignedSkillGroupIdList": "[]"})
        assert reply.status_code == 404 and body(reply)["Code"] == "NotExists.UserId"
