"""Stations: the sites charge points stand at (name, address, position, time zone, hours)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from ccms_app.accounts import licences
from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.network.assets import (
    AssetError,
    AssetInUse,
    get_scoped,
    invalid,
    owner_in_scope,
    publish_change,
)
from ccms_app.network.models import (
    ChargePoint,
    Connector,
    OperationArea,
    RegistrationState,
    Station,
)
from ccms_app.network.rules.asset_validation import StationFields, validate_station

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StationView:
    id: int
    organisation_id: int
    organisation: str
    area_id: int | None
    area: str
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    timezone: str
    opening_hours: str
    charge_point_count: int

    def form(self) -> dict[str, str]:
        """The station as an edit form's strings."""
        return {
            "name": self.name,
            "address": self.address,
            "latitude": "" if self.latitude is None else f"{self.latitude:g}",
            "longitude": "" if self.longitude is None else f"{self.longitude:g}",
            "timezone": self.timezone,
            "opening_hours": self.opening_hours,
            "organisation_id": str(self.organisation_id),
            "area_id": "" if self.area_id is None else str(self.area_id),
        }


def _view(session: Session, station: Station) -> StationView:
    station_id = stored_id(station.id)
    org = session.get(Organisation, station.organisation_id)
    area = session.get(OperationArea, station.area_id) if station.area_id else None
    count = session.exec(
        select(func.count()).where(col(ChargePoint.station_id) == station_id)
    ).one()
    return StationView(
        id=station_id,
        organisation_id=station.organisation_id,
        organisation=org.name if org else "",
        area_id=station.area_id,
        area=area.name if area else "",
        name=station.name,
        address=station.address,
        latitude=station.latitude,
        longitude=station.longitude,
        timezone=station.timezone,
        opening_hours=station.opening_hours,
        charge_point_count=int(count),
    )


def get_station(scope: Collection[int], station_id: int) -> StationView:
    with read_session() as session:
        return _view(session, get_scoped(session, Station, station_id, scope))


def station_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of every station in scope, by name: the options of a station select."""
    with read_session() as session:
        rows = session.exec(
            select(col(Station.id), Station.name)
            .where(col(Station.organisation_id).in_(list(scope)))
            .order_by(col(Station.name), col(Station.id))
        ).all()
    return [(stored_id(i), n) for i, n in rows]


def create_station(
    scope: Collection[int],
    data: Mapping[str, str],
    organisation_id: int | None,
    area_id: int | None = None,
) -> StationView:
    """A new station owned by `organisation_id` (in scope); every field error at once."""
    fields, errors = validate_station(data)
    try:
        with session_scope() as session:
            owner = owner_in_scope(session, organisation_id, scope, "organisation_id")
            errors |= _relation_errors(session, scope, owner, fields.name, area_id, None)
            if errors:
                raise invalid(errors, "Station")
            station = Station(organisation_id=owner, area_id=area_id, name=fields.name)
            _apply(station, fields)
            session.add(station)
            session.flush()
            view = _view(session, station)
    except IntegrityError as exc:  # a name SQLite's lower() does not fold, or two saves at once
        taken = {"name": _name_taken(fields.name)}
        raise invalid(taken, "Station") from exc
    log.info("station created", extra={"station_id": view.id, "organisation_id": owner})
    publish_change("station")
    return view


def update_station(
    scope: Collection[int],
    station_id: int,
    data: Mapping[str, str],
    organisation_id: int | None = None,
    area_id: int | None = None,
) -> StationView:
    """Edit a station. A new owner (in scope) takes the station's charge points with it
    (refused past the new owner's licence); None keeps the owner."""
    fields, errors = validate_station(data)
    try:
        with session_scope() as session:
            station = get_scoped(session, Station, station_id, scope)
            owner = station.organisation_id
            if organisation_id is not None:
                owner = owner_in_scope(session, organisation_id, scope, "organisation_id")
            errors |= _relation_errors(session, scope, owner, fields.name, area_id, station_id)
            if errors:
                raise invalid(errors, "Station")
            if owner != station.organisation_id:
                _move_charge_points(session, station_id, owner, scope)
            station.organisation_id, station.area_id = owner, area_id
            _apply(station, fields)
            session.add(station)
            session.flush()
            view = _view(session, station)
    except IntegrityError as exc:  # a name SQLite's lower() does not fold, or two saves at once
        taken = {"name": _name_taken(fields.name)}
        raise invalid(taken, "Station") from exc
    publish_change("station")
    return view


def delete_station(scope: Collection[int], station_id: int) -> None:
    """Delete a station without charge points (move or delete them first)."""
    with session_scope() as session:
        station = get_scoped(session, Station, station_id, scope)
        count = _view(session, station).charge_point_count
        if count:
            in_use = (
                tr(
                    "Station {name} still has 1 charge point: move or delete them first, or "
                    "disable the station to take it out of service",
                    name=repr(station.name),
                )
                if count == 1
                else tr(
                    "Station {name} still has {count} charge points: move or delete them first, "
                    "or disable the station to take it out of service",
                    name=repr(station.name),
                    count=count,
                )
            )
            raise AssetInUse(in_use, alternative="disable")
        session.delete(station)
    log.info("station deleted", extra={"station_id": station_id})
    publish_change("station")


def _apply(station: Station, fields: StationFields) -> None:
    station.name = fields.name
    station.address = fields.address
    station.latitude = fields.latitude
    station.longitude = fields.longitude
    station.timezone = fields.timezone
    station.opening_hours = fields.opening_hours


def _relation_errors(
    session: Session,
    scope: Collection[int],
    owner: int,
    name: str,
    area_id: int | None,
    station_id: int | None,
) -> dict[str, str]:
    """Name unique within the owner; the area, if any, one the operator manages."""
    errors: dict[str, str] = {}
    query = select(Station.id).where(
        Station.organisation_id == owner, func.lower(Station.name) == name.lower()
    )
    if station_id is not None:
        query = query.where(Station.id != station_id)
    if name and session.exec(query).first() is not None:
        errors["name"] = _name_taken(name)
    if area_id is not None:
        area = session.get(OperationArea, area_id)
        if area is None or area.organisation_id not in scope:
            errors["area_id"] = tr("Choose an area you manage")
    return errors


def _move_charge_points(
    session: Session, station_id: int, owner: int, scope: Collection[int]
) -> None:
    charge_points = session.exec(
        select(ChargePoint).where(
            ChargePoint.station_id == station_id, col(ChargePoint.organisation_id).in_(scope)
        )
    ).all()
    _check_licence(session, owner, charge_points)
    for cp in charge_points:
        cp.organisation_id = owner
        session.add(cp)
        for connector in session.exec(
            select(Connector).where(Connector.charge_point_id == cp.id)
        ).all():
            connector.organisation_id = owner
            session.add(connector)


def _check_licence(session: Session, owner: int, charge_points: Sequence[ChargePoint]) -> None:
    """The registered charge points that join `owner` take places of its licence, with
    their connectors: refused, naming the licence's numbers, when they do not fit."""
    joining = [
        stored_id(cp.id)
        for cp in charge_points
        if cp.organisation_id != owner and cp.registration_state != RegistrationState.UNREGISTERED
    ]
    if not joining:
        return
    connectors = session.exec(
        select(func.count(col(Connector.id))).where(col(Connector.charge_point_id).in_(joining))
    ).one()
    refusal = licences.refusal_in(session, owner, len(joining), connectors)
    if refusal:
        raise AssetError(
            tr("Station not saved. {refusal}", refusal=refusal), {"organisation_id": refusal}
        )


def _name_taken(name: str) -> str:
    return tr("A station named {name} already exists", name=repr(name))
