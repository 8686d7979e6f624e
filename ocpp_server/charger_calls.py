"""The CALLs a charge point sends (OCPP 1.6 Core and Firmware Management), handed to the sink.

One `@on(Action.X)` handler per charge-point-initiated action. Each rebuilds the typed
`ocpp.v16.call.X` request from the keyword arguments the library passes (snake_case keys;
nested parts such as `meter_value`, `sampled_value` or `transaction_data` stay snake_case
dicts/lists exactly as the library made them), awaits the sink and turns the sink's result
into `call_result.X`.
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ocpp_server import convert
from ocpp_server.ports import ChargerEventSink


class ChargerCallHandlers:
    """Mixed into ChargePointConnection, which provides the identity and the sink."""

    id: str
    _sink: ChargerEventSink

    @on(Action.boot_notification)
    async def on_boot_notification(self, **payload: Any) -> call_result.BootNotification:
        result = await self._sink.boot_notification(self.id, call.BootNotification(**payload))
        return convert.boot_notification(result)

    @on(Action.heartbeat)
    async def on_heartbeat(self, **payload: Any) -> call_result.Heartbeat:
        return convert.heartbeat(await self._sink.heartbeat(self.id))

    @on(Action.status_notification)
    async def on_status_notification(self, **payload: Any) -> call_result.StatusNotification:
        await self._sink.status_notification(self.id, call.StatusNotification(**payload))
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, **payload: Any) -> call_result.Authorize:
        info = await self._sink.authorize(self.id, call.Authorize(**payload))
        return convert.authorize(info)

    @on(Action.start_transaction)
    async def on_start_transaction(self, **payload: Any) -> call_result.StartTransaction:
        request = call.StartTransaction(**payload)
        return convert.start_transaction(await self._sink.start_transaction(self.id, request))

    @on(Action.stop_transaction)
    async def on_stop_transaction(self, **payload: Any) -> call_result.StopTransaction:
        request = call.StopTransaction(**payload)
        return convert.stop_transaction(await self._sink.stop_transaction(self.id, request))

    @on(Action.meter_values)
    async def on_meter_values(self, **payload: Any) -> call_result.MeterValues:
        await self._sink.meter_values(self.id, call.MeterValues(**payload))
        return call_result.MeterValues()

    @on(Action.data_transfer)
    async def on_data_transfer(self, **payload: Any) -> call_result.DataTransfer:
        result = await self._sink.data_transfer(self.id, call.DataTransfer(**payload))
        return convert.data_transfer(result)

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status_notification(
        self, **payload: Any
    ) -> call_result.DiagnosticsStatusNotification:
        request = call.DiagnosticsStatusNotification(**payload)
        await self._sink.diagnostics_status_notification(self.id, request)
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware_status_notification(
        self, **payload: Any
    ) -> call_result.FirmwareStatusNotification:
        request = call.FirmwareStatusNotification(**payload)
        await self._sink.firmware_status_notification(self.id, request)
        return call_result.FirmwareStatusNotification()
