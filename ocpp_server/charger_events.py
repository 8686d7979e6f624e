"""What charge points tell the CSMS, in the charging domain's words rather than one OCPP
version's: the requests the ChargerEventSink (ocpp_server.ports) receives.

Each OCPP version has its own mapper from its CALL payloads to these events (1.6:
ocpp_server.v16.mappers), so a 2.0.1 routing table can feed the same application services.
Values stay what the charge point sent, after schema validation: enumerations (status, error
code, reason ...) are their plain strings, timestamps the charger's dateTime strings (the
application reads them, and decides what a bad one means), numbers as sent (the application
decides which ranges it stores).

Meter readings keep the shape of an OCPP 1.6 MeterValue, as snake_case dicts (see
`MeterValueGroup`): MeterValues is the most frequent message, and copying every sampled value
into objects would cost more than the rest of its protocol handling. A 2.0.1 mapper converts
its MeterValue into the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MeterValueGroup = dict[str, Any]
"""Readings taken at one time: {"timestamp": str, "sampled_value": [SampledValue, ...]}."""

SampledValue = dict[str, Any]
"""One reading: {"value": str} and optionally "context", "format", "measurand", "phase",
"location", "unit" (OCPP 1.6 SampledValue fields, snake_case keys, the charger's strings)."""


@dataclass(frozen=True, slots=True)
class ChargerBooted:
    """The charger (re)started and says what it is (1.6 BootNotification)."""

    vendor: str
    model: str
    serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """A connector (0: the whole charger) reports its status (1.6 StatusNotification)."""

    connector_id: int
    status: str
    error_code: str
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None
    timestamp: str | None = None


@dataclass(frozen=True, slots=True)
class IdTagPresented:
    """A driver presented an identifier; the charger asks whether to charge (1.6 Authorize)."""

    id_tag: str


@dataclass(frozen=True, slots=True)
class TransactionStarted:
    """Charging started on a connector (1.6 StartTransaction)."""

    connector_id: int
    id_tag: str
    meter_start_wh: int
    timestamp: str
    reservation_id: int | None = None


@dataclass(frozen=True, slots=True)
class TransactionStopped:
    """Charging ended (1.6 StopTransaction); `meter_values` are the transaction's readings the
    charger adds to the stop (1.6 transactionData)."""

    transaction_id: int
    meter_stop_wh: int
    timestamp: str
    id_tag: str | None = None
    reason: str | None = None
    meter_values: list[MeterValueGroup] | None = None


@dataclass(frozen=True, slots=True)
class MeterSampled:
    """Meter readings of a connector, during a transaction or not (1.6 MeterValues)."""

    connector_id: int
    meter_values: list[MeterValueGroup]
    transaction_id: int | None = None


@dataclass(frozen=True, slots=True)
class DataTransferred:
    """A vendor-specific message (1.6 DataTransfer)."""

    vendor_id: str
    message_id: str | None = None
    data: str | None = None


@dataclass(frozen=True, slots=True)
class DiagnosticsStatusChanged:
    """Progress of a diagnostics upload (1.6 DiagnosticsStatusNotification)."""

    status: str


@dataclass(frozen=True, slots=True)
class FirmwareStatusChanged:
    """Progress of a firmware update (1.6 FirmwareStatusNotification)."""

    status: str
