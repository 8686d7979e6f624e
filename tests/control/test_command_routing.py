"""A command reaches a charger wherever it is connected (scale-out, issue 19).

Two processes: `ccms ocpp-gateway` (a process of its own) and this test's process, which
runs an OCPP server of its own with a `RoutedCommandPort` over a real Redis, as a web
process or another gateway would. The charger starts on the gateway, is commanded from
here, then moves here mid-session and is commanded again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ocpp.exceptions import InternalError
from ocpp.v16 import call
from sqlalchemy.engine import Engine

from ccms_app.control.command_routing import RoutedCommandPort
from ccms_app.network.provisioning import register_charge_point
from ocpp_server.ports import ChargerOfflineError, CommandCallError
from ocpp_server.server import OcppServer
from tests.fixtures.gateway import running_gateway
from tests.fixtures.ocpp import connect_charge_point, eventually
from tests.fixtures.redis import RedisServer

BOOT = call.BootNotification(charge_point_model="M", charge_point_vendor="V")


@pytest.mark.timeout(180)
async def test_a_command_reaches_the_charger_wherever_it_is_connected(
    database_url: str,
    engine: Engine,
    ocpp_server: OcppServer,
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the routing is the same on PostgreSQL")
    register_charge_point("MOVER-1", "Scale-out Lab")
    here = RoutedCommandPort(ocpp_server, redis_server.url)
    here.start()
    try:
        async with running_gateway(database_url, redis_server.url, tmp_path / "gw.log") as gw:
            with pytest.raises(ChargerOfflineError):  # connected nowhere
                await here.send("MOVER-1", call.Reset(type="Soft"), timeout=5)

            async with connect_charge_point(gw.url, "MOVER-1") as on_gateway:
                await on_gateway.call(BOOT)
                await eventually(lambda: here.is_connected("MOVER-1"), timeout=15)
                reply = await here.send("MOVER-1", call.Reset(type="Hard"), timeout=5)
                assert reply.status == "Accepted"
                assert on_gateway.received[-1] == ("Reset", {"type": "Hard"})

                on_gateway.answers["UnlockConnector"] = InternalError(description="jammed")
                with pytest.raises(CommandCallError) as refused:
                    await here.send("MOVER-1", call.UnlockConnector(connector_id=1), timeout=5)
                assert refused.value.code == "InternalError"

            # The charger moves to this process mid-session: commands follow it here.
            local_url = f"ws://127.0.0.1:{ocpp_server.port}/ocpp"
            async with connect_charge_point(local_url, "MOVER-1") as moved_here:
                await moved_here.call(BOOT)
                reply = await here.send("MOVER-1", call.ChangeAvailability(1, "Inoperative"))
                assert reply.status == "Accepted"
                assert moved_here.received[-1][0] == "ChangeAvailability"
                await here.sync()  # this process now owns it; the gateway's entry is gone
                assert here.connected_identities() == {"MOVER-1"}

            await eventually(lambda: not here.is_connected("MOVER-1"), timeout=15)
    finally:
        await here.stop()
    assert gw.process.returncode == 0, (tmp_path / "gw.log").read_text(errors="replace")
