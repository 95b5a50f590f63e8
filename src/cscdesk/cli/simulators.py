"""``cscdesk sim`` and ``cscdesk insurers-sim``: the simulated call center and insurers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cscdesk.cli.root import Context, fail_config, main, pass_ctx


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
    click.echo(simulator_config(handle))
    click.echo("Ctrl-C stops.")
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("stopping the simulator")
    finally:
        handle.stop()


def simulator_config(handle) -> str:  # type: ignore[no-untyped-def]
    """The config section a desk needs to reach this simulator, written as config accepts it."""
    from cscdesk.wiring import simulator_settings

    cc = simulator_settings(handle)
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
