"""The event history over real OCPP: status, boot, connect/disconnect, firmware and security
events in one list, filtered, sorted, scoped and exported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core.listing import ListQuery, ListQueryError, export_csv, fetch_page
from ccms_app.maintenance.events import EVENT_HISTORY, DateRange
from ccms_app.network.models import ChargePoint, Station
from ccms_app.network.security_events import record_security_event
from tests.fixtures.ocpp import connect_charge_point, eventually

CP = "CP-HISTORY"


@pytest.fixture
def network(session: Session, organisation: Organisation) -> Organisation:
    station = Station(organisation_id=organisation.id, name="Depot North")
    session.add(station)
    session.flush()
    session.add(
        ChargePoint(
            identity=CP,
            organisation_id=organisation.id,
            station_id=station.id,
            registration_state="registered",
        )
    )
    session.commit()
    return organisation


def rows(**filters: object) -> list[dict]:
    query = ListQuery(sort="occurred_at", descending=True, page_size=200, filters=dict(filters))
    return fetch_page(EVENT_HISTORY, query, None).rows


async def test_every_charger_event_is_in_the_history_filterable_and_exportable(
    network: Organisation, ocpp_url: str
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(
            call.BootNotification(
                charge_point_vendor="ACME", charge_point_model="X1", firmware_version="1.2"
            )
        )
        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code="GroundFailure",
                status="Faulted",
                info="K3",
                vendor_id="com.acme",
                vendor_error_code="E42",
            )
        )
        await cp.call(call.FirmwareStatusNotification(status="DownloadFailed"))
    await eventually(lambda: any(r["kind"] == "disconnected" for r in rows()))
    record_security_event(CP, "10.1.1.1:4000", "auth_failed", "wrong password")
    record_security_event("STRANGER", "10.1.1.2:4000", "auth_failed", "no such charger")
    record_security_event("ops@example.com", "10.1.1.3", "login_failed", "operator login")

    kinds = [r["kind"] for r in rows()]
    assert sorted(kinds) == sorted(
        ["connected", "boot", "status", "firmware", "disconnected", "security", "security"]
    )
    (status,) = rows(kind="status")
    assert (status["identity"], status["station_name"], status["connector_id"]) == (
        CP,
        "Depot North",
        1,
    )
    assert (status["status"], status["error_code"], status["info"]) == (
        "Faulted",
        "GroundFailure",
        "K3",
    )
    assert (status["vendor_id"], status["vendor_error_code"]) == ("com.acme", "E42")
    (boot,) = rows(kind="boot")
    assert boot["detail"] == "Accepted (ACME X1 1.2)"
    assert rows(kind="firmware")[0]["detail"] == "DownloadFailed"
    assert [r["kind"] for r in rows(error_code="GroundFailure")] == ["status"]
    stranger = [r for r in rows(kind="security") if r["identity"] == "STRANGER"]
    assert stranger[0]["charge_point_id"] is None and stranger[0]["organisation_id"] == network.id
    mine = rows(charge_point_id=status["charge_point_id"])
    assert len(mine) == 6 and {r["station_id"] for r in mine} == {status["station_id"]}

    times = [r["occurred_at"] for r in rows()]
    assert times == sorted(times, reverse=True)
    now = datetime.now(UTC)
    assert rows(occurred_at=DateRange(now + timedelta(minutes=1), None)) == []
    assert len(rows(occurred_at=(now - timedelta(minutes=5), ""))) == 7
    assert len(rows(occurred_at=f"{(now - timedelta(minutes=5)).isoformat()}/")) == 7
    with pytest.raises(ListQueryError, match="from"):
        rows(occurred_at="yesterday/")
    with pytest.raises(ListQueryError, match="kind"):
        rows(kind="bogus")
    by_station = fetch_page(EVENT_HISTORY, ListQuery(sort="station_name"), None).rows
    assert (
        by_station[-1]["station_name"] == "Depot North"
        or by_station[0]["station_name"] == "Depot North"
    )
    assert fetch_page(EVENT_HISTORY, ListQuery(), [network.id + 999]).total == 0

    csv = export_csv(
        EVENT_HISTORY,
        ListQuery(sort="occurred_at", descending=True, filters={"kind": "status"}),
        None,
    )
    header, line = csv.strip().splitlines()
    assert header.startswith("Time,Event,Charge point,Station")
    assert "GroundFailure" in line and "E42" in line and CP in line
