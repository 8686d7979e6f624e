"""Reservations end to end: service -> real OCPP server -> websocket -> simulator (real DB)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging import reservations
from ccms_app.charging.models import ChargingSession, Reservation
from ccms_app.charging.reservations import ReservationError, cancel, list_reservations, reserve
from ccms_app.control import commands
from ccms_app.control.commands import UnknownChargePointError
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.config import Settings
from ccms_app.core.events import get_event_bus
from ccms_app.core.scheduler import get_scheduler, start_scheduler, stop_scheduler
from ccms_app.core.types import utc_now
from ccms_app.network.models import Connector, StatusEvent
from ccms_app.runtime import network_runtime
from ocpp_server.simulator import EvProfile, SimulatedChargePoint
from tests.control.core_profile_support import (
    BLOCKED_TAG,
    CP,
    EXPIRED_TAG,
    OTHER_TAG,
    TAG,
    CoreScriptedChargePoint,
    connector_status,
    register,
    rows,
)
from tests.fixtures.ocpp import connect_charge_point, eventually

BY = "ops@example.com"
CAR = EvProfile(capacity_wh=60_000, start_soc=30.0, max_power_w=22_000)


@pytest.fixture
def cp_id(engine: Engine, organisation: Organisation) -> int:
    return register(engine, organisation, utc_now() - timedelta(days=1))


@pytest.fixture
async def charger(
    ocpp_url: str, cp_id: int, command_port, engine: Engine
) -> AsyncIterator[SimulatedChargePoint]:
    cp = SimulatedChargePoint(CP, ocpp_url, meter_interval=60)
    await cp.connect()
    await eventually(lambda: connector_status(engine, 2) == "Available")
    yield cp
    await cp.close()


def in_an_hour() -> datetime:
    return utc_now() + timedelta(hours=1)


def status_history(engine: Engine, connector_id: int) -> list[str]:
    events = rows(engine, StatusEvent, StatusEvent.connector_id == connector_id)
    return [e.status for e in sorted(events, key=lambda e: e.id)]


def reservation_row(engine: Engine, reservation_id: int) -> Reservation:
    (row,) = rows(engine, Reservation, Reservation.id == reservation_id)
    return row


async def test_accepted_reservation_is_used_by_the_reserved_id_tag(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    queue = get_event_bus().subscribe()
    try:
        view = await reserve(cp_id, 1, TAG.lower(), in_an_hour(), BY)
    finally:
        get_event_bus().unsubscribe(queue)
    assert (view.status, view.command.status, view.command.action) == (
        "accepted",
        "accepted",
        "ReserveNow",
    )
    assert (view.id_tag, view.parent_id_tag, view.charge_point_identity) == (TAG, "FLEET-1", CP)
    assert charger.reservations == {1: view.id}
    await eventually(lambda: connector_status(engine, 1) == "Reserved")
    events = [queue.get_nowait() for _ in range(queue.qsize())]
    assert [e.data["status"] for e in events if e.kind == "reservation"] == [
        "requested",
        "accepted",
    ]
    assert [v.id for v in list_reservations(cp_id, open_only=True)] == [view.id]

    assert await charger.plug_in_and_charge(1, OTHER_TAG, ev=CAR) is None  # not theirs
    tx = await charger.plug_in_and_charge(1, TAG, ev=CAR)
    assert tx is not None
    (session_row,) = rows(engine, ChargingSession, ChargingSession.id == tx)
    assert session_row.reservation_id == view.id and not session_row.flagged
    row = reservation_row(engine, view.id)
    assert (row.status, row.session_id) == ("used", tx)
    assert list_reservations(cp_id, open_only=True) == []
    assert charger.reservations == {}


async def test_remote_start_for_the_reserved_tag_uses_the_reservation(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    view = await reserve(cp_id, 2, TAG, in_an_hour(), BY)
    assert view.status == "accepted"
    start = await commands.send_command(cp_id, "RemoteStartTransaction", {"id_tag": TAG}, BY)
    assert start.status == "accepted"
    await eventually(lambda: charger.active_id_tags == {2: TAG})  # after StartTransaction
    assert reservation_row(engine, view.id).status == "used"


async def test_cancel_frees_the_connector(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    view = await reserve(cp_id, 2, TAG, in_an_hour(), BY)
    await eventually(lambda: connector_status(engine, 2) == "Reserved")
    cancelled = await cancel(view.id, BY)
    assert (cancelled.status, cancelled.command.status) == ("cancelled", "accepted")
    await eventually(lambda: connector_status(engine, 2) == "Available")
    assert charger.reservations == {}
    with pytest.raises(ReservationError, match="is cancelled; only an open one"):
        await cancel(view.id, BY)
    with pytest.raises(ReservationError, match="reservation 999 does not exist"):
        await cancel(999, BY)
    unknown = {"reservation_id": 12345}  # the charger answers Rejected for an id it lacks
    assert (await commands.send_command(cp_id, "CancelReservation", unknown, BY)).status == (
        "rejected"
    )


async def test_charge_point_refusals_become_the_reservation_status(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    assert await charger.plug_in_and_charge(1, OTHER_TAG, ev=CAR) is not None
    assert (await reserve(cp_id, 1, TAG, in_an_hour(), BY)).status == "occupied"
    await charger.inject_fault(2)
    await eventually(lambda: connector_status(engine, 2) == "Faulted")
    assert (await reserve(cp_id, 2, TAG, in_an_hour(), BY)).status == "faulted"
    await charger.clear_fault(2)
    inoperative = await commands.send_command(
        cp_id, "ChangeAvailability", {"connector_id": 2, "type": "Inoperative"}, BY
    )
    assert inoperative.status == "accepted"
    assert (await reserve(cp_id, 2, TAG, in_an_hour(), BY)).status == "unavailable"
    refused = await reserve(cp_id, 0, TAG, in_an_hour(), BY)  # no connector-0 reservations
    assert (refused.status, refused.command.error) == ("rejected", "charge point answered Rejected")
    assert list_reservations(cp_id, open_only=True) == []
    assert {v.status for v in list_reservations(cp_id)} == {
        "occupied",
        "faulted",
        "unavailable",
        "rejected",
    }


async def test_reservation_ends_at_its_expiry(
    charger: SimulatedChargePoint, cp_id: int, engine: Engine
) -> None:
    # far enough ahead that both reservations are answered first on a busy machine
    expiry = utc_now() + timedelta(seconds=2)
    view = await reserve(cp_id, 1, TAG, expiry, BY)
    assert view.status == "accepted"
    later = await reserve(cp_id, 2, TAG, in_an_hour(), BY)
    # The charger frees the connector at expiry; the CSMS's sweep closes the record.
    await eventually(
        lambda: status_history(engine, 1)[-2:] == ["Reserved", "Available"], timeout=15
    )
    assert reservations.expire_reservations(expiry - timedelta(seconds=1)) == 0
    assert reservations.expire_reservations(expiry) == 1
    assert reservation_row(engine, view.id).status == "expired"
    assert reservation_row(engine, later.id).status == "accepted"
    assert reservations.expire_reservations(expiry) == 0


async def test_cancel_the_charge_point_does_not_know_keeps_the_reservation(
    ocpp_url: str, cp_id: int, command_port, engine: Engine
) -> None:
    async with connect_charge_point(ocpp_url, CP, CoreScriptedChargePoint) as scripted:
        view = await reserve(cp_id, 1, TAG, in_an_hour(), BY)
        assert view.status == "accepted"
        scripted.answers["CancelReservation"] = "Rejected"
        kept = await cancel(view.id, BY)
        assert (kept.status, kept.command.status) == ("accepted", "rejected")
        action, payload = scripted.received[0]
        assert action == "ReserveNow"
        assert payload["reservation_id"] == view.id and payload["id_tag"] == TAG
        assert payload["parent_id_tag"] == "FLEET-1" and payload["expiry_date"].endswith("Z")


async def test_offline_charge_point(cp_id: int, command_port, engine: Engine) -> None:
    view = await reserve(cp_id, 1, TAG, in_an_hour(), BY)
    assert (view.status, view.command.status) == ("offline", "offline")
    assert not view.is_open


@pytest.mark.parametrize(
    ("connector_id", "id_tag", "expiry", "message"),
    [
        (1, TAG, datetime(2099, 1, 1), "with a time zone"),
        (1, TAG, utc_now() - timedelta(minutes=1), "must be in the future"),
        (1, "NOBODY", None, "id tag 'NOBODY' is not known"),
        (1, BLOCKED_TAG, None, "is blocked"),
        (1, EXPIRED_TAG, None, "has expired"),
        (1, "X" * 21, None, "id_tag must be at most 20"),
        (1, "", None, "id_tag is required"),
        (-1, TAG, None, "connector_id must be 0 or more"),
        (7, TAG, None, f"{CP} has no connector 7"),
    ],
)
async def test_bad_input_is_refused_before_anything_is_recorded(
    cp_id: int, command_port, engine: Engine, connector_id, id_tag, expiry, message
) -> None:
    with Session(engine) as s:
        s.add(Connector(organisation_id=1, charge_point_id=cp_id, connector_id=1))
        s.commit()
    with pytest.raises(CommandInputError, match=message):
        await reserve(cp_id, connector_id, id_tag, expiry or in_an_hour(), BY)
    assert rows(engine, Reservation) == []


async def test_unknown_charge_point_and_a_connector_already_reserved(
    ocpp_url: str, cp_id: int, command_port, engine: Engine
) -> None:
    with pytest.raises(UnknownChargePointError):
        await reserve(999, 1, TAG, in_an_hour(), BY)
    async with connect_charge_point(ocpp_url, CP, CoreScriptedChargePoint):
        first = await reserve(cp_id, 1, TAG, in_an_hour(), BY)
        with pytest.raises(ReservationError, match=f"already has open reservation {first.id}"):
            await reserve(cp_id, 1, OTHER_TAG, in_an_hour(), BY)
    assert len(rows(engine, Reservation)) == 1


async def test_expiry_sweep_is_a_scheduler_job(cp_id: int, engine: Engine) -> None:
    with Session(engine) as s:
        s.add(
            Reservation(
                organisation_id=1,
                charge_point_id=cp_id,
                connector_id=1,
                id_tag=TAG,
                expiry_date=utc_now() - timedelta(seconds=1),
                status="accepted",
            )
        )
        s.commit()
    reservations.schedule_expiry(start_scheduler())
    try:
        job = get_scheduler().get_job(reservations.EXPIRY_JOB_ID)
        assert job.trigger.interval == timedelta(seconds=30)
        assert await job.func() == 1
    finally:
        await stop_scheduler()
    assert [r.status for r in rows(engine, Reservation)] == ["expired"]


async def test_network_runtime_runs_the_expiry_sweep(engine: Engine, database_url: str) -> None:
    settings = Settings(database_url=database_url, ocpp_host="127.0.0.1", ocpp_port=0)
    async with network_runtime(settings):
        job = get_scheduler().get_job(reservations.EXPIRY_JOB_ID)
        assert job is not None and get_scheduler().running
    assert get_scheduler().get_job(reservations.EXPIRY_JOB_ID) is None  # a fresh one


async def test_a_suspended_drivers_card_cannot_reserve(
    cp_id: int, engine: Engine, organisation: Organisation, command_port
) -> None:
    from sqlmodel import select

    from ccms_app.drivers.models import Driver, IdTag

    with Session(engine) as s:
        driver = Driver(organisation_id=organisation.id, name="Sam", status="suspended")
        s.add(driver)
        s.flush()
        tag = s.exec(select(IdTag).where(IdTag.id_tag == OTHER_TAG)).one()
        tag.driver_id = driver.id
        s.add(tag)
        s.commit()
    with pytest.raises(ReservationError, match="is blocked"):
        await reserve(cp_id, 1, OTHER_TAG, in_an_hour(), BY)
    assert list_reservations(cp_id) == []
