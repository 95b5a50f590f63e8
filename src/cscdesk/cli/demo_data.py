"""``cscdesk demo-data``: a deterministic demo store (never over a deployment's)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from cscdesk.cli.common import open_store_or_exit
from cscdesk.cli.root import EXIT_CONFIG, Context, main, pass_ctx


@main.command("demo-data")
@click.option("--members", type=click.IntRange(1, 5_000_000), default=20_000, show_default=True,
              help="How many insured people (employees and dependants).")  # fmt: skip
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same data.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day the data are anchored to (default: today).")  # fmt: skip
@pass_ctx
def demo_data(ctx: Context, members: int, seed: int, as_of: datetime | None) -> None:
    """(Re)create the store in the data dir with deterministic demo data (same seed and day).

    Only a missing or empty store, or one that holds exactly what the demo seed wrote, is
    replaced: a store with user accounts, an audit log or any other data is refused (exit 2)."""
    from datetime import date

    from cscdesk.wiring import seed_demo_store, why_not_demo_store

    settings = ctx.settings()
    if settings.callcenter.mode != "embedded":
        click.echo(
            "demo-data replaces the store; it refuses to run on a deployment"
            f" (callcenter.mode = {settings.callcenter.mode!r} in {ctx.config_file})",
            err=True,
        )
        sys.exit(EXIT_CONFIG)
    path = settings.store.path or ctx.paths().store
    problem = why_not_demo_store(path)
    if problem:
        click.echo(
            f"demo-data refuses to replace {path}: {problem}. It only replaces a store that holds"
            " nothing but its own demo data; give another --data-dir for a new demo.",
            err=True,
        )
        sys.exit(EXIT_CONFIG)
    for suffix in ("", "-wal", "-shm", ".audit-head"):  # the old demo's signed heads go too
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store_or_exit(ctx)
    try:
        today = as_of.date() if as_of else date.today()
        summary = seed_demo_store(store, members=members, seed=seed, today=today)
    finally:
        store.close()
    click.echo(
        f"{path}: {summary.members} members, {summary.employers} employers,"
        f" {summary.policies} insured records, {summary.claims} claims, {summary.calls} calls,"
        f" {summary.tickets} tickets in {summary.seconds:.1f} s"
    )
