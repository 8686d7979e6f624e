"""`ccms ocpp-gateway` as an operator runs it: a process of its own serving chargers, its
events reaching another process (a web process's bus) through a real Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from ocpp.v16 import call
from sqlalchemy.engine import Engine

from ccms_app.core.event_relay import EventRelay
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.network.provisioning import register_charge_point
from tests.fixtures.gateway import running_gateway
from tests.fixtures.ocpp import connect_charge_point, eventually
from tests.fixtures.redis import RedisServer


def _heard(queue: asyncio.Queue[NetworkEvent], seen: list[NetworkEvent]) -> list[NetworkEvent]:
    while not queue.empty():
        seen.append(queue.get_nowait())
    return seen


@pytest.mark.timeout(180)
async def test_a_gateway_serves_chargers_and_its_events_reach_the_web_process(
    database_url: str, engine: Engine, redis_server: RedisServer, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the process path is the same on PostgreSQL")
    register_charge_point("GW-1", "Gateway Lab")
    web_bus = EventBus()  # the web process's side of the channel
    relay = EventRelay(web_bus, redis_server.url)
    relay.start()
    heard = web_bus.subscribe(remote=True)  # the web process's live view
    await asyncio.wait_for(relay.subscribed.wait(), timeout=10)
    try:
        async with (
            running_gateway(database_url, redis_server.url, tmp_path / "gateway.log") as gateway,
            connect_charge_point(f"{gateway.url}", "GW-1") as charger,
        ):
            booted = await charger.call(
                call.BootNotification(charge_point_model="M", charge_point_vendor="V")
            )
            assert booted.status == "Accepted"
            await charger.call(
                call.StatusNotification(
                    connector_id=1, error_code="GroundFailure", status="Faulted"
                )
            )
            seen: list[NetworkEvent] = []
            await eventually(
                lambda: any(
                    e.identity == "GW-1" and e.kind == "connector" for e in _heard(heard, seen)
                ),
                timeout=15,
            )
    finally:
        await relay.stop()
    stderr = (tmp_path / "gateway.log").read_text(errors="replace")
    assert gateway.process.returncode == 0, stderr
    assert gateway.stdout.decode().splitlines()[-1] == "OCPP gateway stopped"
    assert relay.received >= 2  # the boot and the status, at least
