"""``cscdesk feed``: the ticket and task events for the broker's business system.

``export`` serves systems that pull: the events after a cursor (the ``seq`` of the last event
they have), oldest first, with the cursor to ask from next time. Systems that are pushed to get
the same events on the webhook; ``dead-letters`` lists what it gave up on and ``resend-dead``
puts those back in line once the receiver is fixed.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from cscdesk.cli.common import JSON_OUTPUT, open_store_or_exit, print_json
from cscdesk.cli.errors import EXIT_USAGE
from cscdesk.cli.root import Context, main, pass_ctx


@main.group("feed")
def feed() -> None:
    """Ticket and task events for the broker's business system (export, dead letters)."""


@feed.command("export")
@click.option(
    "--since",
    "cursor",
    default="0",
    show_default=True,
    help="The cursor the last export returned (0: from the beginning).",
)
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 10_000))
@JSON_OUTPUT
@pass_ctx
def export(ctx: Context, cursor: str, limit: int, as_json: bool) -> None:  # fmt: skip
    """Events after CURSOR, oldest first; the next cursor goes to stderr (or in the JSON)."""
    from cscdesk.store.business_feed import BusinessFeed

    if not cursor.isdigit():
        click.echo(f"error: --since {cursor!r}: a cursor is the whole number an export"
                   " returned (0 for the beginning)", err=True)  # fmt: skip
        sys.exit(EXIT_USAGE)
    store = open_store_or_exit(ctx)
    try:
        events = BusinessFeed(store)
        events.catch_up()
        found = events.since(int(cursor), limit)
    finally:
        store.close()
    next_cursor = found[-1].seq if found else int(cursor)
    if as_json:
        print_json({"cursor": str(next_cursor), "more": len(found) == limit,
                    "events": [e.body() for e in found]})  # fmt: skip
        return
    import json

    for event in found:
        click.echo(json.dumps(event.body(), ensure_ascii=False, sort_keys=True))
    click.echo(f"next cursor: {next_cursor}", err=True)


@feed.command("dead-letters")
@JSON_OUTPUT
@pass_ctx
def dead_letters(ctx: Context, as_json: bool) -> None:
    """Events the webhook gave up on after its last attempt."""
    from cscdesk.store.business_feed import BusinessFeed

    store = open_store_or_exit(ctx)
    try:
        dead = BusinessFeed(store).dead_letters(limit=1000)
    finally:
        store.close()
    if as_json:
        print_json({"dead_letters": [{**e.body(), "attempts": e.attempts, "error": e.last_error}
                                     for e in dead]})  # fmt: skip
        return
    for event in dead:
        click.echo(f"{event.seq:>8} {event.kind:<24} {event.ticket_id or '-':<28}"
                   f" {event.attempts} attempt(s): {event.last_error}")  # fmt: skip
    click.echo(f"{len(dead)} dead letter(s)", err=True)


@feed.command("resend-dead")
@pass_ctx
def resend_dead(ctx: Context) -> None:
    """Put every dead letter back in line for the webhook (once the receiver is fixed)."""
    from cscdesk.store.business_feed import BusinessFeed

    store = open_store_or_exit(ctx)
    try:
        count = BusinessFeed(store).resend_dead(datetime.now(UTC))
    finally:
        store.close()
    click.echo(f"{count} event(s) back in line for the webhook", err=True)
