"""The create / edit dialogs of the Users pages (drivers, groups, RFID cards, vehicles), each
a UserFormState (ccms_app.drivers.state.user_form) that says how to read, save and refresh
its row. After a save they reload the lists and detail pages that show the row.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.i18n import tr
from ccms_app.core.operator_zone import DEFAULT_ZONE, operator_zone_of
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups, vehicles
from ccms_app.drivers.common import Scope
from ccms_app.drivers.state.detail import DriverDetailState, GroupDetailState
from ccms_app.drivers.state.lists import (
    DriverListState,
    GroupListState,
    IdTagListState,
    VehicleListState,
    date_text,
)
from ccms_app.drivers.state.picker import DriverPickerState
from ccms_app.drivers.state.scope import operator_scope, optional_id
from ccms_app.drivers.state.user_form import UserFormState

# --- drivers --------------------------------------------------------------------------------


def _driver_input(values: dict[str, str]) -> drivers.DriverInput:
    return drivers.DriverInput(
        name=values.get("name", ""), email=values.get("email", ""), phone=values.get("phone", "")
    )


@guarded(Module.USERS)
class DriverFormState(UserFormState, rx.State):
    def _blank(self) -> dict[str, str]:
        return {"name": "", "email": "", "phone": ""}

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        d = drivers.get_driver(scope, pk)
        return {"name": d.name, "email": d.email, "phone": d.phone}

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        if pk:
            saved = drivers.update_driver(scope, pk, _driver_input(values))
            return tr("Saved {name}.", name=saved.name), saved.id
        created = drivers.create_driver(scope, _driver_input(values))
        return tr("Driver {name} created.", name=created.name), created.id

    def _refresh(self, created_id: int) -> list[Any]:
        if created_id:  # a new driver: straight to their page, to issue a card
            return [rx.redirect(f"/users/drivers/{created_id}")]
        return [DriverListState.refresh, DriverDetailState.refresh]


# --- user groups ----------------------------------------------------------------------------


@guarded(Module.USERS)
class GroupFormState(UserFormState, rx.State):
    def _blank(self) -> dict[str, str]:
        return {
            "name": "",
            "account_name": "",
            "billing_email": "",
        }

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        g = user_groups.get_group(scope, pk)
        return {
            "name": g.name,
            "account_name": g.account_name,
            "billing_email": g.billing_email,
        }

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        data = user_groups.GroupInput(
            name=values.get("name", ""),
            account_name=values.get("account_name", ""),
            billing_email=values.get("billing_email", ""),
        )
        if pk:
            saved = user_groups.update_group(scope, pk, data)
            return tr("Saved {name}.", name=saved.name), saved.id
        created = user_groups.create_group(scope, data)
        return tr("Group {name} created.", name=created.name), created.id

    def _refresh(self, created_id: int) -> list[Any]:
        if created_id:  # a new group: straight to its page, to add members
            return [rx.redirect(f"/users/groups/{created_id}")]
        return [GroupListState.refresh, GroupDetailState.refresh]


# --- RFID cards -----------------------------------------------------------------------------

OWNER_NONE, OWNER_DRIVER, OWNER_GROUP = "none", "driver", "group"


def _id_tag_input(values: dict[str, str], zone: str) -> id_tags.IdTagInput:
    """The card form's values; its expiry is a day in `zone` (the operator's)."""
    kind = values.get("owner_kind", OWNER_NONE)
    return id_tags.IdTagInput(
        id_tag=values.get("id_tag", ""),
        expiry=values.get("expiry", ""),
        parent_id_tag=values.get("parent_id_tag", ""),
        driver_id=optional_id(values.get("driver_id")) if kind == OWNER_DRIVER else None,
        group_id=optional_id(values.get("group_id")) if kind == OWNER_GROUP else None,
        description=values.get("description", ""),
        concurrent_transactions=values.get("concurrent_transactions") == "true",
        zone=zone,
    )


@guarded(Module.USERS)
class IdTagFormState(DriverPickerState, UserFormState, rx.State):
    group_options: list[list[str]] = []
    zone: str = DEFAULT_ZONE  # the operator's: the expiry is the last day in it

    def _blank(self) -> dict[str, str]:
        return {
            "id_tag": "",
            "expiry": "",
            "parent_id_tag": "",
            "owner_kind": OWNER_NONE,
            "driver_id": "",
            "group_id": "",
            "description": "",
            "concurrent_transactions": "false",
        }

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        tag = id_tags.get_id_tag(scope, pk)
        kind = OWNER_DRIVER if tag.driver_id else OWNER_GROUP if tag.group_id else OWNER_NONE
        zone = operator_zone_of(scope.organisation_id)
        return {
            "id_tag": tag.id_tag,
            "expiry": date_text(tag.expiry_date, zone),
            "parent_id_tag": tag.parent_id_tag or "",
            "owner_kind": kind,
            "driver_id": str(tag.driver_id or ""),
            "group_id": str(tag.group_id or ""),
            "description": tag.description,
            "concurrent_transactions": "true" if tag.concurrent_transactions else "false",
        }

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        data = _id_tag_input(values, operator_zone_of(scope.organisation_id))
        if pk:
            saved = id_tags.update_id_tag(scope, pk, data)
            return tr("Saved card {id_tag}.", id_tag=saved.id_tag), saved.id
        issued = id_tags.issue_id_tag(scope, data)
        return tr("Card {id_tag} issued.", id_tag=issued.id_tag), issued.id

    async def _prepare(self) -> None:
        self.driver_search = ""
        await self._load_driver_options(self.values.get("driver_id", ""))
        scope = await operator_scope(self)
        if scope is not None:
            self.zone = await asyncio.to_thread(operator_zone_of, scope.organisation_id)
            groups = await asyncio.to_thread(user_groups.group_choices, scope)
            self.group_options = [[str(i), name] for i, name in groups]

    def _refresh(self, created_id: int) -> list[Any]:
        return [IdTagListState.refresh, DriverDetailState.refresh, GroupDetailState.refresh]


# --- vehicles -------------------------------------------------------------------------------


@guarded(Module.USERS)
class VehicleFormState(DriverPickerState, UserFormState, rx.State):
    def _blank(self) -> dict[str, str]:
        return {
            "make": "",
            "model": "",
            "battery_capacity_kwh": "",
            "licence_plate": "",
            "driver_id": "",
        }

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        v = vehicles.get_vehicle(scope, pk)
        return {
            "make": v.make,
            "model": v.model,
            "battery_capacity_kwh": v.capacity_kwh_text,
            "licence_plate": v.licence_plate,
            "driver_id": str(v.driver_id or ""),
        }

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        data = vehicles.VehicleInput(
            make=values.get("make", ""),
            model=values.get("model", ""),
            battery_capacity_kwh=values.get("battery_capacity_kwh", ""),
            licence_plate=values.get("licence_plate", ""),
            driver_id=optional_id(values.get("driver_id")),
        )
        if pk:
            saved = vehicles.update_vehicle(scope, pk, data)
            return tr("Saved {make} {model}.", make=saved.make, model=saved.model), saved.id
        created = vehicles.create_vehicle(scope, data)
        message = tr("Vehicle {make} {model} added.", make=created.make, model=created.model)
        return message, created.id

    async def _prepare(self) -> None:
        self.driver_search = ""
        await self._load_driver_options(self.values.get("driver_id", ""))

    def _refresh(self, created_id: int) -> list[Any]:
        return [VehicleListState.refresh, DriverDetailState.refresh]
