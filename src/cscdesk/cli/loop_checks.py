"""`doctor` checks of the closed loop: the webhook's dead letters and hand-offs that failed.

Both mean something did not reach the insurer or the business system and a person must act,
so they fail the check and are listed (first few), with where to look next.
"""

from __future__ import annotations

from typing import Any

from cscdesk.config import Settings
from cscdesk.doctor import Finding, Status

SHOWN = 5


def check_loop(store: Any, settings: Settings) -> list[Finding]:
    try:
        return _check_loop(store, settings)
    except Exception as exc:  # a store from before hand-offs, opened read-only: not migrated
        return [Finding("hand-offs", Status.WARN, f"not readable ({type(exc).__name__}: {exc})")]


def _check_loop(store: Any, settings: Settings) -> list[Finding]:
    from cscdesk.store.business_feed import BusinessFeed
    from cscdesk.store.handoffs import Handoffs

    feed = BusinessFeed(store)
    findings = []
    dead = feed.dead_letters(limit=SHOWN)
    total = feed.dead_count()
    if total:
        listed = "; ".join(f"#{e.seq} {e.kind} {e.ticket_id or ''}: {e.last_error}" for e in dead)
        findings.append(Finding("webhook dead letters", Status.FAIL,
                                f"{total} event(s) given up on: {listed}"
                                " (`cscdesk feed dead-letters`, then `feed resend-dead`)"))  # fmt: skip
    elif settings.webhook.url:
        findings.append(Finding("webhook dead letters", Status.OK,
                                f"none; {feed.undelivered_count()} event(s) waiting"))  # fmt: skip
    failed = Handoffs(store).failed()
    if failed:
        listed = "; ".join(f"{h.id} ({h.ticket_id} → {h.insurer_id}): {h.last_error}"
                           for h in failed[:SHOWN])  # fmt: skip
        findings.append(Finding("hand-offs", Status.FAIL,
                                f"{len(failed)} hand-off(s) could not be delivered: {listed}"))  # fmt: skip
    return findings
