"""The actions right in the Users lists and on the detail pages: suspend / reactivate a
driver, block / unblock a card, delete a card or a vehicle after a confirm. After each, the
list and the detail page that show the row reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import tr
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, vehicles
from ccms_app.drivers.common import Scope
from ccms_app.drivers.state.detail import DriverDetailState, GroupDetailState
from ccms_app.drivers.state.lists import DriverListState, IdTagListState, VehicleListState
from ccms_app.drivers.state.scope import as_id, run_scoped
from ccms_app.ui.events import event


async def _act(state: rx.State, work: Callable[[Scope], str], refresh: list[Any]):
    message, problem = await run_scoped(state, work)
    if problem:
        return rx.toast.error(problem)
    return [rx.toast.success(message), *refresh]


def _detail_refresh() -> list[Any]:
    return [DriverDetailState.refresh, GroupDetailState.refresh]


@guarded(Module.USERS)
class IdTagActionsState(rx.State):
    """Block / unblock / delete a card from any list or detail page."""

    confirm_open: bool = False
    confirm_id: int = 0
    confirm_label: str = ""

    @requires(Action.EDIT)
    @event
    async def block(self, pk: str | int):
        def work(scope: Scope) -> str:
            return tr(
                "Card {id_tag} blocked.", id_tag=id_tags.block_id_tag(scope, as_id(pk)).id_tag
            )

        return await _act(self, work, [IdTagListState.refresh, *_detail_refresh()])

    @requires(Action.EDIT)
    @event
    async def unblock(self, pk: str | int):
        def work(scope: Scope) -> str:
            tag = id_tags.unblock_id_tag(scope, as_id(pk)).id_tag
            return tr("Card {id_tag} unblocked.", id_tag=tag)

        return await _act(self, work, [IdTagListState.refresh, *_detail_refresh()])

    @event
    def ask_delete(self, pk: str | int, label: str) -> None:
        self.confirm_id, self.confirm_label, self.confirm_open = as_id(pk), label, True

    @event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = value

    @requires(Action.EDIT)
    @event
    async def delete(self):
        pk, self.confirm_open = self.confirm_id, False

        def work(scope: Scope) -> str:
            return tr("Card {id_tag} deleted.", id_tag=id_tags.delete_id_tag(scope, pk))

        return await _act(self, work, [IdTagListState.refresh, *_detail_refresh()])


@guarded(Module.USERS)
class DriverActionsState(rx.State):
    """Suspend / reactivate a driver from the list or the driver's page."""

    @requires(Action.EDIT)
    @event
    async def suspend(self, pk: str | int):
        def work(scope: Scope) -> str:
            name = drivers.suspend_driver(scope, as_id(pk)).name
            return tr("{name} is suspended: their cards answer Blocked.", name=name)

        return await _act(self, work, [DriverListState.refresh, *_detail_refresh()])

    @requires(Action.EDIT)
    @event
    async def reactivate(self, pk: str | int):
        def work(scope: Scope) -> str:
            name = drivers.reactivate_driver(scope, as_id(pk)).name
            return tr("{name} is active again.", name=name)

        return await _act(self, work, [DriverListState.refresh, *_detail_refresh()])


@guarded(Module.USERS)
class VehicleActionsState(rx.State):
    confirm_open: bool = False
    confirm_id: int = 0
    confirm_label: str = ""

    @event
    def ask_delete(self, pk: str | int, label: str) -> None:
        self.confirm_id, self.confirm_label, self.confirm_open = as_id(pk), label, True

    @event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = value

    @requires(Action.EDIT)
    @event
    async def delete(self):
        pk, self.confirm_open = self.confirm_id, False

        def work(scope: Scope) -> str:
            return tr("Vehicle {vehicle} deleted.", vehicle=vehicles.delete_vehicle(scope, pk))

        return await _act(self, work, [VehicleListState.refresh, *_detail_refresh()])
