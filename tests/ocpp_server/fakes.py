"""An in-memory ChargerEventSink for protocol tests that need no database."""

from __future__ import annotations

from datetime import UTC, datetime
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
from ocpp_server.ports import (
    BootResult,
    ConnectionInfo,
    DataTransferResult,
    FrameRecord,
    IdTagInfo,
    StartTransactionResult,
)

FIXED_NOW = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


class SinkFailure(RuntimeError):
    """What a failing fake sink raises (a database error, say)."""


class RecordingSink:
    """Records every call in order; answers with fixed results; can be told to fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.frames: list[FrameRecord] = []
        self.fail: set[str] = set()
        self.boot_result = BootResult(status="Accepted", interval=300)
        self.id_tag_info = IdTagInfo(status="Accepted")
        self.next_transaction_id = 1

    def names(self, identity: str | None = None) -> list[str]:
        return [name for name, who, _ in self.calls if identity in (None, who)]

    def requests(self, name: str) -> list[Any]:
        return [data for called, _, data in self.calls if called == name]

    def _called(self, name: str, identity: str, data: Any = None) -> None:
        self.calls.append((name, identity, data))
        if name in self.fail:
            raise SinkFailure(f"{name} failed")

    async def connected(self, info: ConnectionInfo) -> None:
        self._called("connected", info.identity, info)

    async def disconnected(self, identity: str, reason: str) -> None:
        self._called("disconnected", identity, reason)

    def record_frame(self, frame: FrameRecord) -> None:
        self.frames.append(frame)

    async def boot_notification(self, identity: str, event: ChargerBooted) -> BootResult:
        self._called("boot_notification", identity, event)
        return self.boot_result

    async def heartbeat(self, identity: str) -> datetime:
        self._called("heartbeat", identity)
        return FIXED_NOW

    async def status_notification(self, identity: str, event: StatusChanged) -> None:
        self._called("status_notification", identity, event)

    async def authorize(self, identity: str, event: IdTagPresented) -> IdTagInfo:
        self._called("authorize", identity, event)
        return self.id_tag_info

    async def start_transaction(
        self, identity: str, event: TransactionStarted
    ) -> StartTransactionResult:
        self._called("start_transaction", identity, event)
        self.next_transaction_id += 1
        return StartTransactionResult(self.next_transaction_id - 1, self.id_tag_info)

    async def stop_transaction(self, identity: str, event: TransactionStopped) -> IdTagInfo | None:
        self._called("stop_transaction", identity, event)
        return self.id_tag_info

    async def meter_values(self, identity: str, event: MeterSampled) -> None:
        self._called("meter_values", identity, event)

    async def data_transfer(self, identity: str, event: DataTransferred) -> DataTransferResult:
        self._called("data_transfer", identity, event)
        return DataTransferResult(status="UnknownVendorId")

    async def diagnostics_status_notification(
        self, identity: str, event: DiagnosticsStatusChanged
    ) -> None:
        self._called("diagnostics_status_notification", identity, event)

    async def firmware_status_notification(
        self, identity: str, event: FirmwareStatusChanged
    ) -> None:
        self._called("firmware_status_notification", identity, event)

    async def data_issue(self, identity: str, kind: str, detail: str, payload: str) -> None:
        self._called("data_issue", identity, (kind, detail, payload))
