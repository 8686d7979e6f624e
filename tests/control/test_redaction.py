"""A charger's password (AuthorizationKey) never reaches what CCMS stores: the OCPP message
log, the command records, the stored configuration (issue 9)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.control.configuration import change_configuration, fetch_configuration
from ccms_app.control.models import ChargePointCommand, ChargePointConfiguration, OcppMessage
from ccms_app.control.rules.redaction import REDACTED, redact, redact_text
from ccms_app.core.types import utc_now
from ocpp_server.server import OcppServer
from tests.control.core_profile_support import CP, register, rows
from tests.fixtures.ocpp import ScriptedChargePoint, connect_charge_point

SECRET = "s3cret-Charger-Passw0rd"


class LeakyChargePoint(ScriptedChargePoint):
    """Accepts ChangeConfiguration and, against the security whitepaper, reports its
    AuthorizationKey in GetConfiguration."""

    @on(Action.change_configuration)
    async def on_change_configuration(self, **payload: Any) -> call_result.ChangeConfiguration:
        status = await self._answer("ChangeConfiguration", payload)
        return call_result.ChangeConfiguration(status=status)

    @on(Action.get_configuration)
    async def on_get_configuration(self, **payload: Any) -> call_result.GetConfiguration:
        self.received.append(("GetConfiguration", payload))
        keys = [
            {"key": "AuthorizationKey", "readonly": False, "value": SECRET},
            {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
        ]
        return call_result.GetConfiguration(configuration_key=keys)


async def test_authorization_key_is_sent_but_never_stored(
    ocpp_url: str,
    engine: Engine,
    organisation: Organisation,
    command_port: OcppServer,
    charger_events: ChargerEventService,
) -> None:
    cp_id = register(engine, organisation, utc_now() - timedelta(days=1))
    async with connect_charge_point(ocpp_url, CP, cls=LeakyChargePoint) as cp:
        view = await change_configuration(cp_id, "AuthorizationKey", SECRET, "ops@example.com")
        assert view.status == "accepted"
        assert ("ChangeConfiguration", {"key": "AuthorizationKey", "value": SECRET}) in [
            (action, payload) for action, payload in cp.received
        ]
        await fetch_configuration(cp_id, "ops@example.com")
    await charger_events.writer.run(lambda session: None)  # the message log is written

    logged = [m.payload for m in rows(engine, OcppMessage)]
    assert any("ChangeConfiguration" in p for p in logged)
    assert any(REDACTED in p for p in logged)
    recorded = [c.request_payload + c.response_payload for c in rows(engine, ChargePointCommand)]
    stored = {c.key: c.value for c in rows(engine, ChargePointConfiguration)}
    assert stored == {"AuthorizationKey": REDACTED, "HeartbeatInterval": "300"}
    for text in (*logged, *recorded):
        assert SECRET not in text


def test_redaction_keeps_everything_else() -> None:
    frame = json.dumps([2, "1", "ChangeConfiguration", {"key": "authorizationKEY", "value": "x"}])
    assert json.loads(redact_text(frame))[3] == {"key": "authorizationKEY", "value": REDACTED}
    other = json.dumps([2, "2", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "9"}])
    assert redact_text(other) is other
    assert redact_text('[2, "3", "DataTransfer", {"data": "AuthorizationKey=x"}') == REDACTED
    mentioned = '[2,"4","DataTransfer",{"vendorId":"v","data":"AuthorizationKey"}]'
    assert redact_text(mentioned) is mentioned  # a mention without a value is no secret
    assert redact({"key": "AuthorizationKey", "value": None}) == {
        "key": "AuthorizationKey",
        "value": None,
    }
