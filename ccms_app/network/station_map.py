"""Stations with their live availability, for the map and the station page.

Two queries whatever the network size (stations with their charge points, then connector
statuses); the availability rules are in network.rules.station_availability.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from ccms_app.network.rules.station_availability import (
    ChargePointState,
    charge_point_availability,
    station_availability,
    summary,
)


@dataclass(frozen=True)
class StationMarker:
    id: int
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    availability: str
    summary: str
    charge_points: int


Connectors = tuple[tuple[int, str], ...]  # (connector id, status)


@dataclass(frozen=True)
class StationChargePoint:
    """One charge point of a station, as the station page lists it."""

    id: int
    identity: str
    online: bool
    registration_state: str
    enabled: bool
    status: str
    connectors: Connectors
    availability: str


def _states(
    session: Session, scope: Collection[int], station_id: int | None = None
) -> dict[int, list[tuple[ChargePoint, Connectors]]]:
    """Per station id: its charge points (by identity) and their connectors' statuses."""
    query = select(ChargePoint).where(
        col(ChargePoint.station_id).is_not(None),
        col(ChargePoint.organisation_id).in_(list(scope)),
    )
    if station_id is not None:
        query = query.where(ChargePoint.station_id == station_id)
    charge_points = session.exec(query.order_by(ChargePoint.identity)).all()
    ids = [cp.id for cp in charge_points]
    statuses: dict[int, list[tuple[int, str]]] = {}
    if ids:
        rows = session.exec(
            select(Connector.charge_point_id, Connector.connector_id, Connector.status)
            .where(col(Connector.charge_point_id).in_(ids))
            .order_by(col(Connector.charge_point_id), col(Connector.connector_id))
        ).all()
        for cp_id, connector_id, status in rows:
            statuses.setdefault(cp_id, []).append((connector_id, status))
    grouped: dict[int, list[tuple[ChargePoint, Connectors]]] = {}
    for cp in charge_points:
        assert cp.station_id is not None and cp.id is not None
        grouped.setdefault(cp.station_id, []).append((cp, tuple(statuses.get(cp.id, ()))))
    return grouped


def state_of(cp: ChargePoint, connectors: Connectors) -> ChargePointState:
    return ChargePointState(
        online=cp.is_online,
        in_service=cp.enabled and cp.registration_state == RegistrationState.REGISTERED,
        status=cp.status,
        connector_statuses=tuple(status for _, status in connectors),
    )


def station_markers(scope: Collection[int]) -> list[StationMarker]:
    """Every station in scope (with or without a position), by name."""
    with read_session() as session:
        stations = session.exec(
            select(Station)
            .where(col(Station.organisation_id).in_(list(scope)))
            .order_by(col(Station.name), col(Station.id))
        ).all()
        grouped = _states(session, scope)
    markers = []
    for station in stations:
        station_id = stored_id(station.id)
        states = [state_of(cp, s) for cp, s in grouped.get(station_id, [])]
        markers.append(
            StationMarker(
                id=station_id,
                name=station.name,
                address=station.address,
                latitude=station.latitude,
                longitude=station.longitude,
                availability=station_availability(states),
                summary=summary([charge_point_availability(s) for s in states]),
                charge_points=len(states),
            )
        )
    return markers


def station_charge_points(scope: Collection[int], station_id: int) -> list[StationChargePoint]:
    """One station's charge points (in scope) with their live availability, by identity."""
    with read_session() as session:
        grouped = _states(session, scope, station_id)
    return [
        StationChargePoint(
            id=cp.id,
            identity=cp.identity,
            online=cp.is_online,
            registration_state=cp.registration_state,
            enabled=cp.enabled,
            status=cp.status,
            connectors=connectors,
            availability=charge_point_availability(state_of(cp, connectors)),
        )
        for cp, connectors in grouped.get(station_id, [])
        if cp.id is not None
    ]
