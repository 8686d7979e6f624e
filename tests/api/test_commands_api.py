"""Commands over the REST API: real HTTP to the web-port app, the real OCPP server, and a
simulated charge point answering over a real websocket."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, get_args

import httpx
import pytest
from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.api.command_params import TriggerableMessage
from ccms_app.charging.models import Reservation
from ccms_app.control import commands
from ccms_app.control.models import ChargePointCommand, ChargePointConfiguration
from ccms_app.control.rules.commands import TRIGGERABLE_MESSAGES
from ccms_app.core.types import utc_now
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint
from ocpp_server.server import OcppServer
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.control.core_profile_support import CoreScriptedChargePoint
from tests.fixtures.ocpp import NEVER, connect_charge_point

__all__ = ["keys", "rest", "served", "sub_operator"]

CP = "CP-API-1"
PATH = f"/charge-points/{CP}/commands"
ANSWER_TIMEOUT = 1.0  # the OCPP server's wait for a charge point's answer


class ApiChargePoint(CoreScriptedChargePoint):
    """Also answers ChangeConfiguration (status from `answers`, Accepted by default)."""

    @on(Action.change_configuration)
    async def on_change_configuration(self, **payload: Any) -> call_result.ChangeConfiguration:
        status = await self._answer("ChangeConfiguration", payload)
        return call_result.ChangeConfiguration(status=status)


@pytest.fixture
async def command_port(charger_events: Any) -> AsyncIterator[OcppServer]:
    """The real OCPP server, wired as the command port, with a short answer timeout."""
    server = OcppServer(charger_events, response_timeout=ANSWER_TIMEOUT)
    await server.start()
    commands.set_command_port(server)
    yield server
    commands.set_command_port(None)
    await server.stop()


@pytest.fixture
def charge_point(engine: Engine, organisation: Organisation) -> int:
    with Session(engine) as session:
        cp = ChargePoint(
            identity=CP, organisation_id=organisation.id or 0, registration_state="registered"
        )
        session.add(cp)
        session.commit()
        return cp.id or 0


def ocpp_url(server: OcppServer) -> str:
    return f"ws://127.0.0.1:{server.port}/ocpp"


def stored(engine: Engine, model: Any) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model)).all())


async def send(
    rest: httpx.AsyncClient, key: str, body: dict[str, Any], wait: int = 5
) -> httpx.Response:
    return await rest.post(PATH, params={"wait": wait}, json=body, headers=bearer(key))


def field_errors(reply: httpx.Response) -> dict[str, str]:
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    return {e["field"]: e["detail"] for e in reply.json()["errors"]}


async def test_a_reset_is_accepted_and_the_record_lives_at_its_location(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    key = keys.make()
    async with connect_charge_point(ocpp_url(command_port), CP, ApiChargePoint) as charger:
        reply = await send(rest, key, {"action": "Reset", "params": {"type": "Hard"}})
    assert reply.status_code == 201, reply.text
    record = reply.json()
    assert (record["action"], record["state"], record["error"]) == ("Reset", "accepted", "")
    assert (record["charge_point"], record["charge_point_id"]) == (CP, charge_point)
    assert json.loads(record["request"]) == {"type": "Hard"}
    assert json.loads(record["response"]) == {"status": "Accepted"}
    assert record["requested_by"] == "API key test Administrator"
    assert reply.headers["location"] == f"/api/v1/commands/{record['id']}"
    assert charger.received == [("Reset", {"type": "Hard"})]
    again = await rest.get(f"/commands/{record['id']}", headers=bearer(keys.make("Viewer")))
    assert again.json() == record


async def test_a_rejected_reset_says_what_the_charge_point_answered(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    async with connect_charge_point(ocpp_url(command_port), CP, ApiChargePoint) as charger:
        charger.answers["Reset"] = "Rejected"
        reply = await send(rest, keys.make(), {"action": "Reset"})
    assert reply.status_code == 201
    assert (reply.json()["state"], reply.json()["error"]) == (
        "rejected",
        "charge point answered Rejected",
    )
    assert json.loads(reply.json()["request"]) == {"type": "Soft"}  # the form's default


async def test_without_wait_the_reply_comes_at_once_and_get_waits_for_the_timeout(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    key = keys.make()
    async with connect_charge_point(ocpp_url(command_port), CP, ApiChargePoint) as charger:
        charger.answers["Reset"] = NEVER
        reply = await send(rest, key, {"action": "Reset"}, wait=0)
        assert reply.status_code == 201
        assert reply.json()["state"] == "sent"
        started = time.monotonic()
        final = await rest.get(
            reply.headers["location"].removeprefix("/api/v1"),
            params={"wait": 10},
            headers=bearer(key),
        )
        waited = time.monotonic() - started
    assert final.status_code == 200
    assert (final.json()["state"], final.json()["error"]) == (
        "timed_out",
        "no answer from the charge point",
    )
    assert waited < ANSWER_TIMEOUT + 1.5  # ended by the command's event, not the 10 s


async def test_a_get_without_wait_answers_the_state_as_it_stands(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    key = keys.make()
    async with connect_charge_point(ocpp_url(command_port), CP, ApiChargePoint) as charger:
        charger.answers["ClearCache"] = NEVER
        sent = await send(rest, key, {"action": "ClearCache"}, wait=0)
        path = sent.headers["location"].removeprefix("/api/v1")
        now = await rest.get(path, headers=bearer(key))
        assert now.json()["state"] == "sent"
        short = await rest.get(path, params={"wait": 0}, headers=bearer(key))
        assert short.json()["state"] == "sent"


async def test_concurrent_commands_of_one_key_each_answer_their_own_record(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    key = keys.make()
    kinds = ["Soft", "Hard"] * 4
    async with connect_charge_point(ocpp_url(command_port), CP, ApiChargePoint):
        replies = await asyncio.gather(
            *(send(rest, key, {"action": "Reset", "params": {"type": t}}) for t in kinds)
        )
    records = [r.json() for r in replies]
    assert [json.loads(r["request"])["type"] for r in records] == kinds
    assert len({r["id"] for r in records}) == len(kinds)
    assert {r["state"] for r in records} == {"accepted"}


async def test_an_offline_charge_point_gives_a_record_in_state_offline(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    reply = await send(rest, keys.make(), {"action": "Reset"}, wait=0)
    assert reply.status_code == 201, reply.text
    assert reply.json()["state"] == "offline"
    assert reply.json()["error"] == "charge point is not connected"


async def test_invalid_params_are_one_problem_each_and_nothing_is_recorded(
    rest, keys: Keys, command_port: OcppServer, charge_point: int, engine: Engine
) -> None:
    key = keys.make()
    schema = await send(
        rest,
        key,
        {"action": "Reset", "params": {"type": "Reboot", "when": "now"}},
    )
    assert field_errors(schema) == {
        "params.type": "Input should be 'Hard' or 'Soft'",
        "params.when": "Unknown field: this API refuses fields it does not know.",
    }
    too_long = await send(
        rest, key, {"action": "RemoteStartTransaction", "params": {"id_tag": "X" * 21}}
    )
    assert list(field_errors(too_long)) == ["params.id_tag"]
    blank = await send(rest, key, {"action": "RemoteStartTransaction", "params": {"id_tag": "   "}})
    assert field_errors(blank) == {"params.id_tag": "id_tag is required"}  # the rule's words
    diagnostics = await send(
        rest,
        key,
        {
            "action": "GetDiagnostics",
            "params": {"start_time": "2030-01-02T00:00:00Z", "stop_time": "2030-01-01T00:00:00Z"},
        },
    )
    assert field_errors(diagnostics) == {
        "params.start_time": "start_time must not be after stop_time"
    }
    assert stored(engine, ChargePointCommand) == []


async def test_a_charging_profile_error_names_the_field_in_the_body(
    rest, keys: Keys, command_port: OcppServer, charge_point: int, engine: Engine
) -> None:
    profile = {
        "stack_level": 0,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Relative",
        "charging_schedule": {
            "charging_rate_unit": "A",
            "charging_schedule_period": [
                {"start_period": 0, "limit": 16},
                {"start_period": 0, "limit": 10},
            ],
        },
    }
    body = {
        "action": "SetChargingProfile",
        "params": {"connector_id": 0, "cs_charging_profiles": profile},
    }
    errors = field_errors(await send(rest, keys.make(), body))
    field = "params.cs_charging_profiles.charging_schedule.charging_schedule_period.1.start_period"
    assert list(errors) == [field]
    assert errors[field].startswith("period 2 startPeriod must be after period 1's")
    assert stored(engine, ChargePointCommand) == []


async def test_an_unknown_or_missing_action_is_refused(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    key = keys.make()
    unknown = field_errors(await send(rest, key, {"action": "SelfDestruct"}))
    assert list(unknown) == ["action"]
    assert unknown["action"].startswith("unsupported command 'SelfDestruct'; supported: ")
    assert field_errors(await send(rest, key, {"params": {}})) == {"action": "Field required"}


async def test_another_organisations_key_gets_404_and_sends_nothing(
    rest, keys: Keys, sub_operator: Organisation, command_port: OcppServer, charge_point: int
) -> None:
    parent = keys.make()
    sub = keys.make(organisation_id=sub_operator.id)
    assert (await send(rest, sub, {"action": "Reset"})).status_code == 404
    sent = await send(rest, parent, {"action": "Reset"})
    path = sent.headers["location"].removeprefix("/api/v1")
    assert (await rest.get(path, headers=bearer(sub))).status_code == 404
    assert (await rest.get("/commands", headers=bearer(sub))).json()["total"] == 0
    listed = await rest.get("/commands", headers=bearer(parent))
    assert [i["id"] for i in listed.json()["items"]] == [sent.json()["id"]]
    missing = await rest.post(
        "/charge-points/NOPE/commands", json={"action": "Reset"}, headers=bearer(parent)
    )
    assert missing.status_code == 404


async def test_no_key_or_a_revoked_key_is_401_and_a_viewer_403(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    body = {"action": "Reset"}
    assert (await rest.post(PATH, json=body)).status_code == 401
    revoked = await send(rest, keys.revoked(), body)
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "Unknown or revoked API key."
    assert (await send(rest, keys.make("Viewer"), body)).status_code == 403


async def test_diagnostics_need_firmware_control_as_on_the_firmware_page(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    body = {"action": "GetDiagnostics"}
    refused = await send(rest, keys.make("Maintenance staff"), body)
    assert refused.status_code == 403
    assert "firmware:control" in refused.json()["detail"]
    allowed = await send(rest, keys.make("Maintenance staff"), {"action": "Reset"}, wait=0)
    assert allowed.status_code == 201


async def test_services_keep_their_records_reservation_and_configuration(
    rest,
    keys: Keys,
    command_port: OcppServer,
    charge_point: int,
    engine: Engine,
    organisation: Organisation,
) -> None:
    key = keys.make()
    expiry = (utc_now() + timedelta(hours=2)).isoformat()
    unknown = {"action": "ReserveNow", "params": {"id_tag": "TAG-1", "expiry_date": expiry}}
    assert field_errors(await send(rest, key, unknown)) == {
        "params.id_tag": "id tag 'TAG-1' is not known"
    }
    with Session(engine) as session:
        session.add(IdTag(id_tag="TAG-1", organisation_id=organisation.id or 0))
        session.commit()
    async with connect_charge_point(ocpp_url(command_port), CP, ApiChargePoint) as charger:
        reserved = await send(
            rest,
            key,
            {"action": "ReserveNow", "params": {"id_tag": "TAG-1", "expiry_date": expiry}},
        )
        changed = await send(
            rest,
            key,
            {
                "action": "ChangeConfiguration",
                "params": {"key": "HeartbeatInterval", "value": "60"},
            },
        )
        (reservation,) = stored(engine, Reservation)
        cancel = {"action": "CancelReservation", "params": {"reservation_id": reservation.id}}
        cancelled = await send(rest, key, cancel)
    assert [r.json()["state"] for r in (reserved, changed, cancelled)] == ["accepted"] * 3
    assert [a for a, _ in charger.received] == [
        "ReserveNow",
        "ChangeConfiguration",
        "CancelReservation",
    ]
    assert json.loads(reserved.json()["request"])["reservation_id"] == reservation.id
    (reservation,) = stored(engine, Reservation)
    assert reservation.status == "cancelled"
    (entry,) = stored(engine, ChargePointConfiguration)
    assert (entry.key, entry.value) == ("HeartbeatInterval", "60")
    other = await send(rest, key, {**cancel, "params": {"reservation_id": 999}})
    assert field_errors(other) == {
        "params.reservation_id": "reservation 999 is not one of this charge point's"
    }


async def test_the_list_filters_by_charge_point_action_and_state(
    rest, keys: Keys, command_port: OcppServer, charge_point: int
) -> None:
    key = bearer(keys.make())
    async with connect_charge_point(ocpp_url(command_port), CP, ApiChargePoint) as charger:
        charger.answers["Reset"] = "Rejected"
        await send(rest, keys.make(), {"action": "Reset"})
        await send(rest, keys.make(), {"action": "ClearCache"})
    page = (await rest.get("/commands", params={"charge_point": CP}, headers=key)).json()
    assert page["total"] == 2
    rejected = await rest.get("/commands", params={"state": "rejected"}, headers=key)
    assert [i["action"] for i in rejected.json()["items"]] == ["Reset"]
    clear = await rest.get("/commands", params={"action": "ClearCache"}, headers=key)
    assert [i["state"] for i in clear.json()["items"]] == ["accepted"]


def test_every_triggerable_message_is_offered() -> None:
    assert set(get_args(TriggerableMessage)) == set(TRIGGERABLE_MESSAGES)
