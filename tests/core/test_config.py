"""Settings from CCMS_* environment variables: every documented variable reaches its field,
durations take fractions of a second, and a bad value is refused naming the variable."""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccms_app import cli as cli_module
from ccms_app.core.config import PROJECT_ROOT, Settings, SettingsError, env_name, get_settings

# One valid, non-default value per field: (what the environment says, what the field holds).
SAMPLES: dict[str, tuple[str, object]] = {
    "metrics_allow": ("10.0.0.0/8,192.0.2.7", "10.0.0.0/8,192.0.2.7"),
    "audit_retention_days": ("90", 90),
    "database_url": ("sqlite:////tmp/other.db", "sqlite:////tmp/other.db"),
    "web_port": ("3100", 3100),
    "ocpp_host": ("127.0.0.1", "127.0.0.1"),
    "ocpp_port": ("9100", 9100),
    "demo_fleet": ("7", 7),
    "demo_connectors": ("3", 3),
    "log_level": ("debug", "DEBUG"),
    "log_format": ("JSON", "json"),
    "heartbeat_interval": ("60", 60),
    "ocpp_ping_interval": ("2.5", 2.5),
    "ocpp_ping_timeout": ("1.25", 1.25),
    "ocpp_close_timeout": ("0.5", 0.5),
    "command_timeout": ("45.5", 45.5),
    "realtime_interval": ("0.05", 0.05),
    "counters_interval": ("0.5", 0.5),
    "group_commit_wait": ("0", 0.0),
    "redis_url": ("redis://127.0.0.1:6380/0", "redis://127.0.0.1:6380/0"),
    "web_only": ("true", True),
    "web_workers": ("6", 6),
    "session_hours": ("8", 8),
    "driver_session_hours": ("720", 720),
    "stale_session_grace_minutes": ("15", 15),
    "live_cost_interval_s": ("12.5", 12.5),
    "billing_interval_s": ("5", 5.0),
    "smtp_host": ("smtp.example.com", "smtp.example.com"),
    "smtp_port": ("587", 587),
    "smtp_username": ("ccms", "ccms"),
    "smtp_password": (" smtp secret ", " smtp secret "),
    "smtp_starttls": ("true", True),
    "smtp_from": ("billing@example.com", "billing@example.com"),
    "smtp_timeout": ("12.5", 12.5),
    "stripe_secret_key": (" sk_test_123 ", "sk_test_123"),  # keys hold no spaces
    "stripe_webhook_secret": ("whsec_abc", "whsec_abc"),
    "stripe_api_base": ("http://127.0.0.1:12111", "http://127.0.0.1:12111"),
    "stripe_webhook_tolerance_s": ("120", 120),
    "payment_interval_s": ("2.5", 2.5),
    "session_max_age_hours": ("48", 48),
    "message_log_retention_days": ("0", 0),  # 0 = kept for ever
    "meter_sample_retention_days": ("730", 730),
    "ocpp_tls_cert": ("/etc/ccms/ocpp.crt", "/etc/ccms/ocpp.crt"),
    "ocpp_tls_key": ("/etc/ccms/ocpp.key", "/etc/ccms/ocpp.key"),
    "firmware_dir": ("/srv/firmware", Path("/srv/firmware")),
    "diagnostics_dir": ("/srv/diagnostics", Path("/srv/diagnostics")),
    "work_order_photo_dir": ("/srv/photos", Path("/srv/photos")),
    "work_order_photo_max_mb": ("5", 5),
    "alarm_sweep_interval_s": ("10", 10),
    "load_balancing_interval_s": ("15", 15),
    "load_history_retention_days": ("0", 0),
    "power_sample_retention_days": ("7", 7),
    "diagnostics_max_mb": ("5", 5),
    "public_url": ("https://ccms.example.com/", "https://ccms.example.com/"),
    "ocpp_public_url": ("wss://ocpp.example.com/ocpp/", "wss://ocpp.example.com/ocpp/"),
    "operator_name": ("Acme Charging", "Acme Charging"),
    "admin_email": ("ops@example.com", "ops@example.com"),
    "admin_password": (" a long secret ", " a long secret "),
    "password_hash_passes": ("4", 4),
    "password_hash_memory_kib": ("19456", 19456),
}

SECONDS = ("ocpp_ping_interval", "ocpp_ping_timeout", "ocpp_close_timeout", "command_timeout")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No CCMS_* variable from the outside; get_settings() reads this test's environment."""
    for name in [name for name in os.environ if name.upper().startswith("CCMS_")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def readme_settings() -> list[str]:
    """The variables in the README's configuration table, in table order."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(CCMS_[A-Z_]+)` \|", section, re.MULTILINE)


def test_every_field_has_a_sample() -> None:
    assert set(SAMPLES) == set(Settings.model_fields)


def test_every_documented_variable_sets_its_field(clean_env: pytest.MonkeyPatch) -> None:
    fields = {env_name(name): name for name in Settings.model_fields}
    documented = readme_settings()

    assert sorted(documented) == sorted(fields)
    for variable in documented:
        clean_env.setenv(variable, SAMPLES[fields[variable]][0])
    settings = Settings.from_env()

    for variable in documented:
        assert getattr(settings, fields[variable]) == SAMPLES[fields[variable]][1], variable


def test_defaults_are_the_documented_ones() -> None:
    settings = get_settings()

    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'ccms.db'}"
    assert (settings.web_port, settings.ocpp_host, settings.ocpp_port) == (3000, "0.0.0.0", 9000)
    assert (settings.demo_fleet, settings.demo_connectors) == (0, 2)
    assert (settings.log_level, settings.log_format) == ("INFO", "text")
    assert settings.heartbeat_interval == 300
    assert [getattr(settings, name) for name in SECONDS] == [30.0, 30.0, 10.0, 30.0]
    assert (settings.realtime_interval, settings.counters_interval) == (0.1, 1.0)
    assert settings.group_commit_wait == 0.002
    assert (settings.session_hours, settings.diagnostics_max_mb) == (12, 100)
    assert settings.firmware_dir == PROJECT_ROOT / "var" / "firmware"
    assert settings.diagnostics_dir == PROJECT_ROOT / "var" / "diagnostics"
    assert settings.charger_base_url == f"http://{socket.gethostname()}:3000"
    assert settings.charger_ocpp_url == f"ws://{socket.gethostname()}:9000/ocpp"
    assert not settings.ocpp_tls
    assert (settings.admin_email, settings.admin_password) == ("admin@ccms.local", "")


def test_the_ocpp_address_chargers_are_given(clean_env: pytest.MonkeyPatch) -> None:
    """wss:// once the OCPP port has TLS; CCMS_OCPP_PUBLIC_URL wins (a proxy in front)."""
    clean_env.setenv("CCMS_OCPP_TLS_CERT", "/etc/ccms/ocpp.crt")
    clean_env.setenv("CCMS_OCPP_TLS_KEY", "/etc/ccms/ocpp.key")
    clean_env.setenv("CCMS_OCPP_PORT", "9443")
    assert Settings.from_env().charger_ocpp_url == f"wss://{socket.gethostname()}:9443/ocpp"

    clean_env.setenv("CCMS_OCPP_PUBLIC_URL", "wss://ocpp.example.com/ocpp/")
    assert Settings.from_env().charger_ocpp_url == "wss://ocpp.example.com/ocpp"


def test_durations_take_fractions_of_a_second(clean_env: pytest.MonkeyPatch) -> None:
    for name in (*SECONDS, "realtime_interval", "counters_interval"):
        clean_env.setenv(env_name(name), "2.5")

    settings = Settings.from_env()

    assert [getattr(settings, name) for name in SECONDS] == [2.5] * 4
    assert settings.realtime_interval == settings.counters_interval == 2.5
    assert isinstance(settings.heartbeat_interval, int)


def test_blank_variables_mean_the_default(clean_env: pytest.MonkeyPatch) -> None:
    for name in ("CCMS_DATABASE_URL", "CCMS_WEB_PORT", "CCMS_OCPP_PING_INTERVAL", "CCMS_LOG_LEVEL"):
        clean_env.setenv(name, "  ")

    assert Settings.from_env() == Settings()


def test_values_are_trimmed_and_relative_dirs_resolved(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CCMS_WEB_PORT", " 3100 ")
    clean_env.setenv("CCMS_FIRMWARE_DIR", "var/images")
    clean_env.setenv("CCMS_DIAGNOSTICS_DIR", "~/diagnostics")

    settings = Settings.from_env()

    assert settings.web_port == 3100
    assert settings.firmware_dir == PROJECT_ROOT / "var" / "images"
    assert settings.diagnostics_dir == Path.home() / "diagnostics"
    assert settings.charger_base_url.endswith(":3100")


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("CCMS_OCPP_PING_TIMEOUT", "-5", "CCMS_OCPP_PING_TIMEOUT must be greater than 0, got '-5'"),
        ("CCMS_COMMAND_TIMEOUT", "0", "CCMS_COMMAND_TIMEOUT must be greater than 0"),
        ("CCMS_REALTIME_INTERVAL", "fast", "CCMS_REALTIME_INTERVAL must be a number of seconds"),
        ("CCMS_OCPP_CLOSE_TIMEOUT", "inf", "CCMS_OCPP_CLOSE_TIMEOUT must be a finite number"),
        ("CCMS_WEB_PORT", "70000", "CCMS_WEB_PORT must be a TCP port from 1 to 65535"),
        ("CCMS_GROUP_COMMIT_WAIT", "-0.001", "CCMS_GROUP_COMMIT_WAIT must be greater than or"),
        ("CCMS_GROUP_COMMIT_WAIT", "2", "CCMS_GROUP_COMMIT_WAIT must be less than or equal to 1"),
        ("CCMS_WEB_PORT", "three thousand", "CCMS_WEB_PORT must be an integer"),
        ("CCMS_OCPP_PORT", "-1", "CCMS_OCPP_PORT must be a TCP port from 1 to 65535"),
        ("CCMS_HEARTBEAT_INTERVAL", "2.5", "CCMS_HEARTBEAT_INTERVAL must be an integer"),
        ("CCMS_DEMO_FLEET", "-3", "CCMS_DEMO_FLEET must be greater than or equal to 0"),
        (
            "CCMS_METER_SAMPLE_RETENTION_DAYS",
            "-1",
            "CCMS_METER_SAMPLE_RETENTION_DAYS must be greater than or equal to 0",
        ),
        ("CCMS_LOG_LEVEL", "loud", "CCMS_LOG_LEVEL must be 'DEBUG', 'INFO', 'WARNING', 'ERROR'"),
        ("CCMS_LOG_FORMAT", "xml", "CCMS_LOG_FORMAT must be 'text' or 'json', got 'xml'"),
        ("CCMS_PUBLIC_URL", "ccms.example.com", "CCMS_PUBLIC_URL must start with http://"),
        (
            "CCMS_OCPP_PUBLIC_URL",
            "https://ocpp.example.com/ocpp",
            "CCMS_OCPP_PUBLIC_URL must start with ws:// or wss://",
        ),
        ("CCMS_OCPP_TLS_CERT", "/etc/ccms/ocpp.crt", "CCMS_OCPP_TLS_KEY is not set"),
        ("CCMS_PASSWORD_HASH_PASSES", "0", "CCMS_PASSWORD_HASH_PASSES"),
        ("CCMS_PASSWORD_HASH_MEMORY_KIB", "4", "CCMS_PASSWORD_HASH_MEMORY_KIB"),
    ],
)
def test_a_bad_value_names_the_variable_and_the_problem(
    clean_env: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    clean_env.setenv(variable, value)

    with pytest.raises(SettingsError) as refused:
        get_settings()

    assert problem in str(refused.value)
    assert "\n" not in str(refused.value)  # one line after "Error: " in `ccms`


def test_every_bad_variable_is_reported_at_once(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CCMS_OCPP_PORT", "x")
    clean_env.setenv("CCMS_SESSION_HOURS", "0")

    with pytest.raises(SettingsError, match=r"CCMS_OCPP_PORT .*; CCMS_SESSION_HOURS "):
        Settings.from_env()


def test_the_admin_password_is_never_echoed(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings(admin_password="s3cret-value")

    assert "s3cret-value" not in repr(settings)


def test_ccms_exits_2_on_a_fractional_port(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("CCMS_OCPP_PING_INTERVAL", "0.5")  # fine: fractions are allowed here
    clean_env.setenv("CCMS_OCPP_PORT", "9000.5")
    clean_env.setattr(sys, "argv", ["ccms", "db", "upgrade"])

    with pytest.raises(SystemExit) as exited:
        cli_module.main()

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == "Error: CCMS_OCPP_PORT must be an integer, got '9000.5'\n"
