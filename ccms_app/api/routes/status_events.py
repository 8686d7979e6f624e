"""Status events: every StatusNotification as received, for history and fault analysis.

No page of the web UI lists them yet (Live Monitoring shows each connector's latest status),
so the spec is this module's: one row per notification, filtered by charge point (its
identity, or its id), connector, status or error code, and a time range on when CCMS
received it (`received_at_from` inclusive, `received_at_to` exclusive; ISO 8601 with a
zone). `timestamp` is the charger's own time, as sent. Guarded like Live Monitoring.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from ccms_app.accounts.rules.permissions import Module
from ccms_app.api.deps import router
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import ListResource
from ccms_app.api.times import TimeRange
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.models import ChargePoint, StatusEvent


def _events() -> Select[Any]:
    return select(StatusEvent).join(
        ChargePoint, col(ChargePoint.id) == col(StatusEvent.charge_point_id)
    )


STATUS_EVENT_LIST = ListSpec(
    name="status events",
    base=_events,
    columns=(
        ListColumn("id", "Event", StatusEvent.id),
        ListColumn(
            "charge_point", "Charge point", ChargePoint.identity, searchable=True, filterable=True
        ),
        ListColumn(
            "charge_point_id", "Charge point id", StatusEvent.charge_point_id, filterable=True
        ),
        ListColumn("connector_id", "Connector", StatusEvent.connector_id, filterable=True),
        ListColumn("status", "Status", StatusEvent.status, filterable=True),
        ListColumn("error_code", "Error code", StatusEvent.error_code, filterable=True),
        ListColumn(
            "vendor_error_code", "Vendor error code", StatusEvent.vendor_error_code, searchable=True
        ),
        ListColumn("vendor_id", "Vendor id", StatusEvent.vendor_id, sortable=False),
        ListColumn("info", "Info", StatusEvent.info, searchable=True, sortable=False),
        ListColumn("timestamp", "Charger time (UTC)", StatusEvent.timestamp),
        ListColumn("received_at", "Received (UTC)", StatusEvent.received_at),
    ),
    organisation_column=ChargePoint.organisation_id,
    id_column=StatusEvent.id,
    default_sort="received_at",
)

RESOURCE = ListResource(STATUS_EVENT_LIST, Module.LIVE_MONITORING, "StatusEvent", "status_events")
RECEIVED = TimeRange(STATUS_EVENT_LIST.column("received_at"))
api = router(RESOURCE.path, "Status events")
StatusEventItem = add_list_routes(
    api,
    RESOURCE,
    extra=RECEIVED.fields(),
    narrow=lambda params, _caller: RECEIVED.conditions(params),
)
