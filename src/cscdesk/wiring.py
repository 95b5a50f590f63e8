"""Composition helpers for the desk, called only by the cli package: the embedded demo and a real deployment.

The embedded default opens (or creates) the demo store, seeds it once, starts the call-center
simulator and the simulated insurers on 127.0.0.1, and hands the desk a ``DeskServices``. A real
deployment (``--config`` with ``callcenter.mode = "aliyun"``) takes the AccessKey from the OS
keyring only. ``close_services`` stops whatever was started, in reverse order.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cscdesk.callcenter.sim.shared import is_loopback_http
from cscdesk.config import CallCenterSettings, Paths, Settings, resolve_secret
from cscdesk.domain.center_directory import CenterDirectory
from cscdesk.tui.services import DeskServices

log = logging.getLogger(__name__)

DEMO_MEMBERS = 20_000
DEMO_CALLER_NUMBERS = 2_000
DEMO_RING_TIMEOUT_SECONDS = 45.0  # long enough for a person to reach the key
DEMO_ACW_LIMIT_SECONDS = 600.0
# Lost calls for the missed calls worklist: a few callers hang up in the IVR, and some impatient
# callers are sent to voicemail (ContactDisposition AbandonedInIVR / Voicemail).
DEMO_IVR_ABANDON_SHARE = 0.03
DEMO_VOICEMAIL_SHARE = 0.25
# Each worklist round lists the last half hour of CDRs: not more often than this.
MISSED_CALLS_MIN_INTERVAL = 10.0
DEMO_LEAD_SPEED = 6.0  # the lead's demo: six simulated minutes a minute


class WiringError(Exception):
    """The desk cannot be put together: a message for the person starting it."""


def open_command_store(settings: Settings, paths: Paths) -> Any:
    """The configured store (SQLCipher when ``[store] encryption_key`` is set) for the desk and
    every command; its folder is created owner-only (700): it holds the store and recordings."""
    from cscdesk.security.commands import open_secure_store
    from cscdesk.store.files import private_dir

    path = settings.store.path or paths.store
    private_dir(path.parent)
    try:
        return open_secure_store(settings, paths)
    except RuntimeError as exc:  # EncryptionUnavailable and the like: a message, never a trace
        raise WiringError(str(exc)) from None


def read_only_store(
    path: Path, settings: Settings | None = None, paths: Paths | None = None
) -> Any:
    """The store at ``path`` for a command that only looks (reports, doctor): read-only.

    An encrypted store (``[store] encryption_key``) opens through SQLCipher with its key and
    ``query_only``; a plain read-only open would take it for a damaged file.
    """
    from cscdesk.store import open_store

    if settings is not None and settings.store.url:
        from cscdesk.security.commands import open_postgres_store

        return open_postgres_store(settings, read_only=True)
    if settings is not None and paths is not None and settings.store.encryption_key:
        store = open_command_store(settings, paths)
        store.refuse_writes()
        return store
    return open_store(path, read_only=True)


def open_report_store(settings: Settings, paths: Paths) -> Any | None:
    """The archive the reports read, opened read-only (reports never write); None when absent."""
    path = settings.store.path or paths.store
    if settings.store.url or path.exists():
        return read_only_store(path, settings, paths)
    return None


def blob_store(settings: Settings, paths: Paths, *, quick: bool = False) -> Any:
    """Where the archived recordings live: the bucket of ``[archive] recordings`` (keys from
    the keyring), else ``[archive] blob_dir`` or the data dir's folder. ``quick``: a bucket
    that gives up at once (no retries, 3 s to connect), for ``doctor``'s look."""
    from cscdesk.sync.blobstore import BlobStore

    archive = settings.archive
    if not archive.recordings:
        return BlobStore(archive.blob_dir or paths.recordings)
    from cscdesk.config import SecretUnavailable
    from cscdesk.sync.s3blobs import CONNECT_TIMEOUT, RETRIES, S3BlobStore

    keys: list[str | None] = [None, None]
    refs = (archive.s3_access_key_id, archive.s3_secret_access_key)
    if any(refs):
        try:
            keys = [resolve_secret(refs[0], what="archive.s3_access_key_id"),
                    resolve_secret(refs[1], what="archive.s3_secret_access_key")]  # fmt: skip
        except SecretUnavailable as exc:
            raise WiringError(str(exc)) from None
    return S3BlobStore(
        archive.recordings,
        spool_dir=paths.data_dir / "recordings-spool",
        endpoint=archive.s3_endpoint,
        region=archive.s3_region,
        access_key_id=keys[0],
        secret_access_key=keys[1],
        sample_percent=archive.verify_sample_percent,
        retries=0 if quick else RETRIES,
        connect_timeout=timedelta(seconds=3) if quick else CONNECT_TIMEOUT,
    )


def command_security(store: Any, settings: Settings, clock: Any) -> Any:
    """Users, login and the audit log over ``store``, for the admin and audit commands."""
    from cscdesk.security.commands import build_security

    return build_security(store, settings, clock)


def _open_store(settings: Settings, paths: Paths) -> Any:
    store = open_command_store(settings, paths)
    key = store.audit.key()
    if key.state == "unkeyed":  # a deployment never signs its audit log with the demo key
        store.close()
        raise WiringError(f"audit log {key.describe()}; the admin runs `cscdesk audit init-key`")
    return store


def _seed_if_empty(store: Any, members: int) -> None:
    """Seed the demo once, anchored to today so that its SLA clocks look like a live center's."""
    from datetime import date

    from cscdesk.demo.seed import seed_demo

    if store.members.count() == 0:
        seed_demo(store, members=members, seed=7, today=date.today())


def _caller_numbers(store: Any, count: int = DEMO_CALLER_NUMBERS) -> list[str]:
    from cscdesk.demo.seed import demo_mobiles

    return list(demo_mobiles(store, count))


def demo_caller_numbers(path: Path, count: int) -> list[str]:
    """Members' mobiles from the demo store at ``path`` (read-only), so a simulator's callers
    pop a profile; none when there is no store yet."""
    if not path.exists():
        return []
    store = read_only_store(path)
    try:
        return _caller_numbers(store, count)
    finally:
        store.close()


def why_not_demo_store(path: Path) -> str | None:
    """Why the store at ``path`` is not a disposable demo store, or None (also when absent).

    Read through a read-only connection, so that looking never changes the file."""
    import sqlite3

    from cscdesk.demo.seed import why_not_demo

    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return f"it cannot be read as a store ({exc})"
    try:
        return why_not_demo(conn)
    except sqlite3.Error as exc:  # encrypted, damaged, or not SQLite at all
        return f"it cannot be read as a plain demo store ({exc})"
    finally:
        conn.close()


class DemoRefused(WiringError):
    """``cscdesk demo-data`` will not replace this store (a deployment's, or not only demo data)."""


def replace_demo_store(settings: Settings, paths: Paths, *, config_file: Path | None,
                       members: int, seed: int, today: Any,
                       progress: Any = None) -> tuple[Path, Any]:  # fmt: skip
    """``cscdesk demo-data``: a fresh demo store in place of a missing one or one that holds
    nothing but demo data; (path, the seed's summary). ``DemoRefused`` says why not."""
    from cscdesk.demo.seed import seed_demo

    if settings.callcenter.mode != "embedded":
        raise DemoRefused(
            "demo-data replaces the store; it refuses to run on a deployment"
            f" (callcenter.mode = {settings.callcenter.mode!r} in {config_file})"
        )
    path = settings.store.path or paths.store
    problem = why_not_demo_store(path)
    if problem:
        raise DemoRefused(
            f"demo-data refuses to replace {path}: {problem}. It only replaces a store that holds"
            " nothing but its own demo data; give another --data-dir for a new demo."
        )
    for suffix in ("", "-wal", "-shm", ".audit-head"):  # the old demo's signed heads go too
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_command_store(settings, paths)
    try:
        return path, seed_demo(store, members=members, seed=seed, today=today, progress=progress)
    finally:
        store.close()


def _demo_start() -> datetime:
    """Today at 10:00 in the center's zone: calls flow whatever the hour the demo is opened."""
    from cscdesk.callcenter.sim.model import CENTER_TZ

    now = datetime.now(CENTER_TZ)
    return now.replace(hour=10, minute=0, second=0, microsecond=0)


def start_demo_simulator(settings: Settings, caller_numbers: list[str],
                         humans: tuple[str, ...] | str, *, speed: float = 1.0,
                         **overrides: Any) -> Any:  # fmt: skip
    """The simulator for people at desks: real time, a ring they can answer.

    ``humans`` are the users people sign in as (the demo center: every broker agent). They are
    the broker line, so calls reach them within a minute; the insurers' seconded agents are
    simulated and take their own lines plus claims overflow. With no human on the roster (a lead
    alone), the whole simulated team works the queues.
    """
    from cscdesk.callcenter.sim.arrivals import TrafficProfile
    from cscdesk.callcenter.sim.model import ModelConfig
    from cscdesk.callcenter.sim.server import start_simulator
    from cscdesk.demo.scenario import AGENTS, SKILL_GROUPS

    wanted = (humans,) if isinstance(humans, str) else humans
    me = tuple(a for a in AGENTS if a.id in wanted)
    seconded = tuple(
        replace(a, skill_groups=tuple(g for g in a.skill_groups if g != "sg_group_enquiry"))
        for a in AGENTS
        if a.kind.value == "seconded"
    )
    kwargs: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        # a lead watches, nobody answers: the clock runs faster so the day moves (issue 16)
        "speed": speed if me else speed * DEMO_LEAD_SPEED,
        "traffic": TrafficProfile.demo_desk() if me else TrafficProfile.demo_lead(),
        "seed": settings.simulator.seed,
        "scenario": (SKILL_GROUPS, me + seconded if me else AGENTS),
        "caller_numbers": caller_numbers,
        "human_agents": tuple(a.id for a in me),
        "start_time": _demo_start(),
        "config": ModelConfig(
            ring_timeout_seconds=DEMO_RING_TIMEOUT_SECONDS,
            human_acw_limit_seconds=DEMO_ACW_LIMIT_SECONDS,
            unknown_caller_share=0.15,
            ivr_abandon_share=DEMO_IVR_ABANDON_SHARE,
            voicemail_share=DEMO_VOICEMAIL_SHARE,
        ),
    }
    kwargs.update(overrides)
    return start_simulator(**kwargs)


def start_demo_center(settings: Settings, paths: Paths, **overrides: Any) -> Any:
    """``cscdesk sim --demo``: the center every desk on a data dir shares. Broker agents are
    left to the people who sign in at desks; members' mobiles call, so screen pop finds them."""
    from cscdesk.demo.scenario import AGENTS

    brokers = tuple(a.id for a in AGENTS if a.kind.value == "broker")
    numbers = demo_caller_numbers(settings.store.path or paths.store, DEMO_CALLER_NUMBERS)
    return start_demo_simulator(settings, numbers, brokers, **overrides)


def demo_person(who: str | None, role: str) -> str:
    """``--as agent002`` / ``--as lead``: the demo user for a short name (or a full user id)."""
    from cscdesk.demo.scenario import AGENTS, DEMO_AGENT_ID, DEMO_LEAD_ID, INSTANCE_ID, LEADS

    if not who or who in ("agent", "lead"):
        return DEMO_LEAD_ID if role == "lead" else DEMO_AGENT_ID
    user_id = who if "@" in who else f"{who}@{INSTANCE_ID}"
    people = [a.id for a in (*AGENTS, *LEADS)]
    if user_id not in people:
        short = ", ".join(p.split("@")[0] for p in people[:3])
        raise WiringError(f"--as {who}: no such person in the demo center (for example {short},"
                          f" …, {people[-1].split('@')[0]})")  # fmt: skip
    return user_id


def _attach_center(settings: Settings, paths: Paths, center_url: str | None) -> Any:
    """The shared center: the one at ``--center URL``, or the data dir's (started if none)."""
    from cscdesk.callcenter.sim import shared

    try:
        if center_url:
            address = shared.ask(center_url)
            if not address.access_key_id:
                raise shared.CenterUnavailable(
                    f"the simulator at {center_url} does not use the demo AccessKey; attach with"
                    ' a config ([callcenter] mode = "aliyun" and keyring secrets)'
                )
            return address
        return shared.attach_or_start(paths.data_dir, lambda: shared.spawn_center(
            paths.data_dir, seed=settings.simulator.seed, config_file=paths.config_file))  # fmt: skip
    except shared.CenterUnavailable as exc:
        raise WiringError(str(exc)) from None


def start_demo_insurers(settings: Settings, paths: Paths) -> Any:
    """The demo's simulated insurers over the data dir's store, 安和's extract in its batch
    folder; run by the shared center (``cscdesk sim --demo``) or, with no center to share, by
    the desk itself. Raises whatever stops them starting."""
    from cscdesk.insurers.sim.runner import start_insurer_sims

    return start_insurer_sims(settings.store.path or paths.store, seed=settings.simulator.seed,
                              batch_dir=paths.data_dir / "insurer-batch")  # fmt: skip


def _insurer_gateway(settings: Settings, store: Any, paths: Paths, background: list[Any],
                     shared_urls: dict[str, str]) -> tuple[Any, list[Any]]:  # fmt: skip
    """A gateway over the simulated insurers, with the ``[[insurers]]`` entries that point at
    them: the center's (``shared_urls``, so a hand-off sent from one desk is known to the
    insurer whichever desk polls it), else our own; (None, []) (local data only) if they
    cannot start."""
    from cscdesk.insurers.gateway import build_gateway
    from cscdesk.insurers.sim.runner import (
        demo_insurer_settings,
        demo_insurer_settings_at,
        demo_secret_resolver,
    )

    if shared_urls:
        configured = demo_insurer_settings_at(shared_urls)
    else:
        try:
            handles = start_demo_insurers(settings, paths)
        except Exception as exc:
            log.warning("simulated insurers not started: %s", exc)
            return None, []
        background.append(handles)
        configured = demo_insurer_settings(handles)
    _import_demo_extracts(store, paths.data_dir / "insurer-batch")
    resolver = demo_secret_resolver()
    gateway = build_gateway(configured, settings.gateway, store,
                            secrets=lambda ref, what: resolver(ref, what))  # fmt: skip
    return gateway, configured


def _import_demo_extracts(store: Any, batch_dir: Path) -> None:
    """安和 answers by daily file only: load today's simulated extract as the broker would."""
    from datetime import UTC

    try:
        from cscdesk.insurers.batch_import import import_directory

        import_directory(store, batch_dir, datetime.now(UTC))
    except Exception as exc:  # the desk still shows 安和 as "no extract" rather than failing
        log.warning("demo insurer extract not imported: %s", exc)


def build_embedded(settings: Settings, paths: Paths, *, language: str, role: str = "agent",
                   members: int = DEMO_MEMBERS, who: str | None = None,
                   center_url: str | None = None) -> DeskServices:  # fmt: skip
    """The demo: the data dir's store (seeded once, by whichever desk comes first), the shared
    simulated center (started by the first desk, see sim/shared.py), insurer sims, gateway."""
    from cscdesk.callcenter.sim.shared import center_lock

    agent_id = settings.desk.agent_id or demo_person(who, role)
    address = _attach_center(settings, paths, center_url) if center_url else None
    background: list[Any] = []
    try:
        store = _open_store(settings, paths)
        background.append(store)
        with center_lock(paths.data_dir):  # a second desk waits for the seed, never sees it empty
            _seed_if_empty(store, members)
        address = address or _attach_center(settings, paths, None)
        gateway, insurers = _insurer_gateway(settings, store, paths, background, address.insurers)
        cc = settings.callcenter.model_copy(update={"mode": "aliyun", "endpoint": address.base_url,
                                                    "instance_id": address.instance_id})  # fmt: skip
        keys = address.keys()
        center = call_center_port(cc, *keys, max_retries=1)

        def sync_port() -> Any:
            return call_center_port(cc, *keys)

        directory = center_directory(store).filled_from(demo_directory())
        _start_duties(store, sync_port, settings, background, directory, address.sim_now)
        from cscdesk.insurers.sim.runner import demo_secret_resolver

        resolver = demo_secret_resolver()
        _start_loop_duties(store, settings, insurers, lambda ref, what: resolver(ref, what),
                           directory, background)  # fmt: skip
        knowledge = knowledge_base(settings, directory, demo=True)
    except Exception:
        stop_background(background)
        raise
    return DeskServices(
        settings=settings, paths=paths, call_center=center, store=store, gateway=gateway,
        user_id=agent_id, device_id=settings.desk.device_id, demo=True,
        sim_clock=address.sim_now, background=background, language=language,
        directory=directory, knowledge=knowledge, insurers=tuple(insurers),
    )  # fmt: skip


def build_aliyun(settings: Settings, paths: Paths, *, language: str) -> DeskServices:
    """A real deployment: the AccessKey comes from the keyring, never from a file."""
    cc = settings.callcenter
    if not settings.desk.agent_id:
        raise WiringError("desk.agent_id: set the call-center user this desk signs in as")
    key_id, key_secret = call_center_keys(settings)
    call_center_port(cc, key_id, key_secret)  # a bad endpoint stops the desk before the store
    background: list[Any] = []
    store = _open_store(settings, paths)
    background.append(store)
    gateway = None
    if settings.insurers:
        from cscdesk.insurers.gateway import build_gateway

        gateway = build_gateway(settings.insurers, settings.gateway, store,
                                secrets=lambda ref, what: resolve_secret(ref, what=what))  # fmt: skip

    def port() -> Any:
        return call_center_port(cc, key_id, key_secret)

    directory = center_directory(store)
    _start_duties(store, port, settings, background, directory, _wall_clock)
    _start_loop_duties(store, settings, settings.insurers, _keyring_secret, directory, background)
    return DeskServices(
        settings=settings, paths=paths, call_center=port(),
        store=store, gateway=gateway, user_id=settings.desk.agent_id,
        device_id=settings.desk.device_id, background=background, language=language,
        directory=directory, knowledge=knowledge_base(settings, directory, demo=False),
        insurers=tuple(settings.insurers),
    )  # fmt: skip


def call_center_port(cc: CallCenterSettings, key_id: str, key_secret: str,
                     *, max_retries: int | None = None) -> Any:  # fmt: skip
    """The one builder of the CCC client, for the desk, the wallboard, every command and daemon.

    The endpoint says the scheme: ``http://`` only for the simulator on 127.0.0.1 (the client
    refuses plain http anywhere else), anything else is https. Two builders that disagreed
    here once sent a desk to https on a simulator that the command line reached over http.
    """
    from cscdesk.callcenter.aliyun.adapter import AliyunCallCenter
    from cscdesk.callcenter.aliyun.client import AliyunRpcClient

    scheme = "http" if cc.endpoint.startswith("http://") else "https"
    retries = cc.max_retries if max_retries is None else max_retries
    try:
        client = AliyunRpcClient(cc.endpoint, key_id, key_secret, scheme=scheme,
                                 verify=cc.verify_tls, timeout=cc.timeout_seconds,
                                 max_retries=retries)  # fmt: skip
    except ValueError as exc:
        raise WiringError(f"callcenter.endpoint: {exc}") from None
    return AliyunCallCenter(client, cc.instance_id)


def simulator_settings(sim: Any, base: CallCenterSettings | None = None) -> CallCenterSettings:
    """The [callcenter] section that points at a running simulator (what ``cscdesk sim`` prints)."""
    base = base or CallCenterSettings()
    return base.model_copy(update={"mode": "aliyun", "endpoint": sim.base_url,
                                   "instance_id": sim.instance_id})  # fmt: skip


def call_center_keys(settings: Settings) -> tuple[str, str]:
    """The AccessKey pair from the keyring, never from a file; for a simulator on this host
    (loopback http) with no key configured, the demo pair it publishes (sim/shared.py)."""
    from cscdesk.callcenter.sim import shared
    from cscdesk.config import SecretUnavailable

    cc = settings.callcenter
    if cc.access_key_id is None and cc.access_key_secret is None and is_loopback_http(cc.endpoint):
        try:
            address = shared.ask(cc.endpoint)
        except shared.CenterUnavailable as exc:
            raise WiringError(f"callcenter.endpoint: {exc}") from None
        if address.access_key_id:
            return address.keys()
    try:
        key_id = resolve_secret(cc.access_key_id, what="callcenter.access_key_id")
        key_secret = resolve_secret(cc.access_key_secret, what="callcenter.access_key_secret")
    except SecretUnavailable as exc:
        raise WiringError(str(exc)) from None
    return key_id, key_secret


def command_call_center(settings: Settings, data_dir: Path | None = None) -> tuple[Any, str, Any]:
    """The call system for a command or daemon: (port, instance id, stop).

    The configured one; for the embedded demo the data dir's running center (the one its desks
    take calls on, so ``archive sync`` copies those calls), else an in-process simulator with
    six hours of history, reached through the same builder as the desk.
    """
    if settings.callcenter.mode == "aliyun":
        key_id, key_secret = call_center_keys(settings)
        port = call_center_port(settings.callcenter, key_id, key_secret)
        return port, settings.callcenter.instance_id, lambda: None
    address = _live_demo_center(data_dir)
    if address is not None:
        cc = settings.callcenter.model_copy(update={"mode": "aliyun", "endpoint": address.base_url,
                                                    "instance_id": address.instance_id})  # fmt: skip
        return call_center_port(cc, *address.keys()), address.instance_id, lambda: None
    from cscdesk.callcenter.sim.server import start_simulator

    sim = settings.simulator
    handle = start_simulator(
        host=sim.host, port=sim.port, speed=sim.speed, seed=sim.seed, prefill_days=0.25
    )
    cc = simulator_settings(handle)
    port = call_center_port(cc, handle.access_key_id, handle.access_key_secret)
    return port, handle.instance_id, handle.stop


def command_clock(settings: Settings, data_dir: Path | None = None) -> Any:
    """The time a command's archive walks by: the call system's. A demo center started by a
    desk runs on simulated time (from 10:00 today, faster for a lead), so its calls carry its
    clock, not the wall's; everything else is on UTC wall time."""
    address = None if settings.callcenter.mode == "aliyun" else _live_demo_center(data_dir)
    return address.sim_now if address is not None else _utc_clock


def _live_demo_center(data_dir: Path | None) -> Any:
    """The data dir's published demo center if it answers and takes the demo key, else None."""
    from cscdesk.callcenter.sim import shared

    if data_dir is None:
        return None
    address = shared.live_center(data_dir)
    return address if address is not None and address.access_key_id else None


def center_directory(store: Any) -> CenterDirectory:
    """The deployment's directory as its store holds it (imported roster, insurers, groups)."""
    return CenterDirectory(
        agents=tuple(store.agents.all()),
        skill_groups=tuple(store.skill_groups.all()),
        insurers=tuple(store.insurers.all()),
    )


def demo_knowledge_folder() -> Path:
    """The demo insurers' articles, canned notes and scripts, shipped as package data."""
    from cscdesk import demo

    return Path(demo.__file__).parent / "knowledge"


def knowledge_base(settings: Settings, directory: CenterDirectory, *, demo: bool) -> Any:
    """The knowledge folder the deployment configures (``[knowledge] folder``); the embedded
    demo without one reads its own set. Loaded by the desk after its first paint."""
    from cscdesk.knowledge import KnowledgeBase

    folder = settings.knowledge.folder
    if folder is None and demo:
        folder = demo_knowledge_folder()
    return KnowledgeBase(folder, directory)


def knowledge_to_check(settings: Settings, paths: Paths, folder: Path | None) -> Any:
    """What ``cscdesk knowledge check`` loads: ``folder`` or the configured one (the demo's own
    set in the embedded demo), its names checked against the center's directory as the store
    holds it (and the demo's in the demo); names go unchecked when there is no store to read."""
    from cscdesk.knowledge import KnowledgeBase

    demo = settings.callcenter.mode != "aliyun"
    directory = CenterDirectory()
    path = settings.store.path or paths.store
    if path.exists():
        try:
            store = read_only_store(path, settings, paths)
        except Exception as exc:  # encrypted without its key, damaged: check the files anyway
            log.warning("knowledge check: the store's directory is not read: %s", exc)
        else:
            try:
                directory = center_directory(store)
            finally:
                store.close()
    if demo:
        directory = directory.filled_from(demo_directory())
    chosen = folder or settings.knowledge.folder or (demo_knowledge_folder() if demo else None)
    return KnowledgeBase(chosen.expanduser() if chosen else None, directory)


def demo_directory() -> CenterDirectory:
    """The embedded demo's fictional center: it fills the directory of the demo, nothing else."""
    from cscdesk.demo import scenario

    return CenterDirectory(
        agents=scenario.AGENTS, skill_groups=scenario.SKILL_GROUPS, insurers=scenario.INSURERS,
        break_codes=scenario.BREAK_CODES, wrap_up_codes=scenario.WRAP_UP_CODES,
    )  # fmt: skip


def start_daemon_duties(settings: Settings, store: Any) -> list[Any]:
    """The duties a ``cscdesk sync --follow`` daemon offers besides ticket sync (it runs that
    itself): wallboard snapshots and the missed calls worklist, so they go on with no desk open.
    None for the embedded demo, whose throwaway simulator is not the center the desks watch."""
    from cscdesk.sync.background import BackgroundSnapshots

    if settings.callcenter.mode != "aliyun":
        return []
    key_id, key_secret = call_center_keys(settings)
    directory = center_directory(store)
    duty = BackgroundSnapshots(
        store, lambda: call_center_port(settings.callcenter, key_id, key_secret),
        roster={a.id: a for a in directory.agents}, interval_seconds=settings.sync.interval_seconds,
        lease_seconds=settings.sync.lease_seconds, clock=_wall_clock,
    )  # fmt: skip
    duty.start()
    missed = _missed_calls_duty(
        store, lambda: call_center_port(settings.callcenter, key_id, key_secret), settings,
        _wall_clock,
    )  # fmt: skip
    missed.start()
    duties: list[Any] = [duty, missed]
    _start_loop_duties(store, settings, settings.insurers, _keyring_secret, directory, duties)
    return duties


def _missed_calls_duty(store: Any, make_port: Any, settings: Settings, clock: Any) -> Any:
    """The missed calls worklist's ingest (漏话回拨), offered by every desk and the daemon."""
    from cscdesk.sync.missed_calls import BackgroundMissedCalls

    return BackgroundMissedCalls(
        store, make_port, zone=ZoneInfo(settings.sla.timezone),
        interval_seconds=max(settings.sync.interval_seconds, MISSED_CALLS_MIN_INTERVAL),
        lease_seconds=settings.sync.lease_seconds, clock=clock,
    )  # fmt: skip


def _keyring_secret(ref: str | None, what: str) -> str:
    return resolve_secret(ref, what=what)


def handoff_store(store: Any, settings: Settings) -> Any:
    """The hand-off repository with the center's choice of customer notices (告知)."""
    from cscdesk.domain.handoffs import NoticeMethod, NoticeTrigger
    from cscdesk.store.handoffs import Handoffs

    h = settings.handoffs
    return Handoffs(store, {NoticeTrigger.HANDOFF: NoticeMethod(h.notify_on_handoff),
                            NoticeTrigger.ANSWER: NoticeMethod(h.notify_on_answer)})  # fmt: skip


def task_inbox(store: Any, settings: Settings) -> Any:
    from cscdesk.store.task_inbox import TaskInbox

    return TaskInbox(store, handoff_store(store, settings), settings.handoffs.teams)


def handoff_routes(settings: Settings) -> list[Any]:
    from cscdesk.domain.handoffs import Route

    return [Route(**r.model_dump()) for r in settings.handoffs.routes]


def _start_loop_duties(store: Any, settings: Settings, insurers: list[Any], secrets: Any,
                       directory: CenterDirectory, background: list[Any]) -> None:  # fmt: skip
    """Hand-off delivery (escalations out to insurers, answers back into tickets) under its
    lease, in every desk and the daemon, like the other duties."""
    from cscdesk.insurers.service_requests import build_service_request_clients
    from cscdesk.sync.duties import WorkDuty
    from cscdesk.sync.handoffs import HANDOFFS_LEASE, HandoffDelivery, channel_chooser

    names = {i.id: i.short_name or i.name for i in directory.insurers}

    def make_delivery() -> Any:
        try:
            clients = build_service_request_clients(insurers, secrets)
        except Exception as exc:  # a missing secret: those insurers' requests wait, named
            log.warning("insurer service-request clients not built: %s", exc)
            clients = {}
        return HandoffDelivery(store, handoff_store(store, settings), clients,
                               settings=settings.handoffs,
                               channel_for=channel_chooser(settings.handoffs, insurers),
                               names=names, clock=_utc_clock)  # fmt: skip

    duties = [WorkDuty(store, make_delivery, name="handoff-delivery", lease_name=HANDOFFS_LEASE,
                       interval_seconds=settings.handoffs.interval_seconds,
                       lease_seconds=settings.sync.lease_seconds)]  # fmt: skip
    webhook = _webhook_duty(store, settings)
    if webhook is not None:
        duties.append(webhook)
    for duty in duties:
        background.append(duty)
        duty.start()


def _webhook_duty(store: Any, settings: Settings) -> Any:
    """Events to the business system's webhook, when one is configured and its secret found."""
    from cscdesk.config import SecretUnavailable
    from cscdesk.store.business_feed import BusinessFeed
    from cscdesk.sync.duties import WorkDuty
    from cscdesk.sync.webhooks import WEBHOOKS_LEASE, WebhookDelivery

    hook = settings.webhook
    if not hook.url:
        return None
    try:
        secret = resolve_secret(hook.secret, what="webhook.secret").encode()
    except SecretUnavailable as exc:  # `doctor` names it; the events wait in the feed
        log.warning("webhook not started: %s", exc)
        return None
    url = hook.url

    def make() -> Any:
        return WebhookDelivery(BusinessFeed(store), url, secret, settings=hook, clock=_utc_clock)

    return WorkDuty(store, make, name="webhook-delivery", lease_name=WEBHOOKS_LEASE,
                    interval_seconds=hook.interval_seconds,
                    lease_seconds=settings.sync.lease_seconds)  # fmt: skip


def _utc_clock() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


def _wall_clock() -> datetime:
    return datetime.now().astimezone()


def _start_duties(store: Any, make_port: Any, settings: Settings, background: list[Any],
                  directory: CenterDirectory, clock: Any) -> None:  # fmt: skip
    """Every desk offers each background duty; its lease lets exactly one process (a desk or the
    daemon) do it: ticket sync, and the wallboard snapshots the occupancy report reads."""
    from cscdesk.sync.background import BackgroundSnapshots, BackgroundTicketSync

    duties = [
        BackgroundTicketSync(store, make_port, settings.sync),
        BackgroundSnapshots(store, make_port, roster={a.id: a for a in directory.agents},
                            interval_seconds=settings.sync.interval_seconds,
                            lease_seconds=settings.sync.lease_seconds, clock=clock),
        _missed_calls_duty(store, make_port, settings, clock),
    ]  # fmt: skip
    for duty in duties:
        background.append(duty)
        duty.start()


def build_services(settings: Settings, paths: Paths, *, language: str, role: str = "agent",
                   who: str | None = None, center_url: str | None = None) -> DeskServices:  # fmt: skip
    from cscdesk.security.redact import install_log_redaction

    install_log_redaction()
    endpoint = settings.callcenter.endpoint
    if settings.callcenter.mode == "embedded" and is_loopback_http(endpoint):
        center_url = center_url or endpoint  # [callcenter] endpoint = "http://127.0.0.1:PORT"
    if settings.callcenter.mode == "aliyun" and not center_url:
        if who not in (None, "agent", "lead"):
            raise WiringError(f"--as {who}: demo people are for the demo; this deployment's desk"
                              " signs in as desk.agent_id")  # fmt: skip
        services = build_aliyun(settings, paths, language=language)
    else:
        services = build_embedded(settings, paths, language=language, role=role, who=who,
                                  center_url=center_url)  # fmt: skip
    return replace(services, security=_desk_security(services, role),
                   task_inbox=task_inbox(services.store, settings),
                   handoff_routes=tuple(handoff_routes(settings)))  # fmt: skip


def _desk_security(services: DeskServices, role: str = "agent") -> Any:
    """Login, idle lock, audited reveal and data scope; the demo signs its user in itself
    (its agent, or its lead for ``--as lead``)."""
    from cscdesk.domain.access import Role, User
    from cscdesk.security.desk import build_desk_security

    auto = services.demo or not services.settings.security.login_required
    security = build_desk_security(services.store, services.settings, services.now,
                                   demo_agent=services.user_id if auto else None)  # fmt: skip
    if auto and role == "lead" and security.auto_user is not None:
        lead = services.user_id
        security.auto_user = User(lead, lead, Role.LEAD, ccc_user_id=lead)
    return security


def stop_background(background: list[Any]) -> None:
    for item in reversed(background):
        for method in ("stop", "close"):
            closer = getattr(item, method, None)
            if callable(closer):
                with contextlib.suppress(Exception):
                    closer()
                break


def close_services(services: DeskServices) -> None:
    """Stop simulators, close the store; the adapter's HTTP client closes with the app's loop."""
    stop_background(services.background)
