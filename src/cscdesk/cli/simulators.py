"""``cscdesk sim`` and ``cscdesk insurers-sim``: the simulated call center and insurers."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from cscdesk.cli.errors import EXIT_LEASE_HELD
from cscdesk.cli.root import Context, fail_config, main, pass_ctx


@main.command("sim")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port (0: any free port).")
@click.option("--speed", type=click.FloatRange(1, 600), default=None,
              help="Simulated seconds per wall second (default 60; 1 with --demo).")  # fmt: skip
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Random seed (same seed, same day)."
)
@click.option("--faults", "faults_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="Fault plan (TOML or JSON).")  # fmt: skip
@click.option(
    "--access-key-id", default=None, help="AccessKey id to accept (default: the demo pair)."
)
@click.option("--access-key-secret", default=None, help="AccessKey secret to accept.")
@click.option("--demo", is_flag=True,
              help="The desks' demo center: real time from 10:00, broker agents left to people at "
                   "desks (what the first desk on a data dir starts by itself).")  # fmt: skip
@click.option("--idle-exit", type=click.IntRange(0), default=0,
              help="Stop after this many seconds without a request (0: never).")  # fmt: skip
@click.option("--no-lock", is_flag=True, hidden=True)  # started by a desk that holds the lock
@pass_ctx
def sim_command(ctx: Context, host: str, port: int, speed: float | None, seed: int,
                faults_file: Path | None, access_key_id: str | None,
                access_key_secret: str | None, demo: bool, idle_exit: int,
                no_lock: bool) -> None:  # fmt: skip
    """Run the CCC call-center simulator in the foreground; it serves every desk and lead
    opened on the same data dir (it publishes itself in the data dir), or by --center URL."""
    from cscdesk.callcenter.sim import shared
    from cscdesk.callcenter.sim.faults import FaultPlan
    from cscdesk.callcenter.sim.server import (
        DEMO_ACCESS_KEY_ID,
        DEMO_ACCESS_KEY_SECRET,
        start_simulator,
    )
    from cscdesk.wiring import start_demo_center

    try:
        plan = FaultPlan.from_file(faults_file) if faults_file else None
    except ValueError as exc:
        fail_config(exc)
    data_dir = ctx.paths().data_dir
    options: dict[str, Any] = {"host": host, "port": port, "seed": seed, "faults": plan,
               "access_key_id": access_key_id or DEMO_ACCESS_KEY_ID,
               "access_key_secret": access_key_secret or DEMO_ACCESS_KEY_SECRET,
               "tune_gc": True}  # fmt: skip
    with contextlib.nullcontext() if no_lock else shared.center_lock(data_dir):
        running = shared.live_center(data_dir)
        if running is not None:
            click.echo(f"cscdesk sim: a simulated center already serves {data_dir}: "
                       f"{running.base_url} (pid {running.pid})", err=True)  # fmt: skip
            sys.exit(EXIT_LEASE_HELD)
        insurers = None
        if demo:
            handle = start_demo_center(ctx.settings(), ctx.paths(), speed=speed or 1.0, **options)
            insurers = _demo_insurers(ctx)
        else:
            handle = start_simulator(speed=speed or 60.0,
                                     caller_numbers=_demo_caller_numbers(ctx), **options)  # fmt: skip
        if shared.is_loopback_http(handle.base_url):  # others are not ours to attach to
            info = {**_info(handle), "insurers": insurers.base_urls() if insurers else {}}
            shared.publish(data_dir, shared.CenterAddress.from_json(info))
    click.echo(f"CCC simulator listening on {handle.endpoint} (instance {handle.instance_id})")
    click.echo(f"accepting AccessKey id {handle.access_key_id}; speed {handle.clock.speed:g}x; "
               f"seed {seed}")  # fmt: skip
    click.echo(f"desks on --data-dir {data_dir} attach to it; elsewhere: cscdesk --center "
               f"{handle.base_url}")  # fmt: skip
    click.echo(simulator_config(handle))
    if insurers is not None:
        urls = ", ".join(f"{k} {v}" for k, v in insurers.base_urls().items())
        click.echo(f"simulated insurers for the desks: {urls}")
    click.echo("Ctrl-C stops.")
    try:
        _serve(handle, data_dir, idle_exit)
    finally:
        if insurers is not None:
            insurers.stop()


def _demo_insurers(ctx: Context) -> Any:
    """The simulated insurers every desk on the data dir shares (issue 21), over its demo
    store; None (each desk runs its own) when there is no store yet or they cannot start."""
    from cscdesk.wiring import start_demo_insurers

    if not (ctx.settings().store.path or ctx.paths().store).exists():
        click.echo("no demo store yet: each desk runs its own simulated insurers", err=True)
        return None
    try:
        return start_demo_insurers(ctx.settings(), ctx.paths())
    except Exception as exc:
        click.echo(f"simulated insurers not started ({exc}): each desk runs its own", err=True)
        return None


def _info(handle: Any) -> dict[str, Any]:
    import httpx

    from cscdesk.callcenter.sim.shared import INFO_PATH

    answer: dict[str, Any] = httpx.get(handle.base_url + INFO_PATH, timeout=5).json()
    return answer


def _serve(handle, data_dir: Path, idle_exit: int) -> None:  # type: ignore[no-untyped-def]
    """Run until Ctrl-C, SIGTERM or ``idle_exit`` seconds without a request; then unpublish."""
    import os
    import signal
    import time

    from cscdesk.callcenter.sim.shared import unpublish

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    seen, quiet_since = -1, time.monotonic()
    try:
        while True:
            time.sleep(0.5)
            count = sum(handle.requests.values())
            if count != seen:
                seen, quiet_since = count, time.monotonic()
            elif idle_exit and time.monotonic() - quiet_since > idle_exit:
                click.echo(f"no request for {idle_exit} s: stopping")
                break
    except KeyboardInterrupt:
        click.echo("stopping the simulator")
    finally:
        unpublish(data_dir, os.getpid())
        handle.stop()


def simulator_config(handle) -> str:  # type: ignore[no-untyped-def]
    """The config section a desk needs to reach this simulator, written as config accepts it.

    With the documented demo pair on loopback nothing else is needed (the desk asks the
    simulator for it); any other pair lives in the keyring, as a real deployment's would."""
    from cscdesk.callcenter.sim.server import DEMO_ACCESS_KEY_ID
    from cscdesk.wiring import simulator_settings

    cc = simulator_settings(handle)
    if handle.access_key_id == DEMO_ACCESS_KEY_ID:
        return (
            "or in a desk's config file (a demo desk: the demo pair needs no keyring):\n"
            "[callcenter]\n"
            f'endpoint = "{cc.endpoint}"'
        )
    return (
        "point a desk at it with this in its config (store the pair first:\n"
        f"  cscdesk secrets set ccc-key-id; cscdesk secrets set ccc-key-secret):\n"
        "[callcenter]\n"
        f'mode = "{cc.mode}"\n'
        f'endpoint = "{cc.endpoint}"\n'
        f'instance_id = "{cc.instance_id}"\n'
        'access_key_id = "keyring:ccc-key-id"\n'
        'access_key_secret = "keyring:ccc-key-secret"'
    )


def _demo_caller_numbers(ctx: Context) -> list[str]:
    """Members' mobiles from the demo store so screen pop finds them; none when no store yet."""
    from cscdesk.wiring import demo_caller_numbers

    return demo_caller_numbers(ctx.paths().store, 500)


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
