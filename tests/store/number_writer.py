"""One desk process saving tickets as fast as it can, for the ticket-number test.

It waits for the start file (so every process starts allocating at once), saves COUNT tickets
and prints the number each one got.

Usage: python number_writer.py STORE START_FILE NAME COUNT
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from cscdesk.domain.models import Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.store import open_store

OPENED = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 北京时间


def main() -> int:
    path, start, name, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    store = open_store(path)
    while not start.exists():
        time.sleep(0.01)
    for k in range(count):
        ticket = Ticket(id=f"T-{name}-{k:03d}", type=TicketType.ENQUIRY, status=TicketStatus.NEW,
                        priority=Priority.NORMAL, title=f"咨询 {name} {k}", created_at=OPENED,
                        updated_at=OPENED, created_by=name, owner=name)  # fmt: skip
        saved = store.tickets.save_new(ticket, TicketEvent(ticket.id, OPENED, name, "created"))
        print(saved.number, flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
