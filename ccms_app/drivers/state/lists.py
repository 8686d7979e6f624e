"""The lists of the Users pages (drivers, user groups, RFID cards, vehicles) and the actions
right in them: suspend / reactivate a driver, block / unblock a card, delete after a confirm.

Each list is a ListState (ccms_app.ui.list_state) over a spec of its service; rows are
formatted for display here (money, kWh, dates, links).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

import reflex as rx

from ccms_app.core.listing import ListSpec
from ccms_app.core.money import format_minor
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups, vehicles
from ccms_app.drivers.common import Scope
from ccms_app.drivers.state.forms import as_id, run_scoped
from ccms_app.drivers.vehicles import kwh_text
from ccms_app.ui.list_state import ListState, display_value


def date_text(value: Any) -> str:
    """A date (UTC) for expiry columns; "" for none."""
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime) else ""


def _shown(row: dict[str, Any]) -> dict[str, str]:
    return {key: display_value(value) for key, value in row.items()}


class DriverListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return drivers.DRIVER_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = _shown(row)
        shown["created_at"] = date_text(row.get("created_at"))
        return shown


class GroupListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return user_groups.GROUP_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = _shown(row)
        minor = row.get("price_minor")
        shown["price"] = (
            "standard tariff"
            if minor is None
            else f"{format_minor(minor, row.get('currency') or 'EUR')}/kWh"
        )
        return shown


class IdTagListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return id_tags.ID_TAG_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = _shown(row)
        shown["expiry_date"] = date_text(row.get("expiry_date")) or "never"
        if row.get("driver_id"):
            shown["owner_href"] = f"/users/drivers/{row['driver_id']}"
        elif row.get("group_id"):
            shown["owner_href"] = f"/users/groups/{row['group_id']}"
        else:
            shown["owner_href"] = ""
        shown["blocked"] = "yes" if row.get("status") == "blocked" else ""
        return shown


class VehicleListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return vehicles.VEHICLE_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = _shown(row)
        capacity = kwh_text(row.get("battery_capacity_wh"))
        shown["battery"] = f"{capacity} kWh" if capacity else ""
        shown["driver_href"] = f"/users/drivers/{row['driver_id']}" if row.get("driver_id") else ""
        return shown


# --- actions in the lists -------------------------------------------------------------------


async def _act(state: rx.State, work: Callable[[Scope], str], refresh: list[Any]):
    message, problem = await run_scoped(state, work)
    if problem:
        return rx.toast.error(problem)
    return [rx.toast.success(message), *refresh]


def _detail_refresh() -> list[Any]:
    from ccms_app.drivers.state.detail import DriverDetailState, GroupDetailState

    return [DriverDetailState.refresh, GroupDetailState.refresh]


class IdTagActionsState(rx.State):
    """Block / unblock / delete a card from any list or detail page."""

    confirm_open: bool = False
    confirm_id: int = 0
    confirm_label: str = ""

    @rx.event
    async def block(self, pk: str | int):
        def work(scope: Scope) -> str:
            return f"Card {id_tags.block_id_tag(scope, as_id(pk)).id_tag} blocked."

        return await _act(self, work, [IdTagListState.refresh, *_detail_refresh()])

    @rx.event
    async def unblock(self, pk: str | int):
        def work(scope: Scope) -> str:
            return f"Card {id_tags.unblock_id_tag(scope, as_id(pk)).id_tag} unblocked."

        return await _act(self, work, [IdTagListState.refresh, *_detail_refresh()])

    @rx.event
    def ask_delete(self, pk: str | int, label: str) -> None:
        self.confirm_id, self.confirm_label, self.confirm_open = as_id(pk), label, True

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = value

    @rx.event
    async def delete(self):
        pk, self.confirm_open = self.confirm_id, False

        def work(scope: Scope) -> str:
            return f"Card {id_tags.delete_id_tag(scope, pk)} deleted."

        return await _act(self, work, [IdTagListState.refresh, *_detail_refresh()])


class DriverActionsState(rx.State):
    """Suspend / reactivate a driver from the list or the driver's page."""

    @rx.event
    async def suspend(self, pk: str | int):
        def work(scope: Scope) -> str:
            name = drivers.suspend_driver(scope, as_id(pk)).name
            return f"{name} is suspended: their cards answer Blocked."

        return await _act(self, work, [DriverListState.refresh, *_detail_refresh()])

    @rx.event
    async def reactivate(self, pk: str | int):
        def work(scope: Scope) -> str:
            return f"{drivers.reactivate_driver(scope, as_id(pk)).name} is active again."

        return await _act(self, work, [DriverListState.refresh, *_detail_refresh()])


class VehicleActionsState(rx.State):
    confirm_open: bool = False
    confirm_id: int = 0
    confirm_label: str = ""

    @rx.event
    def ask_delete(self, pk: str | int, label: str) -> None:
        self.confirm_id, self.confirm_label, self.confirm_open = as_id(pk), label, True

    @rx.event
    def set_confirm_open(self, value: bool) -> None:
        self.confirm_open = value

    @rx.event
    async def delete(self):
        pk, self.confirm_open = self.confirm_id, False

        def work(scope: Scope) -> str:
            return f"Vehicle {vehicles.delete_vehicle(scope, pk)} deleted."

        return await _act(self, work, [VehicleListState.refresh, *_detail_refresh()])


async def counts(scope: Scope) -> dict[str, int]:
    """Rows per list, for the Users landing page."""
    cards = await asyncio.to_thread(id_tags.count_id_tags, scope)
    return {
        "drivers": await asyncio.to_thread(drivers.count_drivers, scope),
        "groups": await asyncio.to_thread(user_groups.count_groups, scope),
        "cards": cards["total"],
        "blocked": cards["blocked"],
        "vehicles": await asyncio.to_thread(vehicles.count_vehicles, scope),
    }
