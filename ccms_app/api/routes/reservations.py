"""Reservations: list, get, export; reserve (ReserveNow) and cancel (CancelReservation).

Reserving and cancelling are OCPP commands, as on the charge point page: they run the same
use cases (`charging.reservations.reserve` / `cancel`), which record the reservation, send
the command and wait for the charge point's answer (up to the command timeout). So the
answer of both is the command record next to the reservation: `command.status` is accepted,
rejected, failed, timed_out or offline, and the reservation's status follows it (accepted,
occupied, faulted, ... or cancelled). A reservation refused by the charge point is still
created (201) and stays listed with that status. Listing needs live_monitoring:view, reserving
and cancelling live_monitoring:control, as the page's buttons do.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlmodel import col

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.problems import Problem
from ccms_app.api.resources import MAX_INT, ListResource, StrictModel
from ccms_app.api.times import UtcInstant
from ccms_app.charging import reservations
from ccms_app.charging.models import Reservation
from ccms_app.charging.reservations import ReservationError
from ccms_app.control.commands import CommandView, UnknownChargePointError
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.network.charge_point_admin import find_by_identity
from ccms_app.network.models import ChargePoint

problems.register({CommandInputError: 422, UnknownChargePointError: 404})


def _reservations() -> Select[Any]:
    return select(Reservation).join(
        ChargePoint, col(ChargePoint.id) == col(Reservation.charge_point_id)
    )


RESERVATION_LIST = ListSpec(
    name="reservations",
    base=_reservations,
    columns=(
        ListColumn("id", "Reservation", Reservation.id),
        ListColumn(
            "charge_point", "Charge point", ChargePoint.identity, searchable=True, filterable=True
        ),
        ListColumn(
            "charge_point_id", "Charge point id", Reservation.charge_point_id, filterable=True
        ),
        ListColumn("connector_id", "Connector", Reservation.connector_id, filterable=True),
        ListColumn("id_tag", "Id tag", Reservation.id_tag, searchable=True, filterable=True),
        ListColumn("parent_id_tag", "Parent id tag", Reservation.parent_id_tag),
        ListColumn("expiry_date", "Expires (UTC)", Reservation.expiry_date),
        ListColumn("status", "Status", Reservation.status, filterable=True),
        ListColumn("session_id", "Used by transaction", Reservation.session_id),
        ListColumn("requested_by", "Requested by", Reservation.requested_by, searchable=True),
        ListColumn("created_at", "Created (UTC)", Reservation.created_at),
        ListColumn("updated_at", "Updated (UTC)", Reservation.updated_at),
    ),
    organisation_column=Reservation.organisation_id,
    id_column=Reservation.id,
    default_sort="created_at",
)

RESOURCE = ListResource(RESERVATION_LIST, Module.LIVE_MONITORING, "Reservation", "reservations")
api = router(RESOURCE.path, "Reservations")
ReservationItem = add_list_routes(api, RESOURCE)
Controller = Annotated[ApiCaller, gate(Module.LIVE_MONITORING, Action.CONTROL)]


class CommandRecord(BaseModel):
    """An OCPP command CCMS sent and its outcome (as the charge point page's history)."""

    id: int = Field(description="0 when nothing was recorded")
    charge_point_id: int
    action: str
    status: str = Field(description="requested, sent, accepted, rejected, failed, ...")
    error: str
    request: str = Field(description="The request as sent (JSON, secrets redacted)")
    response: str = Field(description="The charge point's answer (JSON), if any")
    requested_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: CommandView) -> CommandRecord:
        return cls(**dataclasses.asdict(view))


class ReservationCommand(BaseModel):
    reservation: ReservationItem  # type: ignore[valid-type]
    command: CommandRecord | None = Field(description="The ReserveNow / CancelReservation sent")


class NewReservation(StrictModel):
    charge_point: str = Field(min_length=1, max_length=64, description="Its identity")
    connector_id: int = Field(0, ge=0, le=MAX_INT, description="0: any connector")
    id_tag: str = Field(max_length=20, description="The card it is held for")
    expiry_date: UtcInstant = Field(description="When it lapses (ISO 8601 with a zone)")
    parent_id_tag: str | None = Field(None, max_length=20, description="Default: the card's")


async def _answer(
    view: reservations.ReservationView, caller: ApiCaller, response: Response | None = None
) -> ReservationCommand:
    row = await read_back(RESOURCE, view.id, caller, response)
    command = CommandRecord.of(view.command) if view.command is not None else None
    return ReservationCommand(reservation=row, command=command)


@api.post(
    "",
    status_code=201,
    response_model=ReservationCommand,
    summary="Reserve a connector (ReserveNow): the answer holds the command's outcome",
    operation_id="create_reservation",
)
async def create_reservation(body: NewReservation, caller: Controller, response: Response) -> Any:
    charge_point = await asyncio.to_thread(find_by_identity, caller.scope, body.charge_point)
    view = await reservations.reserve(
        charge_point.id,
        body.connector_id,
        body.id_tag,
        body.expiry_date,
        caller.principal.email,
        parent_id_tag=body.parent_id_tag,
    )
    return await _answer(view, caller, response)


@api.delete(
    "/{id}",
    response_model=ReservationCommand,
    summary="Cancel a reservation (CancelReservation): the answer holds the command's outcome",
    operation_id="cancel_reservation",
    responses={409: {"description": "The reservation is not open any more"}},
)
async def cancel_reservation(id: Annotated[int, Path(ge=1, le=MAX_INT)], caller: Controller) -> Any:
    await read_back(RESOURCE, id, caller)  # 404 outside the key's scope
    try:
        view = await reservations.cancel(id, caller.principal.email)
    except ReservationError as exc:
        raise Problem(409, str(exc)) from exc
    return await _answer(view, caller)
