"""Statistics, section 1: stations and charge points online / offline / faulted /
unregistered, the counts and one row per station and per charge point.

The counts are one aggregate query (CASE sums over the narrowed charge points), never a row
per charge point read to count. The two tables are `core.listing` specs (paged, sorted,
searched and exported like every list); a station row's counts are correlated COUNTs the
database evaluates for the page's stations only.

What the words mean (as on Home, monitoring.home_summary): online / offline count registered
charge points by their connection; faulted, any charge point whose own status or one of
whose connectors' is Faulted; unregistered, charge points that connected without being
registered. A station's "faults" are its faulted charge points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ccms_app.analytics.figures import Narrowing
from ccms_app.analytics.wording import count_text
from ccms_app.core.db import read_session
from ccms_app.core.display import MISSING
from ccms_app.core.i18n import N_
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.charge_point_admin import kw_text
from ccms_app.network.models import (
    ChargePoint,
    Connector,
    ConnectorStatus,
    OperationArea,
    RegistrationState,
    Station,
)

_StationArea = aliased(OperationArea)
# A charge point's connection as the table words it (shown with t_var), by online and by its
# registration when it is not registered.
_CONNECTION: dict[tuple[bool, str], str] = {
    (True, RegistrationState.REGISTERED): N_("online"),
    (False, RegistrationState.REGISTERED): N_("offline"),
    (True, RegistrationState.UNREGISTERED): N_("online (unregistered)"),
    (False, RegistrationState.UNREGISTERED): N_("offline (unregistered)"),
    (True, RegistrationState.DISABLED): N_("online (disabled)"),
    (False, RegistrationState.DISABLED): N_("offline (disabled)"),
}


@dataclass(frozen=True)
class NetworkCounts:
    stations: int = 0
    charge_points: int = 0
    online: int = 0
    offline: int = 0
    faulted: int = 0
    unregistered: int = 0


# --- what a charge point is ------------------------------------------------------------------


def _registered() -> ColumnElement[bool]:
    return col(ChargePoint.registration_state) == RegistrationState.REGISTERED


def _online() -> ColumnElement[bool]:
    return and_(_registered(), col(ChargePoint.is_online))


def _offline() -> ColumnElement[bool]:
    return and_(_registered(), not_(col(ChargePoint.is_online)))


def _faulted() -> ColumnElement[bool]:
    """Its own status (connector 0) or one of its connectors' is Faulted (Home's rule)."""
    return or_(
        col(ChargePoint.status) == ConnectorStatus.FAULTED,
        exists().where(
            col(Connector.charge_point_id) == col(ChargePoint.id),
            col(Connector.status) == ConnectorStatus.FAULTED,
        ),
    )


def _unregistered() -> ColumnElement[bool]:
    return col(ChargePoint.registration_state) == RegistrationState.UNREGISTERED


def _stations_in(area_id: int) -> Select[Any]:
    return select(col(Station.id)).where(col(Station.area_id) == area_id)


def charge_point_conditions(narrowing: Narrowing) -> list[ColumnElement[bool]]:
    """The charge points of the scope, narrowed to one charge point, else a station, else an
    area (the narrowest given counts, as in `analytics.figures`)."""
    found: list[ColumnElement[bool]] = [
        col(ChargePoint.organisation_id).in_(sorted(narrowing.organisations))
    ]
    if narrowing.charge_point_id is not None:
        found.append(col(ChargePoint.id) == narrowing.charge_point_id)
    elif narrowing.station_id is not None:
        found.append(col(ChargePoint.station_id) == narrowing.station_id)
    elif narrowing.area_id is not None:
        found.append(col(ChargePoint.station_id).in_(_stations_in(narrowing.area_id)))
    return found


def _sum_of(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def network_counts(narrowing: Narrowing) -> NetworkCounts:
    """Stations and charge points by state, in two aggregate queries."""
    if not narrowing.organisations:
        return NetworkCounts()
    charge_points = select(
        func.count(),
        _sum_of(_online()),
        _sum_of(_offline()),
        _sum_of(_faulted()),
        _sum_of(_unregistered()),
    ).where(*charge_point_conditions(narrowing))
    stations = select(func.count()).where(
        col(Station.organisation_id).in_(sorted(narrowing.organisations))
    )
    if narrowing.station_id is not None:
        stations = stations.where(col(Station.id) == narrowing.station_id)
    elif narrowing.area_id is not None:
        stations = stations.where(col(Station.area_id) == narrowing.area_id)
    with read_session() as session:
        total, online, offline, faulted, unregistered = session.execute(charge_points).one()
        station_count = session.execute(stations.select_from(Station)).scalar_one()
    return NetworkCounts(
        stations=int(station_count),
        charge_points=int(total),
        online=int(online),
        offline=int(offline),
        faulted=int(faulted),
        unregistered=int(unregistered),
    )


# --- one row per station ---------------------------------------------------------------------


def _station_count(*conditions: ColumnElement[bool]) -> Any:
    """How many of the station's charge points meet `conditions` (the page's rows only)."""
    return (
        select(func.count(col(ChargePoint.id)))
        .where(col(ChargePoint.station_id) == col(Station.id), *conditions)
        .correlate(Station)
        .scalar_subquery()
    )


STATION_STATISTICS = ListSpec(
    name="station statistics",
    base=lambda: select(Station).outerjoin(
        _StationArea, col(_StationArea.id) == col(Station.area_id)
    ),
    columns=(
        ListColumn("id", "Station id", Station.id, filterable=True),
        ListColumn("name", "Station", Station.name, searchable=True),
        ListColumn("address", "Address", Station.address, searchable=True),
        ListColumn("area", "Area", _StationArea.name),
        ListColumn("area_id", "Area id", Station.area_id, filterable=True, sortable=False),
        ListColumn("charge_points", "Charge points", _station_count()),
        ListColumn("online", "Online", _station_count(_online())),
        ListColumn("offline", "Offline", _station_count(_offline())),
        ListColumn("faults", "Faults", _station_count(_faulted())),
        ListColumn("unregistered", "Unregistered", _station_count(_unregistered())),
    ),
    organisation_column=Station.organisation_id,
    id_column=Station.id,
    default_sort="name",
)


def station_filters(narrowing: Narrowing) -> dict[str, str]:
    """The station list's filters for the page's area / station."""
    if narrowing.station_id is not None:
        return {"id": str(narrowing.station_id)}
    if narrowing.area_id is not None:
        return {"area_id": str(narrowing.area_id)}
    return {}


# --- one row per charge point ----------------------------------------------------------------


CHARGE_POINT_STATISTICS = ListSpec(
    name="charge point statistics",
    base=lambda: select(ChargePoint).outerjoin(
        Station, col(Station.id) == col(ChargePoint.station_id)
    ),
    columns=(
        ListColumn("id", "Charge point id", ChargePoint.id),
        ListColumn("identity", "Charge point", ChargePoint.identity, searchable=True),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn(
            "station_id", "Station id", ChargePoint.station_id, filterable=True, sortable=False
        ),
        ListColumn("area_id", "Area id", Station.area_id, filterable=True, sortable=False),
        ListColumn("vendor", "Manufacturer", ChargePoint.vendor, searchable=True),
        ListColumn("model", "Model", ChargePoint.model, searchable=True),
        ListColumn("enabled", "Usage", ChargePoint.enabled),
        ListColumn("registration", "Registration", ChargePoint.registration_state),
        ListColumn("is_online", "Online", ChargePoint.is_online),
        ListColumn("min_power_w", "Min power (W)", ChargePoint.min_power_w, sortable=False),
        ListColumn("max_power_w", "Rated power (W)", ChargePoint.max_power_w),
        ListColumn("min_voltage_v", "Min voltage (V)", ChargePoint.min_voltage_v, sortable=False),
        ListColumn("max_voltage_v", "Max voltage (V)", ChargePoint.max_voltage_v, sortable=False),
        ListColumn("charging_method", "Method", ChargePoint.charging_method),
    ),
    organisation_column=ChargePoint.organisation_id,
    id_column=ChargePoint.id,
    default_sort="identity",
)


def charge_point_filters(narrowing: Narrowing) -> dict[str, str]:
    """The charge point list's filters for the page's area / station."""
    if narrowing.station_id is not None:
        return {"station_id": str(narrowing.station_id)}
    if narrowing.area_id is not None:
        return {"area_id": str(narrowing.area_id)}
    return {}


def span_text(low: int | None, high: int | None, unit: str, scale: str = "") -> str:
    """ "3.7-22 kW", "22 kW" (one bound known), "—" (none): a rated range as the table
    shows it; `scale` "k" turns watts into kW."""

    def shown(value: int) -> str:
        return kw_text(value) if scale == "k" else str(value)

    values = [shown(v) for v in (low, high) if v is not None]
    if not values:
        return MISSING
    if len(values) == 2 and values[0] != values[1]:
        return f"{values[0]}-{values[1]} {unit}"
    return f"{values[-1]} {unit}"


def charge_point_row(row: Mapping[str, Any]) -> dict[str, str]:
    """One charge point as the table shows it."""
    registration = str(row.get("registration") or "")
    is_online = bool(row.get("is_online"))
    online = _CONNECTION.get((is_online, registration))
    if online is None:
        online = f"{'online' if is_online else 'offline'} ({registration})"
    return {
        "id": str(row.get("id") or ""),
        "identity": str(row.get("identity") or ""),
        "station": str(row.get("station") or "") or MISSING,
        "vendor": str(row.get("vendor") or "") or MISSING,
        "model": str(row.get("model") or "") or MISSING,
        "enabled": N_("enabled") if row.get("enabled") else N_("disabled"),
        "is_online": online,
        "online_key": "online" if row.get("is_online") else "offline",
        "max_power_w": span_text(row.get("min_power_w"), row.get("max_power_w"), "kW", "k"),
        "voltage": span_text(row.get("min_voltage_v"), row.get("max_voltage_v"), "V"),
        "charging_method": str(row.get("charging_method") or "") or MISSING,
    }


def station_row(row: Mapping[str, Any]) -> dict[str, str]:
    """One station as the table shows it."""
    return {
        "id": str(row.get("id") or ""),
        "name": str(row.get("name") or ""),
        "address": str(row.get("address") or "") or MISSING,
        "area": str(row.get("area") or "") or MISSING,
        **{
            key: count_text(int(row.get(key) or 0))
            for key in ("charge_points", "online", "offline", "faults", "unregistered")
        },
    }
