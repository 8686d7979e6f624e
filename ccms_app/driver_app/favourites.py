"""A driver's favourite stations: a star on the station list and page, a filter on the list.

A favourite is a (driver account, station) pair. Only a station of the driver's network can
be marked (another id is not found, as on the station page); marking twice or unmarking a
station that is not marked changes nothing, so a double tap or two tabs never fail.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.models import DriverFavourite
from ccms_app.network.models import Station


def favourite_station_ids(session: Session, account_id: int) -> frozenset[int]:
    rows = session.exec(
        select(DriverFavourite.station_id).where(DriverFavourite.account_id == account_id)
    ).all()
    return frozenset(rows)


def set_favourite(driver: DriverPrincipal, station_id: int, favourite: bool) -> bool:
    """Mark or unmark the station for the driver; returns what it is now."""
    scope = organisation_scope(driver.organisation_id)
    with session_scope() as session:
        station = session.get(Station, station_id) if station_id > 0 else None
        if station is None or station.organisation_id not in scope:
            raise DriverAppNotFound(tr("There is no such station in this network."))
        existing = session.exec(
            select(DriverFavourite).where(
                DriverFavourite.account_id == driver.account_id,
                col(DriverFavourite.station_id) == station_id,
            )
        ).first()
        if favourite and existing is None:
            session.add(DriverFavourite(account_id=driver.account_id, station_id=station_id))
            try:
                session.flush()
            except IntegrityError:  # marked meanwhile (another tab): it is a favourite
                session.rollback()
        elif not favourite and existing is not None:
            session.delete(existing)
    return favourite
