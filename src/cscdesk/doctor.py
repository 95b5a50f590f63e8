"""`cscdesk doctor`: what IT staff run first when a desk misbehaves.

Each check returns a ``Finding``; none raises. Secrets are looked up to prove they exist, never
printed. The call-system and insurer probes are passed in by the CLI, which owns the wiring.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from cscdesk.config import (
    ConfigChoice,
    Paths,
    SecretUnavailable,
    Settings,
    resolve_secret,
    secret_name,
)
from cscdesk.store.health import quick_check


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    status: Status
    detail: str


HEADLESS_KEYRING_HELP = (
    "no usable keyring backend. On a headless Linux host either run a Secret Service "
    "(gnome-keyring-daemon or KeePassXC with Secret Service, unlocked for this user), or install "
    "`keyrings.alt` and choose its encrypted file backend in keyringrc.cfg (never the plaintext one). "
    "The embedded demo needs no secret."
)


def check_config(choice: ConfigChoice) -> Finding:
    """Which file was read and why; reached only once it loaded (a bad one exits 2 first)."""
    if choice.path is None:
        return Finding(
            "config", Status.OK, f"{choice.describe()}: the embedded demo (local simulator)"
        )
    return Finding("config", Status.OK, f"{choice.describe()} is valid")


def check_data_dir(paths: Paths) -> Finding:
    directory = paths.data_dir
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        return Finding("data dir", Status.FAIL, f"{directory}: cannot be created ({exc.strerror})")
    if not os.access(directory, os.W_OK):
        return Finding("data dir", Status.FAIL, f"{directory}: not writable by this user")
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        return Finding(
            "data dir", Status.WARN, f"{directory}: mode {mode:o}; 700 keeps other users out"
        )
    return Finding("data dir", Status.OK, str(directory))


def check_store_file(
    path: Path, open_store: Callable[[Path], object] | None, *, encrypted: bool = False
) -> Finding:
    if not path.exists():
        return Finding("store", Status.OK, f"{path} will be created on first start")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding("store", Status.FAIL, f"{path}: mode {mode:o}; must be 600 (owner only)")
    if not encrypted:  # SQLCipher pages are opaque without the key
        verdict = quick_check(path)
        if verdict != "ok":
            return Finding(
                "store",
                Status.FAIL,
                f"{path}: damaged (quick_check: {verdict}); stop every desk and restore it from "
                "the last backup or archive export",
            )
    if open_store is None:
        return Finding("store", Status.OK, f"{path} (mode 600)")
    try:
        opened = open_store(path)
    except Exception as exc:
        return Finding("store", Status.FAIL, f"{path}: cannot be opened ({exc})")
    close = getattr(opened, "close", None)
    if callable(close):
        close()
    checked = "" if encrypted else ", quick_check ok"
    return Finding("store", Status.OK, f"{path} opens, schema up to date{checked}, mode 600")


def check_store_database(url: str, open_store: Callable[[Path], object] | None) -> Finding:
    """A PostgreSQL store: it opens read-only, its schema is current and its LC_CTYPE can
    search Chinese (the open refuses one that cannot)."""
    from cscdesk.store.postgres import redacted

    where = redacted(url)
    if open_store is None:
        return Finding("store", Status.OK, where)
    try:
        opened = open_store(Path(where))
    except Exception as exc:
        return Finding("store", Status.FAIL, f"{where}: cannot be opened ({exc})")
    close = getattr(opened, "close", None)
    if callable(close):
        close()
    return Finding("store", Status.OK, f"{where} opens, schema up to date, LC_CTYPE searchable")


def keyring_backend_usable() -> tuple[bool, str]:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return False, name
    try:
        from keyring.backends import chainer

        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return False, name
    except ImportError:  # pragma: no cover - older keyring
        pass
    return True, name


def secret_refs(settings: Settings) -> list[tuple[str, str]]:
    refs: list[tuple[str, str]] = []
    if settings.callcenter.mode == "aliyun":
        for key in ("access_key_id", "access_key_secret"):
            value = getattr(settings.callcenter, key)
            refs.append((f"callcenter.{key}", value or ""))
    for i, insurer in enumerate(settings.insurers):
        for key in ("client_secret", "hmac_key"):
            value = getattr(insurer, key)
            if value:
                refs.append((f"insurers[{i}].{key}", value))
    if settings.webhook.url:
        refs.append(("webhook.secret", settings.webhook.secret or ""))
    for key in ("s3_access_key_id", "s3_secret_access_key"):
        value = getattr(settings.archive, key)
        if settings.archive.recordings and value:
            refs.append((f"archive.{key}", value))
    return refs


def check_keyring(settings: Settings) -> list[Finding]:
    usable, name = keyring_backend_usable()
    refs = secret_refs(settings)
    if not usable:
        status = Status.FAIL if refs else Status.WARN
        return [Finding("keyring", status, f"{name}: {HEADLESS_KEYRING_HELP}")]
    findings = [Finding("keyring", Status.OK, f"backend {name}")]
    for where, ref in refs:
        try:
            resolve_secret(ref, what=where)
        except SecretUnavailable as exc:
            findings.append(Finding(f"secret {where}", Status.FAIL, str(exc)))
        else:
            findings.append(
                Finding(f"secret {where}", Status.OK, f"{secret_name(ref)!r} is in the keyring")
            )
    return findings


def check_recordings_folder(folder: Path) -> Finding:
    """The local recordings folder, when it exists: the archive writes there."""
    if not folder.exists():
        return Finding("recordings", Status.OK, f"{folder} will be created on the first archive")
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return Finding("recordings", Status.FAIL, f"{folder}: not a folder this user can write")
    return Finding("recordings", Status.OK, f"{folder} is writable")


def check_recordings_bucket(location: str, open_bucket: Callable[[], Any]) -> Finding:
    """``s3://`` recordings: the keys resolve and one cheap listing of the prefix answers
    (``open_bucket`` builds the store with a short timeout and no retries)."""
    try:
        open_bucket().probe()
    except Exception as exc:  # a key missing from the keyring, a bucket that cannot be read
        said = str(exc)
        return Finding(
            "recordings", Status.FAIL, said if location in said else f"{location}: {said}"
        )
    return Finding("recordings", Status.OK, f"{location} can be listed")


def check_sync(status: Any) -> list[Finding]:
    """The archive must never drift toward the vendor's 180-day reach; say so loudly."""
    lag = status.archive
    days = lag.lag.total_seconds() / 86400
    if lag.cdr_watermark is None:
        archive = Finding("archive", Status.WARN, "never synced: run `cscdesk archive sync`")
    elif lag.alarm:
        archive = Finding(
            "archive",
            Status.FAIL,
            f"{days:.1f} days behind (alarm threshold passed; the vendor keeps CDRs 180 days)",
        )
    else:
        archive = Finding("archive", Status.OK, f"{days:.1f} days behind")
    backlog = Finding(
        "ticket outbox",
        Status.OK if status.conflicts == 0 else Status.WARN,
        f"{status.outbox_backlog} change(s) waiting, {status.conflicts} ticket(s) in conflict,"
        f" sync lease held by {_who(status.tickets_holder)}",
    )
    return [archive, backlog]


def _who(holder: Any) -> str:
    return "nobody" if holder is None else str(holder.describe())


Probe = Callable[[], Awaitable[str]]


async def run_probes(probes: Iterable[tuple[str, Probe]]) -> list[Finding]:
    """Each probe returns a short description or raises; a raise is a failed endpoint."""
    findings = []
    for name, probe in probes:
        try:
            detail = await probe()
        except Exception as exc:
            findings.append(Finding(name, Status.FAIL, f"{type(exc).__name__}: {exc}"))
        else:
            findings.append(Finding(name, Status.OK, detail))
    return findings
