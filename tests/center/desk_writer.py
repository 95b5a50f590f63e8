"""A desk's store traffic in its own process, for the center torture test.

It opens the store once and keeps it open, like a desk does all shift. Tickets are saved
alternately through the long-lived connection of the main thread and from fresh threads, as
Textual workers do (every worker thread opens its own connection while the others stay open).
After each commit it prints the ticket id, so the test knows exactly which writes committed.
Runs until the stop file appears or ``limit`` tickets are written.

Usage: python desk_writer.py STORE STOP_FILE LIMIT
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from cscdesk.domain.models import Priority, Ticket, TicketEvent, TicketStatus, TicketType
from cscdesk.store import open_store


def main() -> int:
    path, stop_file, limit = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    store = open_store(path)
    print("ready", flush=True)
    errors: list[BaseException] = []

    def save(number: int) -> None:
        now = datetime.now(UTC)
        ticket = Ticket(
            id=f"T-TORTURE-{number:05d}",
            type=TicketType.ENQUIRY,
            status=TicketStatus.NEW,
            priority=Priority.NORMAL,
            title=f"咨询报销进度 {number}",
            created_at=now,
            updated_at=now,
            created_by="agent001@ccc-demo",
            owner="agent001@ccc-demo",
        )
        try:
            store.tickets.save_new(
                ticket, TicketEvent(ticket.id, now, ticket.created_by, "created")
            )
            store.tickets.open_for_owner("agent001@ccc-demo")  # a read in the same worker
        except BaseException as exc:
            errors.append(exc)

    number = 0
    while number < limit and not stop_file.exists() and not errors:
        if number % 2:
            save(number)  # the long-lived connection
        else:
            worker = threading.Thread(target=save, args=(number,))
            worker.start()
            worker.join()
        if not errors:
            print(f"committed T-TORTURE-{number:05d}", flush=True)
        number += 1
        time.sleep(0.02)
    store.close()
    for exc in errors:
        print(f"error {type(exc).__name__}: {exc}", flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
