"""OCPP 1.6 CALL payloads -> the version-neutral charger events (ocpp_server.charger_events).

One mapper per OCPP version (a 2.0.1 one would sit in ocpp_server.v201): the application
never sees a version's payloads or the ocpp library's `call.*` dataclasses. A payload has passed
its 1.6 schema before it gets here, so required keys are present, no unknown key is, and every
value has its schema type; values are passed on as the charger sent them.

Top-level keys are read directly (no key conversion); nested meter readings become the
snake_case dicts `MeterValueGroup` describes, as the ocpp library converts them (`_meter_groups`).
"""

from __future__ import annotations

from typing import Any

from ocpp_server.charger_events import (
    ChargerBooted,
    DataTransferred,
    DiagnosticsStatusChanged,
    FirmwareStatusChanged,
    IdTagPresented,
    MeterSampled,
    StatusChanged,
    TransactionStarted,
    TransactionStopped,
)

Payload = dict[str, Any]


def charger_booted(payload: Payload) -> ChargerBooted:
    """BootNotification. chargeBoxSerialNumber (deprecated in 1.6) is the serial number when
    chargePointSerialNumber is absent or empty."""
    return ChargerBooted(
        vendor=payload["chargePointVendor"],
        model=payload["chargePointModel"],
        serial_number=payload.get("chargePointSerialNumber")
        or payload.get("chargeBoxSerialNumber"),
        firmware_version=payload.get("firmwareVersion"),
        iccid=payload.get("iccid"),
        imsi=payload.get("imsi"),
        meter_type=payload.get("meterType"),
        meter_serial_number=payload.get("meterSerialNumber"),
    )


def status_changed(payload: Payload) -> StatusChanged:
    get = payload.get
    return StatusChanged(
        connector_id=payload["connectorId"],
        status=payload["status"],
        error_code=payload["errorCode"],
        info=get("info"),
        vendor_id=get("vendorId"),
        vendor_error_code=get("vendorErrorCode"),
        timestamp=get("timestamp"),
    )


def id_tag_presented(payload: Payload) -> IdTagPresented:
    return IdTagPresented(id_tag=payload["idTag"])


def transaction_started(payload: Payload) -> TransactionStarted:
    return TransactionStarted(
        connector_id=payload["connectorId"],
        id_tag=payload["idTag"],
        meter_start_wh=payload["meterStart"],
        timestamp=payload["timestamp"],
        reservation_id=payload.get("reservationId"),
    )


def transaction_stopped(payload: Payload) -> TransactionStopped:
    data = payload.get("transactionData")
    return TransactionStopped(
        transaction_id=payload["transactionId"],
        meter_stop_wh=payload["meterStop"],
        timestamp=payload["timestamp"],
        id_tag=payload.get("idTag"),
        reason=payload.get("reason"),
        meter_values=None if data is None else _meter_groups(data),
    )


def meter_sampled(payload: Payload) -> MeterSampled:
    """MeterValues, the most frequent CALL: one dataclass, and the readings' keys converted."""
    return MeterSampled(
        connector_id=payload["connectorId"],
        meter_values=_meter_groups(payload["meterValue"]),
        transaction_id=payload.get("transactionId"),
    )


def _meter_groups(groups: list[Payload]) -> list[Payload]:
    """MeterValues' meterValue and StopTransaction's transactionData as snake_case dicts.

    Their schema (validated before this runs) allows exactly `timestamp` and `sampledValue`
    in a group and only one-word keys in a sampled value, so renaming `sampledValue` is the
    whole conversion: the sampled values are passed on as parsed, not copied key by key (a
    generic key-by-key conversion was a twentieth of the server's time under MeterValues
    load)."""
    return [
        {"timestamp": group["timestamp"], "sampled_value": group["sampledValue"]}
        for group in groups
    ]


def data_transferred(payload: Payload) -> DataTransferred:
    return DataTransferred(
        vendor_id=payload["vendorId"],
        message_id=payload.get("messageId"),
        data=payload.get("data"),
    )


def diagnostics_status_changed(payload: Payload) -> DiagnosticsStatusChanged:
    return DiagnosticsStatusChanged(status=payload["status"])


def firmware_status_changed(payload: Payload) -> FirmwareStatusChanged:
    return FirmwareStatusChanged(status=payload["status"])
