"""Composition root: each command builds its objects here and nowhere else.

Heavy modules (textual, httpx, faker, uvicorn) are imported inside the commands so that
``cscdesk --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import click

from cscdesk import __version__

EXIT_CONFIG = 2


class Context:
    """What every command shares: the chosen config file and data dir."""

    def __init__(self, config_file: Path | None, data_dir: Path | None) -> None:
        self.config_file = config_file
        self.data_dir = data_dir

    def settings(self):  # type: ignore[no-untyped-def]
        from cscdesk.config import ConfigError, load_settings

        try:
            return load_settings(self.config_file)
        except ConfigError as exc:
            fail_config(exc)

    def paths(self):  # type: ignore[no-untyped-def]
        from cscdesk.config import resolve_paths

        return resolve_paths(self.config_file, self.data_dir)


def fail_config(exc: Exception) -> NoReturn:
    click.echo(f"config error: {exc}", err=True)
    sys.exit(EXIT_CONFIG)


pass_ctx = click.make_pass_decorator(Context)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="cscdesk")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Config file (TOML). Without it: the embedded demo on a local simulator.",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the store, recordings and logs live (default: the user data dir).",
)
@click.option(
    "--as",
    "role",
    type=click.Choice(["agent", "lead"]),
    default="agent",
    help="Open the agent desk or the team-lead wallboard.",
)
@click.option(
    "--lang",
    type=click.Choice(["auto", "zh_CN", "en"]),
    default=None,
    help="UI language (overrides the config).",
)
@click.pass_context
def main(
    click_ctx: click.Context,
    config_file: Path | None,
    data_dir: Path | None,
    role: str,
    lang: str | None,
) -> None:
    """cscdesk: the customer service desk. With no command it opens the desk."""
    from cscdesk.security.redact import install_log_redaction

    install_log_redaction()  # no full mobile or ID number in any log line, from any library
    click_ctx.obj = Context(config_file, data_dir)
    if click_ctx.invoked_subcommand is not None:
        return
    from cscdesk.tui.launch import run_desk

    ctx: Context = click_ctx.obj
    run_desk(ctx.settings(), ctx.paths(), role=role, lang=lang)


@main.group()
def secrets() -> None:
    """Manage secrets in the OS keyring (never in a file)."""


@secrets.command("set")
@click.argument("name")
def secrets_set(name: str) -> None:
    """Store secret NAME in the keyring; the value is read from a hidden prompt or stdin."""
    import keyring
    from keyring.errors import KeyringError

    from cscdesk.config import KEYRING_SERVICE

    if sys.stdin.isatty():
        value = click.prompt(f"value for {name}", hide_input=True, confirmation_prompt=True)
    else:
        value = sys.stdin.readline().rstrip("\n")
    if not value:
        raise click.UsageError("an empty secret was given; nothing stored")
    try:
        keyring.set_password(KEYRING_SERVICE, name, value)
    except KeyringError as exc:
        click.echo(f"keyring error: {exc}. Run `cscdesk doctor` for the options.", err=True)
        sys.exit(1)
    click.echo(f"stored secret {name!r} in the {keyring.get_keyring().name} keyring")


@secrets.command("delete")
@click.argument("name")
def secrets_delete(name: str) -> None:
    """Remove secret NAME from the keyring."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    from cscdesk.config import KEYRING_SERVICE

    try:
        keyring.delete_password(KEYRING_SERVICE, name)
    except PasswordDeleteError:
        click.echo(f"secret {name!r} is not in the keyring", err=True)
        sys.exit(1)
    except KeyringError as exc:
        click.echo(f"keyring error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"deleted secret {name!r}")


@main.command()
@pass_ctx
def doctor(ctx: Context) -> None:
    """Check config, data dir, store, keyring backend and each configured endpoint."""
    import asyncio

    from cscdesk import doctor as checks

    settings = ctx.settings()
    paths = ctx.paths()
    findings = [checks.check_config(paths), checks.check_data_dir(paths)]
    store_path = settings.store.path or paths.store
    findings.append(checks.check_store_file(store_path, _store_opener()))
    findings.extend(_sync_findings(settings, store_path))
    findings.extend(checks.check_keyring(settings))
    findings.extend(asyncio.run(checks.run_probes(_endpoint_probes(settings))))
    marks = {"ok": "✓", "warn": "!", "fail": "✗"}
    for finding in findings:
        click.echo(f"{marks[finding.status]} {finding.check:<28} {finding.detail}")
    if any(f.status == "fail" for f in findings):
        sys.exit(1)


def _sync_findings(settings, store_path: Path):  # type: ignore[no-untyped-def]
    """Archive lag and ticket backlog, read from the store when it exists and opens."""
    from datetime import UTC, datetime

    from cscdesk import doctor as checks

    if not store_path.exists() or store_path.stat().st_mode & 0o077:
        return []
    try:
        from cscdesk.store import open_store
        from cscdesk.sync.service import sync_status

        store = open_store(store_path)
    except Exception:
        return []  # check_store_file already reported why
    try:
        return checks.check_sync(sync_status(store, settings, datetime.now(UTC)))
    finally:
        store.close()


def _store_opener():  # type: ignore[no-untyped-def]
    try:
        from cscdesk.store import open_store
    except ImportError:
        return None
    return open_store


def _endpoint_probes(settings):  # type: ignore[no-untyped-def]
    """One probe per configured remote; the embedded demo has none to check."""
    import httpx

    probes = []
    for insurer in settings.insurers:
        if insurer.base_url:

            async def probe(
                url: str = insurer.base_url, timeout: float = insurer.timeout_seconds
            ) -> str:
                async with httpx.AsyncClient(timeout=timeout) as client:
                    response = await client.get(url)
                return f"{url} answers (HTTP {response.status_code})"

            probes.append((f"insurer {insurer.id}", probe))
    return probes


@main.group("import")
def import_group() -> None:
    """Load outside data: member rosters, insurer batch extracts."""


@main.command("sim")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port (0: any free port).")
@click.option("--speed", type=click.FloatRange(1, 600), default=60.0, show_default=True,
              help="Simulated seconds per wall second.")  # fmt: skip
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Random seed (same seed, same day)."
)
@click.option("--faults", "faults_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="Fault plan (TOML or JSON).")  # fmt: skip
@click.option(
    "--access-key-id", default=None, help="AccessKey id to accept (default: the demo pair)."
)
@click.option("--access-key-secret", default=None, help="AccessKey secret to accept.")
@pass_ctx
def sim_command(ctx: Context, host: str, port: int, speed: float, seed: int, faults_file: Path | None,
                access_key_id: str | None, access_key_secret: str | None) -> None:  # fmt: skip
    """Run the CCC call-center simulator in the foreground, so several desks can share it."""
    import time

    from cscdesk.callcenter.sim.faults import FaultPlan
    from cscdesk.callcenter.sim.server import (
        DEMO_ACCESS_KEY_ID,
        DEMO_ACCESS_KEY_SECRET,
        start_simulator,
    )

    try:
        plan = FaultPlan.from_file(faults_file) if faults_file else None
    except ValueError as exc:
        fail_config(exc)
    handle = start_simulator(
        host=host, port=port, speed=speed, seed=seed, faults=plan,
        caller_numbers=_demo_caller_numbers(ctx),
        access_key_id=access_key_id or DEMO_ACCESS_KEY_ID,
        access_key_secret=access_key_secret or DEMO_ACCESS_KEY_SECRET,
    )  # fmt: skip
    click.echo(f"CCC simulator listening on {handle.endpoint} (instance {handle.instance_id})")
    click.echo(f"accepting AccessKey id {handle.access_key_id}; speed {speed:g}x; seed {seed}")
    click.echo(
        'point a desk at it: [callcenter] endpoint = "' + handle.endpoint + '", protocol = "http", '
        f'instance_id = "{handle.instance_id}" (the secret goes in the keyring). Ctrl-C stops.'
    )
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("stopping the simulator")
    finally:
        handle.stop()


def _demo_caller_numbers(ctx: Context) -> list[str]:
    """Members' mobiles from the demo store so screen pop finds them; none when no store yet.

    HOOK: relies on ``cscdesk.store.open_store`` and ``cscdesk.demo.seed.demo_mobiles``.
    """
    try:
        from cscdesk.demo.seed import demo_mobiles
        from cscdesk.store import open_store
    except ImportError:
        return []
    path = ctx.paths().store
    if not path.exists():
        return []
    return list(demo_mobiles(open_store(path), 500))


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
    path = settings.store.path or ctx.paths().store
    if not path.exists():
        if not required:
            return None
        click.echo(
            f"no archive at {path}: run `cscdesk archive sync` (or the demo) first", err=True
        )
        sys.exit(EXIT_CONFIG)
    from cscdesk.reports.source import ArchiveSource
    from cscdesk.store import open_store

    return ArchiveSource(open_store(path))


def _now():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.now().astimezone()


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
)
@_FORMAT
@pass_ctx
def report_indicators(ctx: Context, start: str, end: str, by: str, fmt: str) -> None:
    """人工接通率, service level, abandon rate, ASA, AHT, occupancy, FCR, CSAT against targets."""
    from cscdesk.reports.commands import run_indicators

    settings = ctx.settings()
    source = _report_source(ctx, settings)
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
            source, settings, start=start, end=end, fmt=fmt, write=click.echo, now=_now()
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


@import_group.command("insurer-batch")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@pass_ctx
def import_insurer_batch(ctx: Context, directory: Path) -> None:
    """Load insurers' daily CSV/XLSX extracts from DIRECTORY (all or nothing per file)."""
    from cscdesk.insurers.commands import run_batch_import

    settings = ctx.settings()
    store_path = settings.store.path or ctx.paths().store
    sys.exit(run_batch_import(store_path, directory, click.echo))


@main.command("insurers-sim")
@click.option("--port-base", type=int, default=0, help="First port (0: free ports).")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--speed", type=float, default=60.0, show_default=True, help="Simulated time ×.")
@pass_ctx
def insurers_sim(ctx: Context, port_base: int, seed: int, speed: float) -> None:
    """Run the simulated insurers alone (瑞安 REST, 嘉禾 XML, 华盈 REST, 安和 batch files)."""
    from cscdesk.insurers.commands import serve_insurer_sims

    settings = ctx.settings()
    paths = ctx.paths()
    store_path = settings.store.path or paths.store
    batch_dir = paths.data_dir / "insurer-extracts"
    sys.exit(
        serve_insurer_sims(
            store_path,
            port_base=port_base,
            seed=seed,
            speed=speed,
            batch_dir=batch_dir,
            write=click.echo,
        )
    )


def _ask_secret(prompt: str) -> str:
    """A password from a hidden prompt, or one line of stdin when piped; never from argv."""
    if sys.stdin.isatty():
        confirm = prompt.startswith("new password")
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm))
    return sys.stdin.readline().rstrip("\n")


def _security(ctx: Context):  # type: ignore[no-untyped-def]
    """The store and its security services, for the admin and audit commands."""
    from cscdesk.security.commands import build_security, open_secure_store

    settings = ctx.settings()
    try:
        store = open_secure_store(settings, ctx.paths())
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    return settings, store, build_security(store, settings, _now)


_AS_USER = click.option(
    "--as-user", default=None, help="Your own admin/auditor account (its password is asked)."
)


@main.group()
def users() -> None:
    """Named user accounts (admins only): add, list, disable, enable, passwd, unlock."""


@users.command("add")
@click.argument("user_id")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", required=True,
              type=click.Choice(["agent", "seconded_agent", "lead", "auditor", "admin"]))  # fmt: skip
@click.option("--insurer", default=None, help="For seconded agents: the insurer's id.")
@click.option("--ccc-user", default=None, help="The call-system user this login maps to.")
@_AS_USER
@pass_ctx
def users_add(ctx: Context, user_id: str, name: str, role: str, insurer: str | None,
              ccc_user: str | None, as_user: str | None) -> None:  # fmt: skip
    """Create USER_ID; the very first account must be an admin and needs no --as-user."""
    from cscdesk.domain.access import Role, User
    from cscdesk.security import commands

    _settings, _store, security = _security(ctx)
    user = User(user_id, name, Role(role), insurer_id=insurer, ccc_user_id=ccc_user)
    sys.exit(commands.users_add(security, as_user=as_user, user=user, ask=_ask_secret,
                                write=click.echo))  # fmt: skip


@users.command("list")
@_AS_USER
@pass_ctx
def users_list(ctx: Context, as_user: str | None) -> None:
    """Every account with its role, insurer, state and last password change."""
    from cscdesk.security import commands

    _settings, _store, security = _security(ctx)
    sys.exit(commands.users_list(security, as_user=as_user, ask=_ask_secret, write=click.echo))


_USER_CHANGES = {
    "disable": "Disable USER_ID (leavers are disabled, never deleted: the audit names them).",
    "enable": "Enable USER_ID again.",
    "passwd": "Set USER_ID's password (an admin, or the user themself with --as-user USER_ID).",
    "unlock": "Lift the lockout of USER_ID after too many failed logins.",
}


def _user_change(change: str):  # type: ignore[no-untyped-def]
    @users.command(change, help=_USER_CHANGES[change])
    @click.argument("user_id")
    @_AS_USER
    @pass_ctx
    def command(ctx: Context, user_id: str, as_user: str | None) -> None:
        from cscdesk.security import commands

        _settings, _store, security = _security(ctx)
        sys.exit(commands.users_change(security, as_user=as_user, user_id=user_id, change=change,
                                       ask=_ask_secret, write=click.echo))  # fmt: skip

    return command


for _change in _USER_CHANGES:
    _user_change(_change)


@main.group()
def audit() -> None:
    """The tamper-evident audit log: verify the chain, export for auditors, purge by retention."""


def _moment(text: str | None, option: str):  # type: ignore[no-untyped-def]
    from datetime import datetime

    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (2026-03-02) or date-time", param_hint=option
        ) from None
    return value if value.tzinfo else value.astimezone()


@audit.command("verify")
@_AS_USER
@pass_ctx
def audit_verify(ctx: Context, as_user: str | None) -> None:
    """Recompute the hash chain: exit 1 and name every changed, removed or moved record."""
    from cscdesk.security import commands

    _settings, store, security = _security(ctx)
    sys.exit(commands.audit_verify(store, security, as_user=as_user, ask=_ask_secret,
                                   write=click.echo))  # fmt: skip


@audit.command("export")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--from", "start", default=None, help="First moment (2026-03-02 or a date-time).")
@click.option("--to", "end", default=None, help="End moment (excluded).")
@_AS_USER
@pass_ctx
def audit_export(ctx: Context, target: Path, start: str | None, end: str | None,
                 as_user: str | None) -> None:  # fmt: skip
    """Write audit records (JSON Lines, with their chain hashes) to TARGET for an auditor."""
    from cscdesk.security import commands

    begin, finish = _moment(start, "--from"), _moment(end, "--to")
    _settings, store, security = _security(ctx)
    sys.exit(commands.audit_export(store, security, as_user=as_user, target=target, start=begin,
                                   end=finish, ask=_ask_secret, write=click.echo))  # fmt: skip


@audit.command("purge")
@_AS_USER
@pass_ctx
def audit_purge(ctx: Context, as_user: str | None) -> None:
    """Remove records older than [security] audit_retention_days (never under 183 days)."""
    from cscdesk.security import commands

    settings, store, security = _security(ctx)
    sys.exit(commands.audit_purge(store, security, as_user=as_user,
                                  retention_days=settings.security.audit_retention_days,
                                  now=_now(), ask=_ask_secret, write=click.echo))  # fmt: skip


def _open_store_or_exit(ctx: Context):  # type: ignore[no-untyped-def]
    """The configured store (SQLCipher when configured); exit 2 with a message when it cannot open."""
    from cscdesk.security.commands import open_secure_store

    settings = ctx.settings()
    paths = ctx.paths()
    (settings.store.path or paths.store).parent.mkdir(parents=True, exist_ok=True)
    try:
        return open_secure_store(settings, paths)
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


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

    store = _open_store_or_exit(ctx)
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


@main.command("demo-data")
@click.option("--members", type=click.IntRange(1, 5_000_000), default=20_000, show_default=True,
              help="How many insured people (employees and dependants).")  # fmt: skip
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same data.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day the data are anchored to (default: today).")  # fmt: skip
@pass_ctx
def demo_data(ctx: Context, members: int, seed: int, as_of: datetime | None) -> None:
    """(Re)create the store in the data dir with deterministic demo data (same seed and day)."""
    from datetime import date

    from cscdesk.demo.seed import seed_demo

    settings = ctx.settings()
    if settings.callcenter.mode != "embedded":
        click.echo(
            "demo-data replaces the store; it refuses to run on a deployment"
            f" (callcenter.mode = {settings.callcenter.mode!r} in {ctx.config_file})",
            err=True,
        )
        sys.exit(EXIT_CONFIG)
    path = settings.store.path or ctx.paths().store
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = _open_store_or_exit(ctx)
    try:
        today = as_of.date() if as_of else date.today()
        summary = seed_demo(store, members=members, seed=seed, today=today)
    finally:
        store.close()
    click.echo(
        f"{path}: {summary.members} members, {summary.employers} employers,"
        f" {summary.policies} insured records, {summary.claims} claims, {summary.calls} calls,"
        f" {summary.tickets} tickets in {summary.seconds:.1f} s"
    )


# --- archive and sync (issue 6) -----------------------------------------------------------------


def _open_sync_store(ctx: Context):  # type: ignore[no-untyped-def]
    """(settings, paths, store) for the archive and sync commands."""
    return ctx.settings(), ctx.paths(), _open_store_or_exit(ctx)


def _blob_store(settings, paths):  # type: ignore[no-untyped-def]
    from cscdesk.sync.blobstore import BlobStore

    return BlobStore(settings.archive.blob_dir or paths.recordings)


def _call_center(settings):  # type: ignore[no-untyped-def]
    """The configured call system, or for the embedded demo an in-process simulator with six
    hours of history. Returns (port, instance_id, stop)."""
    if settings.callcenter.mode == "aliyun":
        from cscdesk.callcenter.aliyun.adapter import build_aliyun_call_center
        from cscdesk.config import SecretUnavailable, resolve_secret

        try:
            key_id = resolve_secret(
                settings.callcenter.access_key_id, what="callcenter.access_key_id"
            )
            secret = resolve_secret(
                settings.callcenter.access_key_secret, what="callcenter.access_key_secret"
            )
        except SecretUnavailable as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        port = build_aliyun_call_center(
            settings.callcenter, access_key_id=key_id, access_key_secret=secret
        )
        return port, settings.callcenter.instance_id, lambda: None
    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient
    from cscdesk.callcenter.sim.server import start_simulator

    sim = settings.simulator
    handle = start_simulator(
        host=sim.host, port=sim.port, speed=sim.speed, seed=sim.seed, prefill_days=0.25
    )
    client = AliyunRpcClient(
        handle.endpoint, handle.access_key_id, handle.access_key_secret, scheme="http"
    )
    return AliyunCallCenter(client, handle.instance_id), handle.instance_id, handle.stop


@main.group()
def archive() -> None:
    """The broker's own copy of CDRs and recordings: sync, verify, export, import, purge."""


@archive.command("sync")
@click.option("--follow", is_flag=True, help="Keep copying every sync interval until Ctrl-C.")
@pass_ctx
def archive_sync(ctx: Context, follow: bool) -> None:
    """Copy new CDRs and recordings (resumable: safe to interrupt at any point)."""
    import asyncio
    from datetime import UTC, datetime

    from cscdesk.sync.lease import Lease, holder_id
    from cscdesk.sync.service import archive_round
    from cscdesk.sync.storage import SyncStorage
    from cscdesk.sync.worker import ARCHIVE_LEASE

    settings, paths, store = _open_sync_store(ctx)
    blobs = _blob_store(settings, paths)
    port, instance_id, stop = _call_center(settings)
    lease = Lease(store, ARCHIVE_LEASE, holder=holder_id(), ttl_seconds=settings.sync.lease_seconds)

    async def once() -> bool:
        if not lease.acquire():
            click.echo("another desk or daemon is copying the archive; nothing to do here")
            return False
        result = await archive_round(
            port,
            SyncStorage(store),
            blobs,
            instance_id=instance_id,
            settings=settings.archive,
            clock=lambda: datetime.now(UTC),
            heartbeat=lease.keep,
        )
        alarm = "  ALARM: archive lags" if result.lag.alarm else ""
        click.echo(
            f"CDRs {result.cdr.records} in {result.cdr.windows} window(s); recordings stored "
            f"{result.recordings.stored}, awaiting restore {result.recordings.restoring}, "
            f"failed {result.recordings.failed}, still queued {result.waiting_for_restore}; "
            f"lag {result.lag.lag}{alarm}"
        )
        for note in result.cdr.notes:
            click.echo(f"! {note}", err=True)
        return True

    async def run() -> None:
        try:
            await once()
            while follow:
                await asyncio.sleep(settings.sync.interval_seconds)
                await once()
        finally:
            lease.release()
            await port.aclose()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        click.echo("stopped; the next run resumes where this one left off")
    finally:
        stop()


@archive.command("verify")
@pass_ctx
def archive_verify(ctx: Context) -> None:
    """Recompute every recording's SHA-256; report missing or corrupt files."""
    from cscdesk.sync.retention_ops import verify_recordings
    from cscdesk.sync.storage import SyncStorage

    settings, paths, store = _open_sync_store(ctx)
    report = verify_recordings(SyncStorage(store), _blob_store(settings, paths))
    for contact_id in report.missing:
        click.echo(f"missing  {contact_id}")
    for contact_id in report.corrupt:
        click.echo(f"corrupt  {contact_id}")
    click.echo(
        f"checked {report.checked}: {len(report.missing)} missing, {len(report.corrupt)} corrupt, "
        f"{len(report.orphans)} file(s) without a manifest row"
    )
    if not report.ok:
        sys.exit(1)


@archive.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what is past its keep-until date.")
@click.option("--actor", default="system", show_default=True, help="Who purges (audit log).")
@pass_ctx
def archive_purge(ctx: Context, dry_run: bool, actor: str) -> None:
    """Delete recordings past keep-until (never one on legal hold); every deletion is audited."""
    from datetime import date

    from cscdesk.sync.retention_ops import purge_recordings
    from cscdesk.sync.storage import SyncStorage

    settings, paths, store = _open_sync_store(ctx)
    report = purge_recordings(
        SyncStorage(store),
        _blob_store(settings, paths),
        today=date.today(),
        actor=actor,
        dry_run=dry_run,
    )
    for recording in report.due:
        click.echo(
            f"{'would purge' if dry_run else 'purged'}  {recording.contact_id}  kept until {recording.keep_until}"
        )
    for recording in report.held:
        click.echo(f"legal hold   {recording.contact_id}  kept until {recording.keep_until}")
    click.echo(
        f"{len(report.due)} past keep-until, {len(report.held)} on legal hold"
        + (" (dry run)" if dry_run else "")
    )


@archive.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@pass_ctx
def archive_export(ctx: Context, directory: Path) -> None:
    """Write a portable bundle: JSON Lines per entity, recordings, manifest with SHA-256."""
    from cscdesk.sync.bundle import BundleError, export_bundle

    settings, paths, store = _open_sync_store(ctx)
    try:
        report = export_bundle(store, _blob_store(settings, paths), directory)
    except BundleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"exported {sum(report.entities.values())} rows in {len(report.entities)} entities and "
        f"{report.recordings} recordings to {directory}; personal data is only in members.jsonl"
    )


@archive.command("import")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@pass_ctx
def archive_import(ctx: Context, directory: Path) -> None:
    """Load a bundle into an empty store (checksums are checked before anything is written)."""
    from cscdesk.sync.bundle import BundleError, import_bundle

    settings, paths, store = _open_sync_store(ctx)
    try:
        report = import_bundle(store, _blob_store(settings, paths), directory)
    except BundleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"imported {sum(report.entities.values())} rows and {report.recordings} recordings")


@main.command("sync")
@click.option("--follow", is_flag=True, help="Keep pushing and pulling until Ctrl-C.")
@pass_ctx
def sync_tickets(ctx: Context, follow: bool) -> None:
    """Push local ticket changes to the call system and pull its changes (one holder at a time)."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from cscdesk.sync.lease import Lease, holder_id
    from cscdesk.sync.storage import SyncStorage
    from cscdesk.sync.tickets import TicketSync, TicketSyncPolicy
    from cscdesk.sync.worker import TICKETS_LEASE, run_forever, run_round

    settings, _paths, store = _open_sync_store(ctx)
    port, _instance, stop = _call_center(settings)
    lease = Lease(store, TICKETS_LEASE, holder=holder_id(), ttl_seconds=settings.sync.lease_seconds)
    syncer = TicketSync(
        port,
        SyncStorage(store),
        clock=lambda: datetime.now(UTC),
        policy=TicketSyncPolicy(pull_overlap=timedelta(seconds=settings.sync.pull_overlap_seconds)),
    )

    async def work() -> None:
        report = await syncer.run_once()
        click.echo(
            f"pushed {report.pushed}, created {report.created}, pulled {report.pulled}, "
            f"merged {report.merged}, conflicts {report.conflicts}, failed {report.failed}"
        )

    async def run() -> None:
        try:
            if follow:
                await run_forever(
                    lease,
                    work,
                    interval_seconds=settings.sync.interval_seconds,
                    stop=asyncio.Event(),
                )
            else:
                result = await run_round(lease, work)
                if not result.ran:
                    click.echo("another desk or daemon holds the sync lease; nothing to do here")
                elif result.error:
                    click.echo(f"sync failed: {result.error}", err=True)
                lease.release()
        finally:
            await port.aclose()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        click.echo("stopped; unsent changes stay in the outbox")
    finally:
        stop()
