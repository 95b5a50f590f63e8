"""Tickets: one transaction for row + history + outbox, optimistic versions, search."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import timedelta

import pytest

from cscdesk.domain.models import SyncState, TicketEvent, TicketStatus
from cscdesk.store import Store
from cscdesk.store.tickets import StaleTicket

from .helpers import T0, created, ticket


def test_save_new_writes_ticket_event_and_outbox_entry(store: Store) -> None:
    new = ticket("T1", member_id="M1", contact_id="job-1")
    saved = store.tickets.save_new(new, created(new))
    assert saved == dataclasses.replace(new, number="GD-20260302-0001")  # 17:00 北京时间
    assert store.tickets.get("T1") == saved
    assert [e.kind for e in store.tickets.events("T1")] == ["created"]
    (entry,) = store.outbox.pending()
    assert (entry.op, entry.idempotency_key, entry.ticket_id) == ("create", "T1:1", "T1")
    assert entry.payload["title"] == "咨询门诊报销比例"
    assert [t.id for t in store.tickets.for_contact("job-1")] == ["T1"]
    assert [t.id for t in store.tickets.for_member("M1")] == ["T1"]


def test_save_change_is_optimistic_and_writes_an_outbox_update(store: Store) -> None:
    first = ticket("T1")
    first = store.tickets.save_new(first, created(first))
    at = T0 + timedelta(minutes=5)
    opened = dataclasses.replace(first, status=TicketStatus.OPEN, version=2, updated_at=at)
    event = TicketEvent("T1", at, "agent001", "status", {"status": ("new", "open")})
    store.tickets.save_change(opened, event, base_version=1)
    assert store.tickets.get("T1") == opened
    entries = store.outbox.pending()
    assert [(e.op, e.idempotency_key, e.base_version) for e in entries] == [
        ("create", "T1:1", None),
        ("status", "T1:2", 1),
    ]
    assert entries[1].payload == {"status": "open", "version": 2}
    # a second desk still holding version 1 loses, and nothing of its edit is stored
    other = dataclasses.replace(first, title="改了标题", version=2)
    with pytest.raises(StaleTicket, match="version 2"):
        store.tickets.save_change(other, event, base_version=1)
    assert store.tickets.get("T1") == opened
    assert len(store.tickets.events("T1")) == 2
    assert store.outbox.backlog_count() == 2


def test_failed_outbox_write_rolls_back_the_ticket(store: Store) -> None:
    first = ticket("T1")
    first = store.tickets.save_new(first, created(first))
    # same version again: the idempotency key collides, so the whole change must vanish
    again = dataclasses.replace(first, title="不应保存", version=1)
    with pytest.raises(sqlite3.IntegrityError):
        store.tickets.save_change(again, created(first), base_version=1)
    assert store.tickets.get("T1") == first
    assert len(store.tickets.events("T1")) == 1


def test_outbox_payload_never_holds_a_whole_mobile(store: Store) -> None:
    new = ticket("T1", description="客户请回电 13812345678")
    new = store.tickets.save_new(new, created(new))
    (entry,) = store.outbox.pending()
    assert entry.payload["description"] == "客户请回电 138****5678"
    assert store.tickets.get("T1") == new  # the ticket itself keeps what the agent typed


def test_history_is_append_only(store: Store) -> None:
    first = ticket("T1")
    first = store.tickets.save_new(first, created(first))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE ticket_events SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM ticket_events")


def test_outbox_done_and_failed(store: Store) -> None:
    first = ticket("T1")
    first = store.tickets.save_new(first, created(first))
    (entry,) = store.outbox.pending()
    later = T0 + timedelta(minutes=1)
    store.outbox.mark_failed(entry.id, "HTTP 503", later)
    (retry,) = store.outbox.pending()
    assert (retry.attempts, retry.last_error, retry.next_attempt_at) == (1, "HTTP 503", later)
    assert store.outbox.pending(due_by=T0) == []
    store.outbox.mark_done(entry.id)
    assert store.outbox.pending() == [] and store.outbox.backlog_count() == 0


def test_sync_state_does_not_bump_the_version(store: Store) -> None:
    first = ticket("T1")
    first = store.tickets.save_new(first, created(first))
    store.tickets.set_sync_state("T1", SyncState.SYNCED, remote_id="R9", remote_version=3)
    stored = store.tickets.get("T1")
    assert stored is not None
    assert (stored.sync_state, stored.remote_id, stored.remote_version, stored.version) == (
        SyncState.SYNCED, "R9", 3, 1,
    )  # fmt: skip


def test_full_text_search_over_title_description_and_notes(store: Store) -> None:
    a = ticket("T1", "理赔进度查询", description="客户询问住院理赔何时到账")
    b = ticket("T2", "变更银行账户")
    for t in (a, b):
        t = store.tickets.save_new(t, created(t))
    note = TicketEvent("T2", T0, "agent001", "note", note="客户要求周五回电")
    store.tickets.save_change(dataclasses.replace(b, version=2), note, base_version=1)
    assert [t.id for t in store.tickets.search("何时到账")] == ["T1"]
    assert [t.id for t in store.tickets.search("周五回电")] == ["T2"]
    assert [t.id for t in store.tickets.search("银行")] == ["T2"]  # two characters
    assert store.tickets.search("不存在的内容") == []


_TEXTS = [
    ("理赔进度查询", "客户询问住院理赔何时到账，报案号 R000000011"),
    ("协助补充理赔材料", "需补充发票原件和出院小结"),
    ("补充材料已收到", "材料齐全，转保险公司审核"),
    ("咨询保障范围", "补充医疗是否含牙科；理赔材料清单另发"),
    ("投诉理赔时效过长", "客户称理赔超过30天没有进度"),
    ("变更银行账户", "新账户为招商银行，请核对户名"),
    ("理赔结案回访", "客户对结果满意"),
    ("咨询发票要求", "电子发票可以，需加盖发票专用章"),
]
_NOTES = {"T03": "已电话告知进度", "T05": "材料补充后再提交"}


@pytest.fixture
def worded(store: Store) -> Store:
    for k, (title, description) in enumerate(_TEXTS):
        t = ticket(f"T{k:02d}", title, description=description, updated_at=T0 + timedelta(k))
        t = store.tickets.save_new(t, created(t))
    for tid, text in _NOTES.items():
        current = store.tickets.require(tid)
        note = TicketEvent(tid, T0, "agent001", "note", note=text)
        store.tickets.save_change(
            dataclasses.replace(current, version=current.version + 1), note,
            base_version=current.version,
        )  # fmt: skip
    return store


def _like_all(store: Store, text: str) -> set[str]:
    """What a LIKE scan finds: every word somewhere in the title, description or notes."""
    words = text.split()
    where = " AND ".join(
        "(t.title || ' ' || t.description || ' ' || n.notes) LIKE ?" for _ in words
    )
    with store.reading() as db:
        rows = db.execute(
            "SELECT t.id FROM tickets t JOIN (SELECT ticket_id, group_concat(coalesce(note, ''),"
            f" ' ') AS notes FROM ticket_events GROUP BY ticket_id) n ON n.ticket_id = t.id"
            f" WHERE {where}",
            [f"%{w}%" for w in words],
        )
        return {r[0] for r in rows}


@pytest.mark.parametrize(
    "text",
    ["理赔", "材料", "进度", "发票", "银行", "理赔 进度", "补充 材料", "补充材料", "理赔 材料 补充",
     "进度 理赔", "理", "赔", "料", "R000000011", "理赔材料", "30", "材料 发票", "户名 招商"],
)  # fmt: skip
def test_words_and_two_character_words_find_what_like_finds(worded: Store, text: str) -> None:
    expected = _like_all(worded, text)
    assert expected, text
    assert {t.id for t in worded.tickets.search(text)} == expected


def test_words_in_notes_are_found_and_renamed_titles_forget_old_words(worded: Store) -> None:
    assert {t.id for t in worded.tickets.search("告知 进度")} == {"T03"}
    current = worded.tickets.require("T06")
    renamed = dataclasses.replace(current, title="理赔回访", version=current.version + 1)
    event = TicketEvent("T06", T0, "agent001", "edit", {"title": (current.title, renamed.title)})
    worded.tickets.save_change(renamed, event, base_version=current.version)
    assert "T06" not in {t.id for t in worded.tickets.search("结案")}
    assert "T06" in {t.id for t in worded.tickets.search("理赔 回访")}


def test_title_matches_rank_first_then_the_latest(worded: Store) -> None:
    found = [t.id for t in worded.tickets.search("理赔 材料")]
    assert found[0] == "T01"  # 协助补充理赔材料: both words in the title
    rest = [worded.tickets.require(i).updated_at for i in found[1:]]
    assert rest == sorted(rest, reverse=True)


@pytest.mark.parametrize("text", ['"', "*", "-", "AND", "NOT 理赔", "理赔)", "^进度"])
def test_search_syntax_is_text(worded: Store, text: str) -> None:
    cleaned = " ".join(w for w in (text.replace('"', " ").replace("*", " ").replace("-", " ")
                                   .replace(")", " ").replace("^", " ")).split())  # fmt: skip
    expected = _like_all(worded, cleaned) if cleaned else set()
    assert {t.id for t in worded.tickets.search(text)} == expected


def test_open_for_owner_lists_unfinished_tickets_by_due_date(store: Store) -> None:
    soon = ticket("T1", due_at=T0 + timedelta(days=1))
    later = ticket("T2", due_at=T0 + timedelta(days=5))
    done = ticket("T3", status=TicketStatus.CLOSED)
    other = ticket("T4", owner="agent002@ccc-demo")
    for t in (later, done, soon, other):
        t = store.tickets.save_new(t, created(t))
    assert [t.id for t in store.tickets.open_for_owner("agent001@ccc-demo")] == ["T1", "T2"]


def test_ticket_ids_are_unique_and_sort_by_time(store: Store) -> None:
    from cscdesk.store.tickets import new_ticket_id

    ids = [store.tickets.new_ticket_id() for _ in range(1000)]
    assert len(set(ids)) == 1000 and all(i.startswith("T") and len(i) == 27 for i in ids)
    assert new_ticket_id(1_000) < new_ticket_id(2_000) < new_ticket_id(10**12)
