"""How the simulated charge point answers ReserveNow and CancelReservation (OCPP 1.6 5.13, 5.3).

A reserved connector reports Reserved and only the reserved id tag may start there; that
session's StartTransaction carries the reservationId. At expiry the reservation ends and the
connector is Available again. Connector 0 is not reservable (ReserveConnectorZeroSupported).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ocpp.v16 import call_result

from ocpp_server.simulator.connector import ReservationHold
from ocpp_server.simulator.link import Decision

if TYPE_CHECKING:
    from ocpp_server.simulator.connector import ConnectorState
    from ocpp_server.simulator.tasks import BackgroundTasks

log = logging.getLogger(__name__)

BUSY_STATUSES = frozenset({"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})


def _parse_expiry(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ReservationMixin:
    """ReserveNow / CancelReservation decisions and the reservation expiry timers."""

    if TYPE_CHECKING:
        identity: str
        _connectors: dict[int, ConnectorState]
        _cp_status: str
        _tasks: BackgroundTasks

        async def _send_status(self, connector_id: int) -> None: ...

    @property
    def reservations(self) -> dict[int, int]:
        """Reservation id per connector id, for reserved connectors."""
        return {
            c.connector_id: c.reservation.reservation_id
            for c in self._connectors.values()
            if c.reservation is not None
        }

    def _reserve_refusal(self, conn: ConnectorState | None, reservation_id: int) -> str | None:
        """Why the connector cannot be reserved (a ReserveNow status), or None if it can."""
        if conn is None:
            return "Rejected"
        if self._cp_status == "Faulted" or conn.status == "Faulted":
            return "Faulted"
        if not conn.operative or conn.status == "Unavailable" or self._cp_status == "Unavailable":
            return "Unavailable"
        held = conn.reservation
        if held is not None and held.reservation_id != reservation_id:
            return "Occupied"
        if conn.session is not None or conn.claimed or conn.status in BUSY_STATUSES:
            return "Occupied"
        return None

    def decide_reserve_now(
        self,
        connector_id: int,
        expiry_date: str,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
    ) -> Decision:
        """Accepted on an Available connector (a reservation with the same id is replaced)."""
        conn = self._connectors.get(connector_id)
        refusal = self._reserve_refusal(conn, reservation_id)
        if refusal is not None or conn is None:
            log.info(
                "charge point refused a reservation",
                extra={"identity": self.identity, "connector_id": connector_id, "why": refusal},
            )
            return Decision(call_result.ReserveNow(status=refusal or "Rejected"))
        for other in self._connectors.values():  # the same id elsewhere is moved here
            if other.reservation is not None and other.reservation.reservation_id == reservation_id:
                self._drop_reservation(other)
        hold = ReservationHold(reservation_id, id_tag, _parse_expiry(expiry_date), parent_id_tag)
        conn.reservation, conn.status = hold, "Reserved"
        hold.timer = self._tasks.spawn(self._expire_at(conn, hold))
        return Decision(
            call_result.ReserveNow(status="Accepted"), lambda: self._report_reservation(conn)
        )

    def decide_cancel_reservation(self, reservation_id: int) -> Decision:
        conn = next(
            (
                c
                for c in self._connectors.values()
                if c.reservation is not None and c.reservation.reservation_id == reservation_id
            ),
            None,
        )
        if conn is None:
            return Decision(call_result.CancelReservation(status="Rejected"))
        self._drop_reservation(conn)
        return Decision(
            call_result.CancelReservation(status="Accepted"),
            lambda: self._report_reservation(conn),
        )

    def _drop_reservation(self, conn: ConnectorState) -> None:
        if conn.reservation is not None:
            conn.reservation.release()
        conn.reservation = None
        if conn.status == "Reserved":
            conn.status = conn.idle_status

    async def _report_reservation(self, conn: ConnectorState) -> None:
        await self._send_status(conn.connector_id)

    async def _expire_at(self, conn: ConnectorState, hold: ReservationHold) -> None:
        """At expiry the reservation ends and the connector is free again."""
        delay = (hold.expiry - datetime.now(UTC)).total_seconds()
        await asyncio.sleep(max(0.0, delay))
        if conn.reservation is not hold:
            return
        log.info(
            "charge point reservation expired",
            extra={"identity": self.identity, "reservation_id": hold.reservation_id},
        )
        self._drop_reservation(conn)
        await self._send_status(conn.connector_id)
