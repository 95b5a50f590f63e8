"""Start, steer and stop the simulated insurers; and the settings that point the gateway at them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cscdesk.config import SECRET_PREFIX, InsurerSettings, SecretUnavailable, secret_name
from cscdesk.demo.scenario import INSURERS
from cscdesk.domain.models import Claim, Member, Policy
from cscdesk.insurers.sim import huaying, jiahe, ruian
from cscdesk.insurers.sim.anhe import write_extracts
from cscdesk.insurers.sim.book import InsurerBook
from cscdesk.insurers.sim.clock import SimClock
from cscdesk.insurers.sim.common import ServiceStats, TokenIssuer
from cscdesk.insurers.sim.profile import FaultProfile, default_profiles
from cscdesk.insurers.sim.server import ServiceThread
from cscdesk.insurers.sim.service_requests import ServiceDesk, service_request_routes

NAMES = {i.id: i.name for i in INSURERS}

# Documented demo credentials of the simulated insurers: not secrets, never for production.
DEMO_CLIENT_IDS = {"ruian": "cscdesk-broker", "huaying": "CSC-BROKER-7", "jiahe": "BROKER01"}
KINDS = {"ruian": "rest_oauth", "jiahe": "xml_hmac", "huaying": "rest_oauth"}  # start order
REQUEST_PREFIXES = {"ruian": "RA-SR", "huaying": "HY-SR"}  # the insurers' request numbers
DEMO_SECRETS = {
    "insurer-ruian-client-secret": "ruian-demo-client-secret",
    "insurer-huaying-client-secret": "huaying-demo-client-secret",
    "insurer-jiahe-hmac-key": "jiahe-demo-hmac-key",
}


@dataclass
class SimService:
    insurer_id: str
    name: str
    kind: str
    client_id: str
    secret_ref: str
    profile: FaultProfile
    stats: ServiceStats
    book: InsurerBook
    thread: ServiceThread
    issuer: TokenIssuer | None = None
    desk: ServiceDesk | None = None  # the service-request desk (OAuth insurers)

    @property
    def base_url(self) -> str:
        return self.thread.base_url

    @property
    def secret(self) -> str:
        return DEMO_SECRETS[secret_name(self.secret_ref)]

    def revoke_tokens(self) -> None:
        """Forget every issued token, as a rotated key would: the next call gets a 401."""
        if self.issuer is not None:
            self.issuer.revoke_all()


@dataclass
class InsurerSimHandles:
    services: dict[str, SimService]
    batch_book: InsurerBook
    clock: SimClock
    batch_dir: Path | None
    batch_files: list[Path] = field(default_factory=list)

    def __getitem__(self, insurer_id: str) -> SimService:
        return self.services[insurer_id]

    def advance(self, delta: timedelta) -> None:
        """Move simulated time on (claims progress) without waiting."""
        self.clock.advance(delta)

    def write_batch(self, directory: Path | None = None, day: date | None = None) -> list[Path]:
        target = directory or self.batch_dir
        if target is None:
            raise ValueError("no batch directory was given to the simulated insurers")
        paths = write_extracts(self.batch_book, target, day)
        self.batch_files.extend(paths)
        return paths

    def base_urls(self) -> dict[str, str]:
        """Insurer id to base URL, what the shared center publishes for the desks."""
        return {i: service.base_url for i, service in self.services.items()}

    def stop(self) -> None:
        for service in self.services.values():
            service.thread.stop()


def _load_records(store_path: Path) -> tuple[list[Member], list[Policy], list[Claim]]:
    from cscdesk.store import open_store

    store = open_store(store_path)
    try:
        members = list(store.members.all())
        policies = [p for m in members for p in store.policies.for_member(m.id)]
        claims = [c for m in members for c in store.policies.claims_for_member(m.id)]
    finally:
        store.close()
    return members, policies, claims


def start_insurer_sims(
    store_path: Path,
    *,
    seed: int = 7,
    speed: float = 60.0,
    host: str = "127.0.0.1",
    profiles: dict[str, FaultProfile] | None = None,
    batch_dir: Path | None = None,
    port_base: int = 0,
) -> InsurerSimHandles:
    """Start 瑞安, 嘉禾 and 华盈 on their own ports; write 安和's first extract to ``batch_dir``.

    ``port_base`` 0 picks free ports; otherwise the services listen on port_base, +1 and +2.
    """
    members, policies, claims = _load_records(store_path)
    return start_insurer_sims_for(
        members,
        policies,
        claims,
        seed=seed,
        speed=speed,
        host=host,
        profiles=profiles,
        batch_dir=batch_dir,
        port_base=port_base,
    )


def start_insurer_sims_for(
    members: Iterable[Member],
    policies: Iterable[Policy],
    claims: Iterable[Claim],
    *,
    seed: int = 7,
    speed: float = 60.0,
    host: str = "127.0.0.1",
    profiles: dict[str, FaultProfile] | None = None,
    batch_dir: Path | None = None,
    port_base: int = 0,
) -> InsurerSimHandles:
    members, policies, claims = list(members), list(policies), list(claims)
    clock = SimClock(speed=speed)
    chosen = {**default_profiles(seed), **(profiles or {})}

    def book(insurer_id: str) -> InsurerBook:
        return InsurerBook.build(insurer_id, members, policies, claims, clock=clock, seed=seed)

    services: dict[str, SimService] = {}
    try:
        for offset, (insurer_id, kind) in enumerate(KINDS.items()):
            profile = chosen.get(insurer_id) or FaultProfile()
            stats = ServiceStats()
            ref = _secret_ref(insurer_id)
            client_id = DEMO_CLIENT_IDS[insurer_id]
            secret = DEMO_SECRETS[secret_name(ref)]
            issuer = None
            desk = None
            insurer_book = book(insurer_id)
            if insurer_id == "jiahe":
                app = jiahe.build_app(insurer_book, profile, client_id, secret, stats)
            else:
                issuer = TokenIssuer(client_id, secret, profile)
                module = ruian if insurer_id == "ruian" else huaying
                app = module.build_app(insurer_book, profile, issuer, stats)
                desk = ServiceDesk(clock, REQUEST_PREFIXES[insurer_id], handler=NAMES[insurer_id])
                app.router.routes.extend(service_request_routes(
                    desk, authorized=issuer.bearer_ok, profile=profile, stats=stats))  # fmt: skip
            thread = ServiceThread(app, host=host, port=port_base + offset if port_base else 0)
            thread.start()
            services[insurer_id] = SimService(
                insurer_id,
                NAMES[insurer_id],
                kind,
                client_id,
                ref,
                profile,
                stats,
                insurer_book,
                thread,
                issuer,
                desk,
            )
    except Exception:
        for service in services.values():
            service.thread.stop()
        raise
    handles = InsurerSimHandles(services, book("anhe"), clock, batch_dir)
    if batch_dir is not None:
        handles.write_batch()
    return handles


def _secret_ref(insurer_id: str) -> str:
    if KINDS[insurer_id] == "xml_hmac":
        return f"{SECRET_PREFIX}insurer-{insurer_id}-hmac-key"
    return f"{SECRET_PREFIX}insurer-{insurer_id}-client-secret"


def demo_insurer_settings(
    handles: InsurerSimHandles, *, timeout_seconds: float = 2.0, retries: int = 1
) -> list[InsurerSettings]:
    """``[[insurers]]`` entries pointing at the running simulators (secrets: ``DEMO_SECRETS``)."""
    return demo_insurer_settings_at(handles.base_urls(), timeout_seconds=timeout_seconds,
                                    retries=retries)  # fmt: skip


def demo_insurer_settings_at(
    base_urls: Mapping[str, str], *, timeout_seconds: float = 2.0, retries: int = 1
) -> list[InsurerSettings]:
    """``[[insurers]]`` entries for simulators at ``base_urls`` (insurer id to URL), wherever
    they run: in this process, or in the data dir's shared center (sim/shared.py)."""
    out = []
    for insurer_id, base_url in base_urls.items():
        kind = KINDS[insurer_id]
        ref = _secret_ref(insurer_id)
        out.append(
            InsurerSettings(
                id=insurer_id,
                name=NAMES[insurer_id],
                kind=kind,  # type: ignore[arg-type]
                base_url=base_url,
                client_id=DEMO_CLIENT_IDS[insurer_id],
                client_secret=ref if kind == "rest_oauth" else None,
                hmac_key=ref if kind == "xml_hmac" else None,
                dialect="nested" if insurer_id == "huaying" else "standard",
                timeout_seconds=timeout_seconds,
                retries=retries,
            )
        )
    out.append(InsurerSettings(id="anhe", name=NAMES["anhe"], kind="batch"))
    return out


def demo_secret_resolver() -> Callable[[str | None, str], str]:
    """Resolve the demo's ``keyring:`` references to the simulators' documented demo values."""

    def resolve(ref: str | None, what: str) -> str:
        if ref is None or secret_name(ref) not in DEMO_SECRETS:
            raise SecretUnavailable(f"{what}: not a demo secret")
        return DEMO_SECRETS[secret_name(ref)]

    return resolve
