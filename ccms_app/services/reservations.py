"""Reservations (OCPP ReserveNow / CancelReservation) and their use by a transaction."""

from __future__ import annotations

from sqlmodel import Session

from ccms_app.models import ChargingSession, Reservation
from ccms_app.models.types import utc_now

OPEN_STATUSES = ("requested", "accepted")


def use_reservation(session: Session, cs: ChargingSession) -> Reservation | None:
    """A StartTransaction naming a reservation closes it (status used, linked to the session).

    A reservation of another charge point, or one no longer open, is left as it is; the
    session is flagged so an operator can see the mismatch.
    """
    if cs.reservation_id is None:
        return None
    reservation = session.get(Reservation, cs.reservation_id)
    if reservation is None or reservation.charge_point_id != cs.charge_point_id:
        cs.flagged = True
        cs.flag_reason = (cs.flag_reason + "; " if cs.flag_reason else "") + (
            f"unknown reservation {cs.reservation_id}"
        )
        return None
    if reservation.status not in OPEN_STATUSES:
        return reservation
    reservation.status = "used"
    reservation.session_id = cs.id
    reservation.updated_at = utc_now()
    session.add(reservation)
    return reservation
