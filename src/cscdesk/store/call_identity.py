"""When a CDR may refresh a stored call: only when it is the same call.

A ContactId never repeats at the vendor, but a simulator restarted on old data once did, and a
different call under a stored id must not replace the one a ticket links to. The upserts (SQLite
and PostgreSQL) refresh a row only when start and direction agree; the first call is kept and
the clash logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger("cscdesk.store.calls")

# ``old`` and ``new`` are the row aliases: the stored call and the incoming one
SAME_CALL = "{old}.started_at = {new}.started_at AND {old}.direction = {new}.direction"


def report_clashes(clashes: Iterable[Any]) -> None:
    """Each clash: (ContactId, the kept call's start, the refused call's start)."""
    for contact_id, kept, refused in clashes:
        log.warning(
            "call %s is stored already as another call (started %s); kept it and ignored the "
            "one started %s under the same id",
            contact_id, kept, refused,
        )  # fmt: skip
