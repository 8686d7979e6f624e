"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from ccms_app.models.assets import ChargePoint, Connector, OperationArea, Station
from ccms_app.models.charging import (
    ChargePointCommand,
    ChargingSession,
    MeterSample,
    OcppMessage,
    StatusEvent,
)
from ccms_app.models.enums import (
    CommandStatus,
    ConnectorStatus,
    DriverStatus,
    IdTagStatus,
    MessageDirection,
    RegistrationState,
    SessionStatus,
)
from ccms_app.models.organisation import LoginSession, OperatorAccount, Organisation
from ccms_app.models.users import Driver, IdTag

__all__ = [
    "ChargePoint",
    "ChargePointCommand",
    "ChargingSession",
    "CommandStatus",
    "Connector",
    "ConnectorStatus",
    "Driver",
    "DriverStatus",
    "IdTag",
    "IdTagStatus",
    "LoginSession",
    "MessageDirection",
    "MeterSample",
    "OcppMessage",
    "OperationArea",
    "OperatorAccount",
    "Organisation",
    "RegistrationState",
    "SessionStatus",
    "Station",
    "StatusEvent",
]
