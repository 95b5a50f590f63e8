"""``cscdesk complaint``: each complaint step from the command line, for people without the desk.

open, show, acknowledge, extend, pause (external appraisal), resume, decide, review request /
review decide (核查), withdraw. Each one signs the person in (``--as-user``, the same gate as the
other commands that touch personal data), applies the step through ``domain.complaints`` (which
refuses what the rules do not allow and says why), saves it with its step history, writes an
audit record, and prints the complaint's due dates as they stand after the step.

Opening a complaint also puts its caller's archived recordings on legal hold
(``sync.retention_ops.open_complaint``): they are the evidence.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, NoReturn

import click

from cscdesk.cli.common import now, signed_in
from cscdesk.cli.root import EXIT_CONFIG, Context, main, pass_ctx

EXIT_REFUSED = 1
_METHODS = ("phone", "letter", "sms", "email", "in_person", "online")


@main.group()
def complaint() -> None:
    """Complaint handling as the regulator checks it: notices, extensions, 核查, due dates."""


_AS_USER = click.option("--as-user", default=None, help="Your own account (its password is asked).")
_AT = click.option(
    "--at", "at_text", default=None, help="When it happened (2026-02-12 10:30); default now."
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


def _notice_options(*, decision: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--content and --method (and --reasons, --remedies for a decision): what was told, how."""

    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        if decision:
            func = click.option(
                "--remedies", required=True, help="What is offered, or how to ask for 核查."
            )(func)
            func = click.option("--reasons", required=True, help="Why it was decided so.")(func)
        func = click.option(
            "--method", required=True, type=click.Choice(_METHODS), help="How it was told."
        )(func)
        return click.option("--content", required=True, help="What the complainant was told.")(func)

    return apply


def _fail(text: str, code: int = EXIT_CONFIG) -> NoReturn:
    click.echo(f"complaint: {text}", err=True)
    sys.exit(code)


def _policy(settings: Any) -> Any:
    from cscdesk.domain.sla import SlaPolicy

    return SlaPolicy(**settings.sla.model_dump())


def _moment(text: str | None, policy: Any, option: str = "--at") -> datetime:
    """A date or date-time in the center's time zone (one with an offset is kept as given)."""
    if text is None:
        return now()
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text.strip()), time(9))
        except ValueError:
            _fail(f"{option} {text!r} is not a date or time; write it as 2026-02-12 10:30")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=policy.zone)


def _due_lines(found: Any, policy: Any, at: datetime) -> list[dict[str, Any]]:
    """The complaint's clocks after the step: the decision's, then 核查's when asked."""
    from cscdesk.domain.complaints import decision_due, paused_days, review_due

    decided = found.decision.at if found.decision else None
    stop = decided or found.withdrawn_at
    first = decision_due(found, policy, stop or at)
    lines = [
        {
            "clock": "decision",
            "days": found.limit_days(policy),
            "paused_days": paused_days(found, stop or at, policy),
            "due": first.due_day.isoformat(),
            "rule": first.rule(),
            "met_at": decided.isoformat() if decided else None,
            "breached": (stop or at) > first.due_at,
        }
    ]
    review = review_due(found, policy)
    if review is not None:
        met = found.review_decision.at if found.review_decision else None
        lines.append(
            {
                "clock": "核查",
                "days": policy.complaint_review_days,
                "paused_days": 0,
                "due": review.due_day.isoformat(),
                "rule": review.rule(),
                "met_at": met.isoformat() if met else None,
                "breached": (met or found.withdrawn_at or at) > review.due_at,
            }
        )
    return lines


def _print(found: Any, policy: Any, at: datetime, as_json: bool, held: list[str] | None) -> None:
    lines = _due_lines(found, policy, at)
    if as_json:
        payload = {
            "id": found.id,
            "state": found.state.value,
            "channel": found.channel.value,
            "category": found.category.value,
            "received_at": found.received_at.isoformat(),
            "due": lines,
        }
        if held is not None:
            payload["recordings_held"] = held
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"complaint {found.id}: {found.state.value} ({found.category.value},"
        f" via {found.channel.value}, received {found.received_at.astimezone(policy.zone):%Y-%m-%d %H:%M})"
    )
    for line in lines:
        if line["met_at"]:
            status = f"met {line['met_at'][:16]}" + (" LATE" if line["breached"] else " in time")
        elif found.withdrawn_at is not None:
            status = "withdrawn"
        else:
            status = "BREACHED" if line["breached"] else "open"
        pause = f", {line['paused_days']} days paused for appraisal" if line["paused_days"] else ""
        click.echo(f"  {line['clock']} due {line['due']} ({line['days']} days{pause}) — {status}")
        click.echo(f"      rule: {line['rule']}")
    if held is not None:
        click.echo(f"  recordings put on hold: {len(held)}")


def _session(ctx: Context, permission_name: str, as_user: str | None) -> Any:
    from cscdesk.domain.access import Permission

    return signed_in(ctx, Permission(permission_name), as_user)


def _load(store: Any, user: Any, complaint_id: str) -> Any:
    found = store.complaints.get(complaint_id)
    if found is None:
        _fail(f"no complaint {complaint_id!r} in this store")
    if user.insurer_id and found.insurer_id != user.insurer_id:
        _fail(f"{user.id} serves {user.insurer_id} and may not handle complaint {complaint_id}",
              EXIT_REFUSED)  # fmt: skip
    return found


def _step(
    ctx: Context,
    complaint_id: str,
    as_user: str | None,
    name: str,
    at_text: str | None,
    as_json: bool,
    apply: Callable[[Any, datetime, Any], Any],
    detail: dict[str, Any] | None = None,
) -> None:
    """Sign in, load, apply one step, save it with its history, audit, print the due dates."""
    from cscdesk.domain.complaints import ComplaintStepError

    settings, store, security, user = _session(ctx, "edit_tickets", as_user)
    try:
        policy = _policy(settings)
        at = _moment(at_text, policy)
        found = _load(store, user, complaint_id)
        try:
            moved = apply(found, at, policy)
        except ComplaintStepError as exc:
            security.audit(user.id, f"complaint.{name}", f"complaint:{complaint_id}",
                           {"refused": str(exc)}, success=False)  # fmt: skip
            _fail(str(exc))
        store.complaints.save(moved, step=name, actor=user.id, at=at)
        security.audit(user.id, f"complaint.{name}", f"complaint:{complaint_id}",
                       {"state": moved.state.value, "at": at.isoformat(), **(detail or {})})  # fmt: skip
        _print(moved, policy, at, as_json, None)
    finally:
        store.close()


def _notice(content: str, method: str, at: datetime, reasons: str = "", remedies: str = "") -> Any:
    from cscdesk.domain.complaints import Notice

    return Notice(content=content, method=method, at=at, reasons=reasons, remedies=remedies)


@complaint.command("open")
@click.argument("complaint_id")
@click.option("--received", "received_text", required=True, help="When it was received.")
@click.option("--channel", required=True, help="hotline, regulator_transfer, 12378, letter, …")
@click.option("--category", required=True, help="claims, sales, policy_service, …")
@click.option("--member", "member_id", default=None, help="The complainant's member id.")
@click.option("--insurer", "insurer_id", default=None, help="The insurer it concerns.")
@click.option("--ticket", "ticket_id", default=None, help="The desk ticket it came from.")
@click.option("--summary", default="", help="What it is about.")
@_JSON
@_AS_USER
@pass_ctx
def complaint_open(ctx: Context, complaint_id: str, received_text: str, channel: str,
                   category: str, member_id: str | None, insurer_id: str | None,
                   ticket_id: str | None, summary: str, as_json: bool,
                   as_user: str | None) -> None:  # fmt: skip
    """Record a new complaint; its caller's recordings go on legal hold."""
    from cscdesk.domain.complaints import ComplaintStepError, new_complaint
    from cscdesk.sync.retention_ops import open_complaint
    from cscdesk.sync.storage import SyncStorage

    settings, store, security, user = _session(ctx, "edit_tickets", as_user)
    try:
        policy = _policy(settings)
        received = _moment(received_text, policy, "--received")
        if user.insurer_id and insurer_id != user.insurer_id:
            _fail(f"{user.id} serves {user.insurer_id}: name --insurer {user.insurer_id}",
                  EXIT_REFUSED)  # fmt: skip
        try:
            created = new_complaint(complaint_id, received_at=received, channel=channel,
                                    category=category, ticket_id=ticket_id, member_id=member_id,
                                    insurer_id=insurer_id, summary=summary)  # fmt: skip
            held = open_complaint(SyncStorage(store), created, actor=user.id, at=received)
        except ComplaintStepError as exc:
            _fail(str(exc))
        security.audit(user.id, "complaint.open", f"complaint:{complaint_id}",
                       {"channel": created.channel.value, "category": created.category.value,
                        "recordings_held": len(held)})  # fmt: skip
        _print(created, policy, now(), as_json, held)
    finally:
        store.close()


@complaint.command("show")
@click.argument("complaint_id")
@_JSON
@_AS_USER
@pass_ctx
def complaint_show(ctx: Context, complaint_id: str, as_json: bool, as_user: str | None) -> None:
    """The complaint's state, its due dates, and its step history."""
    settings, store, security, user = _session(ctx, "view_customer", as_user)
    try:
        policy = _policy(settings)
        found = _load(store, user, complaint_id)
        security.audit(user.id, "complaint.view", f"complaint:{complaint_id}", {})
        _print(found, policy, now(), as_json, None)
        if not as_json:
            for at, actor, step, state in store.complaints.steps(complaint_id):
                click.echo(
                    f"  {at.astimezone(policy.zone):%Y-%m-%d %H:%M}  {step:<12} {state:<16} {actor}"
                )
    finally:
        store.close()


@complaint.command("acknowledge")
@click.argument("complaint_id")
@_notice_options(decision=False)
@_AT
@_JSON
@_AS_USER
@pass_ctx
def complaint_acknowledge(ctx: Context, complaint_id: str, content: str, method: str,
                          at_text: str | None, as_json: bool, as_user: str | None) -> None:  # fmt: skip
    """Record that the complainant was told the complaint is being handled."""
    from cscdesk.domain.complaints import acknowledge

    _step(ctx, complaint_id, as_user, "acknowledge", at_text, as_json,
          lambda c, at, _p: acknowledge(c, _notice(content, method, at)),
          {"method": method})  # fmt: skip


@complaint.command("extend")
@click.argument("complaint_id")
@click.option("--reason", required=True, help="Why the case is complex.")
@click.option("--approver", default=None, help="The senior manager approving (needed for 60).")
@_notice_options(decision=False)
@_AT
@_JSON
@_AS_USER
@pass_ctx
def complaint_extend(ctx: Context, complaint_id: str, reason: str, approver: str | None,
                     content: str, method: str, at_text: str | None, as_json: bool,
                     as_user: str | None) -> None:  # fmt: skip
    """15 → 30 days (complex), then 30 → 60 with an approver; the complainant is told."""
    from cscdesk.domain.complaints import extend

    _step(ctx, complaint_id, as_user, "extend", at_text, as_json,
          lambda c, at, p: extend(c, reason=reason, notice=_notice(content, method, at),
                                  approver=approver, at=at, policy=p),
          {"approver": approver, "method": method})  # fmt: skip


@complaint.command("pause")
@click.argument("complaint_id")
@click.option("--what", required=True, help="The external 鉴定/检测/评估 that stops the clock.")
@_notice_options(decision=False)
@_AT
@_JSON
@_AS_USER
@pass_ctx
def complaint_pause(ctx: Context, complaint_id: str, what: str, content: str, method: str,
                    at_text: str | None, as_json: bool, as_user: str | None) -> None:  # fmt: skip
    """External appraisal starts: its days do not count; the complainant is told."""
    from cscdesk.domain.complaints import start_appraisal

    _step(ctx, complaint_id, as_user, "pause", at_text, as_json,
          lambda c, at, _p: start_appraisal(c, what=what, at=at,
                                            notice=_notice(content, method, at)),
          {"what": what, "method": method})  # fmt: skip


def _domain_step(name: str) -> Callable[..., Any]:
    """A step function of ``domain.complaints``, imported when the command runs."""
    from cscdesk.domain import complaints as steps

    return getattr(steps, name)


def _timed_command(group: click.Group, name: str, step: str, function: str, doc: str) -> None:
    """A step that needs only its moment (``--at``): resume, 核查 request."""

    @group.command(name, help=doc)
    @click.argument("complaint_id")
    @_AT
    @_JSON
    @_AS_USER
    @pass_ctx
    def command(ctx: Context, complaint_id: str, at_text: str | None, as_json: bool,
                as_user: str | None) -> None:  # fmt: skip
        _step(ctx, complaint_id, as_user, step, at_text, as_json,
              lambda c, at, _p: _domain_step(function)(c, at=at))  # fmt: skip


def _decision_command(group: click.Group, name: str, step: str, function: str, doc: str) -> None:
    """A step that records a decision notice (content, reasons, remedies, method, time)."""

    @group.command(name, help=doc)
    @click.argument("complaint_id")
    @_notice_options(decision=True)
    @_AT
    @_JSON
    @_AS_USER
    @pass_ctx
    def command(ctx: Context, complaint_id: str, content: str, method: str, reasons: str,
                remedies: str, at_text: str | None, as_json: bool,
                as_user: str | None) -> None:  # fmt: skip
        _step(ctx, complaint_id, as_user, step, at_text, as_json,
              lambda c, at, _p: _domain_step(function)(
                  c, _notice(content, method, at, reasons, remedies)),
              {"method": method})  # fmt: skip


@complaint.group("review")
def review() -> None:
    """核查: the complainant disagrees with the decision; its own 30-day clock."""


_timed_command(complaint, "resume", "resume", "end_appraisal",
               "The appraisal is back: the clock runs again.")  # fmt: skip
_decision_command(complaint, "decide", "decide", "decide",
                  "Record the decision notice: content, reasons, remedies, method and time.")  # fmt: skip
_timed_command(review, "request", "review_request", "request_review",
               "The complainant asks for 核查 of the decision: its own 30-day clock starts.")  # fmt: skip
_decision_command(review, "decide", "review_decide", "decide_review",
                  "Record the 核查 decision notice.")  # fmt: skip


@complaint.command("withdraw")
@click.argument("complaint_id")
@click.option("--reason", required=True, help="How the complainant said they withdraw.")
@_AT
@_JSON
@_AS_USER
@pass_ctx
def complaint_withdraw(ctx: Context, complaint_id: str, reason: str, at_text: str | None,
                       as_json: bool, as_user: str | None) -> None:  # fmt: skip
    """The complainant withdraws (from any open state, escalated or not)."""
    from cscdesk.domain.complaints import withdraw

    _step(ctx, complaint_id, as_user, "withdraw", at_text, as_json,
          lambda c, at, _p: withdraw(c, at=at, reason=reason))  # fmt: skip
