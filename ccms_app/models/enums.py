"""Enumerations stored as plain strings (portable across SQLite and PostgreSQL)."""

from enum import StrEnum


class RegistrationState(StrEnum):
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    DISABLED = "disabled"


class ConnectorStatus(StrEnum):
    """OCPP 1.6 ChargePointStatus values, plus Unknown before the first StatusNotification."""

    AVAILABLE = "Available"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EVSE = "SuspendedEVSE"
    SUSPENDED_EV = "SuspendedEV"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"
    UNKNOWN = "Unknown"


class IdTagStatus(StrEnum):
    """What the operator set on a card; Expired is derived from the expiry date."""

    ACTIVE = "active"
    BLOCKED = "blocked"


class DriverStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class SessionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class MessageDirection(StrEnum):
    IN = "in"  # charge point -> CSMS
    OUT = "out"  # CSMS -> charge point


class CommandStatus(StrEnum):
    """Lifecycle of an operator command sent to a charge point."""

    REQUESTED = "requested"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    OFFLINE = "offline"

    @property
    def is_final(self) -> bool:
        return self not in (CommandStatus.REQUESTED, CommandStatus.SENT)
