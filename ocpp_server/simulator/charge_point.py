"""A simulated OCPP 1.6J charge point: boots, heartbeats, reports status, runs sessions.

The websocket, boot, heartbeat and reconnect live in `connection.CsmsConnection`; the answers
to CSMS commands in `commands.CsmsCommandsMixin`; sessions and meter values in
`sessions.SessionsMixin`; this module holds the charger's state and statuses.
All state is in memory: the meter registers and connector availability survive reconnects and
resets, like on a real charger.
"""

from __future__ import annotations

import logging
import random

from ocpp.v16 import call

from ocpp_server.simulator.charging_curve import phase_count
from ocpp_server.simulator.commands import CsmsCommandsMixin
from ocpp_server.simulator.connection import CsmsConnection, NotConnectedError
from ocpp_server.simulator.connector import ConnectorState
from ocpp_server.simulator.core_profile import CoreProfileMixin
from ocpp_server.simulator.firmware import FirmwareMixin
from ocpp_server.simulator.link import FollowUp
from ocpp_server.simulator.local_list import LocalListMixin
from ocpp_server.simulator.meter import ocpp_timestamp, utc_now
from ocpp_server.simulator.reservations import ReservationMixin
from ocpp_server.simulator.sessions import SessionsMixin
from ocpp_server.simulator.smart_charging import SmartChargingMixin
from ocpp_server.simulator.tasks import BackgroundTasks

log = logging.getLogger(__name__)

__all__ = ["NotConnectedError", "SimulatedChargePoint"]


class SimulatedChargePoint(
    SessionsMixin,
    CsmsCommandsMixin,
    ReservationMixin,
    CoreProfileMixin,
    FirmwareMixin,
    LocalListMixin,
    SmartChargingMixin,
):
    """One simulated charger with `connectors` outlets, talking OCPP 1.6J to `url/identity`."""

    def __init__(
        self,
        identity: str,
        url: str,
        connectors: int = 2,
        vendor: str = "CCMS-Sim",
        model: str = "SimCharger-22",
        max_power_w: int = 22000,
        meter_interval: float = 10.0,
        id_tags: list[str] | None = None,
        *,
        rng: random.Random | None = None,
        auto_reconnect: bool = True,
        response_timeout: float = 30.0,
        reboot_delay: float = 0.5,
        max_backoff: float = 60.0,
        validate_schemas: bool = True,
    ) -> None:
        """Keyword-only extras: `rng` (seeded behaviour), `reboot_delay` after Reset, and
        `validate_schemas` (jsonschema on outgoing calls; fleets turn it off for CPU)."""
        self.identity = identity
        self.vendor = vendor
        self.model = model
        self.max_power_w = max_power_w
        self.meter_interval = meter_interval
        self.id_tags = list(id_tags) if id_tags else []
        self.reboot_delay = reboot_delay
        self._rng = rng or random.Random()
        self._phases = phase_count(max_power_w)
        self._connectors = {
            cid: ConnectorState(cid, register_wh=float(self._rng.randint(0, 2_000_000)))
            for cid in range(1, connectors + 1)
        }
        self._cp_status = "Available"
        self._cp_error_code = "NoError"
        self._cp_vendor_error_code = ""
        self._pending_stops: list[call.StopTransaction] = []
        self._tasks = BackgroundTasks(identity)  # meter loops and command follow-ups
        boot = call.BootNotification(
            charge_point_model=model,
            charge_point_vendor=vendor,
            charge_point_serial_number=f"SIM-{identity}"[:25],
            firmware_version="1.0.0-sim",
            meter_type="SimMeter",
        )
        self._conn = CsmsConnection(
            identity,
            url,
            self,
            boot,
            self._on_accepted,
            rng=self._rng,
            auto_reconnect=auto_reconnect,
            response_timeout=response_timeout,
            max_backoff=max_backoff,
            validate_schemas=validate_schemas,
        )

    # ---- read-only state for tests, the fleet and the CLI -------------------------------

    @property
    def url(self) -> str:
        return self._conn.url

    @property
    def boot_status(self) -> str | None:
        """Status of the last BootNotification reply on the current connection."""
        return self._conn.boot_status

    @property
    def boot_count(self) -> int:
        """How many times this charger was Accepted (goes up after each reboot)."""
        return self._conn.boot_count

    @property
    def heartbeat_interval(self) -> int | None:
        return self._conn.heartbeat_interval

    @property
    def is_connected(self) -> bool:
        return self._conn.is_connected

    @property
    def is_accepted(self) -> bool:
        return self._conn.is_accepted

    @property
    def connector_ids(self) -> list[int]:
        return list(self._connectors)

    @property
    def connector_statuses(self) -> dict[int, str]:
        """Status per connector id, connector 0 being the charge point itself."""
        return {0: self._cp_status} | {c.connector_id: c.status for c in self._connectors.values()}

    @property
    def connector_error_codes(self) -> dict[int, str]:
        errors = {c.connector_id: c.error_code for c in self._connectors.values()}
        return {0: self._cp_error_code} | errors

    @property
    def active_transactions(self) -> dict[int, int]:
        """Transaction id per connector id, for connectors with a running session."""
        return {
            c.connector_id: c.session.transaction_id
            for c in self._connectors.values()
            if c.session is not None
        }

    @property
    def active_id_tags(self) -> dict[int, str]:
        """Id tag per connector id, for connectors with a running session."""
        return {
            c.connector_id: c.session.id_tag
            for c in self._connectors.values()
            if c.session is not None
        }

    @property
    def last_meter_values(self) -> dict[int, list[dict[str, str]]]:
        """The sampled values last sent per connector (camelCase dicts as on the wire)."""
        return {c.connector_id: list(c.last_meter_values) for c in self._connectors.values()}

    @property
    def meter_registers_wh(self) -> dict[int, int]:
        return {c.connector_id: int(c.register_wh) for c in self._connectors.values()}

    @property
    def state_of_charge(self) -> dict[int, float]:
        """SoC per connector with a session."""
        return {c.connector_id: c.session.soc for c in self._connectors.values() if c.session}

    @property
    def can_charge(self) -> bool:
        """Booted and the charger itself (connector 0) is not Faulted."""
        return self.is_accepted and self._cp_status != "Faulted"

    def free_connectors(self) -> list[int]:
        """Connectors where a new session could start right now."""
        if not self.can_charge:
            return []
        return [c.connector_id for c in self._connectors.values() if c.is_free]

    def is_full(self, connector_id: int) -> bool:
        session = self._connector(connector_id).session
        return session is not None and session.full

    async def wait_accepted(self, timeout: float | None = None) -> None:
        """Wait until a BootNotification was Accepted on the current connection."""
        await self._conn.wait_accepted(timeout)

    # ---- connection ----------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the websocket and boot. Returns after the first BootNotification reply.

        Accepted: connector statuses go out and heartbeats start. Pending/Rejected: boots are
        retried in the background at the interval the CSMS gave. Also reopens after close().
        """
        await self._conn.connect()

    async def connect_with_retry(self, initial_delay: float = 0.0) -> None:
        """Connect, retrying with exponential backoff until it works or close() is called."""
        await self._conn.connect_with_retry(initial_delay)

    async def close(self, stop_reason: str | None = None) -> None:
        """Disconnect for good. With `stop_reason`, running transactions are stopped first."""
        if stop_reason is not None and self.is_accepted:
            for conn in self._connectors.values():
                if conn.session is not None:
                    await self.stop_charging(conn.connector_id, stop_reason)
        await self._tasks.cancel()
        for conn in self._connectors.values():
            if conn.session is not None:
                await self._stop_meter_loop(conn.session)
        await self._conn.close()

    def run_follow_up(self, follow_up: FollowUp) -> None:
        self._tasks.spawn(follow_up())

    async def _on_accepted(self) -> None:
        """After every accepted boot: report every status, send stops that waited."""
        await self._send_status(0)
        for cid in self._connectors:
            await self._send_status(cid)
        await self._flush_pending_stops()

    # ---- status ------------------------------------------------------------------------------

    def _connector(self, connector_id: int) -> ConnectorState:
        try:
            return self._connectors[connector_id]
        except KeyError:
            raise ValueError(f"{self.identity} has no connector {connector_id}") from None

    async def _send_status(self, connector_id: int) -> None:
        if not self.is_accepted:
            return
        if connector_id == 0:
            status, error, vendor_error = (
                self._cp_status,
                self._cp_error_code,
                self._cp_vendor_error_code,
            )
        else:
            conn = self._connectors[connector_id]
            status, error, vendor_error = conn.status, conn.error_code, conn.vendor_error_code
        await self._conn.try_call(
            call.StatusNotification(
                connector_id=connector_id,
                error_code=error,
                status=status,
                timestamp=ocpp_timestamp(utc_now()),
                vendor_error_code=vendor_error or None,
            )
        )

    async def _set_status(self, conn: ConnectorState, status: str) -> None:
        conn.status = status
        await self._send_status(conn.connector_id)

    async def set_status(self, connector_id: int, status: str, error_code: str = "NoError") -> None:
        """Report any status (connector 0 is the charge point itself)."""
        if connector_id == 0:
            self._cp_status, self._cp_error_code = status, error_code
        else:
            conn = self._connector(connector_id)
            conn.status, conn.error_code = status, error_code
        await self._send_status(connector_id)

    async def inject_fault(
        self, connector_id: int, error_code: str = "GroundFailure", vendor_error_code: str = ""
    ) -> None:
        """Fault a connector (0: the whole charger); its running transaction stops (Other)."""
        log.info(
            "charge point fault injected",
            extra={
                "identity": self.identity,
                "connector_id": connector_id,
                "error_code": error_code,
            },
        )
        if connector_id == 0:
            self._cp_status, self._cp_error_code = "Faulted", error_code
            self._cp_vendor_error_code = vendor_error_code
            await self._send_status(0)
            for conn in self._connectors.values():
                async with conn.lock:
                    if conn.session is not None:
                        await self._end_transaction(conn, "Other")
                        await self._set_status(conn, conn.idle_status)
            return
        conn = self._connector(connector_id)
        async with conn.lock:
            conn.status, conn.error_code = "Faulted", error_code
            conn.vendor_error_code = vendor_error_code
            await self._send_status(connector_id)
            if conn.session is not None:
                await self._end_transaction(conn, "Other")

    async def clear_fault(self, connector_id: int) -> None:
        """The fault is gone: back to Available (or Unavailable if set inoperative)."""
        if connector_id == 0:
            self._cp_error_code, self._cp_vendor_error_code = "NoError", ""
            self._cp_status = "Available"
            await self._send_status(0)
            return
        conn = self._connector(connector_id)
        async with conn.lock:
            conn.error_code, conn.vendor_error_code = "NoError", ""
            conn.status = "Available" if conn.operative else "Unavailable"
            await self._send_status(connector_id)
