"""The asset lists (core.listing specs): areas, stations, charge points, unregistered.

Each spec's first column is `id` (the row key the UI links and acts with); counts are
correlated subqueries so they sort and page in SQL like any column. Charge point rows carry
their station's time zone (`zone`): the page shows their times in it. Column labels are the
CSV export's header and the API's field descriptions, whose times are UTC.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.models import ChargePoint, OperationArea, RegistrationState, Station

_StationArea = aliased(OperationArea)


def _station_count() -> Any:
    return (
        select(func.count(col(Station.id)))
        .where(col(Station.area_id) == OperationArea.id)
        .correlate(OperationArea)
        .scalar_subquery()
    )


def _charge_point_count() -> Any:
    return (
        select(func.count(col(ChargePoint.id)))
        .where(col(ChargePoint.station_id) == Station.id)
        .correlate(Station)
        .scalar_subquery()
    )


AREA_LIST = ListSpec(
    name="operation areas",
    base=lambda: select(OperationArea).join(
        Organisation, col(Organisation.id) == OperationArea.organisation_id
    ),
    columns=(
        ListColumn("id", "Id", OperationArea.id),
        ListColumn("name", "Name", OperationArea.name, searchable=True),
        ListColumn("organisation", "Owner", Organisation.name, searchable=True, filterable=True),
        ListColumn("stations", "Stations", _station_count()),
    ),
    organisation_column=OperationArea.organisation_id,
    id_column=OperationArea.id,
    default_sort="name",
)


def _stations_base() -> Select[Any]:
    return (
        select(Station)
        .join(Organisation, col(Organisation.id) == Station.organisation_id)
        .outerjoin(_StationArea, col(Station.area_id) == _StationArea.id)
    )


STATION_LIST = ListSpec(
    name="stations",
    base=_stations_base,
    columns=(
        ListColumn("id", "Id", Station.id),
        ListColumn("name", "Name", Station.name, searchable=True),
        ListColumn("address", "Address", Station.address, searchable=True),
        ListColumn("area", "Area", _StationArea.name, searchable=True, filterable=True),
        ListColumn("organisation", "Owner", Organisation.name, searchable=True, filterable=True),
        ListColumn("timezone", "Time zone", Station.timezone, filterable=True),
        ListColumn("opening_hours", "Opening hours", Station.opening_hours, sortable=False),
        ListColumn("latitude", "Latitude", Station.latitude, sortable=False),
        ListColumn("longitude", "Longitude", Station.longitude, sortable=False),
        ListColumn("charge_points", "Charge points", _charge_point_count()),
    ),
    organisation_column=Station.organisation_id,
    id_column=Station.id,
    default_sort="name",
)


def _charge_points_base() -> Select[Any]:
    return (
        select(ChargePoint)
        .join(Organisation, col(Organisation.id) == ChargePoint.organisation_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
    )


CHARGE_POINT_LIST = ListSpec(
    name="charge points",
    base=_charge_points_base,
    columns=(
        ListColumn("id", "Id", ChargePoint.id),
        ListColumn("identity", "Identity", ChargePoint.identity, searchable=True),
        ListColumn("station", "Station", Station.name, searchable=True, filterable=True),
        ListColumn("station_id", "Station id", ChargePoint.station_id, filterable=True),
        ListColumn("organisation", "Owner", Organisation.name, searchable=True, filterable=True),
        ListColumn("registration", "Registration", ChargePoint.registration_state, filterable=True),
        ListColumn("online", "Online", ChargePoint.is_online, filterable=True),
        ListColumn("status", "Status", ChargePoint.status, filterable=True),
        ListColumn("enabled", "Enabled", ChargePoint.enabled, filterable=True),
        ListColumn("vendor", "Vendor", ChargePoint.vendor, searchable=True, filterable=True),
        ListColumn("model", "Model", ChargePoint.model, searchable=True),
        ListColumn("serial_number", "Serial number", ChargePoint.serial_number, searchable=True),
        ListColumn("firmware_version", "Firmware", ChargePoint.firmware_version),
        ListColumn("charging_method", "AC/DC", ChargePoint.charging_method, filterable=True),
        ListColumn("max_power_w", "Max power (W)", ChargePoint.max_power_w),
        ListColumn("last_seen_at", "Last seen (UTC)", ChargePoint.last_seen_at),
    ),
    organisation_column=ChargePoint.organisation_id,
    id_column=ChargePoint.id,
    default_sort="identity",
    zone=Station.timezone,  # times in the station's zone (the operator's without a station)
)


def _unregistered_base() -> Select[Any]:
    return (
        select(ChargePoint)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .where(col(ChargePoint.registration_state) == RegistrationState.UNREGISTERED)
    )


UNREGISTERED_LIST = ListSpec(
    name="unregistered charge points",
    base=_unregistered_base,
    columns=(
        ListColumn("id", "Id", ChargePoint.id),
        ListColumn("identity", "Identity", ChargePoint.identity, searchable=True),
        ListColumn("vendor", "Vendor", ChargePoint.vendor, searchable=True, filterable=True),
        ListColumn("model", "Model", ChargePoint.model, searchable=True),
        ListColumn("serial_number", "Serial number", ChargePoint.serial_number, searchable=True),
        ListColumn("firmware_version", "Firmware", ChargePoint.firmware_version),
        ListColumn("online", "Online", ChargePoint.is_online, filterable=True),
        ListColumn("created_at", "First seen (UTC)", ChargePoint.created_at),
        ListColumn("last_seen_at", "Last seen (UTC)", ChargePoint.last_seen_at),
    ),
    organisation_column=ChargePoint.organisation_id,
    id_column=ChargePoint.id,
    default_sort="identity",
    zone=Station.timezone,  # usually none yet: the operator's zone
)
