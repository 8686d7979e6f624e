"""The small interfaces between the OCPP server and the application.

- `ChargerEventSink` (charge point -> app): the server calls it for every CALL a charge point
  sends. The app implements it (ccms_app.charging.charger_events). Requests are the
  version-neutral charger events of ocpp_server.charger_events (each OCPP version maps its
  payloads to them: ocpp_server.v16.mappers), so a 2.0.1 server can feed the same services;
  replies are the small result types below. A method returns only after the data it changes
  is committed (the CALLRESULT follows it).
- `CommandPort` (app -> charge point): the server implements it; the app's command service
  calls it to send RemoteStart, Reset, ... and gets the charge point's typed reply. Commands
  are still OCPP 1.6's own (the ocpp library's v16 `call.*` / `call_result.*` dataclasses):
  what a command can say differs per version, and a neutral command layer comes with 2.0.1.
- `ChargerAuthenticator` (optional): the server asks it, before the websocket opens, whether
  a charge point may connect (OCPP Security Profile 1 password, unknown-identity policy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

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


@dataclass(frozen=True)
class IdTagInfo:
    """OCPP 1.6 IdTagInfo: status is Accepted | Blocked | Expired | Invalid | ConcurrentTx."""

    status: str
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None


@dataclass(frozen=True)
class BootResult:
    status: str  # Accepted | Pending | Rejected
    interval: int  # heartbeat interval (Accepted) or retry interval (Pending/Rejected), seconds


@dataclass(frozen=True)
class StartTransactionResult:
    transaction_id: int
    id_tag_info: IdTagInfo


@dataclass(frozen=True)
class DataTransferResult:
    status: str  # Accepted | Rejected | UnknownMessageId | UnknownVendorId
    data: str | None = None


@dataclass(frozen=True)
class FrameRecord:
    """One OCPP-J frame as it crossed the wire, for the message log."""

    identity: str
    direction: str  # "in" (charge point -> CSMS) or "out"
    raw: str
    message_type: int | None = None  # 2 CALL, 3 CALLRESULT, 4 CALLERROR; None if unparseable
    message_id: str = ""
    action: str = ""
    error_code: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class ConnectionInfo:
    identity: str
    remote_address: str = ""
    subprotocol: str = "ocpp1.6"
    extra: dict[str, Any] = field(default_factory=dict)


class ChargerEventSink(Protocol):
    """What the application does with what charge points say."""

    async def connected(self, info: ConnectionInfo) -> None: ...

    async def disconnected(self, identity: str, reason: str) -> None: ...

    def record_frame(self, frame: FrameRecord) -> None:
        """Store a frame in the OCPP message log. Must not block the event loop."""
        ...

    async def boot_notification(self, identity: str, event: ChargerBooted) -> BootResult: ...

    async def heartbeat(self, identity: str) -> datetime: ...

    async def status_notification(self, identity: str, event: StatusChanged) -> None: ...

    async def authorize(self, identity: str, event: IdTagPresented) -> IdTagInfo: ...

    async def start_transaction(
        self, identity: str, event: TransactionStarted
    ) -> StartTransactionResult: ...

    async def stop_transaction(
        self, identity: str, event: TransactionStopped
    ) -> IdTagInfo | None: ...

    async def meter_values(self, identity: str, event: MeterSampled) -> None: ...

    async def data_transfer(self, identity: str, event: DataTransferred) -> DataTransferResult: ...

    async def diagnostics_status_notification(
        self, identity: str, event: DiagnosticsStatusChanged
    ) -> None: ...

    async def firmware_status_notification(
        self, identity: str, event: FirmwareStatusChanged
    ) -> None: ...

    async def data_issue(self, identity: str, kind: str, detail: str, payload: str) -> None:
        """Keep something the charger sent that could not be applied (e.g. a reused message
        id with another payload) for an operator to look at."""
        ...


class ChargerOfflineError(Exception):
    """The charge point has no open connection to this server."""


class CommandTimeoutError(Exception):
    """The charge point did not answer within the timeout."""


class CommandCallError(Exception):
    """The charge point answered with a CALLERROR."""

    def __init__(self, code: str, description: str = "", details: Any = None) -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description
        self.details = details


class CommandPort(Protocol):
    """Sends CSMS-initiated CALLs to connected charge points."""

    def is_connected(self, identity: str) -> bool: ...

    def connected_identities(self) -> set[str]: ...

    async def reachable(self, identity: str) -> bool:
        """Whether a command can reach the charger now: `is_connected`, or (another process
        holding it) found where `is_connected` looks only at what it has seen so far."""
        ...

    async def send(self, identity: str, request: Any, timeout: float | None = None) -> Any:
        """Send a v16 `call.*` request; return the v16 `call_result.*` reply.

        Raises ChargerOfflineError, CommandTimeoutError or CommandCallError.
        """
        ...


@dataclass(frozen=True)
class ConnectionDecision:
    """Whether a charge point may open its websocket; if not, the HTTP error it gets instead."""

    allowed: bool
    http_status: int = 101  # 401 (credentials), 404 (unknown identity), 503 (cannot decide)
    reason: str = ""


class ChargerAuthenticator(Protocol):
    """Decides each connection attempt during the opening handshake (HTTP Basic auth)."""

    async def check_connection(
        self,
        identity: str,
        password: str | None,
        remote_address: str,
        problem: str = "",
        connected: bool = False,
    ) -> ConnectionDecision:
        """`password` is None when no usable credentials came: `problem` is "" when there was
        no Authorization header, else why it was unusable (malformed, wrong username).
        `connected`: a websocket for this identity is open right now (a second connection
        without a password may be an impostor)."""
        ...

    async def refused(self, identity: str, remote_address: str, reason: str) -> None:
        """The server refused an attempt on its own (an identity no charger may have), so the
        application can keep it as a security event."""
        ...
