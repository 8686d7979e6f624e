"""The alarm bell's state, one per tab.

The live publisher builds an organisation's bell once per batch with alarm events (open alarms
per audience and severity, the newest open alarms with their audiences) and writes it into
each watching tab's `AlarmToastState`, which keeps only what its role is told: 500 alarms in
one batch are one push to each tab.

A tab joins from the app shell (the bell's on_mount, on every page): the shell stays the same
across navigations, so the watch is kept in `bell_watch`, not in the page-view registry.
With several web workers (`ccms web`) a tab whose websocket reconnects may land on another
worker, which loads its page again but never sees the shell mount: `BellRejoinMiddleware`
watches its bell there again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate

from ccms_app.accounts.gate_marks import guarded, signed_in
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import has_permission
from ccms_app.maintenance.notifications import bell_watch
from ccms_app.maintenance.notifications.bell import account_role_id, load_bell
from ccms_app.maintenance.notifications.rules.bell_view import (
    AudienceCount,
    BellAlarm,
    BellCounts,
    BellView,
    Toast,
    counts_for,
    latest_id,
    toast_for,
)
from ccms_app.ui.events import event
from ccms_app.ui.nav import run_before_logout

PAGE_LOAD = "hydrate_and_load"  # a page's first load, a reload, a websocket reconnect
TOAST_HIDE_ANIMATION = "ccms-alarm-toast-hide"  # the CSS animation that hides the toast


@guarded(Module.MAINTENANCE)
class AlarmToastState(rx.State):
    """This tab's bell: the open alarms its role is told about, and the new ones it has not
    dismissed. The publisher writes it in the tab's own state (`show`, through
    app.modify_state per watching tab, once per batch with alarms).

    Not a linked shared state: a second shared state per tab (beside Home's or a charge
    point's) made Reflex lock tabs' shared states in different orders, and a page could hang
    on its first load until the lock expired."""

    counts: rx.Field[BellCounts] = rx.field(default_factory=BellCounts)
    toast: rx.Field[Toast] = rx.field(default_factory=Toast)
    seen_id: rx.Field[int] = rx.field(0)
    role_id: rx.Field[int] = rx.field(0)
    watching: rx.Field[bool] = rx.field(False)  # joined: alarms from now on are toasted
    # The toast hid itself after showing alarms up to this id: it stays hidden on the next
    # pages (each page mounts the shell, and with it the card, again) until a newer alarm.
    hidden_id: rx.Field[int] = rx.field(0)
    _audiences: list[AudienceCount] = []
    _newest: list[BellAlarm] = []
    _started: bool = False

    @signed_in
    @event
    async def join(self) -> None:
        """The shell's on_mount: watch this tab's organisation's alarms when its role may view
        maintenance. Declared `signed_in` and checked here: every page mounts the shell, and a
        role without maintenance must not be sent off its page for it."""
        auth_state = await self.get_state(AuthState)
        if not has_permission(auth_state, Module.MAINTENANCE):
            return
        organisation_id = auth_state._organisation_id
        role_id = await asyncio.to_thread(account_role_id, auth_state._account_id)
        # Watch before loading: an alarm that lands in between is pushed again afterwards.
        bell_watch.watch(
            self.router.session.client_token, organisation_id, auth_state._session_hash
        )
        view = await asyncio.to_thread(load_bell, organisation_id)
        if self.role_id != role_id:  # re-read at every join: roles change
            self.role_id = role_id
        if not self._started:  # alarms open before the first join are no news
            self._started = True
            self.seen_id = latest_id(view.newest)
        self.show(view)
        self.watching = True

    def show(self, view: BellView) -> None:
        """The organisation's bell as this tab's role sees it; unchanged parts are not sent."""
        self._audiences, self._newest = view.audiences, view.newest
        counts = counts_for(view.audiences, self.role_id)
        if counts != self.counts:
            self.counts = counts
        toast = toast_for(view.newest, self.role_id, self.seen_id)
        if toast != self.toast:
            self.toast = toast

    @rx.var
    def toast_shown(self) -> bool:
        """New alarms not dismissed, and the toast has not hidden itself since they came."""
        return bool(self.toast.alarms) and self.toast.latest_id > self.hidden_id

    @event
    async def hid_itself(self, animation: str, latest: int) -> None:
        """The card's hide animation ended in the browser, while it showed alarms up to
        `latest` (sent by the card: a newer alarm pushed meanwhile is still shown)."""
        if animation == TOAST_HIDE_ANIMATION and latest > self.hidden_id:
            self.hidden_id = latest

    @event
    async def dismiss(self) -> None:
        """The toast's close button or a click on one of its alarms: all shown are seen."""
        self.seen_id = max(self.seen_id, latest_id(self._newest))
        self.show(BellView(audiences=self._audiences, newest=self._newest))

    @signed_in
    @event
    async def leave(self) -> None:
        """On logout: stop receiving this organisation's alarms (in any worker)."""
        bell_watch.unwatch(self.router.session.client_token)
        self.watching = False


# A tab that logs out stops receiving its organisation's alarms.
run_before_logout(AlarmToastState.leave)


class BellRejoinMiddleware(Middleware):
    """A page load of a tab whose bell this process does not watch, though the tab joined
    (its state, shared by every worker through Redis, says so): watch it here again.
    Nothing changes for a tab that never joined or signed out since."""

    async def preprocess(self, app: Any, state: BaseState, event: Any) -> StateUpdate | None:
        if str(event.name).rsplit(".", 1)[-1] != PAGE_LOAD:
            return None
        tab = state.router.session.client_token
        if not tab or bell_watch.is_watching(tab):
            return None
        bell = await state.get_state(AlarmToastState)
        auth_state = await state.get_state(AuthState)
        if isinstance(bell, AlarmToastState) and bell.watching and auth_state._session_hash:
            bell_watch.watch(tab, auth_state._organisation_id, auth_state._session_hash)
        return None


def install_bell_rejoin(app: rx.App) -> None:
    """Add the middleware once to the app (the lifespan may start again under tests)."""
    if not any(isinstance(m, BellRejoinMiddleware) for m in getattr(app, "_middlewares", [])):
        app.add_middleware(BellRejoinMiddleware())
