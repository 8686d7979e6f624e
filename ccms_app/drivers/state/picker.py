"""The driver picker of the card, vehicle and group-member dialogs: a driver chosen by
searching name or email. A mixin, so each dialog keeps its own search and options."""

from __future__ import annotations

import asyncio

import reflex as rx

from ccms_app.drivers import driver_admin as drivers
from ccms_app.drivers.common import NotFoundError
from ccms_app.drivers.state.scope import as_id, operator_scope
from ccms_app.ui.events import event


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

    @event
    async def search_drivers(self, text: str) -> None:
        self.driver_search = text
        values = getattr(self, "values", {})
        await self._load_driver_options(values.get("driver_id", ""))
