"""Settings read from CCMS_* environment variables, with defaults that run a demo out of the box.

Every field of `Settings` is one environment variable: CCMS_ plus the field name in capitals
(`ocpp_ping_interval` <- CCMS_OCPP_PING_INTERVAL). pydantic-settings parses and checks them; a
bad value becomes a `SettingsError` whose message names the variable and says what is wrong,
which `ccms` prints before exiting with code 2.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_PREFIX = "CCMS_"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["text", "json"]

# Durations in seconds: fractions allowed (CCMS_OCPP_PING_INTERVAL=2.5), never zero or infinite.
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
WaitSeconds = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]  # 0: no wait
# 0 asks the operating system for any free port (the tests' OCPP servers use it).
ListenPort = Annotated[int, Field(ge=0, le=65535)]
Port = Annotated[int, Field(ge=1, le=65535)]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]

# Values taken exactly as given: a password may start or end with a space.
_UNSTRIPPED = frozenset({"admin_password", "smtp_password"})


class SettingsError(ValueError):
    """One or more CCMS_* variables are malformed; the message names each one."""


def env_name(field_name: str) -> str:
    """The environment variable of a settings field."""
    return f"{ENV_PREFIX}{field_name.upper()}"


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'ccms.db'}"


class Settings(BaseSettings):
    """Runtime configuration. Every field maps to one CCMS_* environment variable."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    database_url: str = Field(default_factory=_default_database_url)
    web_port: Port = 3000
    ocpp_host: str = "0.0.0.0"
    ocpp_port: ListenPort = 9000
    demo_fleet: Count = 0
    demo_connectors: Positive = 2
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"
    # Sent to charge points in the BootNotification reply, an OCPP integer: whole seconds.
    heartbeat_interval: Positive = 300
    ocpp_ping_interval: Seconds = 30.0
    ocpp_ping_timeout: Seconds = 30.0
    ocpp_close_timeout: Seconds = 10.0
    command_timeout: Seconds = 30.0
    # how long live updates are batched before a push: under traffic an update waits up to
    # this for its batch (0.2 s: p50 174 ms status -> page; 0.1 s: 115 ms, at the same CPU)
    realtime_interval: Seconds = 0.1
    counters_interval: Seconds = 1.0  # Home's counts and totals: at most one push per this
    # The charger messages' group commit waits this long for a batch to fill when the writer
    # is ahead of them: at 1,000 msg/s batches of one or two cost ~0.9 ms of CPU a message
    group_commit_wait: WaitSeconds = 0.002
    # Scale-out: network events between processes over Redis; "" = they stay in the process
    redis_url: str = ""
    # Scale-out: this web process holds no chargers (`ccms web` sets it): no OCPP server and
    # no scheduled jobs here, commands go to the gateways through Redis (needs CCMS_REDIS_URL)
    web_only: bool = False
    web_workers: Annotated[int, Field(ge=1, le=64)] = 2  # `ccms web`: web worker processes
    session_hours: Positive = 12
    driver_session_hours: Positive = 24 * 90  # a driver stays signed in to the app on the phone
    # Charging sessions without a StopTransaction (docs/data-policy.md "Sessions that end"):
    # closed when their connector shows they ended (or the charger rebooted), after this grace
    # for a late StopTransaction, or when they reach the maximum age.
    stale_session_grace_minutes: Positive = 10
    # How often running sessions' cost so far is recomputed (finance.live_costs).
    live_cost_interval_s: Seconds = 30.0
    # How often receipts for ended sessions are issued and documents e-mailed (finance).
    billing_interval_s: Seconds = 60.0
    session_max_age_hours: Positive = 72
    # Retention (docs/data-policy.md "Retention"): days kept, 0 = for ever. Meter samples back
    # billing disputes, so they stay longer than the raw OCPP message log.
    message_log_retention_days: Count = 30
    meter_sample_retention_days: Count = 400
    audit_retention_days: Count = 365  # the audit log of operator actions
    ocpp_tls_cert: str = ""  # PEM certificate chain; with ocpp_tls_key the OCPP port is wss://
    ocpp_tls_key: str = ""
    # Firmware Management over HTTP on the web port (see README "Firmware and diagnostics").
    firmware_dir: Path = Field(default_factory=lambda: PROJECT_ROOT / "var" / "firmware")
    diagnostics_dir: Path = Field(default_factory=lambda: PROJECT_ROOT / "var" / "diagnostics")
    diagnostics_max_mb: Positive = 100
    # Work order photos from technicians' phones (images only, each at most the size below).
    work_order_photo_dir: Path = Field(
        default_factory=lambda: PROJECT_ROOT / "var" / "work-order-photos"
    )
    work_order_photo_max_mb: Positive = 10
    # Alarm engine: how often the sweep re-checks offline chargers and what events missed.
    alarm_sweep_interval_s: Positive = 30
    # Load balancing: every site is recomputed at least this often (profiles refreshed, plans).
    load_balancing_interval_s: Positive = 30
    load_history_retention_days: Count = 30  # decisions and building load readings
    power_sample_retention_days: Count = 90  # analytics: network power and status samples
    public_url: str = ""  # what charge points use to reach the web port; "" = derived
    # What a charger is configured with, up to the identity: wss://ocpp.example.com/ocpp behind
    # a TLS-terminating load balancer; "" = ws(s)://<this host's name>:<OCPP port>/ocpp.
    ocpp_public_url: str = ""
    # Read when CCMS creates the root organisation; "" = "CCMS Operator" (demo: its own name).
    operator_name: str = ""
    # The demo admin: created only when demo_fleet > 0. No default password here: the demo
    # has its own (demo.py) and nothing else creates an account by itself; `ccms create-admin`
    # takes CCMS_ADMIN_PASSWORD when it is set.
    admin_email: str = "admin@ccms.local"
    admin_password: str = Field(default="", repr=False)
    # Argon2id cost of operator and driver passwords: passes and memory (KiB). The default is
    # RFC 9106's second recommended setting (3 passes, 64 MiB, ~0.2 s a check); OWASP's floor
    # is 2 passes with 19 MiB. Hashes made at another cost are redone at their next login, so
    # raising it later upgrades every account that signs in. The test suite lowers it.
    password_hash_passes: Positive = 3
    password_hash_memory_kib: Annotated[int, Field(ge=8, le=4 * 1024 * 1024)] = 64 * 1024
    # Who may read GET /metrics: comma-separated IP addresses and networks (CIDR).
    metrics_allow: str = "127.0.0.1,::1"
    # E-mail of receipts, invoices and credit notes (core/mail.py): no host = e-mail off.
    smtp_host: str = ""
    smtp_port: Port = 25
    smtp_username: str = ""  # "" = no SMTP login
    smtp_password: str = Field(default="", repr=False)
    smtp_starttls: bool = False  # upgrade the connection with STARTTLS before logging in
    smtp_from: str = ""  # the sender address; "" = the seller's e-mail of the document
    smtp_timeout: Seconds = 30.0
    # Stripe (finance/payments): no secret key = card payments and top-ups say they are not
    # configured; everything else works. The API base is Stripe's unless a test points it at
    # a fake Stripe server.
    stripe_secret_key: str = Field(default="", repr=False)
    stripe_webhook_secret: str = Field(default="", repr=False)
    stripe_api_base: str = "https://api.stripe.com"
    stripe_webhook_tolerance_s: Positive = 300  # how old a signed webhook may be
    # How often the payment job settles ended sessions, places pending holds, retries.
    payment_interval_s: Seconds = 10.0

    @property
    def charger_base_url(self) -> str:
        """CCMS_PUBLIC_URL, or http://<this host's name>:<web port>."""
        return (self.public_url or f"http://{socket.gethostname()}:{self.web_port}").rstrip("/")

    @property
    def charger_ocpp_url(self) -> str:
        """CCMS_OCPP_PUBLIC_URL, or ws(s)://<this host's name>:<OCPP port>/ocpp."""
        scheme = "wss" if self.ocpp_tls else "ws"
        derived = f"{scheme}://{socket.gethostname()}:{self.ocpp_port}/ocpp"
        return (self.ocpp_public_url or derived).rstrip("/")

    @property
    def metrics_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """CCMS_METRICS_ALLOW as networks (a single address is a /32 or /128)."""
        return tuple(
            ipaddress.ip_network(part.strip(), strict=False)
            for part in self.metrics_allow.split(",")
            if part.strip()
        )

    @property
    def ocpp_tls(self) -> bool:
        return bool(self.ocpp_tls_cert and self.ocpp_tls_key)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_means_default(cls, value: Any, info: ValidationInfo) -> Any:
        """A variable set to "" or spaces counts as unset, as `VAR= ccms run` suggests."""
        if not isinstance(value, str) or info.field_name is None:
            return value
        if value.strip() == "":
            return cls.model_fields[info.field_name].get_default(call_default_factory=True)
        return value if info.field_name in _UNSTRIPPED else value.strip()

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_in_lower_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("firmware_dir", "diagnostics_dir", "work_order_photo_dir")
    @classmethod
    def _under_the_repository(cls, path: Path) -> Path:
        """Relative directories are relative to the repository, wherever `ccms` runs from."""
        path = path.expanduser()
        return path if path.is_absolute() else PROJECT_ROOT / path

    @field_validator("metrics_allow")
    @classmethod
    def _addresses_and_networks(cls, value: str) -> str:
        """Each entry an IP address or CIDR network, so a typo never opens or closes /metrics
        silently."""
        for part in value.split(","):
            try:
                ipaddress.ip_network(part.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"must be comma-separated IP addresses or CIDR networks "
                    f"(e.g. 127.0.0.1,10.0.0.0/8); {part.strip()!r} is neither"
                ) from None
        return value

    @field_validator("ocpp_public_url")
    @classmethod
    def _a_websocket_url(cls, url: str) -> str:
        """Chargers open a websocket: ws:// or wss://, the path before the identity."""
        if url and not url.lower().startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss:// (e.g. wss://ocpp.example.com/ocpp)")
        return url

    @field_validator("public_url")
    @classmethod
    def _an_http_url(cls, url: str) -> str:
        """Chargers download firmware from this URL, so it must be the web port's http(s)."""
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url

    @model_validator(mode="after")
    def _tls_files_in_pairs(self) -> Settings:
        """CCMS_OCPP_TLS_CERT and CCMS_OCPP_TLS_KEY: both set (wss://) or neither (ws://)."""
        if bool(self.ocpp_tls_cert) != bool(self.ocpp_tls_key):
            missing = "CCMS_OCPP_TLS_KEY" if self.ocpp_tls_cert else "CCMS_OCPP_TLS_CERT"
            raise ValueError(
                f"{missing} is not set: OCPP over TLS needs both CCMS_OCPP_TLS_CERT "
                "(certificate chain, PEM) and CCMS_OCPP_TLS_KEY (its private key, PEM); "
                "set both or neither"
            )
        return self

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process's environment; raises SettingsError when one is bad."""
        try:
            return cls()
        except ValidationError as exc:
            raise SettingsError(describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    """One sentence per bad variable, e.g. `CCMS_WEB_PORT must be an integer, got 'x'`."""
    return "; ".join(_describe(error) for error in exc.errors())


_PROBLEMS = {
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_parsing": "must be a number of seconds (fractions allowed)",
    "finite_number": "must be a finite number",
}
_PORT_RANGES = {
    "web_port": "must be a TCP port from 1 to 65535",
    "ocpp_port": "must be a TCP port from 1 to 65535 (or 0: any free port)",
}


def _describe(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:  # a rule across fields, whose message names its variables
        return message
    field_name = str(error["loc"][0])
    problem = _PROBLEMS.get(error["type"], message.replace("Input should be", "must be"))
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        problem = _PORT_RANGES.get(field_name, problem)
    if field_name in _UNSTRIPPED:  # never echo a secret
        return f"{env_name(field_name)} {problem}"
    return f"{env_name(field_name)} {problem}, got {error['input']!r}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings.from_env()
