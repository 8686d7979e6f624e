"""Home's live view: counts, totals and the first warnings of one organisation.

One shared state per operator organisation (token `ccms-home-<id>`): a tab receives a few
hundred bytes per push, never the network's rows, and the publisher builds it from aggregate
queries only while a tab shows it. Home, Live Monitoring (counts, first warnings), Assets, the
station and Firmware pages link to it; the last three recompute their own views on its pushes.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, signed_in
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import has_permission
from ccms_app.monitoring import registry
from ccms_app.monitoring.home_summary import HomeSummary, load_home_summary
from ccms_app.monitoring.view import CountsView, StatusCount, WarningRow, build_home_view
from ccms_app.ui.events import event

TOKEN_PREFIX = "ccms-home-"  # Reflex link tokens must not contain underscores
ROUTE = "/"
# The modules whose pages link to Home's view: Home, Live Monitoring (counts, warnings),
# Assets and Firmware (their live parts recompute on its pushes).
LINKED_FROM = (Module.HOME, Module.LIVE_MONITORING, Module.ASSETS, Module.FIRMWARE)


def home_token(organisation_id: int) -> str:
    return f"{TOKEN_PREFIX}{organisation_id}"


def load_home_for_organisation(organisation_id: int) -> HomeSummary:
    """What an operator of `organisation_id` sees on Home (it and its sub-operators)."""
    return load_home_summary(organisations.organisation_scope(organisation_id))


@guarded(Module.HOME)
class HomeState(rx.SharedState):
    counts: CountsView = CountsView()
    connector_counts: rx.Field[list[StatusCount]] = rx.field(default_factory=list)
    warnings: rx.Field[list[WarningRow]] = rx.field(default_factory=list)
    warnings_total: rx.Field[int] = rx.field(0)
    updated_at: rx.Field[str] = rx.field("")
    loaded: bool = False

    @event
    async def show(self) -> None:
        """on_load of Home (home:view, so a role without it is sent where it may go)."""
        await self._join()

    @signed_in
    @event
    async def join(self) -> None:
        """on_load of the pages that follow Home's pushes (Live Monitoring, Assets, the
        station page, Firmware): link this tab when its role may see one of them.

        Declared `signed_in` and checked here: a role with Assets but not Home still gets
        the Assets page's pushes, where a refused page load would send it off the page.
        """
        auth_state = await self.get_state(AuthState)
        if any(has_permission(auth_state, module) for module in LINKED_FROM):
            await self._join()

    async def _join(self) -> None:
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        organisation_id = auth_state._organisation_id
        # Watch before loading: an event that lands in between is pushed again afterwards.
        registry.watch(
            self.router.session.client_token,
            organisation_id,
            registry.HOME,
            auth_state._session_hash,
        )
        linked = await self._link_to(home_token(organisation_id))
        summary = await asyncio.to_thread(load_home_for_organisation, organisation_id)
        apply_summary(linked, summary)

    @signed_in
    @event
    async def leave(self) -> object:
        """On logout: stop watching and receiving this organisation's Home view."""
        registry.unwatch(self.router.session.client_token, registry.HOME)
        if self._linked_to:
            return await self._unlink()
        return None


def apply_summary(state: HomeState, summary: HomeSummary) -> None:
    """Write a summary into a Home state (the linked shared one, or one under test)."""
    view = build_home_view(summary)
    state.counts = view.counts
    state.connector_counts = view.connector_counts
    state.warnings = view.warnings
    state.warnings_total = view.warnings_total
    state.updated_at = view.updated_at
    state.loaded = True
