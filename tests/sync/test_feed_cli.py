"""`cscdesk feed export` for business systems that pull, and the dead letters `doctor` shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from cscdesk.cli import main
from cscdesk.domain.models import TicketType
from cscdesk.domain.sla import SlaPolicy
from cscdesk.domain.workflow import escalate, new_ticket
from cscdesk.store import Store, open_store
from cscdesk.store.business_feed import BusinessFeed

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ticket(store: Store, title: str) -> str:
    ticket, created = new_ticket(ticket_id=store.tickets.new_ticket_id(), type=TicketType.ENQUIRY,
                                 title=title, created_at=T0, created_by="agent1",
                                 sla=SlaPolicy())  # fmt: skip
    store.tickets.save_new(ticket, created)
    changed, event = escalate(ticket, "anhe", due_at=None, at=T0, actor="agent1",
                              note="客户手机13812345678")  # fmt: skip
    store.tickets.save_change(changed, event, base_version=ticket.version)
    return ticket.id


def _cli(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def test_export_pages_through_the_feed_by_cursor_and_resumes_after_new_events(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path / "cscdesk.db")
    first = _ticket(store, "第一张")
    code, out, _ = _cli(tmp_path, "feed", "export", "--since", "0", "--limit", "1", "--json")
    page = json.loads(out)
    assert code == 0 and page["more"] is True
    assert [(e["kind"], e["ticket_id"]) for e in page["events"]] == [("ticket.created", first)]
    code, out, _ = _cli(tmp_path, "feed", "export", "--since", page["cursor"], "--json")
    rest = json.loads(out)
    assert [e["kind"] for e in rest["events"]] == ["ticket.escalated"] and not rest["more"]
    assert "13812345678" not in out  # agent-typed numbers leave masked

    second = _ticket(store, "第二张")
    code, out, _ = _cli(tmp_path, "feed", "export", "--since", rest["cursor"], "--json")
    assert [e["ticket_id"] for e in json.loads(out)["events"]] == [second, second]
    code, out, _ = _cli(tmp_path, "feed", "export", "--since", json.loads(out)["cursor"], "--json")
    assert json.loads(out)["events"] == []
    store.close()


def test_a_cursor_that_is_not_one_is_refused_with_a_message(tmp_path: Path) -> None:
    open_store(tmp_path / "cscdesk.db").close()
    code, _, err = _cli(tmp_path, "feed", "export", "--since", "yesterday")
    assert code == 2 and "a cursor is the whole number an export returned" in err


def test_doctor_lists_dead_letters_until_they_are_sent_again(tmp_path: Path) -> None:
    store = open_store(tmp_path / "cscdesk.db")
    ticket_id = _ticket(store, "无法送达")
    feed = BusinessFeed(store)
    feed.catch_up()
    [created, _escalated] = feed.due(T0)
    feed.failed(created.seq, "http://biz.example/events: HTTP 400", retry_at=None, at=T0)
    store.close()

    code, out, _ = _cli(tmp_path, "doctor")
    assert code == 1
    line = next(x for x in out.splitlines() if "webhook dead letters" in x)
    assert line.startswith("✗") and f"ticket.created {ticket_id}: http://biz.example" in line
    code, out, _ = _cli(tmp_path, "feed", "dead-letters", "--json")
    assert [d["seq"] for d in json.loads(out)["dead_letters"]] == [created.seq]

    code, _, err = _cli(tmp_path, "feed", "resend-dead")
    assert code == 0 and "1 event(s) back in line" in err
    code, out, _ = _cli(tmp_path, "doctor")
    assert "webhook dead letters" not in out
    store = open_store(tmp_path / "cscdesk.db")
    due = BusinessFeed(store).due(datetime.now(UTC) + timedelta(seconds=1))
    assert [e.seq for e in due] == [created.seq, created.seq + 1]  # back in line, in order
    store.close()
