"""The create / edit dialogs of the Users pages (drivers, groups, RFID cards, vehicles).

`UserFormState` is a mixin (like list_state.ListState, so each form has its own fields): the
dialog's inputs are controlled by `values` (so what the operator typed stays after an error),
`errors` holds one message per field from the service's UserInputError, `problem` a refusal
that is not about a field. Each concrete form says how to read a row into `values`, how to
save `values` (through the service, scoped to the signed-in operator) and what to refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers import id_tags, user_groups, vehicles
from ccms_app.drivers.common import NotFoundError, RefusedError, Scope, UserInputError

log = logging.getLogger(__name__)

SESSION_ENDED = "Your session has ended. Log in again."


async def operator_scope(state: rx.State) -> Scope | None:
    """The signed-in operator's scope; None when signed out."""
    auth_state = await state.get_state(AuthState)
    if not auth_state.is_authenticated or not auth_state._organisation_id:
        return None
    return await asyncio.to_thread(Scope.of, auth_state._organisation_id)


async def run_scoped(state: rx.State, work: Callable[[Scope], Any]) -> tuple[Any, str]:
    """(result, "") or (None, what went wrong) for a service call in the operator's scope.
    UserInputError is left to the caller (it belongs to the form's fields)."""
    scope = await operator_scope(state)
    if scope is None:
        return None, SESSION_ENDED
    try:
        return await asyncio.to_thread(work, scope), ""
    except (RefusedError, NotFoundError) as exc:
        return None, _sentence(str(exc))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def as_id(value: Any) -> int:
    """A row id as the browser sends it ("12", 12, "") -> 12 (0 when not a number)."""
    try:
        return int(str(value).strip() or 0)
    except ValueError:
        return 0


def optional_id(value: Any) -> int | None:
    return as_id(value) or None


class UserFormState(rx.State, mixin=True):
    """One create / edit dialog."""

    open: bool = False
    editing_id: int = 0
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    problem: str = ""
    busy: bool = False

    # --- what each form provides ---------------------------------------------------------

    def _blank(self) -> dict[str, str]:
        raise NotImplementedError

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        raise NotImplementedError

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        """Create (pk 0) or update; returns the success message and the row's id."""
        raise NotImplementedError

    def _refresh(self, created_id: int) -> list[Any]:
        """Events to run after a save (reload the lists / detail pages that show the row);
        `created_id` is the new row's id after a create, else 0."""
        return []

    async def _prepare(self) -> None:
        """Load what the dialog's pickers need, once `values` are set."""

    # --- computed and events -------------------------------------------------------------

    @rx.var
    def editing(self) -> bool:
        return self.editing_id > 0

    @rx.event
    async def open_new(self, preset: dict[str, str] | None = None) -> None:
        self.editing_id = 0
        self.values = {**self._blank(), **(preset or {})}
        self.errors, self.problem, self.busy = {}, "", False
        await self._prepare()
        self.open = True

    @rx.event
    async def open_edit(self, pk: str | int):
        scope = await operator_scope(self)
        if scope is None:
            return rx.toast.error(SESSION_ENDED)
        try:
            values = await asyncio.to_thread(self._read, scope, as_id(pk))
        except NotFoundError as exc:
            return rx.toast.error(_sentence(str(exc)))
        self.editing_id = as_id(pk)
        self.values, self.errors, self.problem, self.busy = values, {}, "", False
        await self._prepare()
        self.open = True
        return None

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = value

    @rx.event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}
        if name in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    async def submit(self):
        if self.busy:
            return None
        self.busy, self.problem = True, ""
        values, pk = dict(self.values), self.editing_id
        try:
            saved, problem = await run_scoped(self, lambda s: self._save(s, pk, values))
        except UserInputError as exc:
            self.errors, self.busy = exc.errors, False
            return None
        self.busy = False
        if problem:
            self.problem = problem
            return None
        message, saved_id = saved
        self.errors, self.open = {}, False
        return [rx.toast.success(message), *self._refresh(0 if pk else saved_id)]


# --- drivers --------------------------------------------------------------------------------


def _driver_input(values: dict[str, str]) -> drivers.DriverInput:
    return drivers.DriverInput(
        name=values.get("name", ""), email=values.get("email", ""), phone=values.get("phone", "")
    )


class DriverFormState(UserFormState, rx.State):
    def _blank(self) -> dict[str, str]:
        return {"name": "", "email": "", "phone": ""}

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        d = drivers.get_driver(scope, pk)
        return {"name": d.name, "email": d.email, "phone": d.phone}

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        if pk:
            saved = drivers.update_driver(scope, pk, _driver_input(values))
            return f"Saved {saved.name}.", saved.id
        created = drivers.create_driver(scope, _driver_input(values))
        return f"Driver {created.name} created.", created.id

    def _refresh(self, created_id: int) -> list[Any]:
        from ccms_app.drivers.state.detail import DriverDetailState
        from ccms_app.drivers.state.lists import DriverListState

        if created_id:  # a new driver: straight to their page, to issue a card
            return [rx.redirect(f"/users/drivers/{created_id}")]
        return [DriverListState.refresh, DriverDetailState.refresh]


# --- user groups ----------------------------------------------------------------------------


class GroupFormState(UserFormState, rx.State):
    def _blank(self) -> dict[str, str]:
        return {
            "name": "",
            "account_name": "",
            "billing_email": "",
            "price_per_kwh": "",
            "currency": user_groups.DEFAULT_CURRENCY,
        }

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        g = user_groups.get_group(scope, pk)
        return {
            "name": g.name,
            "account_name": g.account_name,
            "billing_email": g.billing_email,
            "price_per_kwh": g.price_text,
            "currency": g.currency,
        }

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        data = user_groups.GroupInput(
            name=values.get("name", ""),
            account_name=values.get("account_name", ""),
            billing_email=values.get("billing_email", ""),
            price_per_kwh=values.get("price_per_kwh", ""),
            currency=values.get("currency", ""),
        )
        if pk:
            saved = user_groups.update_group(scope, pk, data)
            return f"Saved {saved.name}.", saved.id
        created = user_groups.create_group(scope, data)
        return f"Group {created.name} created.", created.id

    def _refresh(self, created_id: int) -> list[Any]:
        from ccms_app.drivers.state.detail import GroupDetailState
        from ccms_app.drivers.state.lists import GroupListState

        if created_id:  # a new group: straight to its page, to add members
            return [rx.redirect(f"/users/groups/{created_id}")]
        return [GroupListState.refresh, GroupDetailState.refresh]


# --- driver picker (cards, vehicles, group members) ---------------------------------------


class DriverPickerState(rx.State, mixin=True):
    """A driver chosen by searching name or email: `values["driver_id"]` holds the choice."""

    driver_search: str = ""
    driver_options: list[list[str]] = []

    async def _load_driver_options(self, keep_id: str) -> None:
        scope = await operator_scope(self)
        if scope is None:
            return
        term = self.driver_search
        options = await asyncio.to_thread(drivers.driver_choices, scope, term, 20)
        if keep_id and all(str(i) != keep_id for i, _ in options):
            try:
                kept = await asyncio.to_thread(drivers.get_driver, scope, as_id(keep_id))
                options = [(kept.id, kept.name), *options]
            except NotFoundError:
                pass
        self.driver_options = [[str(i), label] for i, label in options]

    @rx.event
    async def search_drivers(self, text: str) -> None:
        self.driver_search = text
        values = getattr(self, "values", {})
        await self._load_driver_options(values.get("driver_id", ""))


# --- RFID cards -----------------------------------------------------------------------------

OWNER_NONE, OWNER_DRIVER, OWNER_GROUP = "none", "driver", "group"


def _id_tag_input(values: dict[str, str]) -> id_tags.IdTagInput:
    kind = values.get("owner_kind", OWNER_NONE)
    return id_tags.IdTagInput(
        id_tag=values.get("id_tag", ""),
        expiry=values.get("expiry", ""),
        parent_id_tag=values.get("parent_id_tag", ""),
        driver_id=optional_id(values.get("driver_id")) if kind == OWNER_DRIVER else None,
        group_id=optional_id(values.get("group_id")) if kind == OWNER_GROUP else None,
        description=values.get("description", ""),
    )


class IdTagFormState(DriverPickerState, UserFormState, rx.State):
    group_options: list[list[str]] = []

    def _blank(self) -> dict[str, str]:
        return {
            "id_tag": "",
            "expiry": "",
            "parent_id_tag": "",
            "owner_kind": OWNER_NONE,
            "driver_id": "",
            "group_id": "",
            "description": "",
        }

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        tag = id_tags.get_id_tag(scope, pk)
        kind = OWNER_DRIVER if tag.driver_id else OWNER_GROUP if tag.group_id else OWNER_NONE
        return {
            "id_tag": tag.id_tag,
            "expiry": tag.expiry_date.date().isoformat() if tag.expiry_date else "",
            "parent_id_tag": tag.parent_id_tag or "",
            "owner_kind": kind,
            "driver_id": str(tag.driver_id or ""),
            "group_id": str(tag.group_id or ""),
            "description": tag.description,
        }

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        data = _id_tag_input(values)
        if pk:
            saved = id_tags.update_id_tag(scope, pk, data)
            return f"Saved card {saved.id_tag}.", saved.id
        issued = id_tags.issue_id_tag(scope, data)
        return f"Card {issued.id_tag} issued.", issued.id

    async def _prepare(self) -> None:
        self.driver_search = ""
        await self._load_driver_options(self.values.get("driver_id", ""))
        scope = await operator_scope(self)
        if scope is not None:
            groups = await asyncio.to_thread(user_groups.group_choices, scope)
            self.group_options = [[str(i), name] for i, name in groups]

    def _refresh(self, created_id: int) -> list[Any]:
        from ccms_app.drivers.state.detail import DriverDetailState, GroupDetailState
        from ccms_app.drivers.state.lists import IdTagListState

        return [IdTagListState.refresh, DriverDetailState.refresh, GroupDetailState.refresh]


# --- vehicles -------------------------------------------------------------------------------


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
            return f"Saved {saved.make} {saved.model}.", saved.id
        created = vehicles.create_vehicle(scope, data)
        return f"Vehicle {created.make} {created.model} added.", created.id

    async def _prepare(self) -> None:
        self.driver_search = ""
        await self._load_driver_options(self.values.get("driver_id", ""))

    def _refresh(self, created_id: int) -> list[Any]:
        from ccms_app.drivers.state.detail import DriverDetailState
        from ccms_app.drivers.state.lists import VehicleListState

        return [VehicleListState.refresh, DriverDetailState.refresh]
