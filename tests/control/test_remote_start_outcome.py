"""An accepted RemoteStartTransaction says what came of it, over a real websocket: the
transaction that started, the one CCMS refused (and why), or a wait for a car. The wait's
end follows the charger's own ConnectionTimeOut when it reported one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.control import commands
from ccms_app.control.models import ChargePointCommand
from ccms_app.control.rules.remote_start import (
    DEFAULT_WAIT,
    FollowingTransaction,
    follow_up,
    wait_for_plug_in,
)
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint
from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import connect_charge_point

CP = "CP-REMOTE-1"
SENT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def charge_point_id(session: Session, organisation: Organisation) -> int:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.add(IdTag(id_tag="GOOD", organisation_id=organisation.id))
    session.commit()
    return cp.id or 0


async def _remote_start_then_plug_in(charger: object, charge_point_id: int, tag: str) -> int:
    view = await commands.send_command(
        charge_point_id, "RemoteStartTransaction", {"id_tag": tag, "connector_id": 1}, "ops@x.io"
    )
    assert view.status == "accepted"
    (waiting,) = commands.recent_commands(charge_point_id, 1)
    assert waiting.follow_up == "Accepted: waiting for a car to be plugged in."
    started = await charger.call(  # type: ignore[attr-defined]
        call.StartTransaction(
            connector_id=1, id_tag=tag, meter_start=0, timestamp=datetime.now(UTC).isoformat()
        )
    )
    return int(started.transaction_id)


async def test_the_history_says_which_transaction_followed(
    command_port: OcppServer, ocpp_url: str, charge_point_id: int
) -> None:
    async with connect_charge_point(ocpp_url, CP) as charger:
        refused = await _remote_start_then_plug_in(charger, charge_point_id, "NO-SUCH-TAG")
        (view,) = commands.recent_commands(charge_point_id, 1)
        assert view.follow_up == f"Transaction {refused} refused: Invalid."

        started = await _remote_start_then_plug_in(charger, charge_point_id, "GOOD")
        (view,) = commands.recent_commands(charge_point_id, 1)
        assert view.follow_up == f"Transaction {started} started."


def test_no_car_after_the_chargers_connection_timeout() -> None:
    wait = wait_for_plug_in("90")
    assert wait == timedelta(seconds=120)  # 90 s and a grace period
    assert wait_for_plug_in(None) == wait_for_plug_in("soon") == DEFAULT_WAIT

    assert follow_up(SENT, SENT + timedelta(seconds=100), None, wait)[0].startswith("Accepted")
    message, values = follow_up(SENT, SENT + timedelta(seconds=121), None, wait)
    assert message.startswith("No transaction started within {minutes} min")
    assert values == {"minutes": 2}
    assert follow_up(SENT, SENT, FollowingTransaction(7, "ConcurrentTx"), wait) == (
        "Transaction {transaction} refused: {reason}.",
        {"transaction": 7, "reason": "ConcurrentTx"},
    )


def test_the_same_card_charging_later_is_not_the_commands_outcome(
    session: Session, organisation: Organisation, charge_point_id: int
) -> None:
    sent = datetime.now(UTC) - timedelta(days=1)
    session.add(
        ChargePointCommand(
            organisation_id=organisation.id or 0,
            charge_point_id=charge_point_id,
            action="RemoteStartTransaction",
            request_payload='{"id_tag": "GOOD", "connector_id": 1}',
            status="accepted",
            created_at=sent,
            updated_at=sent,
        )
    )
    session.add(
        ChargingSession(
            organisation_id=organisation.id or 0,
            charge_point_id=charge_point_id,
            connector_id=1,
            id_tag="GOOD",
            start_time=datetime.now(UTC),
            meter_start_wh=0,
        )
    )
    session.commit()

    (view,) = commands.recent_commands(charge_point_id, 1)

    assert view.follow_up == "No transaction started within 3 min: no car was plugged in."
