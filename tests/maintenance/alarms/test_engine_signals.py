"""The alarm engine's other causes over real OCPP: failed transaction starts (short empty
sessions, rejected remote starts), charger data issues, meter anomalies; charger websocket ->
OCPP server -> charger event service -> event bus -> alarm worker -> SQLite."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.v16 import call
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.data_issues import resolve_issues
from ccms_app.charging.models import ChargerDataIssue
from ccms_app.control import commands
from ccms_app.core import db
from ccms_app.maintenance.alarms.worker import AlarmWorker
from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point, eventually
from tests.maintenance.alarms.engine_helpers import (  # noqa: F401 (fixtures)
    activity,
    alarms,
    process_bus,
    register_charge_point,
    running_alarm_worker,
)
from tests.ocpp_server.test_integration import add_tag

CP = "CP-STARTS-1"
TAG = "CARD-1"
BY = "ops@example.com"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.fixture
def cp_id(session: Session, organisation: Organisation) -> int:
    add_tag(session, organisation, TAG)
    return register_charge_point(session, organisation, CP, vendor="ACME").id or 0


async def session_on(
    cp: Any, connector_id: int, at: datetime, seconds: int, energy_wh: int, meter: int = 1000
) -> int:
    """One transaction, started at `at` and stopped `seconds` later having charged `energy_wh`."""
    started = await cp.call(
        call.StartTransaction(
            connector_id=connector_id, id_tag=TAG, meter_start=meter, timestamp=iso(at)
        )
    )
    assert started.id_tag_info["status"] == "Accepted"
    stop_at = at + timedelta(seconds=seconds)
    await cp.call(
        call.StopTransaction(
            transaction_id=started.transaction_id,
            meter_stop=meter + energy_wh,
            timestamp=iso(stop_at),
            id_tag=TAG,
        )
    )
    return int(started.transaction_id)


async def quiet(worker: AlarmWorker) -> None:
    """Let the last message's bus events reach the worker and its batch apply."""
    await asyncio.sleep(0.3)
    await worker.settled()


async def test_short_empty_sessions_in_a_row_raise_failed_starts_until_a_car_charges(
    cp_id: int, ocpp_url: str, alarm_worker: AlarmWorker
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await session_on(cp, 1, T0, seconds=20, energy_wh=0)
        await session_on(cp, 1, T0 + timedelta(minutes=2), seconds=15, energy_wh=0)
        await session_on(cp, 2, T0 + timedelta(minutes=3), seconds=10, energy_wh=0)  # another
        await quiet(alarm_worker)
        assert alarms() == []  # two in a row on connector 1: below the threshold of 3

        await session_on(cp, 1, T0 + timedelta(minutes=4), seconds=30, energy_wh=0)
        await eventually(lambda: len(alarms("failed_starts")) == 1)
        (alarm,) = alarms()
        assert (alarm.connector_id, alarm.status, alarm.severity) == (1, "open", "minor")
        assert alarm.fault_started_at == T0
        assert alarm.detail == "3 failed transaction starts in a row"

        await session_on(cp, 1, T0 + timedelta(minutes=6), seconds=20, energy_wh=0)
        await eventually(lambda: alarms()[0].occurrences == 2)  # a fourth: a repeat
        assert alarms()[0].detail == "4 failed transaction starts in a row"

        # Ten minutes plugged in without a watt-hour: the transaction started, but nothing
        # shows the connector works, so the alarm stays open.
        await session_on(cp, 1, T0 + timedelta(minutes=8), seconds=600, energy_wh=0)
        await quiet(alarm_worker)
        assert alarms()[0].status == "open"

        charged = await session_on(cp, 1, T0 + timedelta(minutes=30), seconds=1800, energy_wh=8000)
        await eventually(lambda: alarms()[0].status == "closed")
    (closed,) = alarms()
    assert closed.close_reason == f"recovered: transaction {charged} charged 8000 Wh"
    assert closed.recovered_at == T0 + timedelta(minutes=60)
    assert closed.downtime_s == 3600
    assert [kind for kind, _ in activity(closed.id)] == ["raised", "repeated", "closed"]


async def test_remote_starts_rejected_in_a_row_raise_one_failed_starts_alarm(
    cp_id: int, ocpp_url: str, alarm_worker: AlarmWorker, command_port: OcppServer
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        assert isinstance(cp, ScriptedChargePoint)
        cp.answers["RemoteStartTransaction"] = "Rejected"
        start = {"id_tag": TAG, "connector_id": 2}
        for _ in range(2):
            view = await commands.send_command(cp_id, "RemoteStartTransaction", start, BY)
            assert view.status == "rejected"
        other = await commands.send_command(
            cp_id, "RemoteStartTransaction", {"id_tag": TAG, "connector_id": 1}, BY
        )
        assert other.status == "rejected"
        await quiet(alarm_worker)
        assert alarms() == []  # 2 on connector 2, 1 on connector 1

        await commands.send_command(cp_id, "RemoteStartTransaction", start, BY)
        await eventually(lambda: len(alarms()) == 1)
        (alarm,) = alarms()
        assert (alarm.cause, alarm.connector_id, alarm.status) == ("failed_starts", 2, "open")
        assert [a.connector_id for a in alarms()] == [2]

        await session_on(cp, 2, datetime.now(UTC), seconds=1, energy_wh=1500)  # after them
        await eventually(lambda: alarms()[0].status == "closed")
    assert alarms()[0].close_reason.startswith("recovered: transaction")
    assert [a.cause for a in alarms()] == ["failed_starts"]


def open_issue_ids(kind: str) -> list[int]:
    with db.read_session() as s:
        rows = s.exec(
            select(ChargerDataIssue.id).where(
                col(ChargerDataIssue.kind) == kind, col(ChargerDataIssue.resolved_at).is_(None)
            )
        )
        return [int(i) for i in rows if i is not None]


async def test_an_odd_charger_message_raises_a_data_issue_alarm_resolving_closes_it(
    cp_id: int, ocpp_url: str, alarm_worker: AlarmWorker
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.StopTransaction(transaction_id=4711, meter_stop=4200, timestamp=iso(T0)))
        await eventually(lambda: len(alarms()) == 1)
        (alarm,) = alarms()
        assert (alarm.cause, alarm.connector_id, alarm.severity) == ("data_issue", 0, "warning")
        assert alarm.error_code == "stop_unknown_transaction"
        assert "unknown transaction 4711" in alarm.detail
        await cp.call(call.StopTransaction(transaction_id=4712, meter_stop=10, timestamp=iso(T0)))
        await eventually(lambda: alarms()[0].occurrences == 2)
        assert "4712" in alarms()[0].detail and "(+1 more unresolved)" in alarms()[0].detail

    first, second = open_issue_ids("stop_unknown_transaction")
    assert resolve_issues([first], resolved_by=BY) == 1
    await quiet(alarm_worker)
    assert alarms()[0].status == "open"  # one issue is still unresolved
    assert resolve_issues([second], resolved_by=BY) == 1
    await eventually(lambda: alarms()[0].status == "closed")
    assert alarms()[0].close_reason == "recovered: data issues resolved"


async def test_a_meter_register_going_backwards_raises_a_meter_anomaly(
    cp_id: int, ocpp_url: str, alarm_worker: AlarmWorker
) -> None:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    async with connect_charge_point(ocpp_url, CP) as cp:
        started = await cp.call(
            call.StartTransaction(connector_id=1, id_tag=TAG, meter_start=1000, timestamp=iso(at))
        )
        for minutes, wh in ((5, 5000), (10, 7000), (15, 100)):
            await cp.call(
                call.MeterValues(
                    connector_id=1,
                    transaction_id=started.transaction_id,
                    meter_value=[
                        {
                            "timestamp": iso(at + timedelta(minutes=minutes)),
                            "sampledValue": [
                                {"value": str(wh), "measurand": "Energy.Active.Import.Register"}
                            ],
                        }
                    ],
                )
            )
        await eventually(lambda: len(alarms()) == 1)
    (alarm,) = alarms()
    assert (alarm.cause, alarm.severity, alarm.status) == ("meter_anomaly", "minor", "open")
    assert alarm.error_code == "energy_register_break"
    assert "went down from 7000 to 100" in alarm.detail
    assert alarms("data_issue") == []
