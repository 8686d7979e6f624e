"""A command to a selection of charge points: concurrent, one result per charge point.

Real OCPP server, real websockets, ScriptedChargePoint clients: five charge points, one not
connected, one that rejects, plus an id that does not exist.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.control import commands
from ccms_app.control.models import ChargePointCommand
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.network.models import ChargePoint
from ocpp_server.server import OcppServer
from tests.fixtures.ocpp import NEVER, ScriptedChargePoint, connect_charge_point

IDENTITIES = [f"CP-BULK-{n}" for n in range(1, 6)]
OFFLINE = "CP-BULK-4"
REJECTING = "CP-BULK-2"
UNKNOWN_ID = 9999


@pytest.fixture
def charge_point_ids(session: Session, organisation: Organisation) -> dict[str, int]:
    rows = [
        ChargePoint(identity=i, organisation_id=organisation.id, registration_state="registered")
        for i in IDENTITIES
    ]
    session.add_all(rows)
    session.commit()
    return {cp.identity: cp.id for cp in rows}


@contextlib.asynccontextmanager
async def _fleet(url: str) -> AsyncIterator[dict[str, ScriptedChargePoint]]:
    """Every charge point but the offline one, connected."""
    async with contextlib.AsyncExitStack() as stack:
        clients = {
            identity: await stack.enter_async_context(connect_charge_point(url, identity))
            for identity in IDENTITIES
            if identity != OFFLINE
        }
        yield clients


async def test_each_charge_point_gets_its_own_result(
    command_port: OcppServer, ocpp_url: str, charge_point_ids: dict[str, int], session: Session
) -> None:
    async with _fleet(ocpp_url) as clients:
        clients[REJECTING].answers["Reset"] = "Rejected"
        ids = [*charge_point_ids.values(), UNKNOWN_ID]
        results = await commands.send_to_many(ids, "Reset", {"type": "Hard"}, "ops@example.com")
        received = {i: [a for a, _ in c.received] for i, c in clients.items()}

    by_cp = {r.charge_point_id: r for r in results}
    assert [r.charge_point_id for r in results] == ids  # the order given
    expected = {
        charge_point_ids[identity]: (
            "offline"
            if identity == OFFLINE
            else "rejected"
            if identity == REJECTING
            else "accepted"
        )
        for identity in IDENTITIES
    }
    assert {cp: by_cp[cp].status for cp in expected} == expected
    assert by_cp[charge_point_ids[REJECTING]].error == "charge point answered Rejected"
    assert "not connected" in by_cp[charge_point_ids[OFFLINE]].error
    unknown = by_cp[UNKNOWN_ID]
    assert (unknown.status, unknown.id) == ("failed", 0)
    assert "does not exist" in unknown.error
    assert all(actions == ["Reset"] for actions in received.values())

    session.rollback()
    recorded = session.exec(select(ChargePointCommand)).all()
    assert len(recorded) == 5  # the unknown id recorded nothing
    assert {r.requested_by for r in recorded} == {"ops@example.com"}


async def test_commands_run_concurrently(
    command_port: OcppServer, ocpp_url: str, charge_point_ids: dict[str, int]
) -> None:
    """Every charge point holds its answer until all have received the command: sent one
    after another, the first would wait for ever (and time out)."""
    async with _fleet(ocpp_url) as clients:
        for client in clients.values():
            client.answers["Reset"] = NEVER
        task = asyncio.create_task(
            commands.send_to_many(
                list(charge_point_ids.values()), "Reset", {"type": "Soft"}, "ops", timeout=10
            )
        )
        async with asyncio.timeout(3):
            while sum(len(c.received) for c in clients.values()) < len(clients):
                await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert all([a for a, _ in c.received] == ["Reset"] for c in clients.values())


async def test_bad_parameters_stop_everything_before_recording(
    command_port: OcppServer, charge_point_ids: dict[str, int], session: Session
) -> None:
    with pytest.raises(CommandInputError, match="type must be one of Soft, Hard"):
        await commands.send_to_many(list(charge_point_ids.values()), "Reset", {"type": "x"}, "ops")
    assert session.exec(select(ChargePointCommand)).all() == []


async def test_an_empty_selection_sends_nothing(command_port: OcppServer) -> None:
    assert await commands.send_to_many([], "Reset", {"type": "Soft"}, "ops") == []
