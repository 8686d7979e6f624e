"""The new list / rename dialog of the local list pages. A new list opens its own page (to fill
it); a rename reloads the list of lists and the list's page.

Apart from .lists and .detail because it refreshes both (and .detail builds on .lists).
"""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.i18n import tr
from ccms_app.drivers.common import NotFoundError, Scope, UserInputError
from ccms_app.drivers.local_lists.lists import (
    LocalListError,
    create_list,
    list_summary,
    update_list,
)
from ccms_app.drivers.local_lists.state.detail import LocalListDetailState
from ccms_app.drivers.local_lists.state.lists import ROUTE, LocalListsState, sentence
from ccms_app.drivers.state.user_form import UserFormState

log = logging.getLogger(__name__)


@guarded(Module.USERS)
class LocalListFormState(UserFormState, rx.State):
    """New list / rename (name and description)."""

    def _blank(self) -> dict[str, str]:
        return {"name": "", "description": ""}

    def _read(self, scope: Scope, pk: int) -> dict[str, str]:
        try:
            summary = list_summary(pk, scope.organisation_ids)
        except LocalListError as exc:
            raise NotFoundError(str(exc)) from exc
        return {"name": summary.name, "description": summary.description}

    def _save(self, scope: Scope, pk: int, values: dict[str, str]) -> tuple[str, int]:
        name, description = values.get("name", ""), values.get("description", "")
        try:
            if pk:
                saved = update_list(pk, name, description, scope.organisation_ids)
                return tr("Saved {name}.", name=saved.name), saved.id
            created = create_list(scope.organisation_id, name, description)
        except LocalListError as exc:
            raise UserInputError({"name": sentence(str(exc))}) from exc
        log.info("local list created", extra={"list_id": created.id})
        message = tr("Local list {name} created: add id tags and charge points.", name=created.name)
        return message, created.id

    def _refresh(self, created_id: int) -> list[Any]:
        if created_id:  # a new list: straight to its page, to fill it
            return [rx.redirect(f"{ROUTE}/{created_id}")]
        return [LocalListsState.refresh, LocalListDetailState.refresh]
