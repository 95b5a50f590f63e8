from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from cscdesk import __version__
from cscdesk.cli import main


def test_version_is_printed() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_version_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from cscdesk.cli import main;"
        "CliRunner().invoke(main, ['--version']);"
        "heavy = [m for m in ('textual', 'httpx', 'faker', 'uvicorn', 'sqlite_utils') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_secrets_set_stores_in_keyring_not_on_disk(memory_keyring, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    result = runner.invoke(main, ["secrets", "set", "ccc-prod-secret"], input="s3cr3t-value\n")
    assert result.exit_code == 0, result.output
    assert memory_keyring.secrets[("cscdesk", "ccc-prod-secret")] == "s3cr3t-value"
    assert "s3cr3t-value" not in result.output
    result = runner.invoke(main, ["secrets", "delete", "ccc-prod-secret"])
    assert result.exit_code == 0
    assert ("cscdesk", "ccc-prod-secret") not in memory_keyring.secrets


async def test_the_config_cscdesk_sim_prints_is_accepted_and_reaches_it_through_wiring(
    memory_keyring, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: ``cscdesk sim`` once told people to write ``protocol = "http"`` (which config
    rejects), and the desk and the commands built the client differently. Now the printed
    section loads as it is, and the one builder in ``wiring`` reaches the simulator with it."""
    from cscdesk.callcenter.sim.server import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET
    from cscdesk.config import load_settings
    from cscdesk.wiring import command_call_center

    sim = subprocess.Popen(
        [sys.executable, "-m", "cscdesk", "--data-dir", str(tmp_path / "data"), "sim",
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert sim.stdout is not None
        printed: list[str] = []
        while not any("Ctrl-C stops" in line for line in printed):
            line = sim.stdout.readline()
            assert line, "cscdesk sim ended before printing its config"
            printed.append(line.rstrip("\n"))
        assert "[callcenter]" in printed, printed
        section = "\n".join(printed[printed.index("[callcenter]") : -1])
        config = tmp_path / "desk.toml"
        config.write_text(section + "\n", encoding="utf-8")
        settings = load_settings(config)
        memory_keyring.set_password("cscdesk", "ccc-key-id", DEMO_ACCESS_KEY_ID)
        memory_keyring.set_password("cscdesk", "ccc-key-secret", DEMO_ACCESS_KEY_SECRET)
        port, instance_id, stop = command_call_center(settings)
        try:
            health = await port.health()
            assert health.ok, health.detail
            assert instance_id == settings.callcenter.instance_id
        finally:
            await port.aclose()
            stop()
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def test_archive_sync_against_an_unreachable_call_system_says_so_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The command runs its round in the lease loop all duties share; a failed round is one line
    on stderr and exit 1, never a traceback (Python's fallback logger printed one)."""
    import os
    from pathlib import Path

    config = tmp_path / "c.toml"
    config.write_text(
        '[callcenter]\nmode = "aliyun"\nendpoint = "http://127.0.0.1:9"\ninstance_id = "x"\n'
        'access_key_id = "keyring:ccc-key-id"\naccess_key_secret = "keyring:ccc-key-secret"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).parent / "sync"),
        "PYTHON_KEYRING_BACKEND": "env_keyring.EnvKeyring",
        "CSCDESK_TEST_SECRET_CCC_KEY_ID": "id",
        "CSCDESK_TEST_SECRET_CCC_KEY_SECRET": "secret",
    }
    done = subprocess.run(
        [sys.executable, "-m", "cscdesk", "--config", str(config), "--data-dir",
         str(tmp_path / "data"), "archive", "sync"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "archive sync failed" in done.stderr and "127.0.0.1:9" in done.stderr


def test_the_version_is_written_in_one_place() -> None:
    """pyproject reads ``cscdesk.__version__``; the installed metadata agrees with it."""
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    project = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    )
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert version("cscdesk") == __version__


def test_an_unexpected_fault_is_one_line_and_the_traceback_goes_to_the_log(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No traceback reaches a person: a fault no handler knows (here a library's KeyError, as
    stdnum once raised for an ID number) prints one line naming the log file and exits 1; the
    traceback is in the day's log file, with the ID number masked there too."""
    import click

    from cscdesk.cli.errors import CommandGroup
    from cscdesk.security.logfile import configure_logging

    @click.group(cls=CommandGroup)
    def group() -> None:
        pass

    @group.command()
    def boom() -> None:
        raise KeyError("county of 11000119900101001X")

    logs = tmp_path / "logs"
    configure_logging(folder=logs, console=True)
    try:
        result = CliRunner().invoke(group, ["boom"])
    finally:
        configure_logging(folder=None)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "unexpected fault" in result.stderr and str(logs) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    (log_file,) = logs.iterdir()
    logged = log_file.read_text()
    assert "Traceback" in logged and "KeyError" in logged
    assert "11000119900101001X" not in logged
