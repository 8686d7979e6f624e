"""A command reaches a charger wherever it is connected (scale-out, issue 19).

Two processes: `ccms ocpp-gateway` (a process of its own) and this test's process, which
runs an OCPP server of its own with a `RoutedCommandPort` over a real Redis, as a web
process or another gateway would. The charger starts on the gateway, is commanded from
here, then moves here mid-session and is commanded again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from ocpp.exceptions import InternalError
from ocpp.v16 import call
from redis import asyncio as aioredis
from sqlalchemy.engine import Engine

from ccms_app.control.command_routing import NO_LOCAL_CHARGERS, OWNERS, RoutedCommandPort
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
                # The gateway wrote it as it connected: found before this process's next turn.
                assert await _located_within(here, "MOVER-1", seconds=0.5)
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


async def _located_within(port: RoutedCommandPort, identity: str, seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await port.reachable(identity):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


class _Holding:
    """A process's local chargers, as far as the owners hash cares: who is connected."""

    def __init__(self, *identities: str) -> None:
        self.identities = set(identities)

    def is_connected(self, identity: str) -> bool:
        return identity in self.identities

    def connected_identities(self) -> set[str]:
        return set(self.identities)

    async def send(self, identity: str, request: object, timeout: float | None = None) -> None:
        raise ChargerOfflineError(identity)

    async def call(
        self, identity: str, action: str, payload: dict, timeout: float | None = None
    ) -> dict:
        raise ChargerOfflineError(identity)


async def test_the_owners_hash_gets_only_changes_and_is_refilled_when_lost(
    redis_server: RedisServer,
) -> None:
    """A gateway with thousands of chargers writes only whom it newly holds each second; an
    entry lost from Redis (a restart, a flush) is written again within two turns, and a web
    process that holds nobody sees the gateway's chargers."""
    gateway_chargers = _Holding("GW-1", "GW-2")
    gateway = RoutedCommandPort(gateway_chargers, redis_server.url)
    web = RoutedCommandPort(NO_LOCAL_CHARGERS, redis_server.url)
    watcher = aioredis.from_url(redis_server.url)
    try:
        await gateway.sync()
        assert await watcher.hgetall(OWNERS) == {
            b"GW-1": gateway.process.encode(),
            b"GW-2": gateway.process.encode(),
        }
        await watcher.hset(OWNERS, "GW-1", "another-process")  # it moved; we must not undo that
        gateway_chargers.identities.add("GW-3")
        await gateway.sync()
        owners = await watcher.hgetall(OWNERS)
        assert owners[b"GW-1"] == b"another-process"
        assert owners[b"GW-3"] == gateway.process.encode()

        await watcher.delete(OWNERS)  # Redis lost the hash
        await gateway.sync()
        await gateway.sync()
        assert set(await watcher.hkeys(OWNERS)) == {b"GW-1", b"GW-2", b"GW-3"}

        await web.sync()
        assert web.connected_identities() == {"GW-1", "GW-2", "GW-3"}
        assert web.is_connected("GW-2") and not web.is_connected("ELSEWHERE")
        with pytest.raises(ChargerOfflineError):
            await web.send("ELSEWHERE", call.Reset(type="Soft"), timeout=1)
    finally:
        await watcher.delete(OWNERS)
        await watcher.aclose()
        await web.stop()
        await gateway.stop()
