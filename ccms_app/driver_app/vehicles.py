"""A driver's vehicles in the app: list, add, edit, delete.

The drivers module's use cases do the work (`drivers.vehicles`: the same checks as the
operator's form: make and model required, battery capacity in kWh stored as exact Wh,
licence plate upper-cased), with the driver as owner; a vehicle of anyone else is not found.
Field errors come back per field, in the driver's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import col, func, select

from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppError, DriverAppNotFound
from ccms_app.driver_app.rules.account import MAX_VEHICLES
from ccms_app.drivers import vehicles
from ccms_app.drivers.common import Scope, UserInputError
from ccms_app.drivers.models import Vehicle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VehicleForm:
    make: str = ""
    model: str = ""
    battery_capacity_kwh: str = ""
    licence_plate: str = ""


@dataclass(frozen=True)
class VehicleItem:
    id: int
    make: str
    model: str
    battery_capacity_kwh: str  # "75.5", "" when unknown
    licence_plate: str


def _scope(driver: DriverPrincipal, organisation_id: int | None = None) -> Scope:
    """The driver's organisation (new vehicles belong to it), and the vehicle's own."""
    owner = organisation_id or driver.organisation_id
    return Scope(driver.organisation_id, frozenset({driver.organisation_id, owner}))


def _item(view: vehicles.VehicleView) -> VehicleItem:
    return VehicleItem(view.id, view.make, view.model, view.capacity_kwh_text, view.licence_plate)


def _input(driver: DriverPrincipal, form: VehicleForm) -> vehicles.VehicleInput:
    return vehicles.VehicleInput(
        make=str(form.make or ""),
        model=str(form.model or ""),
        battery_capacity_kwh=str(form.battery_capacity_kwh or ""),
        licence_plate=str(form.licence_plate or ""),
        driver_id=driver.driver_id,
    )


def _refused(exc: UserInputError) -> DriverAppError:
    message = tr("Check the fields marked.")
    return DriverAppError(message, exc.errors, code="fields")


def _own(driver: DriverPrincipal, vehicle_id: int) -> Scope:
    """The scope to change one of the driver's vehicles in; DriverAppNotFound for any other."""
    with read_session() as db:
        vehicle = db.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.driver_id != driver.driver_id:
        raise DriverAppNotFound(tr("This vehicle does not exist."), code="not_found")
    return _scope(driver, vehicle.organisation_id)


def my_vehicles(driver: DriverPrincipal) -> list[VehicleItem]:
    with read_session() as db:
        rows = db.exec(
            select(Vehicle).where(Vehicle.driver_id == driver.driver_id).order_by(col(Vehicle.id))
        ).all()
    return [
        VehicleItem(
            int(row.id or 0),
            row.make,
            row.model,
            vehicles.kwh_text(row.battery_capacity_wh),
            row.licence_plate,
        )
        for row in rows
    ]


def add_vehicle(driver: DriverPrincipal, form: VehicleForm) -> VehicleItem:
    with read_session() as db:
        count = db.exec(
            select(func.count(col(Vehicle.id))).where(Vehicle.driver_id == driver.driver_id)
        ).one()
    if count >= MAX_VEHICLES:
        raise DriverAppError(
            tr("You can keep up to {count} vehicles.", count=MAX_VEHICLES), code="limit"
        )
    try:
        view = vehicles.create_vehicle(_scope(driver), _input(driver, form))
    except UserInputError as exc:
        raise _refused(exc) from None
    return _item(view)


def edit_vehicle(driver: DriverPrincipal, vehicle_id: int, form: VehicleForm) -> VehicleItem:
    scope = _own(driver, vehicle_id)
    try:
        view = vehicles.update_vehicle(scope, vehicle_id, _input(driver, form))
    except UserInputError as exc:
        raise _refused(exc) from None
    return _item(view)


def delete_vehicle(driver: DriverPrincipal, vehicle_id: int) -> str:
    """Delete one of the driver's vehicles; returns "make model" for the message."""
    return vehicles.delete_vehicle(_own(driver, vehicle_id), vehicle_id)
