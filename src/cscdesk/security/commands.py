"""What ``cscdesk users …`` and ``cscdesk audit …`` do, kept out of the cli package so that it only wires.

These are the dedicated admin and audit interfaces 等保二级 (安全管理中心) asks for: the acting
person signs in with their own account (audited, lockout applies), the role decides what they may
do, and every change is written to the audit log. Passwords come from a hidden prompt or stdin,
never from the command line. Functions return an exit status: 0 fine, 1 refused, 2 bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cscdesk.domain.access import AccessDenied, LockoutRule, Permission, Role, User, require
from cscdesk.security.events import AuditWriter
from cscdesk.security.lockout import StoreUnknownIds
from cscdesk.security.login import LoginFailed, LoginPolicy, LoginService
from cscdesk.security.passwords import WeakPassword
from cscdesk.security.users import InvalidUser, UserDirectory
from cscdesk.store.users import UnknownUser, UserExists, UserRepository

Write = Callable[[str], None]
AskSecret = Callable[[str], str]
Clock = Callable[[], datetime]

OK, REFUSED, BAD_INPUT = 0, 1, 2


def store_audit_writer(store: Any) -> AuditWriter:
    """The store's keyed, hash-chained audit log as an ``AuditWriter``."""

    def write(
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any],
        *,
        success: bool = True,
    ) -> None:
        store.audit.append(
            actor=actor, action=str(action), subject=subject, detail=dict(detail), success=success
        )

    return write


@dataclass
class Security:
    """The security services over one store, built by the composition root."""

    users: UserRepository
    directory: UserDirectory
    login: LoginService
    audit: AuditWriter
    store: Any = None  # for the audit key check; None: not checked (services built by hand)


def audit_unkeyed(security: Security, write: Write) -> bool:
    """True (and says why) when a deployment lacks its audit key: nothing audited can run."""
    log = getattr(security.store, "audit", None)
    if log is None or log.key().state != "unkeyed":
        return False
    write(
        f"refused: UNKEYED: the audit key {log.key().name!r} is not in the keyring, so no audit"
        " record can be written or checked; the deployment's admin creates it once with"
        " `cscdesk audit init-key` (see README, What the audit log protects against)"
    )
    return True


def audit_key_name(settings: Any) -> str:
    """The keyring name of the audit key: ``[security] audit_key = "keyring:NAME"`` when the
    settings have that field, else ``audit-key``."""
    from cscdesk.config import secret_name
    from cscdesk.store.audit import DEFAULT_KEY_NAME

    ref = settings.security.audit_key
    return secret_name(ref) if ref else DEFAULT_KEY_NAME


def configure_audit(store: Any, settings: Any) -> None:
    """Which key signs the audit chain and where its signed heads go.

    The embedded demo (``callcenter.mode = "embedded"``) may fall back to the public demo key;
    a deployment never does: without its key in the keyring it refuses to write audit records.
    """
    from cscdesk.security.audit_key import lookup_key

    head_file = settings.security.audit_head_file
    store.audit.configure(
        key_name=audit_key_name(settings),
        demo_allowed=settings.callcenter.mode == "embedded",
        head_file=head_file,
        key_lookup=lookup_key,
    )


def open_secure_store(settings: Any, paths: Any) -> Any:
    """The store, through SQLCipher when ``[store] encryption_key`` names a keyring secret, its
    audit log configured for this deployment (``configure_audit``).

    Raises ``RuntimeError`` subclasses (SecretUnavailable is not one: it is turned into
    EncryptionUnavailable) with a message for the person running the command.
    """
    from cscdesk.config import SecretUnavailable, resolve_secret
    from cscdesk.security.encryption import EncryptionUnavailable, connect_encrypted
    from cscdesk.store import open_store

    path = settings.store.path or paths.store
    ref = settings.store.encryption_key
    if settings.store.url:
        store = open_postgres_store(settings)
    elif not ref:
        store = open_store(path)
    else:
        try:
            key = resolve_secret(ref, what="store.encryption_key")
        except SecretUnavailable as exc:
            raise EncryptionUnavailable(str(exc)) from None
        store = open_store(path, connection=connect_encrypted(path, key))
    configure_audit(store, settings)
    return store


def open_postgres_store(settings: Any, *, read_only: bool = False) -> Any:
    """The store in the PostgreSQL database of ``[store] url``, the password from the keyring
    (``[store] password``). Encryption at rest is then the database server's (its disks or
    TDE): SQLCipher's ``encryption_key`` has no meaning there and is refused."""
    from cscdesk.config import SecretUnavailable, resolve_secret
    from cscdesk.security.encryption import EncryptionUnavailable
    from cscdesk.store.postgres import open_postgres

    if settings.store.encryption_key:
        raise EncryptionUnavailable(
            "[store] encryption_key is for a SQLite file; a PostgreSQL store ([store] url) is"
            " encrypted at rest by its server. Remove one of the two."
        )
    password = None
    if settings.store.password:
        try:
            password = resolve_secret(settings.store.password, what="store.password")
        except SecretUnavailable as exc:
            raise EncryptionUnavailable(str(exc)) from None
    store = open_postgres(
        settings.store.url,
        password=password,
        read_only=read_only,
        pool_size=settings.store.pool_size,
        audit_head_file=settings.security.audit_head_file,
    )
    configure_audit(store, settings)
    return store


def build_security(store: Any, settings: Any, clock: Clock) -> Security:
    audit = store_audit_writer(store)
    repo = UserRepository(store)
    sec = settings.security
    max_age = sec.password_max_age_days
    policy = LoginPolicy(
        LockoutRule(attempts=sec.lockout_attempts, lock_for=timedelta(minutes=sec.lockout_minutes)),
        timedelta(days=max_age) if max_age else None,
    )
    login = LoginService(repo, audit, policy, clock, StoreUnknownIds(store))
    return Security(repo, UserDirectory(repo, audit, clock), login, audit, store)


def sign_in(security: Security, user_id: str, ask: AskSecret, write: Write) -> User | None:
    """The acting person's own login for an admin or audit command; None (reported) on failure."""
    if audit_unkeyed(security, write):
        return None
    try:
        return security.login.login(user_id, ask(f"password for {user_id}")).user
    except LoginFailed as exc:
        write(f"refused: {exc}")
        return None


def acting(security: Security, as_user: str | None, ask: AskSecret, write: Write,
            permission: Permission) -> User | None:  # fmt: skip
    if not as_user:
        write("refused: name yourself with --as-user ID (an admin or auditor account)")
        return None
    user = sign_in(security, as_user, ask, write)
    if user is None:
        return None
    try:
        require(user, permission)
    except AccessDenied:
        security.audit(user.id, "access_denied", f"permission:{permission}", {}, success=False)
        write(f"refused: {user.id} ({user.role}) may not {permission.value.replace('_', ' ')}")
        return None
    return user


def _new_password(ask: AskSecret, user_id: str) -> str:
    return ask(f"new password for {user_id}")


def users_add(security: Security, *, as_user: str | None, user: User, ask: AskSecret,
              write: Write) -> int:  # fmt: skip
    if audit_unkeyed(security, write):
        return REFUSED
    try:
        if security.directory.is_empty():
            security.directory.bootstrap_admin(user, _new_password(ask, user.id))
            write(f"created the first admin account {user.id}")
            return OK
        admin = acting(security, as_user, ask, write, Permission.MANAGE_USERS)
        if admin is None:
            return REFUSED
        security.directory.add(admin, user, _new_password(ask, user.id))
    except (InvalidUser, WeakPassword, UserExists) as exc:
        write(f"error: {exc}")
        return BAD_INPUT
    write(f"created {user.role.value} account {user.id}")
    return OK


def users_list(security: Security, *, as_user: str | None, ask: AskSecret, write: Write) -> int:
    admin = acting(security, as_user, ask, write, Permission.MANAGE_USERS)
    if admin is None:
        return REFUSED
    write(f"{'id':<20} {'role':<15} {'insurer':<10} {'ccc user':<14} {'state':<8} password set")
    now = datetime.now().astimezone()
    for record in security.directory.list(admin):
        u = record.user
        state = (
            "disabled" if u.disabled else ("locked" if record.login.is_locked(now) else "active")
        )
        write(
            f"{u.id:<20} {u.role.value:<15} {u.insurer_id or '-':<10} {u.ccc_user_id or '-':<14} "
            f"{state:<8} {record.password_changed_at:%Y-%m-%d}"
        )
    return OK


def users_change(security: Security, *, as_user: str | None, user_id: str, change: str,
                 ask: AskSecret, write: Write) -> int:  # fmt: skip
    """disable / enable / unlock / passwd for ``user_id``."""
    if change == "passwd" and as_user == user_id:
        actor = sign_in(security, user_id, ask, write)  # changing one's own password
    else:
        actor = acting(security, as_user, ask, write, Permission.MANAGE_USERS)
    if actor is None:
        return REFUSED
    try:
        security.users.require(user_id)
        if change in ("disable", "enable"):
            security.directory.set_disabled(actor, user_id, change == "disable")
        elif change == "unlock":
            security.directory.unlock(actor, user_id)
        else:
            security.directory.set_password(actor, user_id, _new_password(ask, user_id))
    except (InvalidUser, WeakPassword, UnknownUser) as exc:
        write(f"error: {exc}")
        return BAD_INPUT
    write(f"{change}: {user_id} done")
    return OK


ROLE_NAMES = [r.value for r in Role]


# ------------------------------------------------------------------------------------ audit
def audit_verify(store: Any, security: Security, *, as_user: str | None, ask: AskSecret,
                 write: Write, exports: Sequence[Path] = (),
                 report_json: Callable[[dict[str, Any]], None] | None = None) -> int:  # fmt: skip
    """Recompute the keyed chain and hold it against the signed heads (the head file, and the
    manifests of ``exports``); exit 1 and name each wipe, cut tail, rewrite, forged anchor and
    changed, removed or moved record. ``report_json`` receives the outcome as the documented
    ``audit verify --json`` object."""
    extra: list[tuple[str, Mapping[str, Any]]] = []
    for bundle in exports:
        head = export_head(bundle)
        if head is None:
            write(f"error: {bundle} holds no signed audit head (not a cscdesk export?)")
            return BAD_INPUT
        extra.append((f"the audit head in {bundle}", head))
    actor = acting(security, as_user, ask, write, Permission.VIEW_AUDIT)
    if actor is None:
        return REFUSED
    report = store.audit.verify(extra)
    security.audit(actor.id, "audit_verify", "audit", {"ok": report.ok, "checked": report.checked},
                   success=report.ok)  # fmt: skip
    if report_json is not None:
        report_json({"ok": report.ok, "checked": report.checked, "head": report.head,
                     "signed_heads": report.heads, "head_file": str(store.audit.head_file),
                     "problems": list(report.problems), "notes": list(report.notes)})  # fmt: skip
    for note in report.notes:
        write(f"note: {note}")
    if report.ok:
        write(
            f"audit log intact: {report.checked} records, chain head {report.head[:28]},"
            f" {report.heads} signed head(s) agree ({store.audit.head_file})"
        )
        return OK
    for problem in report.problems:
        write(f"BROKEN: {problem}")
    write(f"audit log NOT intact: {len(report.problems)} problem(s) in {report.checked} records")
    return REFUSED


def export_head(bundle: Path) -> Mapping[str, Any] | None:
    """The signed audit head an export carries: a bundle's manifest, or an audit export's
    ``<file>.head.json``."""
    import json

    bundle = Path(bundle)
    candidates = [bundle / "manifest.json"] if bundle.is_dir() else [
        Path(f"{bundle}{HEAD_SIDECAR}"), bundle
    ]  # fmt: skip
    for path in candidates:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            head = data.get("audit_head", data if "mac" in data else None)
            if isinstance(head, dict):
                return head
    return None


HEAD_SIDECAR = ".head.json"


def write_owner_only(path: Path, text: str) -> None:
    """A new file only its owner can read (0600), whatever the umask; refuses to overwrite."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def audit_export(store: Any, security: Security, *, as_user: str | None, target: Any,
                 start: datetime | None, end: datetime | None, ask: AskSecret,
                 write: Write) -> int:  # fmt: skip
    """Write the records in [start, end) as JSON Lines for an auditor, with their chain hashes
    (so the copy itself can be checked against the log) and no personal data; the signed audit
    head goes beside it in ``<target>.head.json``. Both files are 0600."""
    import json

    actor = acting(security, as_user, ask, write, Permission.EXPORT_AUDIT)
    if actor is None:
        return REFUSED
    target = Path(target)
    lines = [
        json.dumps(export_row(entry), ensure_ascii=False, sort_keys=True) + "\n"
        for entry in store.audit.list(start=start, end=end)
    ]
    try:
        for path in (target, Path(f"{target}{HEAD_SIDECAR}")):
            path.unlink(missing_ok=True)
        write_owner_only(target, "".join(lines))
        head = store.audit.signed_head("export")
        write_owner_only(Path(f"{target}{HEAD_SIDECAR}"), json.dumps(head, indent=2) + "\n")
    except OSError as exc:
        write(f"error: cannot write {exc.filename}: {exc.strerror}")
        return BAD_INPUT
    count = len(lines)
    period = {"from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}
    security.audit(actor.id, "audit_export", "audit", {**period, "records": count})
    write(f"exported {count} audit records to {target} (signed head in {target}{HEAD_SIDECAR})")
    return OK


def audit_init_key(settings: Any, write: Write) -> int:
    """Create the audit key (256 random bits) in the OS keyring, once; never overwrite one: a
    new key would orphan every record signed with the old."""
    import secrets

    import keyring
    from keyring.errors import KeyringError

    from cscdesk.config import KEYRING_SERVICE
    from cscdesk.security.audit_key import lookup_key

    name = audit_key_name(settings)
    if lookup_key(name):
        write(f"the audit key {name!r} is already in the keyring; left unchanged")
        return OK
    try:
        keyring.set_password(KEYRING_SERVICE, name, secrets.token_hex(32))
    except (KeyringError, RuntimeError) as exc:
        write(f"error: the keyring refused the audit key ({exc}); run `cscdesk doctor`")
        return REFUSED
    write(
        f"created the audit key {name!r} in the {keyring.get_keyring().name} keyring;"
        " audit records are signed with it from now on (back it up with the keyring: without"
        " it, `audit verify` cannot check the log)"
    )
    return OK


def export_row(entry: Any) -> dict[str, Any]:
    fields = ("seq", "at", "actor", "action", "subject", "success", "detail", "prev_hash", "hash")
    row = {name: getattr(entry, name, None) for name in fields}
    if isinstance(row["at"], datetime):
        row["at"] = row["at"].isoformat()
    return row


def audit_purge(store: Any, security: Security, *, as_user: str | None, retention_days: int,
                now: datetime, ask: AskSecret, write: Write) -> int:  # fmt: skip
    """Remove records older than the retention (never under 184 days, 网络安全法 第21条);
    the chain stays verifiable from the purge anchor."""
    actor = acting(security, as_user, ask, write, Permission.PURGE_ARCHIVE)
    if actor is None:
        return REFUSED
    keep = timedelta(days=max(retention_days, MIN_AUDIT_RETENTION_DAYS))
    cutoff = now - keep
    removed = store.audit.purge_before(cutoff)
    security.audit(actor.id, "audit_purge", "audit",
                   {"before": cutoff.isoformat(), "removed": removed})  # fmt: skip
    write(f"purged {removed} audit records older than {cutoff:%Y-%m-%d}")
    return OK


MIN_AUDIT_RETENTION_DAYS = 184  # 网络安全法 §21: at least six months; 184 days covers any six
