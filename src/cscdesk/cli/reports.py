"""``cscdesk report``: indicators, insurer scorecard, complaints, staffing plan."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cscdesk.cli.common import AS_USER, now, signed_in
from cscdesk.cli.root import EXIT_CONFIG, Context, main, pass_ctx


@main.group()
def report() -> None:
    """Service reports from the archive: indicators, insurer scorecard, staffing plan."""


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A table for people, CSV or JSON for other tools.",
)


def _report_source(ctx: Context, settings, *, required: bool = True):  # type: ignore[no-untyped-def]
    """The archive the reports read; a clear message (exit 2) when there is none yet."""
    from cscdesk.reports.source import ArchiveSource
    from cscdesk.wiring import open_report_store

    store = open_report_store(settings, ctx.paths())
    if store is None:
        if not required:
            return None
        path = settings.store.path or ctx.paths().store
        click.echo(
            f"no archive at {path}: run `cscdesk archive sync` (or the demo) first", err=True
        )
        sys.exit(EXIT_CONFIG)
    return ArchiveSource(store)


# Groupings whose rows are people (an agent's own answer rate, AHT, occupancy, CSAT). Day,
# interval and queue rows are totals over a team; the insurer scorecard and the staffing plan
# have no row per person either.
PERSONAL_GROUPINGS = frozenset({"agent"})


def _check_personal_report(ctx: Context, as_user: str | None, detail: dict[str, str]) -> None:
    """Sign-in and VIEW_REPORTS for a report with a row per person, and the audit record."""
    from cscdesk.domain.access import Permission

    _settings, store, security, user = signed_in(ctx, Permission.VIEW_REPORTS, as_user)
    try:
        security.audit(user.id, "report_view", f"report:{detail['report']}", detail)
    finally:
        store.close()


def _run_report(run) -> None:  # type: ignore[no-untyped-def]
    from cscdesk.reports.commands import ReportInputError

    try:
        run()
    except ReportInputError as exc:
        click.echo(f"report: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


@report.command("indicators")
@click.option("--from", "start", required=True, help="First day (2026-03-02) or date-time.")
@click.option("--to", "end", required=True, help="Last day (included) or an end date-time.")
@click.option(
    "--by",
    type=click.Choice(["day", "interval", "queue", "agent"]),
    default="day",
    show_default=True,
    help="One row per day, interval, queue or agent (agent rows name people: sign in).",
)
@_FORMAT
@AS_USER
@pass_ctx
def report_indicators(
    ctx: Context, start: str, end: str, by: str, fmt: str, as_user: str | None
) -> None:
    """人工接通率, service level, abandon rate, ASA, AHT, occupancy, FCR, CSAT against targets.

    ``--by agent`` shows each agent's own performance, which is personal data: it needs your own
    account with the report permission (--as-user; the password is asked) and is audited."""
    from cscdesk.reports.commands import run_indicators

    settings = ctx.settings()
    source = _report_source(ctx, settings)
    if by in PERSONAL_GROUPINGS:
        _check_personal_report(ctx, as_user, {"report": "indicators", "by": by,
                                              "from": start, "to": end})  # fmt: skip
    _run_report(
        lambda: run_indicators(
            source, settings, start=start, end=end, by=by, fmt=fmt, write=click.echo
        )
    )


@report.command("insurers")
@click.option("--from", "start", required=True, help="First day (2026-03-02) or date-time.")
@click.option("--to", "end", required=True, help="Last day (included) or an end date-time.")
@_FORMAT
@pass_ctx
def report_insurers(ctx: Context, start: str, end: str, fmt: str) -> None:
    """Insurer scorecard: escalations, SLA breaches, complaints per 10,000, seconded KPIs."""
    from cscdesk.reports.commands import run_insurers

    settings = ctx.settings()
    source = _report_source(ctx, settings)
    _run_report(
        lambda: run_insurers(
            source, settings, start=start, end=end, fmt=fmt, write=click.echo, now=now()
        )
    )


@report.command("complaints")
@click.option("--from", "start", required=True, help="First day (2026-03-02) or date-time.")
@click.option("--to", "end", required=True, help="Last day (included) or an end date-time.")
@click.option(
    "--by",
    type=click.Choice(["category", "channel", "both"]),
    default="both",
    show_default=True,
    help="Rows per category, per channel, or per category and channel.",
)
@_FORMAT
@pass_ctx
def report_complaints(ctx: Context, start: str, end: str, by: str, fmt: str) -> None:
    """Complaints by category and channel for the regulator's statistics, with timeliness."""
    from cscdesk.reports.commands import run_complaints

    settings = ctx.settings()
    source = _report_source(ctx, settings)
    _run_report(
        lambda: run_complaints(
            source, settings, start=start, end=end, by=by, fmt=fmt, write=click.echo, now=now()
        )
    )


@report.command("staffing")
@click.option(
    "--forecast",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="CSV with interval_start,calls[,aht_seconds].",
)
@click.option("--from-history", is_flag=True, help="Forecast from the last 28 days of the archive.")
@click.option("--date", "day", default=None, help="The day to plan (default: today).")
@click.option(
    "--aht", type=float, default=300.0, show_default=True, help="AHT when the file has none."
)
@_FORMAT
@pass_ctx
def report_staffing(
    ctx: Context, forecast: Path | None, from_history: bool, day: str | None, aht: float, fmt: str
) -> None:
    """Erlang C agents per interval, rostered after shrinkage, seconded agents to request."""
    from cscdesk.reports.commands import run_staffing

    if (forecast is None) == (not from_history):
        raise click.UsageError("give exactly one of --forecast FILE or --from-history")
    settings = ctx.settings()
    source = _report_source(ctx, settings) if from_history else None
    _run_report(
        lambda: run_staffing(
            source, settings, forecast=forecast, day=day, aht=aht, fmt=fmt, write=click.echo
        )
    )
