"""TOML configuration → validated, typed settings; where files live; secrets through keyring.

A bad file never shows a traceback: ``load_settings`` raises ``ConfigError`` naming the file, the
key path and what was expected, and the CLI turns that into exit status 2. Secrets are never
values in the file: a secret field holds a reference such as ``"keyring:ccc-prod-secret"`` that is
resolved through the OS keyring only when it is used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

APP_NAME = "cscdesk"
KEYRING_SERVICE = "cscdesk"
SECRET_PREFIX = "keyring:"


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


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeskSettings(_Section):
    language: Literal["auto", "zh_CN", "en"] = "auto"
    theme: str = "textual-dark"
    poll_interval_seconds: float = Field(default=1.0, gt=0.05, le=60)
    status_refresh_seconds: float = Field(default=1.0, gt=0.05, le=60)
    bell: bool = True
    agent_id: str | None = None  # the CCC user this desk signs in as; None: ask / demo default
    device_id: str = "cscdesk"


class StoreSettings(_Section):
    path: Path | None = None  # default: <data dir>/cscdesk.db
    busy_timeout_ms: int = Field(default=5000, ge=0)
    encryption_key: SecretRef = None  # "keyring:NAME": SQLCipher at rest (extra "encryption")

    _secret_key = field_validator("encryption_key")(_check_secret_ref)


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


class GatewaySettings(_Section):
    cache_ttl_seconds: int = Field(default=300, ge=0)
    breaker_failures: int = Field(default=3, ge=1)
    breaker_reset_seconds: float = Field(default=30.0, gt=0)


class SlaSettings(_Section):
    """Ticket clocks; regulatory defaults, all overridable."""

    complaint_days: int = Field(default=15, ge=1)
    complaint_complex_days: int = Field(default=30, ge=1)
    complaint_extension_days: int = Field(default=30, ge=0)
    claim_decision_days: int = Field(default=30, ge=1)
    claim_payment_days: int = Field(default=10, ge=1)
    claim_refusal_notice_days: int = Field(default=3, ge=1)
    claim_advance_payment_days: int = Field(default=60, ge=1)
    first_response_hours: float = Field(default=24.0, gt=0)
    resolution_hours: dict[str, float] = Field(
        default_factory=lambda: {
            "enquiry": 48.0,
            "claim_assist": 240.0,
            "policy_change": 120.0,
            "follow_up": 72.0,
            "feedback": 120.0,
            "urgent": 4.0,
        }
    )
    working_days: bool = False  # count complaint/claim days as working days (official calendar)
    timezone: str = "Asia/Shanghai"


class QueueIndicatorSettings(_Section):
    """Service level X/T for one skill group, with its variant stated explicitly."""

    target_percent: float = Field(default=80.0, ge=0, le=100)
    threshold_seconds: float = Field(default=20.0, gt=0)
    short_abandon_seconds: float = Field(default=5.0, ge=0)
    count_abandons: bool = True  # False: SL over answered calls only
    reset_time: time = time(0, 0)
    timezone: str = "Asia/Shanghai"


class IndicatorSettings(_Section):
    default: QueueIndicatorSettings = QueueIndicatorSettings()
    queues: dict[str, QueueIndicatorSettings] = Field(default_factory=dict)
    connect_rate_target: float = Field(default=90.0, ge=0, le=100)  # 人工接通率
    abandon_rate_max: float = Field(default=5.0, ge=0, le=100)
    asa_max_seconds: float = Field(default=20.0, ge=0)
    aht_max_seconds: float = Field(default=360.0, ge=0)
    occupancy_max: float = Field(default=90.0, ge=0, le=100)
    fcr_target: float = Field(default=80.0, ge=0, le=100)
    csat_target: float = Field(default=90.0, ge=0, le=100)
    csat_satisfied_min_score: int = Field(default=4, ge=1, le=5)
    fcr_repeat_days: int = Field(default=7, ge=1)

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
    broker_headcount: int = Field(default=12, ge=0)
    forecast_file: Path | None = None  # CSV interval_start,calls[,aht_seconds]; None: from history


class ArchiveSettings(_Section):
    blob_dir: Path | None = None  # default: <data dir>/recordings
    lag_alarm_days: int = Field(default=3, ge=1, le=170)
    window_minutes: int = Field(default=60, ge=1)
    overlap_minutes: int = Field(default=10, ge=0)
    recording_url_seconds: int = Field(default=600, ge=60)
    min_retention_years: int = Field(default=5, ge=5)


class SyncSettings(_Section):
    interval_seconds: float = Field(default=5.0, gt=0)
    lease_seconds: float = Field(default=30.0, gt=1)
    pull_overlap_seconds: int = Field(default=300, ge=0)


class SecuritySettings(_Section):
    login_required: bool = True
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    password_max_age_days: int = Field(default=90, ge=0)  # 0: never ask for a change
    idle_lock_minutes: int = Field(default=10, ge=1)
    reveal_seconds: int = Field(default=30, ge=5, le=600)
    audit_retention_days: int = Field(default=365, ge=183)
    seconded_sees_other_insurers: Literal["none", "routing"] = "routing"


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


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_config_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


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


def _describe(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "extra_forbidden":
        return "unknown key (check its spelling against config.example.toml)"
    message = message.removeprefix("Value error, ")
    if "input" in error and error.get("type") != "missing":
        return f"{message} (got {error['input']!r})"
    return message


def parse_settings(data: dict[str, Any], *, source: str) -> Settings:
    """Validate a parsed TOML document; the first problem becomes a ConfigError."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(source, _key_path(tuple(first["loc"])), _describe(dict(first))) from None


def load_settings(path: Path | None) -> Settings:
    """Read and validate ``path``; None means built-in defaults (the embedded demo)."""
    if path is None:
        return Settings()
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(source, "", "file not found") from None
    except OSError as exc:
        raise ConfigError(source, "", f"cannot be read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(source, "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "", f"is not valid TOML: {exc}") from None
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
