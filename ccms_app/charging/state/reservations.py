"""The reservations section of a charge point page: the reserve form and cancel.

The reservations themselves live in ChargePointLiveState (pushed whenever one changes: an
answer, a cancel, a StartTransaction using it, the expiry sweep).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.control.state.charge_point import (
    ChargePointDetailState,
    current_charge_point,
    run_command,
    signed_in_email,
)
from ccms_app.core.i18n import tr
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState
from ccms_app.ui.events import background_event, event


@guarded(Module.LIVE_MONITORING)
class ChargePointReservationState(rx.State):
    connector_id: str = "1"
    id_tag: str = ""
    minutes: str = "60"
    busy: bool = False
    message: str = ""
    message_ok: bool = False

    @event
    async def reset_section(self) -> None:
        """A charge point page opens with an empty form on a free connector (fired by the
        page's `load`, once it knows the charge point)."""
        detail = await self.get_state(ChargePointDetailState)
        self.connector_id, self.id_tag, self.minutes = detail.connector_to_reserve, "", "60"
        self.busy, self.message = False, ""

    @event
    def set_connector_id(self, value: str) -> None:
        self.connector_id = value

    @event
    def set_id_tag(self, value: str) -> None:
        self.id_tag = value

    @event
    def set_minutes(self, value: str) -> None:
        self.minutes = value

    @requires(Action.CONTROL)
    @background_event
    async def reserve(self):
        async with self:
            params = {
                "connector_id": self.connector_id,
                "id_tag": self.id_tag,
                "expires_in_minutes": self.minutes,
            }
            started = await self._begin()
        if started:
            await self._finish("ReserveNow", params)

    @requires(Action.CONTROL)
    @background_event
    async def cancel(self, reservation_id: int):
        async with self:
            live = await self.get_state(ChargePointLiveState)
            if reservation_id not in {r.id for r in live.reservations if r.is_open}:
                return  # only a listed, open reservation of this charge point
            started = await self._begin()
        if started:
            await self._finish("CancelReservation", {"reservation_id": reservation_id})

    async def _begin(self) -> bool:
        """Inside `async with self`: mark busy unless already busy or no charge point."""
        charge_point_id, _ = await current_charge_point(self)
        if self.busy or not charge_point_id:
            return False
        self.busy = True
        self.message = ""
        return True

    async def _finish(self, action: str, params: dict[str, Any]) -> None:
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            requested_by = await signed_in_email(self)
        if requested_by is None:
            message, ok = tr("Your session has ended. Log in again."), False
        else:
            message, ok = await run_command(charge_point_id, action, params, requested_by)
        async with self:
            self.busy = False
            self.message, self.message_ok = message, ok
            if ok and action == "ReserveNow":
                self.id_tag = ""
