"""The alarm engine over real OCPP: charger websocket -> OCPP server -> charger event service ->
event bus -> alarm worker -> SQLite, and the sweep as the scheduler runs it."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.v16 import call
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.maintenance.alarms.models import MaintenanceSettings, VendorErrorCode
from ccms_app.maintenance.alarms.sweep import AlarmSweep
from ccms_app.maintenance.alarms.worker import AlarmWorker
from tests.fixtures.ocpp import connect_charge_point, eventually
from tests.maintenance.alarms.engine_helpers import (  # noqa: F401 (fixtures)
    activity,
    alarms,
    process_bus,
    register_charge_point,
    running_alarm_worker,
)

CP = "CP-ALARM-1"


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


async def status(cp: Any, connector_id: int, value: str, **fields: Any) -> None:
    await cp.call(
        call.StatusNotification(
            connector_id=connector_id,
            error_code=fields.pop("error_code", "NoError"),
            status=value,
            timestamp=iso(fields.pop("at", datetime.now(UTC))),
            **fields,
        )
    )


def alarm_events(queue: asyncio.Queue[NetworkEvent]) -> list[dict[str, Any]]:
    found = []
    while not queue.empty():
        event = queue.get_nowait()
        if event.kind == "alarm":
            found.append(event.data)
    return found


@pytest.fixture
def network(session: Session, organisation: Organisation) -> Organisation:
    register_charge_point(session, organisation, CP)
    session.add(
        VendorErrorCode(
            organisation_id=organisation.id,
            vendor="ACME",
            vendor_error_code="E42",
            readable_cause="Earth leakage relay tripped",
        )
    )
    session.commit()
    return organisation


async def test_a_fault_opens_one_alarm_repeats_count_and_recovery_closes_it_with_downtime(
    network: Organisation, ocpp_url: str, alarm_worker: AlarmWorker, event_bus: EventBus
) -> None:
    heard = event_bus.subscribe()
    faulted_at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="ACME", charge_point_model="X1"))
        sent = time.monotonic()
        await status(
            cp,
            1,
            "Faulted",
            error_code="GroundFailure",
            info="relay K3",
            vendor_id="com.acme",
            vendor_error_code="E42",
            at=faulted_at,
        )
        await eventually(lambda: len(alarms()) == 1, timeout=5)
        assert time.monotonic() - sent < 5
        (alarm,) = alarms()
        assert (alarm.cause, alarm.connector_id, alarm.status) == ("connector_faulted", 1, "open")
        assert (alarm.error_code, alarm.info, alarm.vendor_id, alarm.vendor_error_code) == (
            "GroundFailure",
            "relay K3",
            "com.acme",
            "E42",
        )
        assert alarm.readable_cause == "Earth leakage relay tripped"
        assert alarm.severity == "major" and alarm.occurrences == 1 and alarm.rule_id is None
        assert alarm.fault_started_at == faulted_at
        assert alarm.open_key == f"{alarm.charge_point_id}:1:connector_faulted"
        assert activity(alarm.id)[0][0] == "raised" and "E42" in activity(alarm.id)[0][1]

        await status(cp, 1, "Faulted", error_code="GroundFailure", vendor_error_code="E42")
        await eventually(lambda: alarms()[0].occurrences == 2)
        assert len(alarms()) == 1
        assert [kind for kind, _ in activity(alarm.id)] == ["raised", "repeated"]

        await status(cp, 1, "Available")
        await eventually(lambda: alarms()[0].status == "closed")
    (closed,) = alarms()
    assert closed.open_key is None and closed.closed_by == ""
    assert closed.close_reason == "recovered: status Available"
    assert closed.recovered_at is not None and closed.closed_at == closed.recovered_at
    assert closed.downtime_s == int((closed.recovered_at - faulted_at).total_seconds()) >= 30
    await alarm_worker.settled()
    flags = [
        (e["status"], [k for k in ("raised", "repeated", "closed") if e.get(k)])
        for e in alarm_events(heard)
    ]
    assert flags == [("open", ["raised"]), ("open", ["repeated"]), ("closed", ["closed"])]
    event_bus.unsubscribe(heard)


async def test_a_new_fault_after_recovery_is_a_new_alarm_and_connector_0_is_the_charge_point(
    network: Organisation, ocpp_url: str, alarm_worker: AlarmWorker
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await status(cp, 0, "Faulted", error_code="PowerMeterFailure")
        await eventually(lambda: len(alarms()) == 1)
        await status(cp, 0, "Available")
        await eventually(lambda: alarms()[0].status == "closed")
        await status(cp, 0, "Faulted", error_code="OtherError")
        await eventually(lambda: len(alarms()) == 2)
    first, second = alarms()
    assert (first.connector_id, second.connector_id) == (0, 0)
    assert (first.error_code, second.error_code) == ("PowerMeterFailure", "OtherError")
    assert second.status == "open" and second.open_key is not None


async def test_unavailable_keeps_the_fault_open(
    network: Organisation, ocpp_url: str, alarm_worker: AlarmWorker
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await status(cp, 2, "Faulted", error_code="HighTemperature")
        await eventually(lambda: len(alarms()) == 1)
        await status(cp, 2, "Unavailable")
        await asyncio.sleep(0.3)
        await alarm_worker.settled()
    assert alarms()[0].status == "open"


async def test_offline_past_the_threshold_is_raised_by_the_sweep_and_closed_on_reconnect(
    session: Session, organisation: Organisation, ocpp_url: str, alarm_worker: AlarmWorker
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    session.add(MaintenanceSettings(organisation_id=organisation.id, offline_threshold_s=300))
    gone = register_charge_point(session, organisation, CP, last_seen_at=now - timedelta(minutes=6))
    register_charge_point(
        session, organisation, "CP-RECENT", last_seen_at=now - timedelta(minutes=4)
    )
    register_charge_point(
        session, organisation, "CP-DISABLED", enabled=False, last_seen_at=now - timedelta(hours=1)
    )
    register_charge_point(session, organisation, "CP-NEVER-SEEN")
    sweep = AlarmSweep()
    changes = sweep.run(now)
    (alarm,) = alarms()
    assert (alarm.cause, alarm.charge_point_id, alarm.severity) == ("offline", gone.id, "critical")
    assert alarm.fault_started_at == now - timedelta(minutes=6)
    assert [c.data.get("raised") for c in changes] == [True]
    assert sweep.run(now + timedelta(seconds=30)) == []  # known: not a repeat
    assert alarms()[0].occurrences == 1

    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.Heartbeat())
        await eventually(lambda: alarms()[0].status == "closed")
    closed = alarms()[0]
    assert closed.close_reason == "recovered: back online" and closed.downtime_s >= 360


async def test_firmware_and_diagnostics_failures_raise_and_successes_close(
    network: Organisation, ocpp_url: str, alarm_worker: AlarmWorker
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.FirmwareStatusNotification(status="Downloading"))
        await cp.call(call.FirmwareStatusNotification(status="InstallationFailed"))
        await cp.call(call.DiagnosticsStatusNotification(status="UploadFailed"))
        await eventually(lambda: len(alarms()) == 2)
        firmware, diagnostics = alarms("firmware_failed"), alarms("diagnostics_failed")
        assert firmware[0].detail == "firmware status InstallationFailed"
        assert (firmware[0].severity, diagnostics[0].severity) == ("minor", "warning")
        await cp.call(call.FirmwareStatusNotification(status="Installed"))
        await eventually(lambda: alarms("firmware_failed")[0].status == "closed")
    assert alarms("diagnostics_failed")[0].status == "open"
