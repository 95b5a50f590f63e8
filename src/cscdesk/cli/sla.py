"""``cscdesk sla due``: by when must it be done? The due date(s) and the rule applied.

For the people who answer a complainant or chase an insurer: the statutory date as the law
counts it (calendar days, start day not counted, a last day off moved to the next working day),
never a plain "+ n days". The counting lives in ``domain.due_dates``; this module only wires.
"""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from cscdesk.cli.root import EXIT_CONFIG, Context, main, pass_ctx

_KINDS = (
    "complaint",
    "complaint-review",
    "claim-decision",
    "advance-payment",
    "payment",
    "refusal-notice",
)


@main.group()
def sla() -> None:
    """Statutory clocks: complaints (15/30/60 days), 核查, insurer claim duties."""


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        click.echo(f"sla due: {option} {text!r} is not a date; write it as 2026-02-12", err=True)
        sys.exit(EXIT_CONFIG)


@sla.command("due")
@click.argument("kind", type=click.Choice(_KINDS))
@click.argument("start_date")
@click.option(
    "--documents-complete",
    default=None,
    help="Day the claim's documents were complete (claim-decision, advance-payment).",
)
@click.option("--insurer", "insurer_id", default=None, help="Insurer id: its own claim terms.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def sla_due(
    ctx: Context,
    kind: str,
    start_date: str,
    documents_complete: str | None,
    insurer_id: str | None,
    as_json: bool,
) -> None:
    """Due date(s) of a KIND of clock started on START_DATE (YYYY-MM-DD), with the rule.

    KIND: complaint (received), complaint-review (核查 requested), claim-decision and
    advance-payment (claim received), payment (amount agreed), refusal-notice (refusal decided).
    """
    from cscdesk.domain.due_dates import KINDS, DueDateQuestionError, due_lines
    from cscdesk.domain.sla import SlaPolicy

    start = _day(start_date, "START_DATE")
    assert start is not None
    documents = _day(documents_complete, "--documents-complete")
    policy = SlaPolicy(**ctx.settings().sla.model_dump())
    try:
        lines = due_lines(kind, start, policy, documents_complete=documents, insurer_id=insurer_id)
    except DueDateQuestionError as exc:
        click.echo(f"sla due: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    if as_json:
        click.echo(
            json.dumps(
                {"kind": kind, "start": start.isoformat(), "timezone": policy.timezone,
                 "due": [line.as_dict() for line in lines]},
                ensure_ascii=False,
                indent=2,
            )
        )  # fmt: skip
        return
    click.echo(f"{kind}: {KINDS[kind]}")
    for line in lines:
        begin = line.worked.start_day if line.worked else start
        click.echo(f"  {begin.isoformat()} → {line.due_day.isoformat()}  {line.label}")
        click.echo(f"      law: {line.law}")
        if line.worked is not None:
            click.echo(f"      rule: {line.worked.rule()}")
        else:
            click.echo("      rule: working days (调休 counted); an internal target, not the law")
