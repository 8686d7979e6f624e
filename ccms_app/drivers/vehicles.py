"""Vehicles (make, model, battery capacity, licence plate) linked to drivers.

Battery capacity is typed in kWh ("75.5") and stored as integer Wh (75500): exact, at most 3
decimals (one Wh), never through a float.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.drivers.common import Errors, Scope, text, visible
from ccms_app.drivers.models import Driver, Vehicle

log = logging.getLogger(__name__)

MAKE_MAX_LENGTH = 100
PLATE_MAX_LENGTH = 20
_NUMBER_RE = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")  # ASCII digits, no sign
MAX_CAPACITY_KWH = Decimal(2000)  # the largest truck batteries; more is a typing error


@dataclass(frozen=True)
class VehicleInput:
    make: str
    model: str
    battery_capacity_kwh: str = ""  # decimal string, "" = unknown
    licence_plate: str = ""
    driver_id: int | None = None


@dataclass(frozen=True)
class VehicleView:
    id: int
    organisation_id: int
    make: str
    model: str
    battery_capacity_wh: int | None
    licence_plate: str
    driver_id: int | None
    driver_name: str
    created_at: datetime

    @property
    def capacity_kwh_text(self) -> str:
        return kwh_text(self.battery_capacity_wh)


def kwh_text(wh: int | None) -> str:
    """75500 -> "75.5", 60000 -> "60", None -> ""."""
    if wh is None:
        return ""
    kwh = Decimal(wh).scaleb(-3).normalize()
    return f"{kwh:f}"


def parse_capacity_wh(errors: Errors, value: str) -> int | None:
    """Integer Wh for a typed kWh amount ("75.5" or "75,5"); records an error otherwise."""
    value = value.strip()
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    if not value:
        return None
    if not _NUMBER_RE.fullmatch(value):
        errors.add(
            "battery_capacity_kwh",
            tr("{value} is not a number of kWh, e.g. 75.5", value=repr(value)),
        )
        return None
    kwh = Decimal(value)
    if kwh <= 0 or kwh > MAX_CAPACITY_KWH:
        errors.add(
            "battery_capacity_kwh",
            tr("Give a capacity above 0 and up to {maximum} kWh", maximum=MAX_CAPACITY_KWH),
        )
        return None
    wh = kwh.scaleb(3)
    if wh != wh.to_integral_value():
        errors.add("battery_capacity_kwh", tr("At most 3 decimals (1 Wh)"))
        return None
    return int(wh)


def _get(session: Session, scope: Scope, vehicle_id: int) -> Vehicle:
    vehicle = session.get(Vehicle, vehicle_id)
    visible(scope, vehicle.organisation_id if vehicle else None, "vehicle", vehicle_id)
    assert vehicle is not None
    return vehicle


def _view(session: Session, vehicle: Vehicle) -> VehicleView:
    driver = session.get(Driver, vehicle.driver_id) if vehicle.driver_id else None
    assert vehicle.id is not None
    return VehicleView(
        id=vehicle.id,
        organisation_id=vehicle.organisation_id,
        make=vehicle.make,
        model=vehicle.model,
        battery_capacity_wh=vehicle.battery_capacity_wh,
        licence_plate=vehicle.licence_plate,
        driver_id=vehicle.driver_id,
        driver_name=driver.name if driver else "",
        created_at=vehicle.created_at,
    )


def _validated(session: Session, scope: Scope, data: VehicleInput) -> dict[str, Any]:
    errors = Errors()
    make = text(errors, "make", data.make, MAKE_MAX_LENGTH, required=True)
    model = text(errors, "model", data.model, MAKE_MAX_LENGTH, required=True)
    capacity = parse_capacity_wh(errors, data.battery_capacity_kwh)
    plate = text(errors, "licence_plate", data.licence_plate, PLATE_MAX_LENGTH).upper()
    if data.driver_id:
        driver = session.get(Driver, data.driver_id)
        if driver is None or not scope.covers(driver.organisation_id):
            errors.add("driver", tr("Driver {key} not found", key=data.driver_id))
    errors.raise_if_any()
    return {
        "make": make,
        "model": model,
        "battery_capacity_wh": capacity,
        "licence_plate": plate,
        "driver_id": data.driver_id or None,
    }


def get_vehicle(scope: Scope, vehicle_id: int) -> VehicleView:
    with read_session() as session:
        return _view(session, _get(session, scope, vehicle_id))


def create_vehicle(scope: Scope, data: VehicleInput) -> VehicleView:
    with session_scope() as session:
        vehicle = Vehicle(organisation_id=scope.organisation_id, **_validated(session, scope, data))
        session.add(vehicle)
        session.flush()
        view = _view(session, vehicle)
    log.info("vehicle created", extra={"vehicle_id": view.id})
    return view


def update_vehicle(scope: Scope, vehicle_id: int, data: VehicleInput) -> VehicleView:
    with session_scope() as session:
        vehicle = _get(session, scope, vehicle_id)
        for name, value in _validated(session, scope, data).items():
            setattr(vehicle, name, value)
        session.add(vehicle)
        session.flush()
        return _view(session, vehicle)


def delete_vehicle(scope: Scope, vehicle_id: int) -> str:
    """Delete a vehicle (nothing refers to one); returns "make model" for the message."""
    with session_scope() as session:
        vehicle = _get(session, scope, vehicle_id)
        label = f"{vehicle.make} {vehicle.model}"
        session.delete(vehicle)
    log.info("vehicle deleted", extra={"vehicle_id": vehicle_id})
    return label


def count_vehicles(scope: Scope) -> int:
    with read_session() as session:
        return session.exec(
            select(func.count(col(Vehicle.id))).where(
                col(Vehicle.organisation_id).in_(list(scope.organisation_ids))
            )
        ).one()


def _vehicle_base() -> Select[Any]:
    return sa_select(Vehicle).join(Organisation, col(Organisation.id) == Vehicle.organisation_id)


def _driver_name() -> Any:
    """A scalar subquery, not a join: it runs only for the rows a page shows."""
    name = sa_select(col(Driver.name)).where(col(Driver.id) == Vehicle.driver_id).correlate(Vehicle)
    return func.coalesce(name.scalar_subquery(), "")


VEHICLE_LIST = ListSpec(
    name="vehicles",
    base=_vehicle_base,
    columns=(
        ListColumn("id", "ID", Vehicle.id),
        ListColumn("make", "Make", Vehicle.make, searchable=True, filterable=True),
        ListColumn("model", "Model", Vehicle.model, searchable=True),
        ListColumn("battery_capacity_wh", "Battery (Wh)", Vehicle.battery_capacity_wh),
        ListColumn("licence_plate", "Licence plate", Vehicle.licence_plate, searchable=True),
        ListColumn("driver", "Driver", _driver_name(), searchable=True),
        ListColumn("driver_id", "Driver ID", Vehicle.driver_id, filterable=True, sortable=False),
        ListColumn("organisation", "Organisation", Organisation.name, filterable=True),
    ),
    organisation_column=Vehicle.organisation_id,
    id_column=Vehicle.id,
    default_sort="make",
)
