"""`ccms simulate` as operators run it: a separate process against the real OCPP server."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.network.models import ChargePoint, RegistrationState
from ccms_app.network.provisioning import register_charge_point


def _booted(engine: Engine) -> dict[str, ChargePoint]:
    with Session(engine) as session:
        rows = session.exec(select(ChargePoint).where(ChargePoint.last_boot_at.is_not(None)))
        return {cp.identity: cp for cp in rows}


@pytest.mark.timeout(120)
async def test_simulate_boots_the_fleet_and_stops_cleanly_on_sigterm(
    ocpp_url: str, engine: Engine, tmp_path: Path
) -> None:
    register_charge_point("SIM-0001", "Simulator Lab")
    with (tmp_path / "simulate.log").open("w+b") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ccms_app.cli", "simulate", "--url", ocpp_url,
            "--chargers", "2", "--connectors", "1", "--prefix", "SIM-", "--seed", "7",
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )  # fmt: skip
        try:
            while set(_booted(engine)) != {"SIM-0001", "SIM-0002"}:
                assert process.returncode is None, "the simulator exited early"
                await asyncio.sleep(0.1)
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, _ = await process.communicate()
        log.seek(0)
        stderr = log.read().decode()

    assert process.returncode == 0, stderr
    assert stdout.decode().splitlines() == [
        f"simulating 2 charge points (SIM-0001..) on {ocpp_url}",
        "simulator stopped",
    ]
    booted = _booted(engine)
    assert booted["SIM-0001"].registration_state == RegistrationState.REGISTERED
    assert booted["SIM-0002"].registration_state == RegistrationState.UNREGISTERED  # unknown
