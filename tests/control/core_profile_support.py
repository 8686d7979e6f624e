"""Shared set-up for the Core / Reservation / Remote Trigger service tests: a registered
charge point with id tags, and the command port wired to the real OCPP server."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.control.models import OcppMessage
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Connector
from tests.fixtures.ocpp import ScriptedChargePoint

CP = "CP-CORE-1"
TAG = "CORE-TAG-1"
OTHER_TAG = "CORE-TAG-2"
BLOCKED_TAG = "CORE-BLOCKED"
EXPIRED_TAG = "CORE-EXPIRED"


def register(engine: Engine, organisation: Organisation, expired_at: datetime) -> int:
    """The charge point CP and the id tags the tests use; returns the charge point's id."""
    with Session(engine) as s:
        cp = ChargePoint(
            identity=CP, organisation_id=organisation.id, registration_state="registered"
        )
        s.add(cp)
        s.add(IdTag(id_tag=TAG, organisation_id=organisation.id, parent_id_tag="FLEET-1"))
        s.add(IdTag(id_tag=OTHER_TAG, organisation_id=organisation.id))
        s.add(IdTag(id_tag=BLOCKED_TAG, organisation_id=organisation.id, status="blocked"))
        s.add(IdTag(id_tag=EXPIRED_TAG, organisation_id=organisation.id, expiry_date=expired_at))
        s.commit()
        return cp.id


def rows(engine: Engine, model: Any, *where: Any) -> list[Any]:
    with Session(engine) as s:
        return list(s.exec(select(model).where(*where)).all())


def connector_status(engine: Engine, connector_id: int) -> str | None:
    found = rows(engine, Connector, Connector.connector_id == connector_id)
    return found[0].status if found else None


def incoming(engine: Engine, action: str) -> list[OcppMessage]:
    """CALLs of `action` the server received from CP (the OCPP message log)."""
    return rows(
        engine,
        OcppMessage,
        OcppMessage.charge_point_identity == CP,
        OcppMessage.direction == "in",
        OcppMessage.message_type == 2,
        OcppMessage.action == action,
    )


class CoreScriptedChargePoint(ScriptedChargePoint):
    """ScriptedChargePoint that also answers the Core, Reservation and Remote Trigger commands
    (status from `answers`, Accepted by default)."""

    @on(Action.reserve_now)
    async def on_reserve_now(self, **payload: Any) -> call_result.ReserveNow:
        return call_result.ReserveNow(status=await self._answer("ReserveNow", payload))

    @on(Action.cancel_reservation)
    async def on_cancel_reservation(self, **payload: Any) -> call_result.CancelReservation:
        status = await self._answer("CancelReservation", payload)
        return call_result.CancelReservation(status=status)

    @on(Action.clear_cache)
    async def on_clear_cache(self, **payload: Any) -> call_result.ClearCache:
        return call_result.ClearCache(status=await self._answer("ClearCache", payload))

    @on(Action.trigger_message)
    async def on_trigger_message(self, **payload: Any) -> call_result.TriggerMessage:
        return call_result.TriggerMessage(status=await self._answer("TriggerMessage", payload))

    @on(Action.data_transfer)
    async def on_data_transfer(self, **payload: Any) -> call_result.DataTransfer:
        status = await self._answer("DataTransfer", payload)
        return call_result.DataTransfer(status=status, data=payload.get("data"))
