"""TOML configuration → validated, typed settings; where files live; secrets through keyring.

A bad file never shows a traceback: ``load_settings`` raises ``ConfigError`` naming the file, the
key path and what was expected, and the CLI turns that into exit status 2. Secrets are never
values in the file: a secret field holds a reference such as ``"keyring:ccc-prod-secret"`` that is
resolved through the OS keyring only when it is used.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

APP_NAME = "cscdesk"
KEYRING_SERVICE = "cscdesk"
SECRET_PREFIX = "keyring:"
CONFIG_ENV = "CSCDESK_CONFIG"
CONFIG_NAME = "config.toml"
MAX_CONFIG_BYTES = 1024 * 1024  # a real config is a few kB; refuse anything near a MiB unread
MAX_NESTING = 32  # arrays / inline tables inside each other; a real config needs about 5


class ConfigError(Exception):
    """A configuration problem a person can fix: which file, which key, what was expected."""

    def __init__(self, file: str, key_path: str, problem: str) -> None:
        self.file = file
        self.key_path = key_path
        self.problem = problem
        where = f"{file}: {key_path}" if key_path else file
        super().__init__(f"{where}: {problem}")


def _check_secret_ref(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not value.startswith(SECRET_PREFIX) or len(value) <= len(SECRET_PREFIX):
        raise ValueError(
            "a secret is never written in the config file; "
            f"give a keyring reference such as '{SECRET_PREFIX}NAME' "
            "and store it with `cscdesk secrets set NAME`"
        )
    return value


SecretRef = Annotated[str | None, Field(default=None)]


def _check_zone(value: str) -> str:
    """An IANA zone the host can load now, not when a report first needs it."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            "not an IANA time zone this host knows; give a name such as 'Asia/Shanghai'"
        ) from None
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_HOURS_IN_A_YEAR = 366 * 24


class DeskSettings(_Section):
    language: Literal["auto", "zh_CN", "en"] = "auto"
    theme: str = "textual-dark"
    poll_interval_seconds: float = Field(default=1.0, gt=0.05, le=60)
    status_refresh_seconds: float = Field(default=1.0, gt=0.05, le=60)
    bell: bool = True
    agent_id: str | None = None  # the CCC user this desk signs in as; None: ask / demo default
    device_id: str = "cscdesk"
    # after-call work (话后处理): the call system ends it after this long (CCC sets it per skill
    # group in its console); the wrap-up dialog counts down to it
    wrap_up_seconds: int = Field(default=600, ge=10, le=3600)
    wrap_up_seconds_per_group: dict[str, Annotated[int, Field(ge=10, le=3600)]] = Field(
        default_factory=dict
    )


def _check_store_url(value: str | None) -> str | None:
    """A PostgreSQL URL without a password (that comes from the keyring: ``[store] password``)."""
    if value is None or value == "":
        return None
    from urllib.parse import urlsplit

    if not value.startswith(("postgresql://", "postgres://")):
        raise ValueError(
            "give a PostgreSQL URL such as 'postgresql://cscdesk@db-host:5432/cscdesk'"
        )
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad port raises here, not at the first connection
    except ValueError as exc:
        raise ValueError(f"not a usable URL ({exc})") from None
    if parts.password is not None or "password=" in parts.query:
        raise ValueError(
            "a password is never written in the config file; set [store] password ="
            f" '{SECRET_PREFIX}NAME' and store it with `cscdesk secrets set NAME`"
        )
    return value


def _check_http_url(value: str | None) -> str | None:
    """An http(s) URL with a host, checked when the file is read: a typo ("ftp://", "http://[::1",
    a space) would otherwise surface as a failed round in a log, hours later."""
    if value is None or value == "":
        return None
    from urllib.parse import urlsplit

    if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
        raise ValueError("give an http(s) URL such as 'https://host.example.cn/path'")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad port raises here, not at the first request
    except ValueError as exc:
        raise ValueError(f"not a usable URL ({exc})") from None
    if not parts.hostname:
        raise ValueError("the URL names no host")
    return value


def _check_endpoint(value: str) -> str:
    """The call system's host (``ccc.cn-shanghai.aliyuncs.com``) or an http(s) URL to it."""
    if "://" in value:
        checked = _check_http_url(value)
        assert checked is not None
        return checked
    if not _HOST.fullmatch(value):
        raise ValueError(
            "give a host name such as 'ccc.cn-shanghai.aliyuncs.com' or a URL such as"
            " 'http://127.0.0.1:PORT'"
        )
    return value


_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?")


class StoreSettings(_Section):
    path: Path | None = None  # default: <data dir>/cscdesk.db
    busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    encryption_key: SecretRef = None  # "keyring:NAME": SQLCipher at rest (extra "encryption")
    url: str | None = None  # "postgresql://user@host:5432/db": the store on PostgreSQL instead
    password: SecretRef = None  # "keyring:NAME": the PostgreSQL password (none: trust, .pgpass)
    pool_size: int = Field(default=10, ge=1, le=200)  # PostgreSQL connections per process

    _secret_key = field_validator("encryption_key", "password")(_check_secret_ref)
    _url = field_validator("url")(_check_store_url)


class CallCenterSettings(_Section):
    mode: Literal["embedded", "aliyun"] = "embedded"
    endpoint: str = "ccc.cn-shanghai.aliyuncs.com"
    region: str = "cn-shanghai"
    instance_id: str = "ccc-demo"
    access_key_id: SecretRef = None
    access_key_secret: SecretRef = None
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    max_retries: int = Field(default=3, ge=0, le=10)
    verify_tls: bool = True

    _secret_id = field_validator("access_key_id", "access_key_secret")(_check_secret_ref)
    _endpoint = field_validator("endpoint")(_check_endpoint)


class SimulatorSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    speed: float = Field(default=60.0, ge=1, le=600)
    seed: int = 7
    faults: Path | None = None
    access_key_id: str = "LTAI5tDEMOcscdesk0000000"  # documented demo pair, not a secret
    access_key_secret: str = "cscdesk-demo-secret-not-for-production"


class InsurerSettings(_Section):
    id: str
    name: str
    kind: Literal["rest_oauth", "xml_hmac", "batch"]
    base_url: str | None = None
    client_id: str | None = None
    client_secret: SecretRef = None
    hmac_key: SecretRef = None
    dialect: Literal["standard", "nested"] = "standard"  # rest_oauth payload shape
    timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=5)

    _secrets = field_validator("client_secret", "hmac_key")(_check_secret_ref)
    _base_url = field_validator("base_url")(_check_http_url)


class GatewaySettings(_Section):
    cache_ttl_seconds: int = Field(default=300, ge=0, le=86_400)
    breaker_failures: int = Field(default=3, ge=1, le=1000)
    breaker_reset_seconds: float = Field(default=30.0, gt=0, le=3600)


class ClaimTermSettings(_Section):
    """Claim-duty days a contract sets otherwise (保险法 §23 "合同另有约定的除外"); unset = default."""

    claim_decision_days: int | None = Field(default=None, ge=1, le=366)
    claim_payment_days: int | None = Field(default=None, ge=1, le=366)
    claim_refusal_notice_days: int | None = Field(default=None, ge=1, le=366)
    claim_advance_payment_days: int | None = Field(default=None, ge=1, le=366)


class SlaSettings(_Section):
    """Ticket clocks; regulatory defaults, all overridable.

    Statutory limits are always calendar days with the 民法典 §203 roll-forward; the only
    working-day number is the internal complaint target, named so.
    """

    complaint_days: int = Field(default=15, ge=1, le=366)
    complaint_complex_days: int = Field(default=30, ge=1, le=366)
    complaint_extension_days: int = Field(default=30, ge=0, le=366)
    claim_decision_days: int = Field(default=30, ge=1, le=366)
    claim_payment_days: int = Field(default=10, ge=1, le=366)
    claim_refusal_notice_days: int = Field(default=3, ge=1, le=366)
    claim_advance_payment_days: int = Field(default=60, ge=1, le=366)
    first_response_hours: float = Field(default=24.0, gt=0, le=_HOURS_IN_A_YEAR)
    resolution_hours: dict[str, Annotated[float, Field(gt=0, le=_HOURS_IN_A_YEAR)]] = Field(
        default_factory=lambda: {
            "enquiry": 48.0,
            "claim_assist": 240.0,
            "policy_change": 120.0,
            "follow_up": 72.0,
            "feedback": 120.0,
            "urgent": 4.0,
        }
    )
    complaint_review_days: int = Field(default=30, ge=1, le=366)  # 核查 request → decision
    internal_complaint_target_working_days: int = Field(default=0, ge=0, le=366)  # 0 = none
    insurer_claim_terms: dict[str, ClaimTermSettings] = Field(default_factory=dict)
    contract_claim_terms: dict[str, ClaimTermSettings] = Field(default_factory=dict)
    timezone: str = "Asia/Shanghai"

    _zone = field_validator("timezone")(_check_zone)


class QueueIndicatorSettings(_Section):
    """Service level X/T for one skill group, with its variant stated explicitly."""

    target_percent: float = Field(default=80.0, ge=0, le=100)
    threshold_seconds: float = Field(default=20.0, gt=0, le=3600)
    short_abandon_seconds: float = Field(default=5.0, ge=0, le=600)
    count_abandons: bool = True  # False: SL over answered calls only
    reset_time: time = time(0, 0)
    timezone: str = "Asia/Shanghai"

    _zone = field_validator("timezone")(_check_zone)


class IndicatorSettings(_Section):
    default: QueueIndicatorSettings = QueueIndicatorSettings()
    queues: dict[str, QueueIndicatorSettings] = Field(default_factory=dict)
    connect_rate_target: float = Field(default=90.0, ge=0, le=100)  # 人工接通率
    abandon_rate_max: float = Field(default=5.0, ge=0, le=100)
    asa_max_seconds: float = Field(default=20.0, ge=0, le=3600)
    aht_max_seconds: float = Field(default=360.0, ge=0, le=86_400)
    occupancy_max: float = Field(default=90.0, ge=0, le=100)
    fcr_target: float = Field(default=80.0, ge=0, le=100)
    csat_target: float = Field(default=90.0, ge=0, le=100)
    csat_satisfied_min_score: int = Field(default=4, ge=1, le=5)
    fcr_repeat_days: int = Field(default=7, ge=1, le=366)

    def for_queue(self, queue: str) -> QueueIndicatorSettings:
        return self.queues.get(queue, self.default)


class AlertLevel(_Section):
    warning: float
    critical: float


class AlertSettings(_Section):
    bell: bool = False
    waiting_calls: AlertLevel = AlertLevel(warning=5, critical=10)
    longest_wait_seconds: AlertLevel = AlertLevel(warning=30, critical=60)
    service_level_percent: AlertLevel = AlertLevel(warning=80, critical=70)  # lower is worse
    abandon_rate_percent: AlertLevel = AlertLevel(warning=5, critical=10)
    per_queue: dict[str, dict[str, AlertLevel]] = Field(default_factory=dict)


class StaffingSettings(_Section):
    interval_minutes: Literal[15, 30, 60] = 30
    occupancy_cap: float = Field(default=0.85, gt=0, le=1)
    shrinkage: float = Field(default=0.30, ge=0, lt=1)
    broker_headcount: int = Field(default=12, ge=0, le=100_000)
    forecast_file: Path | None = None  # CSV interval_start,calls[,aht_seconds]; None: from history


def _check_bucket(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not value.startswith("s3://") or len(value) <= len("s3://"):
        raise ValueError("give the bucket as 's3://BUCKET/PREFIX' (or leave it out: blob_dir)")
    return value


class ArchiveSettings(_Section):
    blob_dir: Path | None = None  # default: <data dir>/recordings
    recordings: str | None = None  # "s3://bucket/prefix": recordings on S3-compatible storage
    s3_endpoint: str | None = None  # e.g. "https://oss-cn-shanghai.aliyuncs.com"; None: AWS
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretRef = None  # "keyring:NAME"
    s3_secret_access_key: SecretRef = None  # "keyring:NAME"
    verify_sample_percent: float = Field(default=1.0, ge=0, le=100)  # full re-reads by verify

    _bucket = field_validator("recordings")(_check_bucket)
    _s3_endpoint = field_validator("s3_endpoint")(_check_http_url)
    _s3_keys = field_validator("s3_access_key_id", "s3_secret_access_key")(_check_secret_ref)
    lag_alarm_days: int = Field(default=3, ge=1, le=170)
    window_minutes: int = Field(default=60, ge=1, le=1440)
    overlap_minutes: int = Field(default=10, ge=0, le=1440)
    late_cdr_minutes: int = Field(default=120, ge=0, le=1440)  # longest call + publish delay
    recording_url_seconds: int = Field(default=600, ge=60, le=86_400)
    min_retention_years: int = Field(default=5, ge=5, le=100)


class SyncSettings(_Section):
    interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    lease_seconds: float = Field(default=30.0, gt=1, le=3600)
    pull_overlap_seconds: int = Field(default=300, ge=0, le=86_400)


class SecuritySettings(_Section):
    login_required: bool = True
    lockout_attempts: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    password_max_age_days: int = Field(default=90, ge=0, le=3660)  # 0: never ask for a change
    idle_lock_minutes: int = Field(default=10, ge=1, le=1440)
    reveal_seconds: int = Field(default=30, ge=5, le=600)
    audit_retention_days: int = Field(default=365, ge=184, le=36_600)
    seconded_sees_other_insurers: Literal["none", "routing"] = "routing"
    audit_key: SecretRef = None  # "keyring:NAME" of the audit chain's HMAC key (default audit-key)
    audit_head_file: Path | None = None  # signed audit heads (default: <store>.audit-head)

    _secret_audit = field_validator("audit_key")(_check_secret_ref)


class ServiceTermSettings(_Section):
    """The terms agreed with an insurer for service requests: hours to take one up and to answer."""

    take_up_hours: float = Field(default=4.0, gt=0, le=_HOURS_IN_A_YEAR)
    answer_hours: float = Field(default=48.0, gt=0, le=_HOURS_IN_A_YEAR)


class HandoffRouteSettings(_Section):
    """One routing rule for hand-offs to business staff: every given condition must match."""

    employer: str | None = None
    ticket_type: str | None = None
    insurer: str | None = None
    assignee: str | None = None  # a person (e.g. the employer's account manager)
    team: str | None = None  # or a team from [handoffs.teams]


class HandoffSettings(_Section):
    """Hand-offs to insurers and business staff, and the customer notices they open."""

    interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    retry_base_seconds: float = Field(default=2.0, gt=0, le=3600)
    retry_cap_seconds: float = Field(default=600.0, gt=0, le=86_400)
    max_attempts: int = Field(default=8, ge=1, le=100)
    # "api" or "seconded" per insurer id; default: api for an [[insurers]] entry of kind
    # rest_oauth with a base_url, seconded (its agents in the center) otherwise
    channels: dict[str, Literal["api", "seconded"]] = Field(default_factory=dict)
    default_terms: ServiceTermSettings = ServiceTermSettings()
    terms: dict[str, ServiceTermSettings] = Field(default_factory=dict)
    notify_on_handoff: Literal["callback", "sms", "none"] = "none"
    notify_on_answer: Literal["callback", "sms", "none"] = "callback"
    routes: list[HandoffRouteSettings] = Field(default_factory=list)
    teams: dict[str, list[str]] = Field(default_factory=dict)  # team → user ids


class WebhookSettings(_Section):
    """Ticket and task events to the broker's business system (HMAC-signed POSTs)."""

    url: str | None = None  # None: no webhook; the export still serves systems that pull
    secret: SecretRef = None  # "keyring:NAME" of the HMAC key
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    retry_base_seconds: float = Field(default=2.0, gt=0, le=3600)
    retry_cap_seconds: float = Field(default=600.0, gt=0, le=86_400)
    max_attempts: int = Field(default=10, ge=1, le=100)

    _secret_webhook = field_validator("secret")(_check_secret_ref)
    _url = field_validator("url")(_check_http_url)


def _check_folder(value: Path | None) -> Path | None:
    """A folder that is there now, not when an agent first opens the knowledge panel."""
    if value is None:
        return None
    path = value.expanduser()
    if not path.is_dir():
        raise ValueError(
            "no such folder on this host; give the folder that holds the knowledge articles,"
            " canned notes and call scripts (.md files)"
        )
    return path


class KnowledgeSettings(_Section):
    """Articles, canned notes and call scripts as Markdown files leads edit (cscdesk.knowledge)."""

    folder: Path | None = None  # None: the demo's own set in the demo, none in a deployment
    reload_seconds: float = Field(default=5.0, ge=0.5, le=3600)

    _folder = field_validator("folder")(_check_folder)


class LoggingSettings(_Section):
    """The operations log (``cscdesk.security.logfile``): one file a day, kept >= 184 days."""

    dir: Path | None = None  # default: <data dir>/logs
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"  # json: one JSON object per line
    keep_days: int = Field(default=190, ge=184, le=36_600)  # 等保: at least six months


class Settings(_Section):
    desk: DeskSettings = DeskSettings()
    store: StoreSettings = StoreSettings()
    callcenter: CallCenterSettings = CallCenterSettings()
    simulator: SimulatorSettings = SimulatorSettings()
    insurers: list[InsurerSettings] = Field(default_factory=list)
    gateway: GatewaySettings = GatewaySettings()
    sla: SlaSettings = SlaSettings()
    indicators: IndicatorSettings = IndicatorSettings()
    alerts: AlertSettings = AlertSettings()
    staffing: StaffingSettings = StaffingSettings()
    archive: ArchiveSettings = ArchiveSettings()
    sync: SyncSettings = SyncSettings()
    security: SecuritySettings = SecuritySettings()
    handoffs: HandoffSettings = HandoffSettings()
    webhook: WebhookSettings = WebhookSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    logging: LoggingSettings = LoggingSettings()
    keymap: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Paths:
    """Where this installation keeps its files; every path derives from the data dir."""

    data_dir: Path
    config_file: Path | None

    @property
    def store(self) -> Path:
        return self.data_dir / "cscdesk.db"

    @property
    def recordings(self) -> Path:
        return self.data_dir / "recordings"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"


def color_allowed() -> bool:
    """False when the person asked for no colour: ``NO_COLOR`` set and not empty (no-color.org;
    ``--no-color`` sets it, so Textual and rich in this process see it too)."""
    return not os.environ.get("NO_COLOR")


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_config_file() -> Path:
    """The per-user config file: ``$XDG_CONFIG_HOME/cscdesk/config.toml`` (~/.config/…) on Linux."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / CONFIG_NAME


def site_config_files() -> list[Path]:
    """Host-wide config files, first match wins: each ``$XDG_CONFIG_DIRS`` entry (default
    ``/etc/xdg``) + ``cscdesk/config.toml`` on Linux; ``/Library/Application Support`` on macOS,
    ``%PROGRAMDATA%`` on Windows."""
    from platformdirs import PlatformDirs

    dirs = PlatformDirs(APP_NAME, appauthor=False, multipath=True).site_config_dir
    return [Path(d) / CONFIG_NAME for d in dirs.split(os.pathsep) if d]


@dataclass(frozen=True, slots=True)
class ConfigChoice:
    """Which config file this run uses and the rule that picked it (for ``doctor``)."""

    path: Path | None  # None: no file anywhere, the embedded demo
    rule: str  # "--config", "CSCDESK_CONFIG", "user config dir", "host-wide config", "none"
    searched: tuple[Path, ...] = ()  # the implicit locations looked at, in order

    @property
    def explicit(self) -> bool:
        """Named by the person running the command: a missing file is an error, not the demo."""
        return self.rule in ("--config", CONFIG_ENV)

    @property
    def reason(self) -> str:
        return {
            "--config": "given with --config",
            CONFIG_ENV: f"named by ${CONFIG_ENV}",
            "user config dir": "found in the user config dir",
            "host-wide config": "found in the host-wide config dir",
        }.get(self.rule, "no config file found")

    def describe(self) -> str:
        if self.path is None:
            where = ", ".join(str(p) for p in self.searched)
            return f"no config file (no --config, no ${CONFIG_ENV}, none of {where})"
        return f"{self.path} ({self.reason})"


def _present(path: Path) -> bool:
    """True when something is at ``path``, even if it cannot be read: a config file that exists
    but is broken must be reported, never silently replaced by the demo."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True  # e.g. permission denied on the folder: let loading say so
    return True


def discover_config(
    cli_path: Path | None, environ: Mapping[str, str] | None = None
) -> ConfigChoice:
    """``--config``, then ``$CSCDESK_CONFIG``, then the user config dir, then the host-wide file.

    The first two are explicit and returned even when missing (loading then fails with exit 2);
    the last two count only when something is there. An empty ``CSCDESK_CONFIG`` is unset.
    """
    env = os.environ if environ is None else environ
    if cli_path is not None:
        return ConfigChoice(cli_path.expanduser(), "--config")
    named = env.get(CONFIG_ENV, "")
    if named:
        return ConfigChoice(Path(named).expanduser(), CONFIG_ENV)
    user = default_config_file()
    sites = site_config_files()
    searched = (user, *sites)
    if _present(user):
        return ConfigChoice(user, "user config dir", searched)
    for site in sites:
        if _present(site):
            return ConfigChoice(site, "host-wide config", searched)
    return ConfigChoice(None, "none", searched)


def resolve_paths(config_file: Path | None, data_dir: Path | None) -> Paths:
    return Paths(data_dir=(data_dir or default_data_dir()).expanduser(), config_file=config_file)


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "extra_forbidden":
        return "unknown key (check its spelling against config.example.toml)"
    message = message.removeprefix("Value error, ")
    if "input" in error and error.get("type") != "missing":
        return f"{message} (got {_short(error['input'])})"
    return message


def parse_settings(data: dict[str, Any], *, source: str) -> Settings:
    """Validate a parsed TOML document; the first problem becomes a ConfigError."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(source, _key_path(tuple(first["loc"])), _describe(dict(first))) from None


# Strings and comments may hold brackets that do not nest anything; skip them whole.
_NESTING_TOKENS = re.compile(
    "|".join(
        (
            r'"""[\s\S]*?"""',  # multi-line basic string
            r"'''[\s\S]*?'''",  # multi-line literal string
            r'"(?:[^"\\\n]|\\.)*"',  # basic string, with escapes
            r"'[^'\n]*'",  # literal string
            r"#[^\n]*",  # comment
            r"[\[\]{}]",
        )
    )
)


def _check_nesting(text: str, source: str) -> None:
    """Refuse arrays / inline tables nested deeper than MAX_NESTING before tomllib recurses."""
    depth = 0
    for match in _NESTING_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, match.start()) + 1
                raise ConfigError(
                    source,
                    f"line {line}",
                    f"arrays or tables nested more than {MAX_NESTING} deep; "
                    "a cscdesk config needs only a few levels",
                )
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)


def _read_config_bytes(path: Path) -> bytes:
    """The file's bytes, refusing devices, pipes, folders and anything over MAX_CONFIG_BYTES
    before reading (``/dev/zero`` would otherwise fill memory)."""
    source = str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; harmless for a regular file
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigError(source, "", "file not found") from None
    except OSError as exc:
        raise ConfigError(source, "", f"cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise ConfigError(source, "", f"is {kind}, not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(
                source, "", f"is {info.st_size} bytes; a config file is at most {MAX_CONFIG_BYTES}"
            )
        chunks = []
        size = 0
        while size <= MAX_CONFIG_BYTES and (chunk := os.read(fd, MAX_CONFIG_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ConfigError(source, "", f"cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_CONFIG_BYTES:  # grew while we looked
        raise ConfigError(source, "", f"is larger than {MAX_CONFIG_BYTES} bytes")
    return raw


def load_settings(path: Path | None) -> Settings:
    """Read and validate ``path``; None means built-in defaults (the embedded demo)."""
    if path is None:
        return Settings()
    source = str(path)
    raw = _read_config_bytes(path)
    try:
        text = raw.decode("utf-8-sig")  # a leading BOM (Windows editors) is not content
    except UnicodeDecodeError:
        raise ConfigError(source, "", "is not UTF-8 text") from None
    _check_nesting(text, source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "", f"is not valid TOML: {exc}") from None
    except RecursionError:  # a nesting the pre-scan did not see; never a traceback
        raise ConfigError(source, "", "arrays or tables are nested too deep") from None
    return parse_settings(data, source=source)


class SecretUnavailable(Exception):
    """A secret reference could not be resolved through the keyring."""


def secret_name(ref: str) -> str:
    return ref.removeprefix(SECRET_PREFIX)


def resolve_secret(ref: str | None, *, what: str) -> str:
    """Look a ``keyring:NAME`` reference up in the OS keyring; never from a file."""
    if not ref:
        raise SecretUnavailable(f"{what}: no secret is configured")
    import keyring
    from keyring.errors import KeyringError

    name = secret_name(ref)
    try:
        value = keyring.get_password(KEYRING_SERVICE, name)
    except KeyringError as exc:
        raise SecretUnavailable(f"{what}: keyring backend failed ({exc})") from None
    if value is None:
        raise SecretUnavailable(
            f"{what}: secret {name!r} is not in the keyring; run `cscdesk secrets set {name}`"
        )
    return value
