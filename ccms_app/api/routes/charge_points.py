"""Charge points: list, export, get by identity, create, update (partial), delete, connectors
and live status.

A charge point is addressed by its OCPP identity, as the web UI's charge point page is
(`/charge-points/{identity}`); list items carry the `id` other resources refer to. Bodies
become the Assets form's strings (powers in kW, as typed there), so validation, licence
limits and messages are the use case's (`network.charge_point_admin`), field by field;
errors of the connector list are keyed `connectors.<index>.<field>`. The live status is
Live Monitoring's (its permission), read from the same read model the pages use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import BaseModel, Field, create_model
from sqlalchemy.exc import IntegrityError

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import as_form, form_value
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.core import listing
from ccms_app.core.db import read_session
from ccms_app.core.identifiers import IDENTITY_MAX_LENGTH
from ccms_app.monitoring import snapshot
from ccms_app.network import charge_point_admin
from ccms_app.network.asset_lists import CHARGE_POINT_LIST
from ccms_app.network.assets import AssetNotFound
from ccms_app.network.charge_point_admin import ChargePointView
from ccms_app.network.rules.asset_validation import (
    DEVICE_TEXT_MAX,
    MAX_CONNECTOR_ID,
    MAX_POWER_KW,
    MAX_VOLTAGE_V,
)

RESOURCE = ListResource(
    CHARGE_POINT_LIST, Module.ASSETS, "ChargePoint", "charge_points", with_get=False
)
api = router(RESOURCE.path, "Charge points")
ChargePoint = add_list_routes(api, RESOURCE)
# What the OCPP server lets connect (ocpp_server.identity): an unknown charger may use more
# characters than the Assets form gives a new charge point, and must still be addressable.
IDENTITY_PATTERN = r"^[A-Za-z0-9*=:+|@._-]+$"
Identity = Annotated[
    str,
    Path(
        min_length=1,
        max_length=IDENTITY_MAX_LENGTH,
        pattern=IDENTITY_PATTERN,
        description="The OCPP identity",
    ),
]
Viewer = Annotated[ApiCaller, gate(Module.ASSETS)]
Editor = Annotated[ApiCaller, gate(Module.ASSETS, Action.EDIT)]
LiveViewer = Annotated[ApiCaller, gate(Module.LIVE_MONITORING)]
Kilowatts = Annotated[
    Decimal, Field(gt=0, le=MAX_POWER_KW, decimal_places=3, description="kW, e.g. 22 or 7.4")
]
Volts = Annotated[int, Field(ge=1, le=MAX_VOLTAGE_V)]
NOT_IN_FORM = {"connectors", "station_id", "organisation_id"}
# Two saves at once (e.g. of one identity): the use case checked before the other committed,
# and the database refused the second. (Until the use case turns this into its own answer.)
CONFLICT = "A change saved meanwhile conflicts with this one (e.g. the same identity); try again."


# --- bodies -------------------------------------------------------------------------------


class ConnectorBody(StrictModel):
    """One connector as the Assets form lists it."""

    connector_id: int = Field(ge=1, le=MAX_CONNECTOR_ID, description="OCPP connectorId")
    connector_type: str | None = Field(
        None, max_length=32, description="Type2, CCS2, CHAdeMO, ... (must suit AC or DC)"
    )
    max_power_kw: Kilowatts | None = Field(None, description="At most the charge point's")

    def form(self) -> dict[str, str]:
        return as_form(self)


class ChargePointDetails(StrictModel):
    """What the operator knows about the device (the form's detail fields)."""

    vendor: str | None = Field(None, max_length=DEVICE_TEXT_MAX)
    model: str | None = Field(None, max_length=DEVICE_TEXT_MAX)
    serial_number: str | None = Field(None, max_length=DEVICE_TEXT_MAX)
    firmware_version: str | None = Field(None, max_length=DEVICE_TEXT_MAX)
    min_power_kw: Kilowatts | None = None
    max_power_kw: Kilowatts | None = None
    min_voltage_v: Volts | None = None
    max_voltage_v: Volts | None = None
    phases: int | None = Field(None, ge=1, le=3, description="1 or 3 (AC only)")
    charging_method: Literal["AC", "DC"] | None = None

    def form(self, exclude_unset: bool = False) -> dict[str, str]:
        """The fields as the form's strings (ids and connectors go to the use case apart)."""
        values = self.model_dump(exclude_unset=exclude_unset, exclude=NOT_IN_FORM)
        return {key: form_value(value) for key, value in values.items()}


class ChargePointChanges(ChargePointDetails):
    """A partial update: only the fields sent change; null clears an optional one.
    `connectors`, when sent, is the whole new list (connectors left out are removed, unless
    charging sessions refer to them)."""

    identity: str | None = Field(
        None, max_length=IDENTITY_MAX_LENGTH, description="Changes only while it is offline"
    )
    station_id: int | None = Field(None, ge=1, le=MAX_INT, description="Where it stands")
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_INT, description="Owner (default: the station's owner)"
    )
    connectors: list[ConnectorBody] | None = Field(None, max_length=MAX_CONNECTOR_ID)


class NewChargePoint(ChargePointChanges):
    identity: str = Field(
        max_length=IDENTITY_MAX_LENGTH, description="The OCPP identity it connects with"
    )
    station_id: int = Field(ge=1, le=MAX_INT, description="The station it stands at")
    connectors: list[ConnectorBody] = Field(
        default_factory=list,
        max_length=MAX_CONNECTOR_ID,
        description="Connectors a charger reports are added when it sends their status",
    )


# --- answers ------------------------------------------------------------------------------


class ChargePointConnector(BaseModel):
    connector_id: int
    connector_type: str
    max_power_w: int | None
    status: str


ChargePointDetail = create_model(
    "ChargePointDetail",
    __base__=ChargePoint,
    connectors=(list[ChargePointConnector], Field(description="By connector id")),
)


class ConnectorLiveStatus(BaseModel):
    connector_id: int
    status: str
    error_code: str
    vendor_error_code: str
    status_at: datetime | None


class RunningTransaction(BaseModel):
    transaction_id: int
    connector_id: int
    id_tag: str
    start_time: datetime
    energy_kwh: float
    power_kw: float | None
    current_a: float | None
    voltage_v: float | None
    soc_percent: float | None


class ChargePointStatus(BaseModel):
    """The charge point as Live Monitoring shows it now."""

    identity: str
    online: bool
    last_seen_at: datetime | None
    registration: str
    status: str = Field(description="Connector 0: the charge point as a whole")
    error_code: str
    vendor_error_code: str
    status_at: datetime | None
    connectors: list[ConnectorLiveStatus]
    running_transactions: list[RunningTransaction]


# --- reads --------------------------------------------------------------------------------


def _not_found(identity: str) -> Problem:
    return Problem(404, f"No charge point {identity} in this key's scope.")


def detail_of(view: ChargePointView, scope: Collection[int]) -> dict[str, Any]:
    """The list's row of the charge point plus its connectors: one shape for every answer."""
    row = listing.fetch_one(CHARGE_POINT_LIST, view.id, scope)
    if row is None:
        raise _not_found(view.identity)
    return row | {"connectors": [vars(c) for c in view.connectors]}


def read_status(scope: Collection[int], identity: str) -> ChargePointStatus:
    """Connection, statuses and running transactions, from the live pages' read model."""
    charge_point_id = charge_point_admin.find_by_identity(scope, identity).id
    with read_session() as session:
        views = snapshot.charge_point_views(session, scope, only=[charge_point_id])
        running = snapshot.active_sessions(session, None, charge_point_id=charge_point_id)
    if not views:
        raise _not_found(identity)  # deleted in between
    (view,) = views
    return ChargePointStatus(
        identity=view.identity,
        online=view.online,
        last_seen_at=view.last_seen_at,
        registration=view.registration_state,
        status=view.status,
        error_code=view.error_code,
        vendor_error_code=view.vendor_error_code,
        status_at=view.status_at,
        connectors=[ConnectorLiveStatus(**vars(c)) for c in view.connectors],
        running_transactions=[
            RunningTransaction(**{k: getattr(t, k) for k in RunningTransaction.model_fields})
            for t in running
        ],
    )


async def find(caller: ApiCaller, identity: str) -> ChargePointView:
    try:
        return await asyncio.to_thread(charge_point_admin.find_by_identity, caller.scope, identity)
    except AssetNotFound as exc:
        raise _not_found(identity) from exc


# --- routes -------------------------------------------------------------------------------


@api.get(
    "/{identity}",
    response_model=ChargePointDetail,
    operation_id="get_charge_point",
    summary="One charge point, by its OCPP identity, with its connectors",
)
async def get_charge_point(identity: Identity, caller: Viewer) -> Any:
    view = await find(caller, identity)
    return await asyncio.to_thread(detail_of, view, caller.scope)


@api.get(
    "/{identity}/connectors",
    response_model=list[ChargePointConnector],
    operation_id="list_charge_point_connectors",
)
async def list_connectors(identity: Identity, caller: Viewer) -> Any:
    view = await find(caller, identity)
    return [vars(c) for c in view.connectors]


@api.get(
    "/{identity}/status",
    response_model=ChargePointStatus,
    operation_id="get_charge_point_status",
    summary="Live status: connection, charge point and connector statuses, running sessions",
)
async def get_charge_point_status(identity: Identity, caller: LiveViewer) -> Any:
    try:
        return await asyncio.to_thread(read_status, caller.scope, identity)
    except AssetNotFound as exc:
        raise _not_found(identity) from exc


@api.post("", status_code=201, response_model=ChargePointDetail, operation_id="create_charge_point")
async def create_charge_point(body: NewChargePoint, caller: Editor, response: Response) -> Any:
    """A registered charge point at a station (licence limits of its owner apply)."""
    try:
        view = await asyncio.to_thread(
            charge_point_admin.create_charge_point,
            caller.scope,
            body.form(),
            [c.form() for c in body.connectors],
            body.station_id,
            body.organisation_id,
        )
    except IntegrityError as exc:
        raise Problem(409, CONFLICT) from exc
    response.headers["Location"] = f"/api/v1{RESOURCE.path}/{view.identity}"
    return await asyncio.to_thread(detail_of, view, caller.scope)


@api.patch("/{identity}", response_model=ChargePointDetail, operation_id="update_charge_point")
async def update_charge_point(
    identity: Identity, body: ChargePointChanges, caller: Editor, response: Response
) -> Any:
    current = await find(caller, identity)
    sent = body.model_fields_set
    connectors = current.connector_forms()
    if "connectors" in sent and body.connectors is not None:
        connectors = [c.form() for c in body.connectors]
    station_id = body.station_id if "station_id" in sent else current.station_id
    try:
        view = await asyncio.to_thread(
            charge_point_admin.update_charge_point,
            caller.scope,
            current.id,
            current.form() | body.form(exclude_unset=True),
            connectors,
            station_id,
            body.organisation_id,
        )
    except IntegrityError as exc:
        raise Problem(409, CONFLICT) from exc
    if view.identity != identity:
        response.headers["Location"] = f"/api/v1{RESOURCE.path}/{view.identity}"
    return await asyncio.to_thread(detail_of, view, caller.scope)


@api.delete("/{identity}", status_code=204, operation_id="delete_charge_point")
async def delete_charge_point(identity: Identity, caller: Editor) -> Response:
    """Delete one that never charged; one with sessions is refused (409): disable it."""
    view = await find(caller, identity)
    await asyncio.to_thread(charge_point_admin.delete_charge_point, caller.scope, view.id)
    return Response(status_code=204)
