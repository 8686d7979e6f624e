"""One router per resource; `ROUTERS` is what the REST API app includes, in menu order."""

from __future__ import annotations

from fastapi import APIRouter

from ccms_app.api.routes import (
    api_keys,
    areas,
    audit_log,
    charge_points,
    charging_profiles,
    charging_sessions,
    commands,
    data_issues,
    drivers,
    firmware,
    id_tags,
    local_lists,
    message_log,
    organisations,
    registrations,
    reservations,
    stations,
    status_events,
    user_groups,
    vehicles,
    webhooks,
)

ROUTERS: list[APIRouter] = [
    organisations.api,
    areas.api,
    stations.api,
    charge_points.api,
    registrations.api,
    commands.api,
    commands.charge_point_api,
    charging_sessions.api,
    status_events.api,
    data_issues.api,
    reservations.api,
    charging_profiles.api,
    message_log.api,
    firmware.api,
    drivers.api,
    id_tags.api,
    user_groups.api,
    vehicles.api,
    local_lists.api,
    webhooks.api,
    audit_log.api,
    api_keys.api,
]
