"""The application side of the OCPP server: implements ocpp_server.ports.ChargerEventSink.

Each handler runs its database work in the shared group-commit writer, awaits the commit, then
publishes what changed on the event bus (which feeds the live pages) and returns the reply.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from ocpp.exceptions import GenericError, PropertyConstraintViolationError
from sqlmodel import Session

from ccms_app.charging import data_issues, transactions
from ccms_app.charging.batch_preload import BatchHint, preload
from ccms_app.charging.meter_values import MeterRequest
from ccms_app.charging.meter_values import meter_values as apply_meter_values
from ccms_app.charging.unregistered import UnregisteredLimits
from ccms_app.control import message_log
from ccms_app.control.rules.redaction import may_hold_secret, redact_text
from ccms_app.core.config import Settings, get_settings
from ccms_app.core.db_writer import DbWriter
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.core.types import utc_now
from ccms_app.drivers.authorization import check_id_tag
from ccms_app.network import charge_points
from ccms_app.network.models import RegistrationState
from ccms_app.system.overrides import heartbeat_interval
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

log = logging.getLogger(__name__)

T = TypeVar("T")
PENDING_RETRY_INTERVAL = 60  # seconds an unregistered charge point waits before booting again


INT64_MAX = 2**63 - 1


def _integer(value: Any, name: str, minimum: int = -INT64_MAX - 1) -> int:
    """An OCPP integer field as CCMS stores it. The 1.6 schemas set no range; a negative
    connector id or a number no database column can hold is a protocol error, not data
    to keep (docs/data-policy.md, "Numbers out of range")."""
    number = int(value)
    if not minimum <= number <= INT64_MAX:
        raise PropertyConstraintViolationError(description=f"{name} {number} is out of range")
    return number


def _optional_integer(value: Any, name: str) -> int | None:
    return None if value is None else _integer(value, name)


def _keep_alive(identity: str) -> Callable[[Session, datetime], list[NetworkEvent]]:
    """Work that only records the charger as seen now."""

    def work(session: Session, now: datetime) -> list[NetworkEvent]:
        charge_points.touch(session, identity, now)
        return []

    return work


class ChargerEventService:
    """What CCMS does with every CALL a charge point sends."""

    def __init__(
        self, bus: EventBus, settings: Settings | None = None, writer: DbWriter | None = None
    ) -> None:
        self._bus = bus
        self._settings = settings or get_settings()
        self._writer = writer or DbWriter(wait=self._settings.group_commit_wait)
        self._writer.set_batch_loader(preload)
        self._limits = UnregisteredLimits()

    @property
    def writer(self) -> DbWriter:
        return self._writer

    async def start(self) -> None:
        await self._writer.start()
        count = await self._writer.run(charge_points.mark_all_offline)
        if count:
            log.info("charge points marked offline at start-up", extra={"count": count})

    async def stop(self) -> None:
        await self._writer.stop()

    async def _apply(
        self,
        work: Callable[[Session, datetime], tuple[T, list[NetworkEvent]]],
        hint: BatchHint | None = None,
    ) -> T:
        now = utc_now()
        result, events = await self._writer.run(lambda session: work(session, now), hint)
        for event in events:
            self._bus.publish(event)
        return result

    async def _apply_events(
        self,
        work: Callable[[Session, datetime], list[NetworkEvent]],
        hint: BatchHint | None = None,
    ) -> None:
        await self._apply(lambda session, now: (None, work(session, now)), hint)

    # --- connection -------------------------------------------------------------------

    async def connected(self, info: ConnectionInfo) -> None:
        def work(s: Session, now: datetime) -> tuple[bool, list[NetworkEvent]]:
            cp, events = charge_points.mark_connected(s, info.identity, now)
            return cp.registration_state == RegistrationState.REGISTERED, events

        registered = await self._apply(work, BatchHint(info.identity))
        self._limits.set_registered(info.identity, registered)

    async def disconnected(self, identity: str, reason: str) -> None:
        self._limits.forget(identity)
        await self._apply_events(  # the hint: a storm of them loads its rows in one query
            lambda s, now: charge_points.mark_disconnected(s, identity, now, reason),
            BatchHint(identity),
        )

    def record_frame(self, frame: FrameRecord) -> None:
        """Log the frame, a charger password (AuthorizationKey) blanked out first, within what
        an unregistered charge point may cost (charging.unregistered)."""
        kept = self._limits.loggable(frame)
        if kept is None:
            return
        if may_hold_secret(kept.raw):
            kept = dataclasses.replace(kept, raw=redact_text(kept.raw))
        message_log.log_frame(self._writer, kept)

    def _admit(self, identity: str) -> None:
        """A CALL of an unregistered charge point over its message rate is not applied."""
        if not self._limits.allow_call(identity):
            raise GenericError(
                description="message rate of an unregistered charge point exceeded; "
                "slow down until it is registered"
            )

    async def data_issue(self, identity: str, kind: str, detail: str, payload: str) -> None:
        """Keep something the protocol layer could not apply as sent (e.g. a reused message
        id) as a ChargerDataIssue for an operator."""

        def work(session: Session, now: datetime) -> list[NetworkEvent]:
            cp = charge_points.find_charge_point(session, identity)
            issue = data_issues.record_issue(
                session, identity, kind, detail, payload, cp.id if cp else None, once=True
            )
            return [data_issues.issue_event(cp, kind)] if cp and issue else []

        await self._apply_events(work)

    # --- charge point -> CSMS ---------------------------------------------------------

    async def boot_notification(self, identity: str, event: ChargerBooted) -> BootResult:
        # BOOT_FIELDS: the boot info's (1.6) names -> the columns, named as the event's fields
        info: dict[str, str | None] = {
            name: getattr(event, column) for name, column in charge_points.BOOT_FIELDS.items()
        }
        self._admit(identity)

        def work(s: Session, now: datetime) -> tuple[tuple[str, int], list[NetworkEvent]]:
            outcome, events = charge_points.boot(s, identity, info, now)
            accepted = outcome.status == "Accepted"
            # The operator's heartbeat interval (System settings) or CCMS_HEARTBEAT_INTERVAL,
            # read in this transaction: a change counts from the next boot, no restart.
            interval = heartbeat_interval(s, self._settings) if accepted else PENDING_RETRY_INTERVAL
            return (outcome.status, interval), events

        status, interval = await self._apply(work, BatchHint(identity))
        self._limits.set_registered(identity, status == "Accepted")
        log.info("boot notification", extra={"identity": identity, "status": status})
        return BootResult(status=status, interval=interval)

    async def heartbeat(self, identity: str) -> datetime:
        self._admit(identity)
        await self._apply_events(_keep_alive(identity), BatchHint(identity))
        return utc_now()

    async def status_notification(self, identity: str, event: StatusChanged) -> None:
        self._admit(identity)
        report = charge_points.StatusReport(
            connector_id=_integer(event.connector_id, "connectorId", minimum=0),
            status=event.status,
            error_code=event.error_code,
            info=event.info,
            vendor_id=event.vendor_id,
            vendor_error_code=event.vendor_error_code,
            timestamp=event.timestamp,
        )
        await self._apply_events(
            lambda s, now: charge_points.apply_status(s, identity, report, now),
            BatchHint(identity, connector_id=report.connector_id),
        )

    async def authorize(self, identity: str, event: IdTagPresented) -> IdTagInfo:
        self._admit(identity)

        def work(session: Session, now: datetime) -> tuple[IdTagInfo, list[NetworkEvent]]:
            cp = charge_points.touch(session, identity, now)
            return check_id_tag(session, event.id_tag, cp, now), []

        return await self._apply(work, BatchHint(identity))

    async def start_transaction(
        self, identity: str, event: TransactionStarted
    ) -> StartTransactionResult:
        self._admit(identity)
        req = transactions.StartRequest(
            connector_id=_integer(event.connector_id, "connectorId", minimum=0),
            id_tag=event.id_tag,
            meter_start=_integer(event.meter_start_wh, "meterStart"),
            timestamp=event.timestamp,
            reservation_id=_optional_integer(event.reservation_id, "reservationId"),
        )

        def work(
            session: Session, now: datetime
        ) -> tuple[tuple[int, IdTagInfo], list[NetworkEvent]]:
            transaction_id, info, events = transactions.start(session, identity, req, now)
            return (transaction_id, info), events

        hint = BatchHint(identity, connector_id=req.connector_id)
        transaction_id, info = await self._apply(work, hint)
        log.info(
            "transaction started",
            extra={
                "identity": identity,
                "transaction_id": transaction_id,
                "id_tag_status": info.status,
            },
        )
        return StartTransactionResult(transaction_id=transaction_id, id_tag_info=info)

    async def stop_transaction(self, identity: str, event: TransactionStopped) -> IdTagInfo | None:
        self._admit(identity)
        req = transactions.StopRequest(
            transaction_id=_integer(event.transaction_id, "transactionId"),
            meter_stop=_integer(event.meter_stop_wh, "meterStop"),
            timestamp=event.timestamp,
            id_tag=event.id_tag,
            reason=event.reason,
            transaction_data=event.meter_values,
        )
        info = await self._apply(
            lambda s, now: transactions.stop(s, identity, req, now),
            BatchHint(identity, transaction_id=req.transaction_id),
        )
        log.info(
            "transaction stopped",
            extra={"identity": identity, "transaction_id": req.transaction_id},
        )
        return info

    async def meter_values(self, identity: str, event: MeterSampled) -> None:
        self._admit(identity)
        req = MeterRequest(
            connector_id=_integer(event.connector_id, "connectorId", minimum=0),
            meter_value=event.meter_values,
            transaction_id=_optional_integer(event.transaction_id, "transactionId"),
        )
        await self._apply_events(
            lambda s, now: apply_meter_values(s, identity, req, now),
            BatchHint(identity, transaction_id=req.transaction_id),
        )

    async def data_transfer(self, identity: str, event: DataTransferred) -> DataTransferResult:
        self._admit(identity)
        # The frame itself is in the message log; no vendor extensions are handled yet.
        log.info(
            "data transfer from charge point",
            extra={
                "identity": identity,
                "vendor_id": event.vendor_id,
                "message_id": event.message_id,
            },
        )
        await self._apply_events(_keep_alive(identity))
        return DataTransferResult(status="UnknownVendorId")

    async def diagnostics_status_notification(
        self, identity: str, event: DiagnosticsStatusChanged
    ) -> None:
        self._admit(identity)
        status = event.status
        await self._apply_events(
            lambda s, now: charge_points.record_diagnostics_status(s, identity, status, now)
        )

    async def firmware_status_notification(
        self, identity: str, event: FirmwareStatusChanged
    ) -> None:
        self._admit(identity)
        status = event.status
        await self._apply_events(
            lambda s, now: charge_points.record_firmware_status(s, identity, status, now)
        )
