"""The live network view every logged-in Live Monitoring tab (and the pages built on it) links to.

One shared state per operator organisation (token `ccms-network-<id>`): the publisher writes
it once per batch of network events and Reflex fans the change out to every linked tab, so
pages never poll and the database is read once per push, not once per tab.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.state import AuthState
from ccms_app.monitoring import registry
from ccms_app.monitoring import snapshot as monitoring
from ccms_app.monitoring.state import home
from ccms_app.monitoring.view import (
    ChargePointRow,
    CountsView,
    SessionRow,
    StatusCount,
    WarningRow,
    build_view,
)
from ccms_app.ui.events import event
from ccms_app.ui.nav import run_before_logout

log = logging.getLogger(__name__)

TOKEN_PREFIX = "ccms-network-"  # Reflex link tokens must not contain underscores


def network_token(organisation_id: int) -> str:
    return f"{TOKEN_PREFIX}{organisation_id}"


def load_for_organisation(organisation_id: int) -> monitoring.NetworkSnapshot:
    """The snapshot an operator of `organisation_id` may see (it and its sub-operators)."""
    return monitoring.load_snapshot(organisations.organisation_scope(organisation_id))


class LiveState(rx.SharedState):
    # rx.Field: the pages read these as Vars (LiveState.warnings.length()), handlers as values.
    charge_points: rx.Field[list[ChargePointRow]] = rx.field(default_factory=list)
    sessions: rx.Field[list[SessionRow]] = rx.field(default_factory=list)
    warnings: rx.Field[list[WarningRow]] = rx.field(default_factory=list)
    counts: CountsView = CountsView()
    connector_counts: rx.Field[list[StatusCount]] = rx.field(default_factory=list)
    updated_at: rx.Field[str] = rx.field("")
    loaded: bool = False

    @event
    async def join(self) -> object:
        """on_load of the live pages: link this tab to its organisation's live view."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return None
        organisation_id = auth_state._organisation_id
        # Watch before loading: an event that lands in between is pushed again afterwards.
        registry.watch(self.router.session.client_token, organisation_id, registry.LIVE)
        linked = await self._link_to(network_token(organisation_id))
        snapshot = await asyncio.to_thread(load_for_organisation, organisation_id)
        apply_snapshot(linked, snapshot)
        return None

    @event
    async def leave(self) -> object:
        """On logout or on Home: stop watching and receiving this organisation's whole
        network in this tab (the events `_unlink` returns rehydrate the tab's own copy, so they
        are returned to Reflex)."""
        registry.unwatch(self.router.session.client_token, registry.LIVE)
        if self._linked_to:
            return await self._unlink()
        return None


def apply_snapshot(state: LiveState, snapshot: monitoring.NetworkSnapshot) -> None:
    """Write a snapshot into a live state (the linked shared one, or one under test)."""
    view = build_view(snapshot)
    state.charge_points = view.charge_points
    state.sessions = view.sessions
    state.warnings = view.warnings
    state.counts = view.counts
    state.connector_counts = view.connector_counts
    state.updated_at = view.updated_at
    state.loaded = True


# A tab that logs out stops receiving its organisation's updates.
run_before_logout(LiveState.leave)
run_before_logout(home.HomeState.leave)
