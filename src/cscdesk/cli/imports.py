"""``cscdesk import``: member rosters and insurer batch extracts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cscdesk.cli.common import open_store_or_exit
from cscdesk.cli.root import EXIT_CONFIG, Context, main, pass_ctx


@main.group("import")
def import_group() -> None:
    """Load outside data: member rosters, insurer batch extracts."""


@import_group.command("insurer-batch")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@pass_ctx
def import_insurer_batch(ctx: Context, directory: Path) -> None:
    """Load insurers' daily CSV/XLSX extracts from DIRECTORY (all or nothing per file)."""
    from cscdesk.insurers.commands import run_batch_import

    store = open_store_or_exit(ctx)
    try:
        code = run_batch_import(store, directory, click.echo)
    finally:
        store.close()
    sys.exit(code)


@import_group.command("roster")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--employer", "employer_id", required=True, help="The employer's id (投保单位).")
@click.option("--policy", "policy_no", required=True, help="The group policy number (团单号).")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@pass_ctx
def import_roster_command(ctx: Context, file: Path, employer_id: str, policy_no: str,
                          dry_run: bool) -> None:  # fmt: skip
    """Import a member roster (.xlsx or .csv): every row is checked, and one bad row imports
    nothing. Exit 1 when rows are invalid, 2 when the file, employer or policy is wrong."""
    from cscdesk.importing.roster import RosterConfigError, import_roster

    store = open_store_or_exit(ctx)
    try:
        report = import_roster(
            store, file, employer_id=employer_id, policy_no=policy_no, dry_run=dry_run
        )
    except RosterConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    finally:
        store.close()
    for line in report.lines():
        click.echo(line)
    sys.exit(0 if report.ok else 1)
