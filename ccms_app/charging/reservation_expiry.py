"""Whoever must act when a held reservation expires unused registers here.

The expiry sweep (`charging.reservations.run_expiry`) closes reservations whose time ran out.
A tariff may charge for an unused reservation (OCPI RESERVATION_EXPIRES): finance bills it,
in the sweep's own transaction so the fee commits with the expiry. Charging cannot import
finance (finance reads charging's sessions and reservations), so finance's listener is
registered by the composition root (runtime.py, and the test fixtures) and charging calls
whatever is registered, as `session_close` does for a session's end. A listener that fails
must not undo the expiry: it runs in a savepoint and its failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

from ccms_app.charging.models import Reservation

log = logging.getLogger(__name__)

ReservationExpiredListener = Callable[[Session, Reservation], None]
_listeners: list[ReservationExpiredListener] = []


def on_reservation_expired(listener: ReservationExpiredListener) -> None:
    """Call `listener(db_session, reservation)` for every reservation the charge point held
    (accepted) that expires unused, inside the sweep's transaction. Registering the same
    listener twice is a no-op."""
    if listener not in _listeners:
        _listeners.append(listener)


def reservation_expired(session: Session, reservation: Reservation) -> None:
    """Tell every listener that `reservation` has just expired unused (status set)."""
    for listener in _listeners:
        try:
            with session.begin_nested():
                listener(session, reservation)
        except Exception:
            log.exception(
                "reservation expiry listener failed; the expiry is kept",
                extra={"reservation_id": reservation.id},
            )
