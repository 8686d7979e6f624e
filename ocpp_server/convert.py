"""Turn the sink's results (ocpp_server.ports types) into the library's v16 reply dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime

from ocpp.v16 import call_result, datatypes

from ocpp_server.ports import (
    BootResult,
    DataTransferResult,
    IdTagInfo,
    StartTransactionResult,
)


def ocpp_datetime(value: datetime) -> str:
    """OCPP dateTime in UTC with milliseconds, e.g. 2013-02-01T20:53:32.486Z (naive = UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def utc_now() -> datetime:
    return datetime.now(UTC)


def id_tag_info(info: IdTagInfo) -> datatypes.IdTagInfo:
    return datatypes.IdTagInfo(
        status=info.status,
        parent_id_tag=info.parent_id_tag,
        expiry_date=ocpp_datetime(info.expiry_date) if info.expiry_date else None,
    )


def boot_notification(result: BootResult) -> call_result.BootNotification:
    return call_result.BootNotification(
        current_time=ocpp_datetime(utc_now()), interval=result.interval, status=result.status
    )


def heartbeat(now: datetime) -> call_result.Heartbeat:
    return call_result.Heartbeat(current_time=ocpp_datetime(now))


def authorize(info: IdTagInfo) -> call_result.Authorize:
    return call_result.Authorize(id_tag_info=id_tag_info(info))


def start_transaction(result: StartTransactionResult) -> call_result.StartTransaction:
    return call_result.StartTransaction(
        transaction_id=result.transaction_id, id_tag_info=id_tag_info(result.id_tag_info)
    )


def stop_transaction(info: IdTagInfo | None) -> call_result.StopTransaction:
    return call_result.StopTransaction(id_tag_info=id_tag_info(info) if info else None)


def data_transfer(result: DataTransferResult) -> call_result.DataTransfer:
    return call_result.DataTransfer(status=result.status, data=result.data)
