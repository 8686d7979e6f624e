"""What the Reports page's filters offer: locations (operation areas, then stations), the
vehicles and the user groups of the operator's organisations, as [value, label] pairs."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlmodel import col

from ccms_app.analytics.reports.filters import AREA, STATION
from ccms_app.core.db import read_session
from ccms_app.core.i18n import tr
from ccms_app.drivers.models import UserGroup, Vehicle
from ccms_app.network.areas import area_choices
from ccms_app.network.stations import station_choices

MAX_CHOICES = 500  # a select beyond this is unusable; the REST API takes any id


def location_choices(scope: Collection[int]) -> list[list[str]]:
    """Areas ("area:3", "Area: North") then stations ("station:7", "Depot"), in the reader's
    language."""
    areas = [[f"{AREA}:{i}", tr("Area: {name}", name=name)] for i, name in area_choices(scope)]
    stations = [[f"{STATION}:{i}", name] for i, name in station_choices(scope)]
    return [*areas, *stations]


def vehicle_choices(scope: Collection[int]) -> list[list[str]]:
    """ "Tesla Model 3 · B-CC 123" by make and model."""
    with read_session() as session:
        rows = session.execute(
            select(
                col(Vehicle.id), col(Vehicle.make), col(Vehicle.model), col(Vehicle.licence_plate)
            )
            .where(col(Vehicle.organisation_id).in_(sorted(scope)))
            .order_by(col(Vehicle.make), col(Vehicle.model), col(Vehicle.id))
            .limit(MAX_CHOICES)
        ).all()
    found = []
    for vehicle_id, make, model, plate in rows:
        name = f"{make} {model}".strip()
        found.append([str(vehicle_id), f"{name} · {plate}" if plate else name])
    return found


def group_choices(scope: Collection[int]) -> list[list[str]]:
    with read_session() as session:
        rows = session.execute(
            select(col(UserGroup.id), col(UserGroup.name))
            .where(col(UserGroup.organisation_id).in_(sorted(scope)))
            .order_by(col(UserGroup.name), col(UserGroup.id))
            .limit(MAX_CHOICES)
        ).all()
    return [[str(i), str(name)] for i, name in rows]
