"""The local authorization lists page (/users/local-lists): the list of lists (a ListState over
drivers.local_lists.specs.LOCAL_LIST_LIST) and delete; the create / rename dialog is in
.form.

Delete is refused while a list is assigned to charge points
(drivers.local_lists.lists.delete_unassigned_list): the operator unassigns on the list's page
first, deliberately, since its cards then leave charge points that may be offline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListSpec
from ccms_app.drivers.common import NotFoundError, Scope
from ccms_app.drivers.local_lists.lists import LocalListError, delete_unassigned_list
from ccms_app.drivers.local_lists.specs import LOCAL_LIST_LIST
from ccms_app.drivers.state.scope import as_id, operator_scope
from ccms_app.network.assets import organisation_choices
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

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
        return None, tr(SESSION_ENDED)
    try:
        return await asyncio.to_thread(work, scope), ""
    except (LocalListError, NotFoundError) as exc:
        return None, sentence(str(exc))


@guarded(Module.USERS)
class LocalListsState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return LOCAL_LIST_LIST

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"organisation": [(name, name) for _, name in organisation_choices(scope)]}

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        shown["stale"] = "yes" if row.get("out_of_date") else ""
        return shown


@guarded(Module.USERS)
class LocalListDeleteState(rx.State):
    """Delete a list after a confirmation; refused (with the reason) while it is assigned."""

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
    async def delete(self) -> Any:
        pk, self.confirm_open = self.confirm_id, False
        name, problem = await run_list_action(
            self, lambda s: delete_unassigned_list(pk, s.organisation_ids)
        )
        if problem:
            return rx.toast.error(problem)
        log.info("local list deleted", extra={"list_id": pk})
        events: list[Any] = [
            rx.toast.success(tr("Local list {name} deleted.", name=name)),
            LocalListsState.refresh,
        ]
        if self.router.url.path.rstrip("/") != ROUTE:  # deleted from its own page
            events.append(rx.redirect(ROUTE))
        return events
