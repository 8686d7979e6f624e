"""Editing an organisation's maintenance settings (offline threshold, failed starts in a row,
verification time, e-mail digest window, SLA hours per work-order priority).

The engine reads them with `maintenance.alarms.settings.settings_for` (the defaults when no
row is stored); this module shows and saves them. Seeing needs maintenance:view, saving
maintenance:edit (checked again here, a refusal audited). Every value has a range
(`rules.settings_form`); all errors are named at once and nothing is saved with one.
A change counts from the engine's next check (and the next work order's due time).
"""

from __future__ import annotations

from collections.abc import Mapping

from ccms_app.accounts.roles import Caller, InputError, NotFoundError, not_found, require
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms.models import MaintenanceSettings
from ccms_app.maintenance.alarms.settings import settings_for
from ccms_app.maintenance.rules.settings_form import BOUNDS, SettingsFormError, check_settings

EDIT_PERMISSION = permission(Module.MAINTENANCE, Action.EDIT)
OBJECT = "maintenance_settings"
FIELDS = tuple(BOUNDS)


def settings_values(settings: MaintenanceSettings) -> dict[str, int]:
    return {name: int(getattr(settings, name)) for name in FIELDS}


def read_settings(organisation_id: int, scope: frozenset[int]) -> MaintenanceSettings:
    """The organisation's settings (the defaults when none are stored). NotFoundError outside
    the scope."""
    if organisation_id not in scope:
        raise NotFoundError(
            tr(
                "No organisation {organisation_id} in your network.",
                organisation_id=organisation_id,
            )
        )
    with read_session() as session:
        return settings_for(session, organisation_id)


def save_settings(
    caller: Caller, form: Mapping[str, str], organisation_id: int | None = None
) -> MaintenanceSettings:
    """Save every setting of the form; fields left out keep their value."""
    action = "maintenance_settings.update"
    owner = caller.organisation_id if organisation_id is None else organisation_id
    require(caller, EDIT_PERMISSION, action, OBJECT, owner)
    if owner not in caller.scope():
        not_found(caller, action, OBJECT, owner, "organisation")
    with session_scope() as session:
        stored = session.get(MaintenanceSettings, owner)
        current = settings_values(stored or MaintenanceSettings(organisation_id=owner))
        merged = {
            **{k: str(v) for k, v in current.items()},
            **{k: str(v) for k, v in form.items() if k in FIELDS},
        }
        try:
            values = check_settings(merged)
        except SettingsFormError as exc:
            raise InputError(exc.errors) from None
        row = stored or MaintenanceSettings(organisation_id=owner)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = utc_now()
        session.add(row)
        session.flush()
        return row
