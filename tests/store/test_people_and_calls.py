"""Members, policies and the CDR archive as the desk reads them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta, timezone
from decimal import Decimal

import pytest

from cscdesk.callcenter.port import CallRecord
from cscdesk.domain.models import Coverage, Policy, PolicyStatus, Relation
from cscdesk.store import Store
from cscdesk.store.members import UnknownMember

from .helpers import T0, employer, member

MAIN = member("M1", "欧阳娜娜", "11010519491231002X", "13812345678", employee_no="E0042")
SPOUSE = member("M2", "李明", "110105194912310037", "13900000001", relation=Relation.SPOUSE,
                main="M1")  # fmt: skip
CHILD = member("M3", "欧阳小明", "110105201501010011", None, relation=Relation.CHILD, main="M1")


@pytest.fixture
def family(store: Store) -> Store:
    store.employers.put_many([employer()])
    store.members.add_many([MAIN, SPOUSE, CHILD])
    return store


def test_lookups_by_mobile_id_number_name_and_family(family: Store) -> None:
    assert family.members.by_mobile("13812345678") == [MAIN]
    assert family.members.by_id_number("11010519491231002x") == [MAIN]
    assert family.members.get("M3") == CHILD
    assert [m.id for m in family.members.search("欧阳")] == ["M1", "M3"]
    assert [m.id for m in family.members.search("E004")] == ["M1"]
    assert family.members.search("王") == []
    assert [m.id for m in family.members.dependants_of("M1")] == ["M2", "M3"]
    assert family.members.employer_name("E1") == "演示单位E1"
    assert family.members.count() == 3
    with pytest.raises(UnknownMember):
        family.members.get("M404")


def test_renamed_member_is_found_by_the_new_name_only(family: Store) -> None:
    family.members.upsert_many([replace(MAIN, name="欧阳丽")])
    assert [m.id for m in family.members.search("欧阳丽")] == ["M1"]
    assert [m.id for m in family.members.search("欧阳娜娜")] == []


def test_policies_carry_their_plan_coverages_and_claims(family: Store) -> None:
    family.insurers.put_many([])
    from cscdesk.demo.scenario import INSURERS

    family.insurers.put_many(INSURERS)
    opd = Coverage("OPD", "门急诊医疗", Decimal("20000"), Decimal("100"), Decimal("0.8"))
    family.policies.set_plan("GP1", "A", [opd])
    policy = Policy("GP1", "GP1-0001", "ruian", "E1", "M1", "企业补充医疗保险",
                    date(2026, 1, 1), date(2026, 12, 31), PolicyStatus.ACTIVE)  # fmt: skip
    family.policies.add_many([policy], {"M1": "A"})
    assert family.policies.for_member("M1") == [replace(policy, coverages=(opd,))]
    assert family.policies.by_policy_no("GP1") == [replace(policy, coverages=(opd,))]
    assert family.policies.members_by_insurer() == {"ruian": 1}


def _cdr(contact_id: str, caller: str, minute: int, **extra: object) -> CallRecord:
    start = T0 + timedelta(minutes=minute)
    fields: dict[str, object] = {
        "contact_id": contact_id, "direction": "inbound", "caller": caller,
        "callee": "4008001234", "start_time": start,
        "established_time": start + timedelta(seconds=30),
        "release_time": start + timedelta(seconds=330), "skill_group_id": "sg_group_claims",
        "agent_ids": ("agent001@ccc-demo",), "queue_wait_seconds": 20.0, "ring_seconds": 3.0,
        "talk_seconds": 300.0, "hold_seconds": 0.0, "work_seconds": 15.0,
        "outcome": "answered", "release_initiator": "customer",
        "recording_available": True, "satisfaction": None,
    }  # fmt: skip
    fields.update(extra)
    return CallRecord(**fields)  # type: ignore[arg-type]


def test_cdr_upsert_is_idempotent_and_links_the_caller(family: Store) -> None:
    records = [_cdr("job-1", "13812345678", 0), _cdr("job-2", "13700000000", 10)]
    family.calls.upsert_many(records)
    family.calls.set_wrap_up("job-1", "claim_progress", "问理赔进度")
    family.calls.upsert_many(records)  # the archive fetches the same page again
    family.calls.upsert_many([_cdr("job-2", "13700000000", 10, satisfaction=5)])
    assert family.calls.count() == 2
    first = family.calls.get("job-1")
    assert (first.member_id, first.wrap_up_code) == ("M1", "claim_progress")
    assert first.wait_seconds == pytest.approx(20.0)
    assert family.calls.get("job-2").satisfaction == 5
    assert [c.contact_id for c in family.calls.for_member("M1")] == ["job-1"]
    assert [c.contact_id for c in family.calls.history_for_caller("138 1234 5678")] == ["job-1"]
    # mobiles live only in members: the archive keeps the caller masked
    assert {c.caller for c in family.calls.between(T0, T0 + timedelta(hours=1))} == {
        "138****5678", "137****0000",
    }  # fmt: skip
    window = family.calls.between(T0 + timedelta(minutes=5), T0 + timedelta(minutes=15))
    assert [c.contact_id for c in window] == ["job-2"]


def test_another_call_under_a_stored_contact_id_keeps_the_first_and_says_so(
    family: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A simulator restarted on old data once numbered its calls from 1 again: a ticket linked
    to a call must keep pointing at that call, whatever arrives later under its id."""
    first = _cdr("job-3", "13812345678", 0)
    family.calls.upsert_many([first])
    family.calls.set_wrap_up("job-3", "claim_progress", "问理赔进度")
    stranger = _cdr("job-3", "13700000000", 90, agent_ids=("agent007@ccc-demo",))
    with caplog.at_level("WARNING", logger="cscdesk.store.calls"):
        family.calls.upsert_many([stranger, _cdr("job-4", "13700000000", 95)])
    kept = family.calls.get("job-3")
    assert (kept.caller, kept.agent_id, kept.member_id) == (
        "138****5678",
        "agent001@ccc-demo",
        "M1",
    )
    assert (kept.started_at, kept.wrap_up_code) == (T0, "claim_progress")
    assert family.calls.get("job-4").caller == "137****0000"  # the rest of the batch is stored
    (warning,) = [r for r in caplog.records if "job-3" in r.getMessage()]
    assert "stored already as another call" in warning.getMessage()
    family.calls.upsert_many([_cdr("job-3", "13812345678", 0, satisfaction=5)])  # the same call
    assert family.calls.get("job-3").satisfaction == 5


def test_a_large_batch_with_a_contact_id_twice_lands_as_if_sent_one_by_one(family: Store) -> None:
    """Thousands of CDRs in one call (a first sync), one ContactId in it twice: the later
    sighting wins, a desk's wrap-up code on an earlier one survives, callers are linked."""
    from cscdesk.domain.models import Call, CallDirection, CallOutcome

    desk = Call("job-0", CallDirection.INBOUND, "13812345678", "4008001234", T0,
                CallOutcome.ANSWERED, wrap_up_code="claim_progress")  # fmt: skip
    strangers = [_cdr(f"job-{i}", f"137{i:08d}", i % 600) for i in range(1, 4501)]
    batch = [desk, *strangers[:2000], _cdr("job-0", "13812345678", 0, satisfaction=2),
             *strangers[2000:], _cdr("job-0", "13812345678", 0, satisfaction=4),
             _cdr("job-4500", "13812345678", 4500 % 600)]  # fmt: skip
    assert family.calls.upsert_many(batch) == len(batch)
    assert family.calls.count() == 4501
    again = family.calls.get("job-0")
    assert (again.satisfaction, again.wrap_up_code, again.member_id) == (4, "claim_progress", "M1")
    assert again.talk_seconds == 300.0  # the CDR's figures replaced the desk's zero
    assert family.calls.get("job-4500").member_id == "M1"  # the last line of the batch, linked
    assert family.calls.get("job-17").member_id is None
    assert len(family.calls.between(T0, T0 + timedelta(hours=10))) == 4501


def test_a_number_shared_by_a_family_links_the_call_to_the_member_themself(store: Store) -> None:
    store.employers.put_many([employer()])
    other = member("M9", "王芳", "110105198001010028", "13900009999")
    child = member("M3", "王小明", "110105201501010011", "13812345678",
                   relation=Relation.CHILD, main="M9")  # fmt: skip
    store.members.add_many([other, child])  # a child registered with a phone that is not theirs
    store.members.add_many([MAIN])  # then the phone's owner
    store.calls.upsert_many([_cdr("job-1", "+86 138-1234-5678", 0)])
    assert store.calls.get("job-1").member_id == "M1"


def test_awkward_cdr_text_and_numbers_come_back_exactly(family: Store) -> None:
    """Tabs, newlines, backslashes and Chinese in a CDR's text fields, empty and absent times,
    and fractional seconds are stored as the vendor sent them."""
    odd = _cdr("job-\\1", "13812345678", 0, skill_group_id="理赔\t二线\\组\n夜班\r",
               agent_ids=("",), established_time=None, talk_seconds=0.1 + 0.2,
               transferred_to="\\N", raw={"note": "a\tb\nc\\d"})  # fmt: skip
    family.calls.upsert_many([odd])
    stored = family.calls.get("job-\\1")
    assert (stored.skill_group, stored.agent_id, stored.transferred_to) == (
        "理赔\t二线\\组\n夜班\r", "", "\\N",
    )  # fmt: skip
    assert stored.answered_at is None
    assert stored.talk_seconds == 0.1 + 0.2
    assert stored.member_id == "M1"


def test_cdr_times_from_any_zone_are_kept_as_the_same_instants(family: Store) -> None:
    """A CDR time in Beijing time, or without a zone (taken as UTC), is the same instant when
    the desk reads it back, on either engine."""
    beijing = timezone(timedelta(hours=8))
    start = T0.astimezone(beijing)
    naive_answer = (T0 + timedelta(seconds=30)).replace(tzinfo=None)
    family.calls.upsert_many([_cdr("job-tz", "13812345678", 0, start_time=start,
                                   established_time=naive_answer)])  # fmt: skip
    stored = family.calls.get("job-tz")
    assert stored.started_at == T0
    assert stored.answered_at == T0 + timedelta(seconds=30)
    assert [c.contact_id for c in family.calls.between(T0, T0 + timedelta(minutes=1))] == ["job-tz"]
