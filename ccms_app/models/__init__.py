"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from ccms_app.models import firmware as firmware  # registers the firmware tables
from ccms_app.models import local_list as local_list  # registers the local list tables
from ccms_app.models import smart_charging as smart_charging  # registers the smart charging tables
from ccms_app.models.assets import (
    ChargePoint,
    ChargePointConfiguration,
    Connector,
    OperationArea,
    Station,
)
from ccms_app.models.charging import (
    ChargePointCommand,
    ChargerDataIssue,
    ChargingSession,
    MeterSample,
    OcppMessage,
    Reservation,
    SecurityEvent,
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
from ccms_app.models.users import Driver, IdTag, UserGroup, UserGroupMember, Vehicle

__all__ = [
    "ChargePoint",
    "ChargePointCommand",
    "ChargePointConfiguration",
    "ChargerDataIssue",
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
    "Reservation",
    "SecurityEvent",
    "SessionStatus",
    "Station",
    "StatusEvent",
    "UserGroup",
    "UserGroupMember",
    "Vehicle",
]
