"""Settings read from environment variables, with defaults that run a demo out of the box."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _env_str(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return default if raw is None or raw.strip() == "" else raw.strip()


def _tls_paths() -> tuple[str, str]:
    """CCMS_OCPP_TLS_CERT and CCMS_OCPP_TLS_KEY: both set (wss://) or neither (ws://)."""
    cert, key = _env_str("CCMS_OCPP_TLS_CERT", ""), _env_str("CCMS_OCPP_TLS_KEY", "")
    if bool(cert) != bool(key):
        missing = "CCMS_OCPP_TLS_KEY" if cert else "CCMS_OCPP_TLS_CERT"
        raise ValueError(
            f"{missing} is not set: OCPP over TLS needs both CCMS_OCPP_TLS_CERT (certificate "
            "chain, PEM) and CCMS_OCPP_TLS_KEY (its private key, PEM); set both or neither"
        )
    return cert, key


def _env_path(name: str, default: Path) -> Path:
    """A directory from the environment; relative paths are relative to the project root."""
    raw = _env_str(name, "")
    path = Path(raw).expanduser() if raw else default
    return path if path.is_absolute() else PROJECT_ROOT / path


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'ccms.db'}"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration. Every field maps to one CCMS_* environment variable."""

    database_url: str = field(default_factory=_default_database_url)
    web_port: int = 3000
    ocpp_host: str = "0.0.0.0"
    ocpp_port: int = 9000
    demo_fleet: int = 0
    log_level: str = "INFO"
    heartbeat_interval: int = 300
    ocpp_ping_interval: float = 30.0
    ocpp_ping_timeout: float = 30.0
    ocpp_close_timeout: float = 10.0
    command_timeout: float = 30.0
    realtime_interval: float = 0.2
    session_hours: int = 12
    demo_connectors: int = 2
    ocpp_tls_cert: str = ""  # PEM certificate chain; with ocpp_tls_key the OCPP port is wss://
    ocpp_tls_key: str = ""
    # Firmware Management over HTTP on the web port (see README "Firmware and diagnostics").
    firmware_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "firmware")
    diagnostics_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "diagnostics")
    diagnostics_max_mb: int = 100
    public_url: str = ""  # what charge points use to reach the web port; "" = derived

    @property
    def charger_base_url(self) -> str:
        """CCMS_PUBLIC_URL, or http://<this host's name>:<web port>."""
        return (self.public_url or f"http://{socket.gethostname()}:{self.web_port}").rstrip("/")

    @property
    def ocpp_tls(self) -> bool:
        return bool(self.ocpp_tls_cert and self.ocpp_tls_key)

    @classmethod
    def from_env(cls) -> Settings:
        tls_cert, tls_key = _tls_paths()
        return cls(
            database_url=_env_str("CCMS_DATABASE_URL", _default_database_url()),
            web_port=_env_int("CCMS_WEB_PORT", 3000),
            ocpp_host=_env_str("CCMS_OCPP_HOST", "0.0.0.0"),
            ocpp_port=_env_int("CCMS_OCPP_PORT", 9000),
            demo_fleet=_env_int("CCMS_DEMO_FLEET", 0),
            log_level=_env_str("CCMS_LOG_LEVEL", "INFO").upper(),
            heartbeat_interval=_env_int("CCMS_HEARTBEAT_INTERVAL", 300),
            ocpp_ping_interval=float(_env_int("CCMS_OCPP_PING_INTERVAL", 30)),
            ocpp_ping_timeout=float(_env_int("CCMS_OCPP_PING_TIMEOUT", 30)),
            ocpp_close_timeout=float(_env_int("CCMS_OCPP_CLOSE_TIMEOUT", 10)),
            command_timeout=float(_env_int("CCMS_COMMAND_TIMEOUT", 30)),
            session_hours=_env_int("CCMS_SESSION_HOURS", 12),
            demo_connectors=_env_int("CCMS_DEMO_CONNECTORS", 2),
            ocpp_tls_cert=tls_cert,
            ocpp_tls_key=tls_key,
            firmware_dir=_env_path("CCMS_FIRMWARE_DIR", PROJECT_ROOT / "var" / "firmware"),
            diagnostics_dir=_env_path("CCMS_DIAGNOSTICS_DIR", PROJECT_ROOT / "var" / "diagnostics"),
            diagnostics_max_mb=_env_int("CCMS_DIAGNOSTICS_MAX_MB", 100),
            public_url=_env_str("CCMS_PUBLIC_URL", ""),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings.from_env()
