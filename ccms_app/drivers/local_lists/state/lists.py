"""The local authorization lists page (/users/local-lists): the list of lists (a ListState over
drivers.local_lists.admin.LOCAL_LIST_LIST), the create / rename dialog and delete.

Delete is refused while a list is assigned to charge points (local_list_admin
.delete_unassigned_list): the operator unassigns on the list's page first, deliberately, since
its cards then leave charge points that may be offline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from typing import Any

import reflex as rx

from ccms_app.core.listing import ListSpec
from ccms_app.drivers.common import NotFoundError, Scope, UserInputError
from ccms_app.drivers.local_lists import admin as local_list_admin
from ccms_app.drivers.local_lists.admin import LocalListError
from ccms_app.drivers.state.forms import SESSION_ENDED, UserFormState, as_id, operator_scope
from ccms_app.network.assets import organisation_choices
from ccms_app.ui.list_state import ListState, display_value

log = logging.getLogger(__name__)

ROUTE = "/users/local-lists"


def sentence(text: str) -> str:
    """A service message as the operator reads it: capitalised, one full stop."""
    text = text.strip().rstrip(".")
    return (text[:1].upper() + text[1:] + ".") if text else ""


async def run_list_action(state: rx.State, work: Callable[[Scope], Any]) -> tuple[Any, str]:
    """(result, "") or (None, what went wrong) for a local list use case in the operator's
    scope; the services say what is wrong with LocalListError."""
    scope = await operator_scope(state)
    if scope is None:
        return None, SESSION_ENDED
    try:
        return await asyncio.to_thread(work, scope), ""
    except (LocalListError, NotFoundError) as exc:
        return None, sentence(str(exc))


class LocalListsState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return local_list_admin.LOCAL_LIST_LIST

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"organisation": [(name, name) for _, name in organisation_choices(scope)]}

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = {key: display_value(value) for key, value in row.items()}
        shown["stale"] = "yes" if row.get("out_of_date") else ""
        return shown


class LocalListFormState(UserFormState, rx.State):
    """New list / rename (name and description)."""

    def _blank(self) -> dict[str, str]:
        return {"name": "", "description": ""}

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        try:
            summary = local_list_admin.list_summary(pk, scope.organisation_ids)
        except LocalListError as exc:
            raise NotFoundError(str(exc)) from exc
        return {"name": summary.name, "description": summary.description}

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        name, description = values.get("name", ""), values.get("description", "")
        try:
            if pk:
                saved = local_list_admin.update_list(pk, name, description, scope.organisation_ids)
                return f"Saved {saved.name}.", saved.id
            created = local_list_admin.create_list(scope.organisation_id, name, description)
        except LocalListError as exc:
            raise UserInputError({"name": sentence(str(exc))}) from exc
        log.info("local list created", extra={"list_id": created.id})
        return f"Local list {created.name} created: add id tags and charge points.", created.id

    def _refresh(self, created_id: int) -> list[Any]:
        from ccms_app.drivers.local_lists.state.detail import LocalListDetailState

        if created_id:  # a new list: straight to its page, to fill it
            return [rx.redirect(f"{ROUTE}/{created_id}")]
        return [LocalListsState.refresh, LocalListDetailState.refresh]


class LocalListDeleteState(rx.State):
    """Delete a list after a confirmation; refused (with the reason) while it is assigned."""

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
        name, problem = await run_list_action(
            self, lambda s: local_list_admin.delete_unassigned_list(pk, s.organisation_ids)
        )
        if problem:
            return rx.toast.error(problem)
        log.info("local list deleted", extra={"list_id": pk})
        events: list[Any] = [
            rx.toast.success(f"Local list {name} deleted."),
            LocalListsState.refresh,
        ]
        if self.router.url.path.rstrip("/") != ROUTE:  # deleted from its own page
            events.append(rx.redirect(ROUTE))
        return events
