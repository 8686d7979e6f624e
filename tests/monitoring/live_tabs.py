"""Live Monitoring tabs for tests: each tab's Reflex state tree as the app holds it (a root
per client token), opened the way the page's on_load opens it."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.monitoring import registry
from ccms_app.monitoring.state.live import LiveListState
from ccms_app.monitoring.state.sessions import ActiveSessionListState


class LiveTabs:
    def __init__(self) -> None:
        self.roots: dict[str, rx.State] = {}
        self.refreshed: list[str] = []  # tabs whose states the publisher opened, in order

    async def open(self, tab: str, organisation_id: int, **query: object) -> LiveListState:
        """The tab shows Live Monitoring: it watches, then loads its two lists."""
        root = rx.State()
        root.rx_router_session = dataclasses.replace(root.rx_router_session, client_token=tab)
        self.roots[tab] = root
        registry.watch(tab, organisation_id)
        scope = sorted(organisations.organisation_scope(organisation_id))
        charge_points = await root.get_state(LiveListState)
        for name, value in query.items():
            setattr(charge_points, name, value)
        for state in (charge_points, await root.get_state(ActiveSessionListState)):
            state._scope = scope
            await state._reload()
        return charge_points

    async def charge_points(self, tab: str) -> LiveListState:
        return await self.roots[tab].get_state(LiveListState)

    async def sessions(self, tab: str) -> ActiveSessionListState:
        return await self.roots[tab].get_state(ActiveSessionListState)

    @contextlib.asynccontextmanager
    async def states(self, tab: str) -> AsyncIterator[rx.State]:
        """The publisher's view of a tab (the app's is `app.modify_state`)."""
        self.refreshed.append(tab)
        yield self.roots[tab]
