"""OCPP 1.6 payloads -> version-neutral charger events (ocpp_server.v16.mappers)."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import pytest
from jsonschema import Draft4Validator
from ocpp.charge_point import camel_to_snake_case

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
from ocpp_server.v16 import mappers
from ocpp_server.v16.routes import ROUTES
from ocpp_server.v16.version import SCHEMA_DIR

T0 = "2025-03-01T10:00:00.000Z"
METER_VALUE = [
    {
        "timestamp": T0,
        "sampledValue": [
            {
                "value": "1234",
                "context": "Sample.Periodic",
                "format": "Raw",
                "measurand": "Energy.Active.Import.Register",
                "phase": "L1",
                "location": "Outlet",
                "unit": "Wh",
            },
            {"value": "57"},
        ],
    }
]
SNAKE_METER_VALUE = [
    {
        "timestamp": T0,
        "sampled_value": [
            {
                "value": "1234",
                "context": "Sample.Periodic",
                "format": "Raw",
                "measurand": "Energy.Active.Import.Register",
                "phase": "L1",
                "location": "Outlet",
                "unit": "Wh",
            },
            {"value": "57"},
        ],
    }
]

# Every property of each schema, so a field the mapper forgets shows as None.
FULL: dict[str, tuple[dict[str, Any], Any]] = {
    "BootNotification": (
        {
            "chargePointVendor": "Acme",
            "chargePointModel": "Volt 22",
            "chargePointSerialNumber": "CP-SN",
            "chargeBoxSerialNumber": "BOX-SN",
            "firmwareVersion": "1.2.3",
            "iccid": "8931",
            "imsi": "2620",
            "meterType": "DZG",
            "meterSerialNumber": "M-SN",
        },
        ChargerBooted(
            vendor="Acme",
            model="Volt 22",
            serial_number="CP-SN",
            firmware_version="1.2.3",
            iccid="8931",
            imsi="2620",
            meter_type="DZG",
            meter_serial_number="M-SN",
        ),
    ),
    "StatusNotification": (
        {
            "connectorId": 2,
            "errorCode": "GroundFailure",
            "info": "RCD tripped",
            "status": "Faulted",
            "timestamp": T0,
            "vendorId": "acme",
            "vendorErrorCode": "E42",
        },
        StatusChanged(
            connector_id=2,
            status="Faulted",
            error_code="GroundFailure",
            info="RCD tripped",
            vendor_id="acme",
            vendor_error_code="E42",
            timestamp=T0,
        ),
    ),
    "Authorize": ({"idTag": "TAG-1"}, IdTagPresented(id_tag="TAG-1")),
    "StartTransaction": (
        {
            "connectorId": 1,
            "idTag": "TAG-1",
            "meterStart": 1000,
            "reservationId": 7,
            "timestamp": T0,
        },
        TransactionStarted(
            connector_id=1, id_tag="TAG-1", meter_start_wh=1000, timestamp=T0, reservation_id=7
        ),
    ),
    "StopTransaction": (
        {
            "idTag": "TAG-1",
            "meterStop": 6000,
            "timestamp": T0,
            "transactionId": 42,
            "reason": "EVDisconnected",
            "transactionData": METER_VALUE,
        },
        TransactionStopped(
            transaction_id=42,
            meter_stop_wh=6000,
            timestamp=T0,
            id_tag="TAG-1",
            reason="EVDisconnected",
            meter_values=SNAKE_METER_VALUE,
        ),
    ),
    "MeterValues": (
        {"connectorId": 1, "transactionId": 42, "meterValue": METER_VALUE},
        MeterSampled(connector_id=1, meter_values=SNAKE_METER_VALUE, transaction_id=42),
    ),
    "DataTransfer": (
        {"vendorId": "acme", "messageId": "ping", "data": "x"},
        DataTransferred(vendor_id="acme", message_id="ping", data="x"),
    ),
    "DiagnosticsStatusNotification": (
        {"status": "Uploaded"},
        DiagnosticsStatusChanged(status="Uploaded"),
    ),
    "FirmwareStatusNotification": (
        {"status": "Installed"},
        FirmwareStatusChanged(status="Installed"),
    ),
}

# Only the required properties: every optional field of the event is None.
MINIMAL: dict[str, tuple[dict[str, Any], Any]] = {
    "BootNotification": (
        {"chargePointVendor": "Acme", "chargePointModel": "Volt 22"},
        ChargerBooted(vendor="Acme", model="Volt 22"),
    ),
    "StatusNotification": (
        {"connectorId": 0, "errorCode": "NoError", "status": "Available"},
        StatusChanged(connector_id=0, status="Available", error_code="NoError"),
    ),
    "StartTransaction": (
        {"connectorId": 1, "idTag": "TAG-1", "meterStart": 0, "timestamp": T0},
        TransactionStarted(connector_id=1, id_tag="TAG-1", meter_start_wh=0, timestamp=T0),
    ),
    "StopTransaction": (
        {"meterStop": 6000, "timestamp": T0, "transactionId": 42},
        TransactionStopped(transaction_id=42, meter_stop_wh=6000, timestamp=T0),
    ),
    "MeterValues": (
        {"connectorId": 1, "meterValue": [{"timestamp": T0, "sampledValue": [{"value": "1"}]}]},
        MeterSampled(
            connector_id=1, meter_values=[{"timestamp": T0, "sampled_value": [{"value": "1"}]}]
        ),
    ),
    "DataTransfer": ({"vendorId": "acme"}, DataTransferred(vendor_id="acme")),
}

MAPPERS = {
    "BootNotification": mappers.charger_booted,
    "StatusNotification": mappers.status_changed,
    "Authorize": mappers.id_tag_presented,
    "StartTransaction": mappers.transaction_started,
    "StopTransaction": mappers.transaction_stopped,
    "MeterValues": mappers.meter_sampled,
    "DataTransfer": mappers.data_transferred,
    "DiagnosticsStatusNotification": mappers.diagnostics_status_changed,
    "FirmwareStatusNotification": mappers.firmware_status_changed,
}


def schema(action: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"{action}.json").read_text())
    return loaded


@pytest.mark.parametrize("action", sorted(FULL))
def test_every_field_of_a_full_payload_is_mapped(action: str) -> None:
    payload, expected = FULL[action]
    Draft4Validator(schema(action)).validate(payload)
    assert set(payload) == set(schema(action)["properties"])  # the payload is complete
    event = MAPPERS[action](payload)
    assert event == expected
    assert all(getattr(event, f.name) is not None for f in fields(event))


@pytest.mark.parametrize("action", sorted(MINIMAL))
def test_absent_optional_fields_are_none(action: str) -> None:
    payload, expected = MINIMAL[action]
    Draft4Validator(schema(action)).validate(payload)
    assert set(payload) == set(schema(action)["required"])
    assert MAPPERS[action](payload) == expected


def test_every_charger_initiated_route_has_a_mapper() -> None:
    assert {action.value for action in ROUTES} - {"Heartbeat"} == set(MAPPERS)


@pytest.mark.parametrize(
    ("serials", "expected"),
    [
        ({"chargeBoxSerialNumber": "BOX-9"}, "BOX-9"),  # deprecated field, alone
        ({"chargePointSerialNumber": "", "chargeBoxSerialNumber": "BOX-9"}, "BOX-9"),
        ({"chargePointSerialNumber": "CP-1", "chargeBoxSerialNumber": "BOX-9"}, "CP-1"),
        ({"chargePointSerialNumber": ""}, None),
    ],
)
def test_charge_box_serial_number_is_the_serial_when_none_other_is_given(
    serials: dict[str, str], expected: str | None
) -> None:
    payload = {"chargePointVendor": "V", "chargePointModel": "M", **serials}
    assert mappers.charger_booted(payload).serial_number == expected


def test_meter_readings_are_converted_as_the_library_converts_them() -> None:
    payload = FULL["MeterValues"][0]
    sampled = mappers.meter_sampled(payload)
    assert sampled.meter_values == camel_to_snake_case(payload)["meter_value"]
    assert sampled.meter_values is not payload["meterValue"]  # the event owns its readings
    stopped = mappers.transaction_stopped(FULL["StopTransaction"][0])
    assert (
        stopped.meter_values == camel_to_snake_case(FULL["StopTransaction"][0])["transaction_data"]
    )


def test_events_are_frozen() -> None:
    event = mappers.id_tag_presented({"idTag": "A"})
    with pytest.raises(AttributeError):
        event.id_tag = "B"  # type: ignore[misc]
