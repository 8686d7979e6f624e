"""Drivers: create, edit, suspend, reactivate, delete; the driver list and detail.

A suspended driver's cards answer Blocked on the next Authorize / StartTransaction
(drivers.authorization reads the driver's status live). A driver with cards or sessions is
never deleted, so charging history keeps its owner: suspend instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.drivers.common import (
    Errors,
    NotFoundError,
    RefusedError,
    Scope,
    email,
    id_tags_changed,
    phone,
    text,
    visible,
)
from ccms_app.drivers.models import Driver, DriverStatus, IdTag, UserGroup, UserGroupMember, Vehicle
from ccms_app.network.models import ChargePoint, Station

log = logging.getLogger(__name__)

NAME_MAX_LENGTH = 200
PHONE_MAX_LENGTH = 40
RECENT_SESSIONS = 10


@dataclass(frozen=True)
class DriverInput:
    name: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class DriverView:
    id: int
    organisation_id: int
    name: str
    email: str
    phone: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class DriverCard:
    id: int
    id_tag: str
    status: str
    expiry_date: datetime | None


@dataclass(frozen=True)
class DriverGroup:
    id: int
    name: str
    authorised: bool


@dataclass(frozen=True)
class DriverVehicle:
    id: int
    make: str
    model: str
    battery_capacity_wh: int | None
    licence_plate: str


@dataclass(frozen=True)
class DriverSession:
    id: int
    id_tag: str
    start_time: datetime
    stop_time: datetime | None
    energy_wh: int
    status: str
    charge_point: str = ""  # which charger: its identity
    station: str = ""
    timezone: str = "UTC"  # the station's: the session's times are shown in it


@dataclass(frozen=True)
class DriverDetail:
    driver: DriverView
    cards: list[DriverCard] = field(default_factory=list)
    groups: list[DriverGroup] = field(default_factory=list)
    vehicles: list[DriverVehicle] = field(default_factory=list)
    recent_sessions: list[DriverSession] = field(default_factory=list)


@dataclass(frozen=True)
class DeletedDriver:
    name: str
    memberships_removed: int
    vehicles_unlinked: int


def _view(driver: Driver) -> DriverView:
    assert driver.id is not None
    return DriverView(
        id=driver.id,
        organisation_id=driver.organisation_id,
        name=driver.name,
        email=driver.email,
        phone=driver.phone,
        status=driver.status,
        created_at=driver.created_at,
    )


def _validated(session: Session, data: DriverInput, organisation_id: int, own_id: int | None):
    errors = Errors()
    name = text(errors, "name", data.name, NAME_MAX_LENGTH, required=True)
    mail = email(errors, "email", data.email)
    tel = phone(errors, "phone", data.phone, PHONE_MAX_LENGTH)
    if mail and "email" not in errors:
        clash = session.exec(
            select(Driver.id).where(
                Driver.organisation_id == organisation_id,
                func.lower(Driver.email) == mail.lower(),
                Driver.id != (own_id or 0),
            )
        ).first()
        if clash is not None:
            errors.add("email", tr("Another driver already uses {email}", email=mail))
    errors.raise_if_any()
    return name, mail, tel


def _get(session: Session, scope: Scope, driver_id: int) -> Driver:
    driver = session.get(Driver, driver_id)
    visible(scope, driver.organisation_id if driver else None, "driver", driver_id)
    assert driver is not None
    return driver


def get_driver(scope: Scope, driver_id: int) -> DriverView:
    with read_session() as session:
        return _view(_get(session, scope, driver_id))


def create_driver(scope: Scope, data: DriverInput) -> DriverView:
    """A new active driver of the operator's organisation."""
    with session_scope() as session:
        name, mail, tel = _validated(session, data, scope.organisation_id, None)
        driver = Driver(organisation_id=scope.organisation_id, name=name, email=mail, phone=tel)
        session.add(driver)
        session.flush()
        view = _view(driver)
    log.info("driver created", extra={"driver_id": view.id})
    return view


def update_driver(scope: Scope, driver_id: int, data: DriverInput) -> DriverView:
    with session_scope() as session:
        driver = _get(session, scope, driver_id)
        driver.name, driver.email, driver.phone = _validated(
            session, data, driver.organisation_id, driver.id
        )
        session.add(driver)
        session.flush()
        return _view(driver)


def _set_status(scope: Scope, driver_id: int, status: DriverStatus) -> DriverView:
    with session_scope() as session:
        driver = _get(session, scope, driver_id)
        if driver.status != status:
            driver.status = status
            session.add(driver)
            session.flush()
            cards = session.exec(select(IdTag.id).where(IdTag.driver_id == driver_id)).all()
            groups = session.exec(
                select(UserGroupMember.group_id).where(UserGroupMember.driver_id == driver_id)
            ).all()
            group_cards = session.exec(
                select(IdTag.id).where(col(IdTag.group_id).in_(list(groups)))
            ).all()
            id_tags_changed(session, [*cards, *group_cards])
        view = _view(driver)
    log.info("driver status set", extra={"driver_id": driver_id, "status": str(status)})
    return view


def suspend_driver(scope: Scope, driver_id: int) -> DriverView:
    """Stop the driver charging: every card of theirs answers Blocked from now on."""
    return _set_status(scope, driver_id, DriverStatus.SUSPENDED)


def reactivate_driver(scope: Scope, driver_id: int) -> DriverView:
    return _set_status(scope, driver_id, DriverStatus.ACTIVE)


def _session_count(session: Session, tags: list[str]) -> int:
    if not tags:
        return 0
    return session.exec(
        select(func.count(col(ChargingSession.id))).where(
            func.lower(ChargingSession.id_tag).in_([t.lower() for t in tags])
        )
    ).one()


def delete_driver(scope: Scope, driver_id: int) -> DeletedDriver:
    """Delete a driver without cards or sessions; their group memberships go with them and
    their vehicles stay, unlinked. Otherwise RefusedError (suspend instead)."""
    with session_scope() as session:
        driver = _get(session, scope, driver_id)
        tags = list(session.exec(select(IdTag.id_tag).where(IdTag.driver_id == driver_id)).all())
        sessions = _session_count(session, tags)
        if tags or sessions:
            if tags and sessions:
                held = tr(
                    "{cards} card(s) and {sessions} charging session(s)",
                    cards=len(tags),
                    sessions=sessions,
                )
            elif tags:
                held = tr("{count} card(s)", count=len(tags))
            else:
                held = tr("{count} charging session(s)", count=sessions)
            raise RefusedError(
                tr(
                    "{driver} has {held} and cannot be deleted; suspend the driver instead",
                    driver=driver.name,
                    held=held,
                )
            )
        memberships = session.exec(
            select(UserGroupMember).where(UserGroupMember.driver_id == driver_id)
        ).all()
        for member in memberships:
            session.delete(member)
        vehicles = session.exec(select(Vehicle).where(Vehicle.driver_id == driver_id)).all()
        for vehicle in vehicles:
            vehicle.driver_id = None
            session.add(vehicle)
        session.flush()
        session.delete(driver)
        result = DeletedDriver(driver.name, len(memberships), len(vehicles))
    log.info("driver deleted", extra={"driver_id": driver_id})
    return result


def _variants(tags: list[str]) -> list[str]:
    """Spellings a session may carry for these tags; exact matches keep the index in use."""
    return sorted({v for t in tags for v in (t, t.lower(), t.upper())})


def driver_detail(scope: Scope, driver_id: int) -> DriverDetail:
    """The driver with cards, groups, vehicles and the most recent sessions of their cards."""
    with read_session() as session:
        driver = _get(session, scope, driver_id)
        tags = session.exec(
            select(IdTag).where(IdTag.driver_id == driver_id).order_by(IdTag.id_tag)
        ).all()
        groups = session.exec(
            select(UserGroup.id, UserGroup.name, UserGroupMember.authorised)
            .join(UserGroupMember, col(UserGroupMember.group_id) == UserGroup.id)
            .where(UserGroupMember.driver_id == driver_id)
            .order_by(UserGroup.name)
        ).all()
        vehicles = session.exec(
            select(Vehicle).where(Vehicle.driver_id == driver_id).order_by(Vehicle.make)
        ).all()
        sessions = _recent_sessions(session, [t.id_tag for t in tags]) if tags else []
        return DriverDetail(
            driver=_view(driver),
            cards=[DriverCard(t.id or 0, t.id_tag, t.status, t.expiry_date) for t in tags],
            groups=[DriverGroup(g or 0, n, bool(a)) for g, n, a in groups],
            vehicles=[
                DriverVehicle(v.id or 0, v.make, v.model, v.battery_capacity_wh, v.licence_plate)
                for v in vehicles
            ],
            recent_sessions=sessions,
        )


def _recent_sessions(session: Session, id_tags: list[str]) -> list[DriverSession]:
    """The latest sessions of these cards, each with the charger and station it was at."""
    rows = session.exec(
        select(ChargingSession, ChargePoint.identity, Station.name, Station.timezone)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .where(col(ChargingSession.id_tag).in_(_variants(id_tags)))
        .order_by(col(ChargingSession.start_time).desc())
        .limit(RECENT_SESSIONS)
    ).all()
    return [
        DriverSession(
            s.id or 0,
            s.id_tag,
            s.start_time,
            s.stop_time,
            s.energy_wh,
            s.status,
            identity,
            station or "",
            timezone or "UTC",
        )
        for s, identity, station, timezone in rows
    ]


def driver_choices(scope: Scope, search: str = "", limit: int = 50) -> list[tuple[int, str]]:
    """(id, "name <email>") of drivers matching `search`, for pickers."""
    with read_session() as session:
        query = select(Driver.id, Driver.name, Driver.email).where(
            col(Driver.organisation_id).in_(list(scope.organisation_ids))
        )
        term = search.strip().lower()
        if term:
            query = query.where(
                func.lower(Driver.name).contains(term) | func.lower(Driver.email).contains(term)
            )
        rows = session.exec(query.order_by(col(Driver.name), col(Driver.id)).limit(limit)).all()
    return [(i or 0, f"{n} <{e}>" if e else n) for i, n, e in rows]


def count_drivers(scope: Scope) -> int:
    with read_session() as session:
        return session.exec(
            select(func.count(col(Driver.id))).where(
                col(Driver.organisation_id).in_(list(scope.organisation_ids))
            )
        ).one()


DRIVER_LIST = ListSpec(
    name="drivers",
    base=lambda: sa_select(Driver).join(
        Organisation, col(Organisation.id) == Driver.organisation_id
    ),
    columns=(
        ListColumn("id", "ID", Driver.id),
        ListColumn("name", "Name", Driver.name, searchable=True),
        ListColumn("email", "Email", Driver.email, searchable=True),
        ListColumn("phone", "Phone", Driver.phone, searchable=True, sortable=False),
        ListColumn("status", "Status", Driver.status, filterable=True),
        ListColumn("organisation", "Organisation", Organisation.name, filterable=True),
        ListColumn("created_at", "Created", Driver.created_at),
    ),
    organisation_column=Driver.organisation_id,
    id_column=Driver.id,
    default_sort="name",
)


__all__ = [
    "DRIVER_LIST",
    "DeletedDriver",
    "DriverDetail",
    "DriverInput",
    "DriverView",
    "NotFoundError",
    "count_drivers",
    "create_driver",
    "delete_driver",
    "driver_choices",
    "driver_detail",
    "get_driver",
    "reactivate_driver",
    "suspend_driver",
    "update_driver",
]
