"""What belongs to a driver here: their id tags (and so their sessions), and the charge
points they may use.

A driver's sessions are those started with one of their id tags: the app's own tag and every
RFID card of theirs (`IdTag.driver_id`). OCPP id tags are case-insensitive, so tags are
compared lowercased. The charge points are those of the driver's organisation scope (the
network operator and its sub-operators); any other is not found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, func, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.charging.models import ChargingSession
from ccms_app.core.i18n import tr
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint


def driver_tags(db: Session, driver: DriverPrincipal) -> frozenset[str]:
    """The driver's id tags, lowercased: the app tag and their cards."""
    cards = db.exec(select(IdTag.id_tag).where(IdTag.driver_id == driver.driver_id)).all()
    tags = {tag.lower() for tag in cards}
    if driver.app_id_tag:
        tags.add(driver.app_id_tag.lower())
    return frozenset(tags)


def started_with(tags: frozenset[str]) -> ColumnElement[bool]:
    """Sessions started with one of `tags` (lowercased), in any case."""
    return func.lower(ChargingSession.id_tag).in_(sorted(tags) or [""])


def charge_point_in_scope(db: Session, driver: DriverPrincipal, **where: Any) -> ChargePoint:
    """The charge point (by `id=` or `identity=`) if the driver may use it; otherwise
    DriverAppNotFound, the same answer as for one that does not exist."""
    query = select(ChargePoint)
    for name, value in where.items():
        query = query.where(getattr(ChargePoint, name) == value)
    cp = db.exec(query).first()
    if cp is None or cp.organisation_id not in organisation_scope(driver.organisation_id):
        raise DriverAppNotFound(tr("This charger does not exist."), code="not_found")
    return cp
