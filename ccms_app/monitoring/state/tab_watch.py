"""When a tab stops looking at a live view: Reflex's own signals, turned into registry calls.

Reflex 0.10 tells a shared state nothing when a linked tab goes away: `_linked_from` keeps a
client token until that tab unlinks itself, and the state manager only expires whole states
after an hour. Two signals are reliable, and they are used instead of a renewal timer (which
would cost every tab a round trip every few seconds and still leave a watch up to that long):

- Navigation: every page change sends `on_load_internal`, every (re)connect
  `hydrate_and_load`, both through the app's middleware before any on_load handler runs.
  The tab's watches end there; a live page's on_load joins again right after, in order.
- Disconnect: Reflex's token manager drops a tab's token when its websocket closes; the
  publisher asks it before every batch (`forget_closed_tabs`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate

from ccms_app.accounts import principals
from ccms_app.monitoring import registry

log = logging.getLogger(__name__)

PAGE_CHANGES = ("on_load_internal", "hydrate_and_load")


class TabWatchMiddleware(Middleware):
    """Ends a tab's watches when it changes page or reconnects (its next page re-joins)."""

    async def preprocess(self, app: Any, state: BaseState, event: Any) -> StateUpdate | None:
        if str(event.name).rsplit(".", 1)[-1] in PAGE_CHANGES:
            registry.unwatch(state.router.session.client_token)
        return None


def install(app: rx.App) -> None:
    """Add the middleware once to the app (the lifespan may start again under tests)."""
    if not any(isinstance(m, TabWatchMiddleware) for m in getattr(app, "_middlewares", [])):
        app.add_middleware(TabWatchMiddleware())


def connected_tabs(app: rx.App) -> frozenset[str]:
    """The tabs whose websocket is connected to this process, from Reflex's socket map."""
    namespace = app.event_namespace
    return frozenset() if namespace is None else frozenset(namespace.sid_to_token.values())


def forget_closed_tabs(app: rx.App) -> None:
    """Before a batch: tabs that disconnected watch nothing any more."""
    registry.forget_closed_tabs(connected_tabs(app))


SESSION_CHECK_SECONDS = 2.0


async def end_watches_of_ended_sessions(interval: float = SESSION_CHECK_SECONDS) -> None:
    """Every `interval`: tabs whose login ended elsewhere (logout in another tab, expiry,
    deactivation) stop receiving pushes. Their next event meets the gate, which sends them to
    the login page; until then they show what they had, and nothing newer."""
    while True:
        await asyncio.sleep(interval)
        watched = registry.watched_sessions()
        if not watched:
            continue
        try:
            live = await asyncio.to_thread(principals.live_sessions, watched)
        except Exception:
            log.exception("could not check the sessions of watching tabs")
            continue
        registry.forget_sessions(watched - live)
