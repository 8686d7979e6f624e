"""The event history: every charger event (status notifications with their OCPP error
code, info and vendor codes; connected, disconnected, boot, firmware, diagnostics; refused
charger connections), over the same spec as Maintenance -> Events
(`maintenance.events.EVENT_HISTORY`).

`GET /maintenance-events`: filters kind, identity, charge_point_id, station_id,
connector_id, error_code, and `occurred_at_from` (inclusive) / `occurred_at_to`
(exclusive) as ISO 8601 instants with a zone; search (`q`) identity, station, error codes;
sort occurred_at (default; `order=desc` for newest first), identity, station_name,
error_code, kind. `/export` streams the same as CSV or JSON lines; `/{id}` one event.
maintenance:view.
"""

from __future__ import annotations

import dataclasses

from ccms_app.accounts.rules.permissions import Module
from ccms_app.api.deps import router
from ccms_app.api.listing import add_list_routes, filters_checked
from ccms_app.api.resources import ListResource
from ccms_app.api.times import TimeRange
from ccms_app.maintenance.events import EVENT_HISTORY

# The time range is two typed parameters here (the spec's own filter takes "from/to" text).
SPEC = dataclasses.replace(
    EVENT_HISTORY,
    columns=tuple(
        dataclasses.replace(c, filterable=False) if c.key == "occurred_at" else c
        for c in EVENT_HISTORY.columns
    ),
)
RESOURCE = ListResource(SPEC, Module.MAINTENANCE, "MaintenanceEvent", "maintenance_events")
OCCURRED = TimeRange(SPEC.column("occurred_at"))
api = router(RESOURCE.path, "Maintenance events")
_checked = filters_checked(SPEC)
MaintenanceEventItem = add_list_routes(
    api,
    RESOURCE,
    extra=OCCURRED.fields(),
    narrow=lambda params, caller: [*_checked(params, caller), *OCCURRED.conditions(params)],
)
