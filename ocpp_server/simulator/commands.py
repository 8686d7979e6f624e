"""How the simulated charge point answers CSMS commands (the CALLRESULT and the side effect).

Each `decide_*` runs inside the library's receive loop, so it only looks at in-memory state and
returns a `Decision`; the side effect (start a session, reboot, ...) is a follow-up coroutine
that runs after the reply has been sent.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

from ocpp.v16 import call, call_result

from ocpp_server.simulator.configuration import SimConfiguration
from ocpp_server.simulator.link import Decision

if TYPE_CHECKING:
    from ocpp_server.simulator.connection import CsmsConnection
    from ocpp_server.simulator.connector import ConnectorState

log = logging.getLogger(__name__)

# Every message OCPP 1.6 TriggerMessage may ask for.
TRIGGERABLE = frozenset(
    {
        "BootNotification",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "StatusNotification",
    }
)


class CsmsCommandsMixin:
    """RemoteStart/Stop, Reset, UnlockConnector, ChangeAvailability and a little configuration."""

    if TYPE_CHECKING:
        identity: str
        meter_interval: float
        reboot_delay: float
        _connectors: dict[int, ConnectorState]
        _cp_status: str
        _cp_error_code: str
        _conn: CsmsConnection

        @property
        def can_charge(self) -> bool: ...

        async def start_remote_session(self, conn: ConnectorState, id_tag: str) -> None: ...
        def hold_tx_profile(self, connector_id: int, raw: dict[str, Any]) -> bool: ...
        async def stop_charging(self, connector_id: int, reason: str = "Local") -> None: ...
        async def _end_transaction(self, conn: ConnectorState, reason: str) -> None: ...
        async def _send_status(self, connector_id: int) -> None: ...
        async def send_meter_values(
            self, connector_id: int, context: str = "Sample.Periodic"
        ) -> None: ...

    # ---- transactions --------------------------------------------------------------------

    def decide_remote_start(
        self, id_tag: str, connector_id: int | None, charging_profile: dict[str, Any] | None = None
    ) -> Decision:
        """Accepted if the asked-for (or any) connector is free or reserved for `id_tag`; the
        session starts after. A chargingProfile (TxProfile) is held for that transaction."""
        if connector_id is not None:
            wanted = self._connectors.get(connector_id)
            conn = wanted if wanted is not None and wanted.accepts(id_tag) else None
        else:  # a connector reserved for this id tag first, else any free one
            ready = [c for c in self._connectors.values() if c.accepts(id_tag)]
            conn = next((c for c in ready if c.reservation is not None), None) or next(
                iter(ready), None
            )
        if conn is None or not self.can_charge:
            return Decision(call_result.RemoteStartTransaction(status="Rejected"))
        if charging_profile is not None and not self.hold_tx_profile(
            conn.connector_id, charging_profile
        ):
            return Decision(call_result.RemoteStartTransaction(status="Rejected"))
        conn.claimed = True  # nobody else may take it before the follow-up runs
        chosen = conn
        return Decision(
            call_result.RemoteStartTransaction(status="Accepted"),
            lambda: self.start_remote_session(chosen, id_tag),
        )

    def decide_remote_stop(self, transaction_id: int) -> Decision:
        conn = next(
            (
                c
                for c in self._connectors.values()
                if c.session is not None and c.session.transaction_id == transaction_id
            ),
            None,
        )
        if conn is None:
            return Decision(call_result.RemoteStopTransaction(status="Rejected"))
        cid = conn.connector_id
        return Decision(
            call_result.RemoteStopTransaction(status="Accepted"),
            lambda: self.stop_charging(cid, "Remote"),
        )

    def decide_unlock(self, connector_id: int) -> Decision:
        """Unlocked; a session on the connector ends (UnlockCommand) as the cable comes out."""
        if connector_id not in self._connectors:
            return Decision(call_result.UnlockConnector(status="UnlockFailed"))
        return Decision(
            call_result.UnlockConnector(status="Unlocked"),
            lambda: self.stop_charging(connector_id, "UnlockCommand"),
        )

    # ---- reset -----------------------------------------------------------------------------

    def decide_reset(self, reset_type: str) -> Decision:
        return Decision(call_result.Reset(status="Accepted"), lambda: self._reboot(reset_type))

    async def _reboot(self, reset_type: str) -> None:
        """Stop transactions (SoftReset/HardReset), drop the connection, boot again."""
        reason = "HardReset" if reset_type == "Hard" else "SoftReset"
        log.info("charge point rebooting", extra={"identity": self.identity, "reset": reset_type})
        for conn in self._connectors.values():
            async with conn.lock:
                if conn.session is not None:
                    await self._end_transaction(conn, reason)
                if conn.status != "Faulted":
                    conn.status = conn.idle_status
        await self._conn.reboot(self.reboot_delay)

    # ---- availability ------------------------------------------------------------------------

    def decide_change_availability(self, connector_id: int, availability: str) -> Decision:
        """Accepted, or Scheduled while charging (applied when the session ends). 0 = all."""
        if connector_id == 0:
            targets = list(self._connectors.values())
        elif connector_id in self._connectors:
            targets = [self._connectors[connector_id]]
        else:
            return Decision(call_result.ChangeAvailability(status="Rejected"))
        operative = availability == "Operative"
        changed: list[int] = []
        scheduled = False
        for conn in targets:
            if not operative and (conn.session is not None or conn.claimed):
                conn.inoperative_scheduled, scheduled = True, True
                continue
            conn.operative, conn.inoperative_scheduled = operative, False
            if conn.status in ("Available", "Unavailable"):
                conn.status = conn.idle_status
                changed.append(conn.connector_id)
        if connector_id == 0 and self._cp_error_code == "NoError":
            self._cp_status = "Available" if operative else "Unavailable"
            changed.insert(0, 0)
        status = "Scheduled" if scheduled else "Accepted"
        return Decision(
            call_result.ChangeAvailability(status=status), lambda: self._report_statuses(changed)
        )

    async def _report_statuses(self, connector_ids: list[int]) -> None:
        for cid in connector_ids:
            await self._send_status(cid)

    # ---- configuration and triggers --------------------------------------------------------

    @functools.cached_property
    def configuration(self) -> SimConfiguration:
        """This charger's configuration keys (created on first use)."""
        return SimConfiguration(len(self._connectors))

    def _sync_live_configuration(self) -> SimConfiguration:
        """Keys whose value lives in the charger's running state."""
        config = self.configuration
        config.set_live("HeartbeatInterval", str(self._conn.heartbeat_interval or 0))
        config.set_live("MeterValueSampleInterval", f"{self.meter_interval:g}")
        return config

    def decide_get_configuration(self, keys: list[str] | None) -> Decision:
        known, unknown = self._sync_live_configuration().get(keys)
        return Decision(
            call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)
        )

    def decide_change_configuration(self, key: str, value: str) -> Decision:
        status = self._sync_live_configuration().change(key, value)
        reply = call_result.ChangeConfiguration(status=status)
        if status != "Accepted":
            return Decision(reply)
        if key == "MeterValueSampleInterval":
            self.meter_interval = float(value)
        elif key == "HeartbeatInterval":
            self._conn.heartbeat_interval = int(value)
            return Decision(reply, self._restart_heartbeat_soon)
        return Decision(reply)

    async def _restart_heartbeat_soon(self) -> None:
        self._conn.restart_heartbeat()

    def decide_trigger_message(self, message: str, connector_id: int | None) -> Decision:
        """Accepted for every message 1.6 lets a CSMS trigger; the message follows the reply."""
        if message not in TRIGGERABLE:
            return Decision(call_result.TriggerMessage(status="NotImplemented"))
        if connector_id is not None and connector_id not in self._connectors and connector_id:
            return Decision(call_result.TriggerMessage(status="Rejected"))
        return Decision(
            call_result.TriggerMessage(status="Accepted"),
            lambda: self._triggered(message, connector_id),
        )

    async def _triggered(self, message: str, connector_id: int | None) -> None:
        if message == "BootNotification":
            await self._conn.try_boot()
        elif message == "Heartbeat":
            await self._conn.send_heartbeat()
        elif message == "StatusNotification":
            ids = [connector_id] if connector_id is not None else [0, *self._connectors]
            await self._report_statuses(ids)
        elif message == "DiagnosticsStatusNotification":
            # A firmware/diagnostics mixin may keep `diagnostics_status`; otherwise nothing runs.
            status = getattr(self, "diagnostics_status", "Idle")
            await self._conn.try_call(call.DiagnosticsStatusNotification(status=status))
        elif message == "FirmwareStatusNotification":
            status = getattr(self, "firmware_status", "Idle")
            await self._conn.try_call(call.FirmwareStatusNotification(status=status))
        else:
            ids = [connector_id] if connector_id else list(self._connectors)
            for cid in ids:
                await self.send_meter_values(cid, context="Trigger")
