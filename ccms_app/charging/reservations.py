"""Reservations (OCPP ReserveNow / CancelReservation) and their use by a transaction.

A reservation is a row first (status requested; its id is the OCPP reservationId), then a
ReserveNow command whose answer sets its status: accepted | faulted | occupied | rejected |
unavailable, or failed | timed_out | offline when no answer came. An accepted one ends as used
(a StartTransaction named it), cancelled (CancelReservation accepted) or expired (the
scheduler's sweep, every 30 s). Every change is published as NetworkEvent(kind="reservation").
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlmodel import Session, col, func, select

from ccms_app.charging.models import ChargingSession, Reservation
from ccms_app.charging.reservation_expiry import reservation_expired
from ccms_app.charging.session_flags import flag_session
from ccms_app.control.commands import CommandView, UnknownChargePointError, send_command
from ccms_app.control.models import CommandStatus
from ccms_app.control.rules.commands import CommandInputError, build_request
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.authorization import check_id_tag
from ccms_app.drivers.models import IdTag
from ccms_app.drivers.rules.authorization import ACCEPTED, BLOCKED, CONCURRENT_TX, EXPIRED
from ccms_app.network.models import ChargePoint, Connector

log = logging.getLogger(__name__)

OPEN_STATUSES = ("requested", "accepted")
# ReserveNow refusals, as the charge point answered them.
REFUSALS = {
    "Faulted": "faulted",
    "Occupied": "occupied",
    "Rejected": "rejected",
    "Unavailable": "unavailable",
}
EXPIRY_JOB_ID = "reservations.expire"
EXPIRY_INTERVAL_S = 30


class ReservationError(CommandInputError):
    """The reservation cannot be made or cancelled; the message says why."""


@dataclass(frozen=True)
class ReservationView:
    id: int  # the OCPP reservationId
    charge_point_id: int
    charge_point_identity: str
    connector_id: int
    id_tag: str
    parent_id_tag: str | None
    expiry_date: datetime
    status: str
    session_id: int | None
    requested_by: str
    created_at: datetime
    updated_at: datetime
    # The ReserveNow / CancelReservation this call just sent (None in lists).
    command: CommandView | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _view(row: Reservation, identity: str, command: CommandView | None = None) -> ReservationView:
    return ReservationView(
        id=stored_id(row.id),
        charge_point_id=row.charge_point_id,
        charge_point_identity=identity,
        connector_id=row.connector_id,
        id_tag=row.id_tag,
        parent_id_tag=row.parent_id_tag,
        expiry_date=row.expiry_date,
        status=row.status,
        session_id=row.session_id,
        requested_by=row.requested_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        command=command,
    )


def _publish(view: ReservationView) -> None:
    """Must run on the event loop's thread (the bus's queues are asyncio queues)."""
    get_event_bus().publish(
        NetworkEvent(
            kind="reservation",
            charge_point_id=view.charge_point_id,
            identity=view.charge_point_identity,
            data={
                "reservation_id": view.id,
                "connector_id": view.connector_id,
                "status": view.status,
            },
        )
    )


# --- used by StartTransaction ---------------------------------------------------------------


def use_reservation(session: Session, cs: ChargingSession) -> Reservation | None:
    """A StartTransaction naming a reservation closes it (status used, linked to the session).

    A reservation of another charge point, or one no longer open, is left as it is; the
    session is flagged so an operator can see the mismatch.
    """
    if cs.reservation_id is None:
        return None
    reservation = session.get(Reservation, cs.reservation_id)
    if reservation is None or reservation.charge_point_id != cs.charge_point_id:
        flag_session(cs, f"unknown reservation {cs.reservation_id}")
        return None
    if reservation.status not in OPEN_STATUSES:
        return reservation
    reservation.status = "used"
    reservation.session_id = cs.id
    reservation.updated_at = utc_now()
    session.add(reservation)
    return reservation


# --- reserve --------------------------------------------------------------------------------


def _check_id_tag(session: Session, id_tag: str, cp: ChargePoint, now: datetime) -> IdTag:
    """The card must be one this charge point would accept now (same rules as Authorize,
    suspended owners and disabled charge points included); charging elsewhere is fine."""
    tag = session.exec(select(IdTag).where(func.lower(IdTag.id_tag) == id_tag.lower())).first()
    if tag is None:
        raise ReservationError(tr("id tag {id_tag} is not known", id_tag=repr(id_tag)))
    status = check_id_tag(session, id_tag, cp, now).status
    if status == BLOCKED:
        raise ReservationError(tr("id tag {id_tag} is blocked", id_tag=repr(id_tag)))
    if status == EXPIRED:
        raise ReservationError(tr("id tag {id_tag} has expired", id_tag=repr(id_tag)))
    if status not in (ACCEPTED, CONCURRENT_TX):
        raise ReservationError(
            tr("id tag {id_tag} is not accepted on this charge point", id_tag=repr(id_tag))
        )
    return tag


def _check_connector(session: Session, cp: ChargePoint, connector_id: int, now: datetime) -> None:
    known = session.exec(
        select(Connector.connector_id).where(Connector.charge_point_id == cp.id)
    ).all()
    if connector_id > 0 and known and connector_id not in known:
        raise ReservationError(
            tr(
                "{identity} has no connector {connector_id}",
                identity=cp.identity,
                connector_id=connector_id,
            )
        )
    taken = session.exec(
        select(Reservation).where(
            Reservation.charge_point_id == cp.id,
            Reservation.connector_id == connector_id,
            col(Reservation.status).in_(OPEN_STATUSES),
            Reservation.expiry_date > now,
        )
    ).first()
    if taken is not None:
        raise ReservationError(
            tr(
                "connector {connector_id} of {identity} already has open "
                "reservation {id} until {expiry_date:%Y-%m-%d %H:%M} UTC",
                connector_id=connector_id,
                identity=cp.identity,
                id=taken.id,
                expiry_date=taken.expiry_date,
            )
        )


def _create(
    charge_point_id: int, params: dict[str, Any], requested_by: str, now: datetime
) -> ReservationView:
    with session_scope() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None:
            raise UnknownChargePointError(
                tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
            )
        tag = _check_id_tag(session, params["id_tag"], cp, now)
        _check_connector(session, cp, params["connector_id"], now)
        row = Reservation(
            organisation_id=cp.organisation_id,
            charge_point_id=stored_id(cp.id),
            connector_id=params["connector_id"],
            id_tag=tag.id_tag,
            parent_id_tag=params.get("parent_id_tag") or tag.parent_id_tag,
            expiry_date=params["expiry_date"],
            requested_by=requested_by,
        )
        session.add(row)
        session.flush()
        return _view(row, cp.identity)


def _identity(session: Session, charge_point_id: int) -> str:
    """The identity of a reservation's charge point (the foreign key keeps it there)."""
    cp = session.get(ChargePoint, charge_point_id)
    if cp is None:
        raise UnknownChargePointError(
            tr("charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
        )
    return cp.identity


def _reserve_outcome(command: CommandView) -> str:
    """The reservation status a ReserveNow command's outcome stands for."""
    if command.status == CommandStatus.ACCEPTED:
        return "accepted"
    if command.status == CommandStatus.REJECTED:
        answer = json.loads(command.response or "{}").get("status", "")
        return REFUSALS.get(answer, "rejected")
    return str(command.status)  # failed | timed_out | offline


def _settle(reservation_id: int, status: str, only_from: tuple[str, ...]) -> ReservationView:
    """Set the status unless something else (use, expiry, cancel) closed the row first."""
    with session_scope() as session:
        row = session.get(Reservation, reservation_id)
        if row is None:
            raise ReservationError(
                tr("reservation {reservation_id} does not exist", reservation_id=reservation_id)
            )
        if row.status in only_from:
            row.status = status
            row.updated_at = utc_now()
            session.add(row)
            session.flush()
        return _view(row, _identity(session, row.charge_point_id))


def _validated_params(
    connector_id: int, id_tag: str, expiry: datetime, parent_id_tag: str | None
) -> dict[str, Any]:
    if not isinstance(expiry, datetime) or expiry.tzinfo is None:
        raise ReservationError(tr("expiry must be a date and time with a time zone"))
    if expiry <= utc_now():
        raise ReservationError(tr("expiry must be in the future"))
    params: dict[str, Any] = {
        "connector_id": connector_id,
        "expiry_date": expiry,
        "id_tag": (id_tag or "").strip(),
        "reservation_id": 0,
        "parent_id_tag": (parent_id_tag or "").strip() or None,
    }
    build_request("ReserveNow", params)  # field checks (lengths, connector >= 0)
    params["connector_id"] = int(connector_id)
    return params


async def reserve(
    charge_point_id: int,
    connector_id: int,
    id_tag: str,
    expiry: datetime,
    requested_by: str,
    parent_id_tag: str | None = None,
) -> ReservationView:
    """Reserve a connector (0: any connector) for an id tag until `expiry` (aware datetime).

    Raises ReservationError (a CommandInputError) or UnknownChargePointError before anything
    is recorded; the charge point's answer is the returned view's status.
    """
    params = _validated_params(connector_id, id_tag, expiry, parent_id_tag)
    created = await asyncio.to_thread(_create, charge_point_id, params, requested_by, utc_now())
    _publish(created)
    params |= {"reservation_id": created.id, "id_tag": created.id_tag}
    params["parent_id_tag"] = created.parent_id_tag
    try:
        command = await send_command(charge_point_id, "ReserveNow", params, requested_by)
    except Exception:
        failed = await asyncio.to_thread(_settle, created.id, "failed", ("requested",))
        _publish(failed)
        raise
    view = await asyncio.to_thread(_settle, created.id, _reserve_outcome(command), ("requested",))
    _publish(view)
    log.info(
        "reservation answered",
        extra={"reservation_id": view.id, "status": view.status, "by": requested_by},
    )
    return _with_command(view, command)


def _with_command(view: ReservationView, command: CommandView) -> ReservationView:
    return dataclasses.replace(view, command=command)


# --- cancel ---------------------------------------------------------------------------------


def _load(reservation_id: int) -> ReservationView:
    with read_session() as session:
        row = session.get(Reservation, reservation_id)
        if row is None:
            raise ReservationError(
                tr("reservation {reservation_id} does not exist", reservation_id=reservation_id)
            )
        return _view(row, _identity(session, row.charge_point_id))


async def cancel(reservation_id: int, requested_by: str) -> ReservationView:
    """CancelReservation; Accepted -> cancelled. Any other outcome leaves the status as it was
    (the charge point still holds it, or never had it: the expiry sweep closes it then)."""
    current = await asyncio.to_thread(_load, reservation_id)
    if not current.is_open:
        raise ReservationError(
            tr(
                "reservation {reservation_id} is {status}; only an open one can be cancelled",
                reservation_id=reservation_id,
                status=current.status,
            )
        )
    command = await send_command(
        current.charge_point_id,
        "CancelReservation",
        {"reservation_id": reservation_id},
        requested_by,
    )
    if command.status != CommandStatus.ACCEPTED:
        return _with_command(await asyncio.to_thread(_load, reservation_id), command)
    view = await asyncio.to_thread(_settle, reservation_id, "cancelled", OPEN_STATUSES)
    _publish(view)
    return _with_command(view, command)


# --- queries and expiry ---------------------------------------------------------------------


def list_reservations(
    charge_point_id: int | None = None, open_only: bool = False
) -> list[ReservationView]:
    """Reservations, newest first; open_only: those still requested or accepted."""
    query = select(Reservation, ChargePoint.identity).join(
        ChargePoint, col(ChargePoint.id) == Reservation.charge_point_id
    )
    if charge_point_id is not None:
        query = query.where(Reservation.charge_point_id == charge_point_id)
    if open_only:
        query = query.where(col(Reservation.status).in_(OPEN_STATUSES))
    query = query.order_by(col(Reservation.created_at).desc(), col(Reservation.id).desc())
    with read_session() as session:
        return [_view(row, identity) for row, identity in session.exec(query).all()]


def _expire_rows(now: datetime) -> list[ReservationView]:
    with session_scope() as session:
        rows = session.exec(
            select(Reservation, ChargePoint.identity)
            .join(ChargePoint, col(ChargePoint.id) == Reservation.charge_point_id)
            .where(col(Reservation.status).in_(OPEN_STATUSES), Reservation.expiry_date <= now)
        ).all()
        for row, _identity in rows:
            held = row.status == "accepted"
            row.status = "expired"
            row.updated_at = now
            session.add(row)
            if held:  # the charge point kept the connector for nobody: a tariff may bill it
                reservation_expired(session, row)
        session.flush()
        return [_view(row, identity) for row, identity in rows]


def expire_reservations(now: datetime) -> int:
    """Open reservations whose expiry has passed become expired; returns how many.

    Call on the event loop's thread (it publishes); the scheduler runs `run_expiry` instead.
    A reservation still `requested` at its expiry is expired too: it can no longer be used.
    """
    expired = _expire_rows(now)
    for view in expired:
        _publish(view)
    return len(expired)


async def run_expiry() -> int:
    """The scheduled sweep: the database work off the event loop, then the events."""
    expired = await asyncio.to_thread(_expire_rows, utc_now())
    for view in expired:
        _publish(view)
    if expired:
        log.info("reservations expired", extra={"count": len(expired)})
    return len(expired)


def schedule_expiry(scheduler: BaseScheduler, every_seconds: float = EXPIRY_INTERVAL_S) -> None:
    """Add (or replace) the periodic expiry sweep on `scheduler`."""
    scheduler.add_job(
        run_expiry, "interval", seconds=every_seconds, id=EXPIRY_JOB_ID, replace_existing=True
    )
