"""The OCPP 1.6 routing table: the CALLs a charge point sends (Core and Firmware Management),
handed to the application's ChargerEventSink.

Each route turns the (schema-checked) camelCase payload into the version-neutral charger event
the sink expects (ocpp_server.v16.mappers), awaits the sink and turns its result
(ocpp_server.convert) into the CALLRESULT payload.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ocpp.v16.enums import Action

from ocpp_server import convert
from ocpp_server.ports import ChargerEventSink
from ocpp_server.rpc.protocol import CallHandler
from ocpp_server.v16 import mappers
from ocpp_server.v16.payloads import to_camel

Payload = dict[str, Any]
_EMPTY: Payload = {}


async def boot_notification(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    event = mappers.charger_booted(payload)
    return to_camel(convert.boot_notification(await sink.boot_notification(identity, event)))


async def heartbeat(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    return to_camel(convert.heartbeat(await sink.heartbeat(identity)))


async def status_notification(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    await sink.status_notification(identity, mappers.status_changed(payload))
    return _EMPTY


async def authorize(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    info = await sink.authorize(identity, mappers.id_tag_presented(payload))
    return to_camel(convert.authorize(info))


async def start_transaction(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    event = mappers.transaction_started(payload)
    return to_camel(convert.start_transaction(await sink.start_transaction(identity, event)))


async def stop_transaction(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    event = mappers.transaction_stopped(payload)
    return to_camel(convert.stop_transaction(await sink.stop_transaction(identity, event)))


async def meter_values(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    await sink.meter_values(identity, mappers.meter_sampled(payload))
    return _EMPTY


async def data_transfer(sink: ChargerEventSink, identity: str, payload: Payload) -> Payload:
    result = await sink.data_transfer(identity, mappers.data_transferred(payload))
    return to_camel(convert.data_transfer(result))


async def diagnostics_status_notification(
    sink: ChargerEventSink, identity: str, payload: Payload
) -> Payload:
    await sink.diagnostics_status_notification(
        identity, mappers.diagnostics_status_changed(payload)
    )
    return _EMPTY


async def firmware_status_notification(
    sink: ChargerEventSink, identity: str, payload: Payload
) -> Payload:
    await sink.firmware_status_notification(identity, mappers.firmware_status_changed(payload))
    return _EMPTY


ROUTES = {
    Action.boot_notification: boot_notification,
    Action.heartbeat: heartbeat,
    Action.status_notification: status_notification,
    Action.authorize: authorize,
    Action.start_transaction: start_transaction,
    Action.stop_transaction: stop_transaction,
    Action.meter_values: meter_values,
    Action.data_transfer: data_transfer,
    Action.diagnostics_status_notification: diagnostics_status_notification,
    Action.firmware_status_notification: firmware_status_notification,
}


def routes_for(sink: ChargerEventSink) -> dict[str, CallHandler]:
    """The routing table of one connection: action name -> handler bound to `sink`."""
    return {action.value: partial(handler, sink) for action, handler in ROUTES.items()}
