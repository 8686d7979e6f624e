"""Charging sessions (OCPP transactions): list, get, export, and each session's meter values.

The web UI shows sessions in pieces (Live Monitoring's running ones, a station's or charge
point's latest, Maintenance's flagged ones); the API lists them all through one spec, so an
integration filters what it needs: a charge point (its identity), an id tag, running or
finished (`status`: active = running, refused = started with a refused id tag, completed =
finished), flagged, and a time range on the start (`start_time_from` inclusive,
`start_time_to` exclusive; ISO 8601 with a zone). Guarded like Live Monitoring.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlmodel import col

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.listing import (
    add_list_routes,
    item_model,
    narrowed,
    page_model,
    params_model,
    read_page,
)
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.streams import export_response
from ccms_app.api.times import TimeRange
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.core import listing
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.models import ChargePoint, Station


def _sessions() -> Select[Any]:
    return (
        select(ChargingSession)
        .join(ChargePoint, col(ChargePoint.id) == col(ChargingSession.charge_point_id))
        .outerjoin(Station, col(Station.id) == col(ChargePoint.station_id))
    )


CHARGING_SESSION_LIST = ListSpec(
    name="charging sessions",
    base=_sessions,
    columns=(
        ListColumn("id", "Transaction", ChargingSession.id),
        ListColumn(
            "charge_point", "Charge point", ChargePoint.identity, searchable=True, filterable=True
        ),
        ListColumn(
            "charge_point_id", "Charge point id", ChargingSession.charge_point_id, filterable=True
        ),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("connector_id", "Connector", ChargingSession.connector_id, filterable=True),
        ListColumn("id_tag", "Id tag", ChargingSession.id_tag, searchable=True, filterable=True),
        ListColumn("id_tag_status", "Id tag status", ChargingSession.id_tag_status),
        ListColumn("status", "Status", ChargingSession.status, filterable=True),
        ListColumn("start_time", "Started (UTC)", ChargingSession.start_time),
        ListColumn("stop_time", "Stopped (UTC)", ChargingSession.stop_time),
        ListColumn("meter_start_wh", "Meter start (Wh)", ChargingSession.meter_start_wh),
        ListColumn("meter_stop_wh", "Meter stop (Wh)", ChargingSession.meter_stop_wh),
        ListColumn("energy_wh", "Energy (Wh)", ChargingSession.energy_wh),
        ListColumn("stop_reason", "Stop reason", ChargingSession.stop_reason),
        ListColumn("stop_id_tag", "Stopped with id tag", ChargingSession.stop_id_tag),
        ListColumn("reservation_id", "Reservation", ChargingSession.reservation_id),
        ListColumn("power_w", "Power (W)", ChargingSession.power_w),
        ListColumn("current_a", "Current (A)", ChargingSession.current_a, sortable=False),
        ListColumn("voltage_v", "Voltage (V)", ChargingSession.voltage_v, sortable=False),
        ListColumn("soc_percent", "SoC (%)", ChargingSession.soc_percent, sortable=False),
        ListColumn(
            "meter_updated_at", "Read at (UTC)", ChargingSession.meter_updated_at, sortable=False
        ),
        ListColumn("flagged", "Flagged", ChargingSession.flagged, filterable=True),
        ListColumn("flag_reason", "Flag reason", ChargingSession.flag_reason, searchable=True),
        ListColumn("timezone", "Station time zone", Station.timezone, sortable=False),
    ),
    organisation_column=ChargingSession.organisation_id,
    id_column=ChargingSession.id,
    default_sort="start_time",
)

RESOURCE = ListResource(
    CHARGING_SESSION_LIST, Module.LIVE_MONITORING, "ChargingSession", "charging_sessions"
)
STARTED = TimeRange(CHARGING_SESSION_LIST.column("start_time"))
api = router(RESOURCE.path, "Charging sessions")
ChargingSessionItem = add_list_routes(
    api,
    RESOURCE,
    extra=STARTED.fields(),
    narrow=lambda params, _caller: STARTED.conditions(params),
)

# --- meter values of one session ---------------------------------------------------------

METER_VALUE_LIST = ListSpec(
    name="meter values",
    base=lambda: select(MeterSample).join(
        ChargingSession, col(ChargingSession.id) == col(MeterSample.session_id)
    ),
    columns=(
        ListColumn("id", "Sample", MeterSample.id),
        ListColumn("timestamp", "Time (UTC)", MeterSample.timestamp),
        ListColumn("connector_id", "Connector", MeterSample.connector_id, sortable=False),
        ListColumn("measurand", "Measurand", MeterSample.measurand, filterable=True),
        ListColumn("phase", "Phase", MeterSample.phase, filterable=True, sortable=False),
        ListColumn("location", "Location", MeterSample.location, sortable=False),
        ListColumn("context", "Context", MeterSample.context, filterable=True, sortable=False),
        ListColumn("value", "Value", MeterSample.value, sortable=False),
        ListColumn("unit", "Unit", MeterSample.unit, sortable=False),
        ListColumn("raw_value", "Value as sent", MeterSample.raw_value, sortable=False),
        ListColumn("raw_unit", "Unit as sent", MeterSample.raw_unit, sortable=False),
    ),
    organisation_column=ChargingSession.organisation_id,
    id_column=MeterSample.id,
    default_sort="timestamp",
)
METER_VALUES = ListResource(METER_VALUE_LIST, Module.LIVE_MONITORING, "MeterValue", "meter_values")
MeterValue = item_model(METER_VALUES)
MeterValuePage = page_model(METER_VALUES, MeterValue)
MeterValueParams = params_model(METER_VALUES, paged=True)
MeterValueExportParams = params_model(METER_VALUES, paged=False)
SessionId = Annotated[int, Path(ge=1, le=MAX_INT)]
Viewer = Annotated[ApiCaller, gate(Module.LIVE_MONITORING, Action.VIEW)]
Exporter = Annotated[ApiCaller, gate(Module.LIVE_MONITORING, Action.EXPORT)]


def session_samples(session_id: int, caller: ApiCaller) -> ListResource:
    """The meter values of a session the key may see (404 for any other)."""
    if listing.fetch_one(CHARGING_SESSION_LIST, session_id, caller.scope) is None:
        raise Problem(404, f"No charging session {session_id} in this key's scope.")
    return narrowed(METER_VALUES, [col(MeterSample.session_id) == session_id])


def _sample_page(session_id: int, params: BaseModel, caller: ApiCaller) -> dict[str, Any]:
    return read_page(session_samples(session_id, caller), MeterValue, params, caller)


@api.get(
    "/{id}/meter-values",
    response_model=MeterValuePage,
    summary="A session's meter values (every sampled value, unit-normalised)",
    operation_id="list_charging_session_meter_values",
)
async def list_meter_values(
    id: SessionId,
    params: Annotated[MeterValueParams, Query()],  # type: ignore[valid-type]
    caller: Viewer,
) -> Any:
    return await asyncio.to_thread(_sample_page, id, params, caller)


@api.get(
    "/{id}/meter-values/export",
    response_class=StreamingResponse,
    summary="A session's meter values (CSV or JSON lines, streamed)",
    operation_id="export_charging_session_meter_values",
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
)
async def export_meter_values(
    id: SessionId,
    params: Annotated[MeterValueExportParams, Query()],  # type: ignore[valid-type]
    caller: Exporter,
) -> StreamingResponse:
    samples = await asyncio.to_thread(session_samples, id, caller)
    return export_response(samples, params, caller)
