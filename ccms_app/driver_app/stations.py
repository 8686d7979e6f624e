"""The network's stations for a driver: where to charge, what is free, what it costs them.

The scope is the driver's network: their organisation (the root operator drivers sign up
with) and its sub-operators (`accounts.organisations.organisation_scope`). A station outside
it is not found, the same answer as one that does not exist. Charge points not registered yet
are left out (they are not in service for anybody); a disabled one shows as out of service.

Availability is the network's rule per connector (`network.station_map.state_of` +
`network.rules.station_availability`); the price is the tariff the finance module would
price this driver's session with, started now at that connector
(`finance.tariff_assignments.resolve` for the driver's app id tag: driver, group, membership,
connector, charge point, station, network default), read in the station's zone and summed
up by `rules.station_prices`. Reads: the stations, their charge points, their connectors,
the driver's favourites, then the tariff resolution per connector.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import read_session
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.favourites import favourite_station_ids
from ccms_app.driver_app.rules.station_prices import PriceSummary, price_now
from ccms_app.driver_app.rules.stations import ConnectorOffer, StationOffer
from ccms_app.finance.tariff_assignments import resolve
from ccms_app.finance.tariffs import load_definition
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from ccms_app.network.rules.station_availability import FAULTED, charge_point_availability
from ccms_app.network.station_map import state_of


def network_stations(driver: DriverPrincipal, now: datetime | None = None) -> list[StationOffer]:
    """Every station of the driver's network, by name, with connectors and prices."""
    now = now or utc_now()
    scope = organisation_scope(driver.organisation_id)
    with read_session() as session:
        stations = session.exec(
            select(Station)
            .where(col(Station.organisation_id).in_(list(scope)))
            .order_by(col(Station.name), col(Station.id))
        ).all()
        return _offers(session, driver, list(stations), scope, now)


def station_offer(
    driver: DriverPrincipal, station_id: int, now: datetime | None = None
) -> StationOffer:
    """One station of the driver's network; DriverAppNotFound for any other id."""
    now = now or utc_now()
    scope = organisation_scope(driver.organisation_id)
    with read_session() as session:
        station = session.get(Station, station_id) if station_id > 0 else None
        if station is None or station.organisation_id not in scope:
            raise DriverAppNotFound(_no_such_station())
        return _offers(session, driver, [station], scope, now)[0]


def with_live_availability(offers: list[StationOffer]) -> list[StationOffer]:
    """The same offers with their connectors' status and availability read again (two reads
    whatever the network's size): what a charger's StatusNotification changes. Prices and
    the rest stay as read (a page reads them again when it loads)."""
    cp_ids = sorted(set().union(*(o.charge_point_ids for o in offers)))
    if not cp_ids:
        return offers
    with read_session() as session:
        points = {
            stored_id(cp.id): cp
            for cp in session.exec(select(ChargePoint).where(col(ChargePoint.id).in_(cp_ids)))
        }
        connectors = {
            stored_id(c.id): c
            for c in session.exec(
                select(Connector).where(col(Connector.charge_point_id).in_(cp_ids))
            )
        }
    return [
        replace(offer, connectors=tuple(_fresh(c, points, connectors) for c in offer.connectors))
        for offer in offers
    ]


def _fresh(
    offer: ConnectorOffer, points: dict[int, ChargePoint], connectors: dict[int, Connector]
) -> ConnectorOffer:
    cp, row = points.get(offer.charge_point_id), connectors.get(offer.id)
    if cp is None or row is None:  # gone meanwhile: out of service until the page reloads
        return replace(offer, availability=FAULTED)
    fresh = _connector(cp, row, offer.price)
    return replace(offer, status=fresh.status, availability=fresh.availability)


def _no_such_station() -> str:
    return tr("There is no such station in this network.")


def _offers(
    session: Session,
    driver: DriverPrincipal,
    stations: list[Station],
    scope: Collection[int],
    now: datetime,
) -> list[StationOffer]:
    station_ids = [stored_id(s.id) for s in stations]
    favourites = favourite_station_ids(session, driver.account_id)
    by_station = _connectors(session, driver, station_ids, scope, now)
    return [
        StationOffer(
            id=stored_id(s.id),
            name=s.name,
            address=s.address,
            latitude=s.latitude,
            longitude=s.longitude,
            timezone=s.timezone or "UTC",
            opening_hours=s.opening_hours,
            connectors=tuple(by_station.get(stored_id(s.id), ())),
            favourite=stored_id(s.id) in favourites,
        )
        for s in stations
    ]


def _connectors(
    session: Session,
    driver: DriverPrincipal,
    station_ids: list[int],
    scope: Collection[int],
    now: datetime,
) -> dict[int, list[ConnectorOffer]]:
    """Per station: its connectors in service order (charge point identity, connector id)."""
    if not station_ids:
        return {}
    charge_points = session.exec(
        select(ChargePoint)
        .where(
            col(ChargePoint.station_id).in_(station_ids),
            col(ChargePoint.organisation_id).in_(list(scope)),
            col(ChargePoint.registration_state) != RegistrationState.UNREGISTERED,
        )
        .order_by(col(ChargePoint.identity))
    ).all()
    points = {stored_id(cp.id): cp for cp in charge_points}
    rows = session.exec(
        select(Connector)
        .where(col(Connector.charge_point_id).in_(list(points)), Connector.connector_id > 0)
        .order_by(col(Connector.charge_point_id), col(Connector.connector_id))
    ).all()
    zones = {
        sid: zone
        for sid, zone in session.exec(
            select(Station.id, Station.timezone).where(col(Station.id).in_(station_ids))
        ).all()
        if sid is not None
    }
    prices = _Prices(session, driver, now)
    found: dict[int, list[ConnectorOffer]] = {}
    for cp in charge_points:
        assert cp.station_id is not None
        zone = zones.get(cp.station_id) or "UTC"
        for connector in (r for r in rows if r.charge_point_id == cp.id):
            offer = _connector(cp, connector, prices.of(cp, connector, zone))
            found.setdefault(cp.station_id, []).append(offer)
    return found


def _connector(cp: ChargePoint, connector: Connector, price: PriceSummary | None) -> ConnectorOffer:
    availability = charge_point_availability(
        state_of(cp, ((connector.connector_id, connector.status),))
    )
    return ConnectorOffer(
        id=stored_id(connector.id),
        charge_point_id=stored_id(cp.id),
        identity=cp.identity,
        connector_id=connector.connector_id,
        connector_type=connector.connector_type,
        max_power_w=connector.max_power_w or cp.max_power_w,
        status=connector.status,
        availability=availability,
        price=price,
    )


class _Prices:
    """The driver's price per connector: the finance resolution, summed up once per tariff
    version and zone."""

    def __init__(self, session: Session, driver: DriverPrincipal, now: datetime) -> None:
        self._session = session
        self._driver = driver
        self._now = now
        self._summaries: dict[tuple[int, str], PriceSummary] = {}

    def of(self, cp: ChargePoint, connector: Connector, zone: str) -> PriceSummary | None:
        resolution = resolve(
            self._session,
            stored_id(cp.id),
            connector.connector_id,
            self._driver.app_id_tag,
            self._now,
            connector.id,
        )
        if resolution is None:
            return None
        version = resolution.version
        key = (stored_id(version.id), zone)
        if key not in self._summaries:
            tariff = load_definition(version.definition, zone)
            local = self._now.astimezone(time_zone(zone))
            self._summaries[key] = price_now(tariff, local)
        return self._summaries[key]


def connector_price(
    driver: DriverPrincipal, charge_point_id: int, connector_id: int, now: datetime | None = None
) -> PriceSummary | None:
    """What this driver would pay at one connector now (None: no tariff applies), for pages
    that show one connector (starting a session)."""
    now = now or utc_now()
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None or cp.organisation_id not in organisation_scope(driver.organisation_id):
            raise DriverAppNotFound(_no_such_station())
        connector = session.exec(
            select(Connector).where(
                Connector.charge_point_id == charge_point_id,
                Connector.connector_id == connector_id,
            )
        ).first()
        zone = "UTC"
        if cp.station_id is not None:
            station = session.get(Station, cp.station_id)
            zone = station.timezone if station is not None and station.timezone else "UTC"
        if connector is None:
            connector = Connector(
                organisation_id=cp.organisation_id,
                charge_point_id=charge_point_id,
                connector_id=connector_id,
            )
        return _Prices(session, driver, now).of(cp, connector, zone)
