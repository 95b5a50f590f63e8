"""``cscdesk knowledge check``: does the knowledge folder load? For the lead who just edited it.

Every desk re-reads the folder within ``[knowledge] reload_seconds``; this says the same thing a
desk's panel would, from the command line, before anyone opens one: what loaded, and each file
that did not with what to fix. Exit 1 when a file was not loaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cscdesk.cli.errors import EXIT_FAILURE
from cscdesk.cli.root import EXIT_CONFIG, Context, main, pass_ctx


@main.group()
def knowledge() -> None:
    """Articles, canned notes and call scripts ([knowledge] folder)."""


@knowledge.command("check")
@click.option(
    "--folder",
    type=click.Path(path_type=Path),
    default=None,
    help="Check this folder instead of the configured one.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def knowledge_check(ctx: Context, folder: Path | None, as_json: bool) -> None:  # fmt: skip
    """Load the knowledge folder and name every file that does not load, with the fix."""
    from cscdesk.wiring import knowledge_to_check

    settings = ctx.settings()
    kb = knowledge_to_check(settings, ctx.paths(), folder)
    if kb.folder is None:
        click.echo("knowledge check: no folder: set [knowledge] folder or give --folder", err=True)
        sys.exit(EXIT_CONFIG)
    if not kb.folder.is_dir():
        click.echo(f"knowledge check: {kb.folder}: no such folder", err=True)
        sys.exit(EXIT_CONFIG)
    kb.reload_if_changed()
    counts = {kind: 0 for kind in ("article", "note", "script")}
    for entry in kb.entries:
        counts[entry.kind.value] += 1
    problems = [{"path": p.path, "problem": p.problem} for p in kb.problems]
    if as_json:
        click.echo(json.dumps({"folder": str(kb.folder), "loaded": counts, "problems": problems},
                              ensure_ascii=False))  # fmt: skip
    else:
        click.echo(f"{kb.folder}: {len(kb.entries)} loaded ({counts['article']} articles,"
                   f" {counts['note']} canned notes, {counts['script']} scripts)")  # fmt: skip
        for problem in problems:
            click.echo(f"not loaded: {problem['path']}: {problem['problem']}", err=True)
    if problems:
        sys.exit(EXIT_FAILURE)
