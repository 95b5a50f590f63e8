"""``cscdesk demo-data``: a deterministic demo store (never over a deployment's)."""

from __future__ import annotations

import sys
from datetime import datetime

import click

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

    from cscdesk.importing.progress import AUTO, reporting
    from cscdesk.wiring import DemoRefused, WiringError, replace_demo_store

    today = as_of.date() if as_of else date.today()
    try:
        with reporting(AUTO) as progress:  # a bar on stderr when a person watches a terminal
            path, summary = replace_demo_store(ctx.settings(), ctx.paths(),
                                               config_file=ctx.config_file, members=members,
                                               seed=seed, today=today,
                                               progress=progress)  # fmt: skip
    except DemoRefused as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_CONFIG)
    except WiringError as exc:  # the store would not open
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    click.echo(
        f"{path}: {summary.members} members, {summary.employers} employers,"
        f" {summary.policies} insured records, {summary.claims} claims, {summary.calls} calls,"
        f" {summary.tickets} tickets in {summary.seconds:.1f} s"
    )
