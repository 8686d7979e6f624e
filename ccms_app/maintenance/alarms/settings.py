"""An organisation's maintenance settings (offline threshold, failed-start threshold, SLAs,
...), read by the engine; the editing use case is maintenance.alarms.settings_admin."""

from __future__ import annotations

from sqlmodel import Session

from ccms_app.maintenance.alarms.models import MaintenanceSettings

_CACHE = "maintenance_settings"  # session.info: organisation id -> settings, per transaction


def settings_for(session: Session, organisation_id: int) -> MaintenanceSettings:
    """The stored settings, or a transient row with the defaults (never None, never added to
    the session). Looked up once per session and organisation: a batch asks per alarm."""
    cache: dict[int, MaintenanceSettings] = session.info.setdefault(_CACHE, {})
    found = cache.get(organisation_id)
    if found is None:
        found = session.get(MaintenanceSettings, organisation_id) or MaintenanceSettings(
            organisation_id=organisation_id
        )
        cache[organisation_id] = found
    return found
