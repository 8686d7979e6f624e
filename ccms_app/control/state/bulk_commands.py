"""Bulk commands on Live Monitoring: select charge points, send one command to all of them.

The selection holds charge point ids: the rows of the page, or every charge point the list's
search and filters match on any page (resolved on the server). Only ids of charge points the
operator manages (checked on the server when sending) are ever sent to; anything else a
browser might send is reported as not found. The command service runs them concurrently.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.control import commands
from ccms_app.control.rules.commands import CommandInputError
from ccms_app.control.state.charge_point import (
    not_sendable,
    not_sent,
    outcome_text,
    session_ended,
    signed_in_email,
)
from ccms_app.control.state.command_forms import (
    BULK_ACTIONS,
    command_label,
    command_params,
    default_values,
)
from ccms_app.core.i18n import tr
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.network.assets import charge_point_identities
from ccms_app.ui.events import background_event, event

log = logging.getLogger(__name__)


@dataclasses.dataclass
class BulkResultRow:
    charge_point_id: int = 0
    identity: str = ""
    status: str = ""
    detail: str = ""


def result_rows(views: list[commands.CommandView], names: dict[int, str]) -> list[BulkResultRow]:
    return [
        BulkResultRow(
            charge_point_id=v.charge_point_id,
            identity=names.get(v.charge_point_id, f"#{v.charge_point_id}"),
            status=v.status,
            detail=v.error,
        )
        for v in views
    ]


def summary_text(action: str, rows: list[BulkResultRow]) -> str:
    accepted = sum(1 for r in rows if r.status == "accepted")
    return tr(
        "{command}: {accepted} of {total} accepted.",
        command=command_label(action),
        accepted=accepted,
        total=len(rows),
    )


@guarded(Module.LIVE_MONITORING)
class BulkCommandState(rx.State):
    selected: rx.Field[list[int]] = rx.field(default_factory=list)
    action: str = BULK_ACTIONS[0]
    values: dict[str, str] = default_values(BULK_ACTIONS[0])
    busy: bool = False
    results: rx.Field[list[BulkResultRow]] = rx.field(default_factory=list)
    summary: str = ""
    error: str = ""

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @event
    def toggle(self, charge_point_id: int, checked: bool) -> None:
        others = [i for i in self.selected if i != charge_point_id]
        self.selected = [*others, charge_point_id] if checked else others

    @event
    async def select_all_shown(self) -> None:
        """The rows of the page the tab shows."""
        live = await self.get_state(LiveListState)
        self.selected = [row.id for row in live.charge_points]

    @event
    async def select_all_matching(self) -> None:
        """Every charge point the list's search and filters match, on every page."""
        live = await self.get_state(LiveListState)
        self.selected = await live.matching_ids()

    @event
    def clear_selection(self) -> None:
        self.selected = []

    @event
    def set_action(self, action: str) -> None:
        if action in BULK_ACTIONS:
            self.action = action
            self.values = default_values(action)
            self.error = ""

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def clear_results(self) -> None:
        self.results = []
        self.summary = ""

    @requires(Action.CONTROL)
    @background_event
    async def send(self):
        async with self:
            if self.busy or not self.selected:
                return None
            auth_state = await self.get_state(AuthState)
            organisation_id = auth_state._organisation_id if auth_state.is_authenticated else 0
            ids, action = list(self.selected), self.action
            params = command_params(action, self.values)
            requested_by = await signed_in_email(self)
            self.busy, self.error, self.results = True, "", []
            self.summary = tr(
                "Sending {command} to {count} charge points…",
                command=command_label(action),
                count=len(ids),
            )
        names = await asyncio.to_thread(_manageable, ids, organisation_id)
        rows, error = await _send(ids, names, action, params, requested_by)
        async with self:
            self.busy = False
            self.error = error
            self.results = rows
            self.summary = summary_text(action, rows) if rows else ""
        return None


def _manageable(ids: list[int], organisation_id: int) -> dict[int, str]:
    """The selected charge points this operator may command: id -> identity."""
    if not organisation_id or not ids:
        return {}
    return charge_point_identities(ids, organisations.organisation_scope(organisation_id))


async def _send(
    ids: list[int],
    names: dict[int, str],
    action: str,
    params: dict[str, str],
    requested_by: str | None,
) -> tuple[list[BulkResultRow], str]:
    if requested_by is None:
        return [], session_ended()
    allowed = [i for i in ids if i in names]
    try:
        views = await commands.send_to_many(allowed, action, params, requested_by)
    except CommandInputError as exc:
        return [], not_sent(command_label(action), exc)
    except Exception as exc:
        log.exception("bulk command failed", extra={"action": action, "count": len(allowed)})
        return [], not_sendable(command_label(action), exc)
    rows = result_rows(views, names)
    rows += [
        BulkResultRow(i, f"#{i}", "failed", tr("not found in your network"))
        for i in ids
        if i not in names
    ]
    for row in rows:
        if row.status != "accepted" and not row.detail:
            row.detail = outcome_text(action, row.status, "")
    return rows, ""
