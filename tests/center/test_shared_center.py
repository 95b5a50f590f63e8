"""One simulated center per data dir: the first process starts it and publishes it, every later
one attaches; a stale publication (its process died, or it does not answer) is taken over; two
processes starting at once end up on one center."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cscdesk.callcenter.sim import shared

from .processes import UNBUFFERED, cscdesk
from .terminals import stop_center

ATTACH = (
    "import sys; from pathlib import Path; from cscdesk.callcenter.sim import shared; "
    "d = Path(sys.argv[1]); "
    "a = shared.attach_or_start(d, lambda: shared.spawn_center(d, seed=7, config_file=None)); "
    "print(a.pid, a.base_url)"
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    try:
        yield folder
    finally:
        stop_center(folder)


def attach_in_processes(data_dir: Path, count: int) -> list[tuple[int, str]]:
    runs = [subprocess.Popen([sys.executable, "-c", ATTACH, str(data_dir)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=UNBUFFERED)
            for _ in range(count)]  # fmt: skip
    found = []
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        pid, url = out.split()
        found.append((int(pid), url))
    return found


def test_processes_starting_at_once_share_one_center(data_dir: Path) -> None:
    found = attach_in_processes(data_dir, 3)
    assert len(set(found)) == 1  # one center, whoever came first started it
    pid, url = found[0]
    published = shared.read_published(data_dir)
    assert published is not None and (published.pid, published.base_url) == (pid, url)
    assert shared.answers(published)
    mode = stat.S_IMODE((data_dir / shared.CENTER_FILE).stat().st_mode)
    assert mode == 0o600  # owner-only, like everything in the data dir


def test_a_publication_whose_process_died_is_taken_over(data_dir: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = shared.CenterAddress("http://127.0.0.1:9", "ccc-demo", "k", "s", gone.pid,
                                 "2026-03-10T10:00:00+08:00", time.time(), 1.0)  # fmt: skip
    shared.publish(data_dir, stale)
    ((pid, _url),) = attach_in_processes(data_dir, 1)
    assert pid != gone.pid
    published = shared.read_published(data_dir)
    assert published is not None and published.pid == pid


def test_a_live_process_that_does_not_answer_is_not_taken_for_the_center(data_dir: Path) -> None:
    """A reused pid (here: this test's own) with nothing listening at the published URL."""
    stale = shared.CenterAddress("http://127.0.0.1:9", "ccc-demo", "k", "s", os.getpid(),
                                 "2026-03-10T10:00:00+08:00", time.time(), 1.0)  # fmt: skip
    shared.publish(data_dir, stale)
    ((pid, url),) = attach_in_processes(data_dir, 1)
    assert pid != os.getpid() and url != stale.base_url


def test_a_second_cscdesk_sim_on_the_data_dir_names_the_running_one(data_dir: Path) -> None:
    first = subprocess.Popen([*cscdesk(data_dir, "sim", "--demo")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=UNBUFFERED)  # fmt: skip
    try:
        assert first.stdout is not None
        assert first.stdout.readline().startswith("CCC simulator listening on")
        second = subprocess.run(cscdesk(data_dir, "sim", "--demo"), capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert second.returncode == 3
        assert f"already serves {data_dir}" in second.stderr and f"pid {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)
    assert shared.read_published(data_dir) is None  # it unpublished itself on the way out


def test_an_idle_center_stops_and_unpublishes(data_dir: Path) -> None:
    done = subprocess.run(cscdesk(data_dir, "sim", "--demo", "--idle-exit", "1"),
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no request for 1 s: stopping" in done.stdout
    assert not (data_dir / shared.CENTER_FILE).exists()


def test_the_simulator_tells_a_desk_where_it_is_and_its_demo_key(data_dir: Path) -> None:
    ((_pid, url),) = attach_in_processes(data_dir, 1)
    address = shared.ask(url)
    assert address.access_key_id == "LTAI5tDEMOcscdesk0000000"  # the documented demo pair
    assert json.loads((data_dir / shared.CENTER_FILE).read_text())["base_url"] == url


def test_attaching_to_a_center_elsewhere_than_this_host_is_refused(tmp_path: Path) -> None:
    done = subprocess.run([*cscdesk(tmp_path / "d", "--center", "http://192.0.2.1:8080")],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert "only a simulator on this host is attached by URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "d" / "cscdesk.db").exists()  # refused before anything was made


def test_a_config_naming_a_simulator_on_this_host_needs_no_keyring(
    data_dir: Path, tmp_path: Path
) -> None:
    """``[callcenter] endpoint = "http://127.0.0.1:PORT"``: the simulator tells its demo key, so a
    command runs with no secret in the keyring; an address where none answers is named."""
    ((_pid, url),) = attach_in_processes(data_dir, 1)
    config = tmp_path / "desk.toml"
    config.write_text(f'[callcenter]\nmode = "aliyun"\nendpoint = "{url}"\n', encoding="utf-8")
    done = subprocess.run([*cscdesk(tmp_path / "other", "--config", str(config)), "sync"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pushed 0")

    config.write_text('[callcenter]\nmode = "aliyun"\nendpoint = "http://127.0.0.1:9"\n',
                      encoding="utf-8")  # fmt: skip
    refused = subprocess.run([*cscdesk(tmp_path / "other", "--config", str(config)), "sync"],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert refused.returncode != 0
    assert (
        "callcenter.endpoint: no cscdesk simulator answers at http://127.0.0.1:9" in refused.stderr
    )
    assert "Traceback" not in refused.stderr


def test_a_demo_desk_attaches_to_the_simulator_its_config_names(
    data_dir: Path, tmp_path: Path
) -> None:
    """Demo mode with ``[callcenter] endpoint`` on loopback (what ``--center URL`` does): the
    desk uses that simulator and starts none in its own data dir."""
    from cscdesk.config import CallCenterSettings, Settings, resolve_paths
    from cscdesk.wiring import build_services, call_center_port, close_services

    ((_pid, url),) = attach_in_processes(data_dir, 1)
    desk_dir = tmp_path / "desk"
    seeded = subprocess.run(cscdesk(desk_dir, "demo-data", "--members", "100"),
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    settings = Settings(callcenter=CallCenterSettings(endpoint=url))
    services = build_services(settings, resolve_paths(None, desk_dir), language="en",
                              who="agent003")  # fmt: skip
    try:
        assert services.user_id == "agent003@ccc-demo"

        async def sign_in() -> str:
            port = services.call_center
            await port.sign_in(services.user_id, [], "SIP-8003")
            await port.aclose()
            again = call_center_port(CallCenterSettings(mode="aliyun", endpoint=url),
                                     *shared.ask(url).keys())  # fmt: skip
            states = {a.agent_id: a.status.value for a in await again.list_agent_states()}
            await again.aclose()
            return states[services.user_id]

        assert asyncio.run(sign_in()) == "break"  # signed in at the simulator the config names
        published = shared.ask(url)
        assert services.sim_clock is not None
        assert abs((services.sim_clock() - published.sim_now()).total_seconds()) < 5
        assert not (desk_dir / shared.CENTER_FILE).exists()  # no second center
    finally:
        close_services(services)


DESK = (
    "import sys; from pathlib import Path; from cscdesk.config import Settings, resolve_paths; "
    "from cscdesk.wiring import build_embedded, close_services; "
    "s = build_embedded(Settings(), resolve_paths(None, Path(sys.argv[1])), language='en', "
    "members=60); print(s.store.members.count()); close_services(s)"
)


def test_two_desks_opening_an_empty_data_dir_at_once_share_one_seeded_store(
    data_dir: Path,
) -> None:
    """The second desk waits for the first one's seed: it never finds the store empty (and
    never seeds it a second time)."""
    desks = [subprocess.Popen([sys.executable, "-c", DESK, str(data_dir)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=UNBUFFERED)
             for _ in range(2)]  # fmt: skip
    counts = []
    for desk in desks:
        out, err = desk.communicate(timeout=120)
        assert desk.returncode == 0, err
        counts.append(out.split()[-1])
    assert counts == ["60", "60"]
