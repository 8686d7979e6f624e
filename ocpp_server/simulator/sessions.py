"""Charging sessions on the simulated charge point: plug in, authorize, start, meter, stop.

StopTransactions that could not be sent (the CSMS was away) wait and go out after the next
accepted boot, as on a real charger. The session's power follows the EV's charging curve and
any charging profile (SmartChargingMixin).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import TYPE_CHECKING

from ocpp.exceptions import OCPPError
from ocpp.v16 import call

from ocpp_server.simulator.charging_curve import (
    NOMINAL_VOLTAGE_V,
    EvProfile,
    charging_power_w,
    random_ev,
    session_power_limit_w,
)
from ocpp_server.simulator.connection import CsmsConnection, NotConnectedError
from ocpp_server.simulator.connector import ConnectorState, Session
from ocpp_server.simulator.meter import (
    Reading,
    energy_value,
    meter_value,
    ocpp_timestamp,
    sampled_values,
    utc_now,
)

if TYPE_CHECKING:
    from ocpp_server.simulator.tasks import BackgroundTasks

log = logging.getLogger(__name__)


class SessionsMixin:
    """Sessions and meter values; SimulatedChargePoint provides connectors and the link."""

    if TYPE_CHECKING:
        identity: str
        max_power_w: int
        meter_interval: float
        _rng: random.Random
        _phases: int
        _pending_stops: list[call.StopTransaction]
        _tasks: BackgroundTasks
        _conn: CsmsConnection

        @property
        def is_accepted(self) -> bool: ...
        @property
        def can_charge(self) -> bool: ...
        def _connector(self, connector_id: int) -> ConnectorState: ...
        async def _set_status(self, conn: ConnectorState, status: str) -> None: ...
        def preauthorized_locally(self, id_tag: str) -> bool: ...
        def forget_held_tx_profile(self, connector_id: int) -> None: ...
        def on_session_started(self, conn: ConnectorState) -> None: ...
        def on_session_ended(self, connector_id: int, transaction_id: int) -> None: ...
        def apply_charging_limit(self, conn: ConnectorState) -> bool: ...

    async def plug_in_and_charge(
        self, connector_id: int, id_tag: str, *, ev: EvProfile | None = None
    ) -> int | None:
        """A driver plugs in and taps `id_tag`: Preparing, Authorize, StartTransaction, Charging.

        Returns the transaction id, or None if the connector is busy, the charger is offline
        or the id tag is not accepted.
        """
        conn = self._connector(connector_id)
        async with conn.lock:
            if not conn.accepts(id_tag) or not self.can_charge:
                log.info(
                    "charge point cannot start a session here",
                    extra={
                        "identity": self.identity,
                        "connector_id": connector_id,
                        "status": conn.status,
                    },
                )
                return None
            conn.claimed = True
            try:
                await self._set_status(conn, "Preparing")
                status = await self._authorize(id_tag)
                if status != "Accepted":
                    log.info(
                        "charge point id tag not authorized",
                        extra={"identity": self.identity, "id_tag": id_tag, "status": status},
                    )
                    await self._set_status(conn, conn.idle_status)
                    return None
                return await self._begin_transaction(conn, id_tag, ev)
            finally:
                conn.claimed = False

    async def _authorize(self, id_tag: str) -> str:
        """Accepted at once from the local list (LocalPreAuthorize), else ask the CSMS."""
        if self.preauthorized_locally(id_tag):
            log.info(
                "charge point id tag authorized from its local list",
                extra={"identity": self.identity, "id_tag": id_tag},
            )
            return "Accepted"
        reply = await self._conn.try_call(call.Authorize(id_tag=id_tag))
        return reply.id_tag_info["status"] if reply is not None else "NoReply"

    async def start_remote_session(self, conn: ConnectorState, id_tag: str) -> None:
        """Follow-up of an accepted RemoteStartTransaction (the connector is already claimed)."""
        try:
            async with conn.lock:
                await self._set_status(conn, "Preparing")
                await self._begin_transaction(conn, id_tag, None)
        finally:
            conn.claimed = False
            self.forget_held_tx_profile(conn.connector_id)  # its start failed, if still held

    async def _begin_transaction(
        self, conn: ConnectorState, id_tag: str, ev: EvProfile | None
    ) -> int | None:
        ev = ev or random_ev(self._rng)
        meter_start = int(conn.register_wh)
        started_at = utc_now()
        reply = await self._conn.try_call(
            call.StartTransaction(
                connector_id=conn.connector_id,
                id_tag=id_tag,
                meter_start=meter_start,
                timestamp=ocpp_timestamp(started_at),
                reservation_id=conn.take_reservation(id_tag),
            )
        )
        if reply is None:
            await self._set_status(conn, conn.idle_status)
            return None
        limit = session_power_limit_w(self.max_power_w, ev)
        conn.session = Session(
            transaction_id=int(reply.transaction_id),
            id_tag=id_tag,
            ev=ev,
            power_limit_w=limit,
            meter_start_wh=meter_start,
            started_at=started_at,
            soc=ev.start_soc,
            power_w=charging_power_w(ev.start_soc, limit),
        )
        self.on_session_started(conn)  # charging profiles may cap it
        if reply.id_tag_info["status"] != "Accepted":
            await self._end_transaction(conn, "DeAuthorized")
            await self._set_status(conn, conn.idle_status)
            return None
        await self._set_status(conn, "Charging")
        conn.session.meter_task = self._tasks.spawn(self._meter_loop(conn, conn.session))
        log.info(
            "charge point session started",
            extra={
                "identity": self.identity,
                "connector_id": conn.connector_id,
                "transaction_id": conn.session.transaction_id,
                "id_tag": id_tag,
                "capacity_wh": ev.capacity_wh,
                "soc": ev.start_soc,
            },
        )
        return conn.session.transaction_id

    async def stop_charging(self, connector_id: int, reason: str = "Local") -> None:
        """End the session on this connector: StopTransaction, Finishing, then Available."""
        conn = self._connector(connector_id)
        async with conn.lock:
            if conn.session is None:
                if conn.status in ("Preparing", "Finishing", "SuspendedEV", "SuspendedEVSE"):
                    await self._set_status(conn, conn.idle_status)
                return
            await self._end_transaction(conn, reason)
            if conn.status != "Faulted":
                await self._set_status(conn, "Finishing")
                await self._settle(conn)

    async def _settle(self, conn: ConnectorState) -> None:
        """Back to idle after a session, applying a ChangeAvailability that was Scheduled."""
        if conn.inoperative_scheduled:
            conn.operative, conn.inoperative_scheduled = False, False
        await self._set_status(conn, conn.idle_status)

    async def _end_transaction(self, conn: ConnectorState, reason: str) -> None:
        """StopTransaction with meterStop and transactionData; queued if the CSMS is away."""
        session = conn.session
        assert session is not None
        await self._stop_meter_loop(session)
        conn.charge_until_now()
        conn.session = None
        self.on_session_ended(conn.connector_id, session.transaction_id)
        stopped_at = utc_now()
        meter_stop = int(conn.register_wh)
        end_reading = Reading(
            register_wh=meter_stop,
            power_w=0.0,
            voltage_v=self._voltage(),
            phases=self._phases,
            soc=round(session.soc, 1),
        )
        request = call.StopTransaction(
            meter_stop=meter_stop,
            timestamp=ocpp_timestamp(stopped_at),
            transaction_id=session.transaction_id,
            reason=reason,
            id_tag=session.id_tag,
            transaction_data=[
                meter_value(
                    session.started_at, [energy_value(session.meter_start_wh, "Transaction.Begin")]
                ),
                meter_value(stopped_at, sampled_values(end_reading, "Transaction.End")),
            ],
        )
        log.info(
            "charge point session stopped",
            extra={
                "identity": self.identity,
                "connector_id": conn.connector_id,
                "transaction_id": session.transaction_id,
                "reason": reason,
                "energy_wh": meter_stop - session.meter_start_wh,
            },
        )
        await self._send_stop(request)

    async def _send_stop(self, request: call.StopTransaction) -> None:
        try:
            await self._conn.call(request)
        except (NotConnectedError, TimeoutError):
            self._pending_stops.append(request)  # CSMS answers a repeated stop the same way
        except OCPPError as exc:
            log.warning(
                "charge point stop rejected",
                extra={
                    "identity": self.identity,
                    "transaction_id": request.transaction_id,
                    "error": repr(exc),
                },
            )

    async def _flush_pending_stops(self) -> None:
        pending, self._pending_stops = self._pending_stops, []
        for request in pending:
            await self._send_stop(request)

    async def _stop_meter_loop(self, session: Session) -> None:
        session.stop_requested.set()
        task = session.meter_task
        if task is not None and task is not asyncio.current_task():
            await asyncio.gather(task, return_exceptions=True)

    def _voltage(self) -> float:
        return round(NOMINAL_VOLTAGE_V * (1 + self._rng.uniform(-0.02, 0.02)), 1)

    async def _meter_loop(self, conn: ConnectorState, session: Session) -> None:
        """Sample now and then every meter_interval until the session stops."""
        while not session.stop_requested.is_set():
            conn.charge_until_now()
            self.apply_charging_limit(conn)  # a schedule's next period may have begun
            await self.send_meter_values(conn.connector_id)
            if session.full and conn.status == "Charging":
                await self._set_status(conn, "SuspendedEV")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(session.stop_requested.wait(), self.meter_interval)

    async def send_meter_values(self, connector_id: int, context: str = "Sample.Periodic") -> None:
        """Send what the meter of this connector reads now (register only when idle)."""
        conn = self._connector(connector_id)
        session = conn.session
        if session is None:
            values = [energy_value(conn.register_wh, context)]
        else:
            reading = Reading(
                register_wh=conn.register_wh,
                power_w=session.power_w,
                voltage_v=self._voltage(),
                phases=self._phases,
                soc=round(session.soc, 1),
            )
            values = sampled_values(reading, context)
        conn.last_meter_values = values
        if self.is_accepted:
            await self._conn.try_call(
                call.MeterValues(
                    connector_id=connector_id,
                    meter_value=[meter_value(utc_now(), values)],
                    transaction_id=session.transaction_id if session else None,
                )
            )
