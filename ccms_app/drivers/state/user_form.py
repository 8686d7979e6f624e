"""`UserFormState`, the mixin under every create / edit dialog of the Users pages (drivers,
groups, RFID cards, vehicles, local lists).

A mixin (like list_state.ListState, so each form has its own fields): the dialog's inputs are
controlled by `values` (so what the operator typed stays after an error), `errors` holds one
message per field from the service's UserInputError, `problem` a refusal that is not about a
field; both stay while the operator types, until the next submit (`ui.inputs` says why).
Each concrete form says how to read a row into `values`, how to save `values` (through the
service, scoped to the signed-in operator) and what to refresh.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import requires
from ccms_app.accounts.rules.permissions import Action
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.drivers.common import NotFoundError, Scope, UserInputError
from ccms_app.drivers.state.scope import as_id, operator_scope, run_scoped, sentence
from ccms_app.ui.events import event


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

    @event
    async def open_new(self, preset: dict[str, str] | None = None) -> None:
        self.editing_id = 0
        self.values = {**self._blank(), **(preset or {})}
        self.errors, self.problem, self.busy = {}, "", False
        await self._prepare()
        self.open = True

    @event
    async def open_edit(self, pk: str | int):
        scope = await operator_scope(self)
        if scope is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            values = await asyncio.to_thread(self._read, scope, as_id(pk))
        except NotFoundError as exc:
            return rx.toast.error(sentence(str(exc)))
        self.editing_id = as_id(pk)
        self.values, self.errors, self.problem, self.busy = values, {}, "", False
        await self._prepare()
        self.open = True
        return None

    @event
    def set_open(self, value: bool) -> None:
        self.open = value

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def set_switch(self, name: str, on: bool) -> None:
        """A yes/no field (a switch), kept as "true" / "false" like the other values."""
        self.values = {**self.values, name: "true" if on else "false"}

    @requires(Action.EDIT)
    @event
    async def submit(self):
        if self.busy:
            return None
        self.busy, self.errors, self.problem = True, {}, ""
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
