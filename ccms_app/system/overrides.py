"""The network settings in force: the operator's override (`system_setting`) or else the
environment's CCMS_* value.

Read where the value is used, each time, so a change counts without a restart: the
BootNotification reply reads the heartbeat interval inside the OCPP writer's transaction
(`heartbeat_interval(session, settings)`: read once per session, and the writer keeps its
session only until another connection commits, as an operator's save does); the
retention purge reads the days when it runs. This module imports only core and its own
model, so the charging side and the retention policy can use it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ccms_app.core.config import Settings
from ccms_app.core.db import read_session
from ccms_app.system.models import SystemSetting
from ccms_app.system.rules.settings import (
    HEARTBEAT,
    MESSAGE_LOG_DAYS,
    METER_SAMPLE_DAYS,
    OVERRIDES,
    effective,
)


@dataclass(frozen=True)
class RetentionDays:
    """Days the purge keeps (0 = for ever)."""

    message_log: int
    meter_samples: int


def environment_value(key: str, settings: Settings) -> int:
    """The CCMS_* value of an overridable setting: the default when nothing is stored."""
    return int(getattr(settings, OVERRIDES[key].key))


def stored_values(session: Session) -> dict[str, str]:
    """Every stored override, key -> text."""
    rows = session.exec(
        select(SystemSetting.key, SystemSetting.value).where(
            col(SystemSetting.key).in_(list(OVERRIDES))
        )
    ).all()
    return {key: value for key, value in rows}


_STORED = "system_settings"  # session.info: key -> the stored override or None


def heartbeat_interval(session: Session, settings: Settings) -> int:
    """Seconds a charger is told to wait between heartbeats (BootNotification's interval)."""
    return effective(HEARTBEAT, _stored(session, HEARTBEAT), environment_value(HEARTBEAT, settings))


def _stored(session: Session, key: str) -> str | None:
    """The operator's override of `key`, read once per session: the writer keeps its session
    only while no other connection commits (an operator's save drops it). No override is the
    usual case, and `session.get` remembers no absent row: in a boot storm every BootNotification
    read it again, and its autoflush flushed each boot on its own (a sixth of the writer)."""
    cache: dict[str, str | None] = session.info.setdefault(_STORED, {})
    if key not in cache:
        with session.no_autoflush:
            row = session.get(SystemSetting, key)
        cache[key] = row.value if row is not None else None
    return cache[key]


def retention_days(settings: Settings) -> RetentionDays:
    """The days the retention purge keeps, as they are now."""
    with read_session() as session:
        stored = stored_values(session)
    return retention_from(stored, settings)


def retention_from(stored: dict[str, str], settings: Settings) -> RetentionDays:
    def days(key: str) -> int:
        return effective(key, stored.get(key), environment_value(key, settings))

    return RetentionDays(days(MESSAGE_LOG_DAYS), days(METER_SAMPLE_DAYS))
