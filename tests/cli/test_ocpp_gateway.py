"""`ccms ocpp-gateway` as an operator runs it: a process of its own serving chargers, its
events reaching another process (a web process's bus) through a real Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from ocpp.v16 import call
from sqlalchemy.engine import Engine

from ccms_app.core.event_relay import EventRelay
from ccms_app.core.events import EventBus, NetworkEvent
from ccms_app.network.provisioning import register_charge_point
from tests.api.rest import free_port
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
    heard = web_bus.subscribe()
    await asyncio.wait_for(relay.subscribed.wait(), timeout=10)
    port = free_port()
    env = {
        **os.environ,
        "CCMS_DATABASE_URL": database_url,
        "CCMS_OCPP_HOST": "127.0.0.1",
        "CCMS_OCPP_PORT": str(port),
        "CCMS_REDIS_URL": redis_server.url,
        "CCMS_DEMO_FLEET": "0",
        "CCMS_LOG_LEVEL": "WARNING",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    with (tmp_path / "gateway.log").open("w+b") as log:
        gateway = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ccms_app.cli", "ocpp-gateway",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=log,
        )  # fmt: skip
        try:
            assert gateway.stdout is not None
            ready = await asyncio.wait_for(gateway.stdout.readline(), timeout=120)
            assert ready.decode().strip() == f"OCPP gateway listening on port {port}"
            async with connect_charge_point(f"ws://127.0.0.1:{port}/ocpp", "GW-1") as charger:
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
            gateway.send_signal(signal.SIGTERM)
            stdout, _ = await gateway.communicate()
            await relay.stop()
        log.seek(0)
        stderr = log.read().decode()
    assert gateway.returncode == 0, stderr
    assert stdout.decode().splitlines()[-1] == "OCPP gateway stopped"
    assert relay.received >= 2  # the boot and the status, at least
