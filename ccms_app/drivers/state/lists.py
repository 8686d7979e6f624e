"""The lists of the Users pages (drivers, user groups, RFID cards, vehicles) and the counts of
the Users landing page. The actions right in the lists live in ccms_app.drivers.state.actions.

Each list is a ListState (ccms_app.ui.list_state) over a spec of its service; rows are
formatted for display here (kWh, dates, links).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.listing import ListSpec
from ccms_app.core.local_time import utc_to_wall_time
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups, vehicles
from ccms_app.drivers.common import Scope
from ccms_app.drivers.vehicles import kwh_text
from ccms_app.ui.list_state import ListState


def date_text(value: Any, zone: str) -> str:
    """The day a stored instant falls on in `zone` (the operator's), "YYYY-MM-DD", for expiry
    and creation columns and the card form; "" for none. An expiry is the last second of its
    day, so it shows the day the operator picked."""
    return utc_to_wall_time(value, zone)[:10] if isinstance(value, datetime) else ""


@guarded(Module.USERS)
class DriverListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return drivers.DRIVER_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["created_at"] = date_text(row.get("created_at"), self._zone)
        return shown


@guarded(Module.USERS)
class GroupListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return user_groups.GROUP_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return self._shown(row)


@guarded(Module.USERS)
class IdTagListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return id_tags.ID_TAG_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["expiry_date"] = date_text(row.get("expiry_date"), self._zone) or "never"
        if row.get("driver_id"):
            shown["owner_href"] = f"/users/drivers/{row['driver_id']}"
        elif row.get("group_id"):
            shown["owner_href"] = f"/users/groups/{row['group_id']}"
        else:
            shown["owner_href"] = ""
        shown["blocked"] = "yes" if row.get("status") == "blocked" else ""
        return shown


@guarded(Module.USERS)
class VehicleListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return vehicles.VEHICLE_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        capacity = kwh_text(row.get("battery_capacity_wh"))
        shown["battery"] = f"{capacity} kWh" if capacity else ""
        shown["driver_href"] = f"/users/drivers/{row['driver_id']}" if row.get("driver_id") else ""
        return shown


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
