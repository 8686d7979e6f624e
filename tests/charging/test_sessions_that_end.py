"""Sessions that end (issue 9): ConcurrentTx only where OCPP 1.6 puts it, refused starts that
hold nothing, and sessions closed when their StopTransaction never came.

Real websocket client -> real OCPP server -> real ChargerEventService -> real SQLite database;
the stale-session sweep runs as the scheduler runs it, at chosen clock times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from ocpp.v16 import call
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.charging.session_end import (
    SWEEP_JOB_ID,
    close_stale_sessions,
    run_sweep,
    schedule_sweep,
)
from ccms_app.core import db
from ccms_app.core.config import Settings
from ccms_app.core.events import get_event_bus
from ccms_app.drivers.models import IdTag
from ccms_app.monitoring.home_summary import load_home_summary
from ccms_app.network.models import ChargePoint
from tests.fixtures.ocpp import connect_charge_point
from tests.ocpp_server.test_integration import add_tag, register

CP = "CP-END-1"
GRACE = timedelta(minutes=10)
MAX_AGE = timedelta(hours=72)
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def stored(transaction_id: int) -> ChargingSession:
    with db.read_session() as s:
        cs = s.get(ChargingSession, transaction_id)
        assert cs is not None
        return cs


@pytest.fixture
def network(session: Session, organisation: Organisation) -> None:
    register(session, organisation, CP)
    add_tag(session, organisation, "CARD-1")
    session.add(
        IdTag(id_tag="FLEET-1", organisation_id=organisation.id, concurrent_transactions=True)
    )
    session.commit()


async def _start(cp: Any, connector_id: int, id_tag: str, at: datetime = T0) -> Any:
    return await cp.call(
        call.StartTransaction(
            connector_id=connector_id, id_tag=id_tag, meter_start=1000, timestamp=iso(at)
        )
    )


async def _status(cp: Any, connector_id: int, status: str, at: datetime) -> None:
    await cp.call(
        call.StatusNotification(
            connector_id=connector_id, error_code="NoError", status=status, timestamp=iso(at)
        )
    )


async def _meter(cp: Any, transaction_id: int, wh: int, at: datetime) -> None:
    await cp.call(
        call.MeterValues(
            connector_id=1,
            transaction_id=transaction_id,
            meter_value=[
                {
                    "timestamp": iso(at),
                    "sampledValue": [
                        {"value": str(wh), "measurand": "Energy.Active.Import.Register"}
                    ],
                }
            ],
        )
    )


async def test_concurrent_tx_is_given_by_start_transaction_only(
    ocpp_url: str, network: None
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        first = await _start(cp, 1, "CARD-1")
        assert first.id_tag_info["status"] == "Accepted"
        # The card is charging: Authorize still says it is valid (a charger caches the answer).
        authorized = await cp.call(call.Authorize(id_tag="CARD-1"))
        assert authorized.id_tag_info["status"] == "Accepted"
        second = await _start(cp, 2, "CARD-1", T0 + timedelta(minutes=1))
        assert second.id_tag_info["status"] == "ConcurrentTx"
        # A fleet card may run several transactions at once.
        assert (await _start(cp, 3, "FLEET-1")).id_tag_info["status"] == "Accepted"
        assert (await _start(cp, 4, "FLEET-1")).id_tag_info["status"] == "Accepted"


async def test_a_refused_start_does_not_run_or_hold_the_card(
    ocpp_url: str, network: None, organisation: Organisation
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        first = await _start(cp, 1, "CARD-1")
        refused = await _start(cp, 2, "CARD-1", T0 + timedelta(minutes=1))
        assert refused.id_tag_info["status"] == "ConcurrentTx"
        unknown = await _start(cp, 3, "NO-SUCH-CARD")
        assert unknown.id_tag_info["status"] == "Invalid"
        assert stored(refused.transaction_id).status == SessionStatus.REFUSED
        assert stored(unknown.transaction_id).status == SessionStatus.REFUSED
        assert load_home_summary({organisation.id}).counts.active_sessions == 1

        await cp.call(
            call.StopTransaction(
                transaction_id=first.transaction_id,
                meter_stop=2000,
                timestamp=iso(T0 + timedelta(minutes=30)),
            )
        )
        # The refused session on connector 2 holds nothing: the card starts again at once.
        again = await _start(cp, 1, "CARD-1", T0 + timedelta(minutes=31))
        assert again.id_tag_info["status"] == "Accepted"
        # The charger stops the refused one as OCPP tells it to: it ends like any other.
        await cp.call(
            call.StopTransaction(
                transaction_id=refused.transaction_id,
                meter_stop=1000,
                timestamp=iso(T0 + timedelta(minutes=2)),
            )
        )
    closed = stored(refused.transaction_id)
    assert closed.status == SessionStatus.COMPLETED and closed.flagged


async def test_connector_available_without_stop_closes_the_session_after_the_grace(
    ocpp_url: str, network: None
) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        started = await _start(cp, 1, "CARD-1")
        tx = started.transaction_id
        await _meter(cp, tx, 1400, T0 + timedelta(minutes=20))
        left = T0 + timedelta(minutes=25)
        await _status(cp, 1, "Available", left)

        assert close_stale_sessions(left + GRACE - timedelta(seconds=1), GRACE, MAX_AGE) == []
        assert stored(tx).status == SessionStatus.ACTIVE  # a late stop may still come

        (event,) = close_stale_sessions(left + GRACE, GRACE, MAX_AGE)
        assert event.data["closed_by_policy"] and event.data["transaction_id"] == tx
        cs = stored(tx)
        assert (cs.status, cs.stop_time, cs.stop_reason) == (SessionStatus.COMPLETED, left, "Other")
        assert cs.energy_wh == 400 and cs.meter_stop_wh is None  # as counted from its samples
        assert "connector reported Available" in cs.flag_reason

        # The card is free again.
        assert (await _start(cp, 1, "CARD-1", left + timedelta(minutes=5))).id_tag_info[
            "status"
        ] == "Accepted"

        # The charger's own StopTransaction, replayed late, still applies.
        await cp.call(call.StopTransaction(transaction_id=tx, meter_stop=1450, timestamp=iso(left)))
    cs = stored(tx)
    assert (cs.meter_stop_wh, cs.energy_wh, cs.stop_reason) == (1450, 450, "Local")
    assert "came after CCMS closed it" in cs.flag_reason


async def test_a_reboot_without_stop_closes_the_session(ocpp_url: str, network: None) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        tx = (await _start(cp, 1, "CARD-1")).transaction_id
        resumed = (await _start(cp, 2, "FLEET-1")).transaction_id
        # The charger reboots: it sends no StopTransaction for connector 1.
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        # Connector 2's transaction goes on after the reboot: it keeps sending readings.
        now = datetime.now(UTC) + timedelta(seconds=1)
        await _status(cp, 2, "Charging", now)
        await _meter(cp, resumed, 1300, now)
        closed = close_stale_sessions(now + GRACE + timedelta(seconds=5), GRACE, MAX_AGE)
    assert [e.data["transaction_id"] for e in closed] == [tx]
    cs = stored(tx)
    assert cs.status == SessionStatus.COMPLETED and "rebooted" in cs.flag_reason
    with db.read_session() as s:
        cp_row = s.exec(select(ChargePoint).where(ChargePoint.identity == CP)).one()
    assert cs.stop_time == cp_row.last_boot_at  # it ended when the charger went down
    assert stored(resumed).status == SessionStatus.ACTIVE


async def test_a_session_past_the_maximum_age_is_closed(ocpp_url: str, network: None) -> None:
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        started = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)  # after boot
        tx = (await _start(cp, 1, "CARD-1", started)).transaction_id
    assert close_stale_sessions(started + MAX_AGE - timedelta(minutes=1), GRACE, MAX_AGE) == []
    (event,) = close_stale_sessions(started + MAX_AGE, GRACE, MAX_AGE)
    cs = stored(tx)
    assert cs.status == SessionStatus.COMPLETED and "maximum age of 72 h" in cs.flag_reason
    assert event.data["stopped"]


async def test_the_scheduled_sweep_closes_and_publishes(ocpp_url: str, network: None) -> None:
    long_ago = datetime.now(UTC).replace(microsecond=0) - MAX_AGE - timedelta(minutes=5)
    async with connect_charge_point(ocpp_url, CP) as cp:
        tx = (await _start(cp, 1, "CARD-1", long_ago)).transaction_id
    queue = get_event_bus().subscribe()  # where the app's services publish
    settings = Settings.from_env()
    assert await run_sweep(settings) == 1
    event = queue.get_nowait()
    assert (event.kind, event.data["transaction_id"]) == ("session", tx)
    get_event_bus().unsubscribe(queue)
    scheduler = AsyncIOScheduler()
    schedule_sweep(scheduler, settings)
    assert scheduler.get_job(SWEEP_JOB_ID) is not None


async def test_out_of_order_samples_never_count_more_than_the_register_moved(
    ocpp_url: str, network: None
) -> None:
    """Readings whose timestamps disagree with their values (1,300 Wh, then 1,170 and 1,180
    later) would add up to 530 Wh over a register that moved 400: the session counts 400."""
    async with connect_charge_point(ocpp_url, CP) as cp:
        tx = (await _start(cp, 1, "CARD-1")).transaction_id
        for minutes, wh in ((20, 1300), (40, 1170), (50, 1180)):
            await _meter(cp, tx, wh, T0 + timedelta(minutes=minutes))
        await cp.call(
            call.StopTransaction(
                transaction_id=tx, meter_stop=1400, timestamp=iso(T0 + timedelta(minutes=60))
            )
        )
    cs = stored(tx)
    assert (cs.meter_stop_wh - cs.meter_start_wh, cs.energy_wh) == (400, 400)
    assert cs.flagged and "more than meterStop - meterStart: 400 counted" in cs.flag_reason
