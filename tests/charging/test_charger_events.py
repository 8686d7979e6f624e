"""ChargerEventService on a real migrated database (websockets are in tests/ocpp_server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.control.models import OcppMessage
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Connector, StatusEvent
from ocpp_server.charger_events import (
    ChargerBooted,
    DiagnosticsStatusChanged,
    FirmwareStatusChanged,
    IdTagPresented,
    MeterSampled,
    StatusChanged,
    TransactionStarted,
    TransactionStopped,
)
from ocpp_server.ports import FrameRecord

CP = "CP-TEST-1"


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


@pytest.fixture
def registered(session: Session, organisation: Organisation) -> ChargePoint:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.add(IdTag(id_tag="GOOD", organisation_id=organisation.id))
    session.add(IdTag(id_tag="BLOCKED", organisation_id=organisation.id, status="blocked"))
    session.add(
        IdTag(
            id_tag="OLD",
            organisation_id=organisation.id,
            expiry_date=datetime.now(UTC) - timedelta(days=1),
        )
    )
    session.commit()
    return cp


def boot_request() -> ChargerBooted:
    return ChargerBooted(
        model="M1",
        vendor="V1",
        serial_number="BOX-9",
        firmware_version="1.2.3",
    )


async def test_boot_of_registered_charge_point_is_accepted(service, registered, session) -> None:
    result = await service.boot_notification(CP, boot_request())
    assert (result.status, result.interval) == ("Accepted", 300)
    session.rollback()
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()
    assert (cp.vendor, cp.model, cp.serial_number, cp.firmware_version) == (
        "V1",
        "M1",
        "BOX-9",
        "1.2.3",
    )
    assert cp.is_online and cp.last_boot_at is not None


async def test_unknown_identity_is_recorded_unregistered_and_pending(
    service, organisation, session
) -> None:
    result = await service.boot_notification("NEW-1", boot_request())
    assert result.status == "Pending"
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == "NEW-1")).one()
    assert cp.registration_state == "unregistered"
    assert cp.organisation_id == organisation.id


async def test_disabled_charge_point_is_rejected(service, registered, session) -> None:
    registered.registration_state = "disabled"
    session.add(registered)
    session.commit()
    assert (await service.boot_notification(CP, boot_request())).status == "Rejected"


async def test_status_notifications_update_connectors_and_keep_history(
    service, registered, session, event_bus
) -> None:
    queue = event_bus.subscribe()
    now = datetime.now(UTC)
    await service.status_notification(
        CP,
        StatusChanged(connector_id=1, error_code="NoError", status="Available", timestamp=iso(now)),
    )
    await service.status_notification(
        CP,
        StatusChanged(
            connector_id=1,
            error_code="GroundFailure",
            status="Faulted",
            timestamp=iso(now + timedelta(seconds=1)),
            vendor_error_code="E42",
        ),
    )
    # A replayed older notification is kept in history but does not move the status back.
    await service.status_notification(
        CP,
        StatusChanged(
            connector_id=1,
            error_code="NoError",
            status="Charging",
            timestamp=iso(now - timedelta(minutes=5)),
        ),
    )
    await service.status_notification(
        CP, StatusChanged(connector_id=0, error_code="NoError", status="Available")
    )
    session.rollback()
    connector = session.exec(select(Connector)).one()
    assert (connector.status, connector.error_code, connector.vendor_error_code) == (
        "Faulted",
        "GroundFailure",
        "E42",
    )
    session.rollback()
    session.refresh(registered)
    assert registered.status == "Available"
    assert len(session.exec(select(StatusEvent)).all()) == 4
    kinds = [queue.get_nowait().kind for _ in range(queue.qsize())]
    assert kinds.count("connector") == 3


async def test_authorize(service, registered) -> None:
    async def status(tag: str) -> str:
        return (await service.authorize(CP, IdTagPresented(id_tag=tag))).status

    assert await status("GOOD") == "Accepted"
    assert await status("BLOCKED") == "Blocked"
    assert await status("OLD") == "Expired"
    assert await status("NOBODY") == "Invalid"
    assert await status("good") == "Accepted"  # OCPP id tags are case-insensitive


async def test_unregistered_charge_point_cannot_authorize(service, organisation) -> None:
    info = await service.authorize("STRANGER", IdTagPresented(id_tag="GOOD"))
    assert info.status == "Invalid"


async def test_whole_transaction(service, registered, session, event_bus) -> None:
    queue = event_bus.subscribe()
    start_time = datetime.now(UTC) - timedelta(minutes=30)
    started = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=1, id_tag="GOOD", meter_start_wh=1000, timestamp=iso(start_time)
        ),
    )
    assert started.id_tag_info.status == "Accepted"
    tx = started.transaction_id
    # A retried StartTransaction (reply lost) gets the same transaction.
    again = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=1, id_tag="GOOD", meter_start_wh=1000, timestamp=iso(start_time)
        ),
    )
    assert again.transaction_id == tx
    # The tag is charging: Authorize still says the card is valid (OCPP 1.6 gives
    # ConcurrentTx in StartTransaction replies only; tests/charging/test_sessions_that_end.py).
    other = await service.authorize(CP, IdTagPresented(id_tag="GOOD"))
    assert other.status == "Accepted"

    await service.meter_values(
        CP,
        MeterSampled(
            connector_id=1,
            transaction_id=tx,
            meter_values=[
                {
                    "timestamp": iso(start_time + timedelta(minutes=10)),
                    "sampled_value": [
                        {
                            "value": "4.5",
                            "unit": "kWh",
                            "measurand": "Energy.Active.Import.Register",
                        },
                        {"value": "11", "unit": "kW", "measurand": "Power.Active.Import"},
                        {"value": "16", "unit": "A", "measurand": "Current.Import", "phase": "L1"},
                        {"value": "230", "unit": "V", "measurand": "Voltage", "phase": "L1-N"},
                        {"value": "42", "measurand": "SoC", "location": "EV", "unit": "Percent"},
                        {"value": "signed:abc", "format": "SignedData"},
                    ],
                }
            ],
        ),
    )
    session.rollback()
    live = session.get(ChargingSession, tx)
    assert (live.energy_wh, live.power_w, live.current_a, live.voltage_v, live.soc_percent) == (
        3500,
        11000.0,
        16.0,
        230.0,
        42.0,
    )
    samples = session.exec(select(MeterSample).where(MeterSample.session_id == tx)).all()
    assert len(samples) == 6
    unreadable = [s for s in samples if s.value is None]
    assert [s.raw_value for s in unreadable] == ["signed:abc"]

    stop_req = TransactionStopped(
        meter_stop_wh=6000,
        timestamp=iso(start_time + timedelta(minutes=20)),
        transaction_id=tx,
        reason="EVDisconnected",
        id_tag="GOOD",
        meter_values=[
            {
                "timestamp": iso(start_time + timedelta(minutes=20)),
                "sampled_value": [{"value": "6000", "context": "Transaction.End"}],
            }
        ],
    )
    info = await service.stop_transaction(CP, stop_req)
    assert info is not None and info.status == "Accepted"
    session.rollback()
    done = session.get(ChargingSession, tx)
    assert (done.status, done.energy_wh, done.meter_stop_wh, done.stop_reason) == (
        "completed",
        5000,
        6000,
        "EVDisconnected",
    )
    assert not done.flagged

    # A duplicate stop is answered the same way and changes nothing.
    stop_again = TransactionStopped(
        meter_stop_wh=9999, timestamp=iso(datetime.now(UTC)), transaction_id=tx, id_tag="GOOD"
    )
    assert (await service.stop_transaction(CP, stop_again)).status == "Accepted"
    session.rollback()
    assert session.get(ChargingSession, tx).meter_stop_wh == 6000
    assert len(session.exec(select(ChargingSession)).all()) == 1
    kinds = [queue.get_nowait().kind for _ in range(queue.qsize())]
    assert kinds.count("session") >= 3


async def test_meter_stop_below_start_is_flagged(service, registered, session) -> None:
    started = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=1, id_tag="GOOD", meter_start_wh=5000, timestamp=iso(datetime.now(UTC))
        ),
    )
    await service.stop_transaction(
        CP,
        TransactionStopped(
            meter_stop_wh=100,
            timestamp=iso(datetime.now(UTC)),
            transaction_id=started.transaction_id,
        ),
    )
    session.rollback()
    cs = session.get(ChargingSession, started.transaction_id)
    assert cs.flagged and "below meterStart" in cs.flag_reason and cs.energy_wh == 0
    assert cs.stop_reason == "Local"


async def test_blocked_tag_still_gets_a_session_but_is_told_blocked(
    service, registered, session
) -> None:
    started = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=2, id_tag="BLOCKED", meter_start_wh=0, timestamp=iso(datetime.now(UTC))
        ),
    )
    assert started.id_tag_info.status == "Blocked"
    session.rollback()
    cs = session.get(ChargingSession, started.transaction_id)
    assert cs.flagged and cs.id_tag_status == "Blocked"


async def test_new_transaction_closes_an_abandoned_one(service, registered, session) -> None:
    t0 = datetime.now(UTC) - timedelta(hours=2)
    first = await service.start_transaction(
        CP, TransactionStarted(connector_id=1, id_tag="GOOD", meter_start_wh=0, timestamp=iso(t0))
    )
    second = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=1, id_tag="GOOD", meter_start_wh=10, timestamp=iso(t0 + timedelta(hours=1))
        ),
    )
    assert second.transaction_id != first.transaction_id
    session.rollback()
    old = session.get(ChargingSession, first.transaction_id)
    assert old.status == "completed" and old.flagged


async def test_meter_values_without_known_transaction_are_kept(
    service, registered, session
) -> None:
    await service.meter_values(
        CP,
        MeterSampled(
            connector_id=1,
            transaction_id=999,
            meter_values=[
                {"timestamp": iso(datetime.now(UTC)), "sampled_value": [{"value": "10"}]}
            ],
        ),
    )
    sample = session.exec(select(MeterSample)).one()
    assert sample.session_id is None and sample.value == 10.0


async def test_stop_for_unknown_transaction_is_answered(service, registered) -> None:
    info = await service.stop_transaction(
        CP,
        TransactionStopped(
            meter_stop_wh=1, timestamp=iso(datetime.now(UTC)), transaction_id=424242, id_tag="GOOD"
        ),
    )
    assert info is not None and info.status == "Accepted"


async def test_connection_flags_and_firmware_status(service, registered, session) -> None:
    from ocpp_server.ports import ConnectionInfo

    await service.connected(ConnectionInfo(identity=CP))
    session.rollback()
    session.refresh(registered)
    assert registered.is_online
    await service.firmware_status_notification(CP, FirmwareStatusChanged(status="Installed"))
    await service.diagnostics_status_notification(CP, DiagnosticsStatusChanged(status="Uploaded"))
    await service.disconnected(CP, "closed")
    session.rollback()
    session.refresh(registered)
    assert not registered.is_online
    assert (registered.firmware_status, registered.diagnostics_status) == ("Installed", "Uploaded")


async def test_frames_are_logged(service, registered, session) -> None:
    service.record_frame(
        FrameRecord(
            identity=CP,
            direction="in",
            raw='[2,"1","Heartbeat",{}]',
            message_type=2,
            message_id="1",
            action="Heartbeat",
        )
    )
    service.record_frame(FrameRecord(identity=CP, direction="in", raw="not json"))
    await service.stop()  # flushes the queue
    rows = session.exec(select(OcppMessage)).all()
    assert [(r.action, r.payload) for r in rows] == [
        ("Heartbeat", '[2,"1","Heartbeat",{}]'),
        ("", "not json"),
    ]


async def test_start_with_reservation_closes_it(service, registered, session, organisation) -> None:
    from ccms_app.charging.models import Reservation

    reservation = Reservation(
        organisation_id=organisation.id,
        charge_point_id=registered.id,
        connector_id=1,
        id_tag="GOOD",
        expiry_date=datetime.now(UTC) + timedelta(minutes=30),
        status="accepted",
    )
    session.add(reservation)
    session.commit()
    started = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=1,
            id_tag="GOOD",
            meter_start_wh=0,
            timestamp=iso(datetime.now(UTC)),
            reservation_id=reservation.id,
        ),
    )
    session.rollback()
    session.refresh(reservation)
    assert (reservation.status, reservation.session_id) == ("used", started.transaction_id)
    unknown = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=2,
            id_tag="GOOD2",
            meter_start_wh=0,
            timestamp=iso(datetime.now(UTC)),
            reservation_id=777,
        ),
    )
    session.rollback()
    cs = session.get(ChargingSession, unknown.transaction_id)
    assert cs.flagged and "unknown reservation 777" in cs.flag_reason
