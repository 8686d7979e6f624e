"""The alarm bell's states: one shared per organisation, one per tab.

`AlarmBellState` (token `ccms-alarms-<id>`) holds the organisation's bell (open alarms per
audience and severity, the newest open alarms with their audiences); the live publisher is
the only writer after a join (monitoring.state.publisher, on batches with alarm events), so
500 alarms in one batch are one push to each tab. `AlarmToastState` is the tab's own: its
role and the newest alarm it has seen; its computed vars filter the shared view by role
(rules.bell_view), so each tab gets only its counter and its toast.

A tab joins from the app shell (the bell's on_mount, on every page): the shell stays the same
across navigations, so the watch is kept in `bell_watch`, not in the page-view registry.
"""

from __future__ import annotations

import asyncio

import reflex as rx

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

TOKEN_PREFIX = "ccms-alarms-"  # Reflex link tokens must not contain underscores


def bell_token(organisation_id: int) -> str:
    return f"{TOKEN_PREFIX}{organisation_id}"


@guarded(Module.MAINTENANCE)
class AlarmBellState(rx.SharedState):
    audiences: rx.Field[list[AudienceCount]] = rx.field(default_factory=list)
    newest: rx.Field[list[BellAlarm]] = rx.field(default_factory=list)
    updated_at: rx.Field[str] = rx.field("")

    @signed_in
    @event
    async def join(self) -> None:
        """The shell's on_mount: link this tab to its organisation's bell when its role may
        view maintenance. Declared `signed_in` and checked here: every page mounts the shell,
        and a role without maintenance must not be sent off its page for it."""
        auth_state = await self.get_state(AuthState)
        if not has_permission(auth_state, Module.MAINTENANCE):
            return
        organisation_id = auth_state._organisation_id
        role_id = await asyncio.to_thread(account_role_id, auth_state._account_id)
        # Watch before loading: an alarm that lands in between is pushed again afterwards.
        bell_watch.watch(
            self.router.session.client_token, organisation_id, auth_state._session_hash
        )
        linked = await self._link_to(bell_token(organisation_id))
        view = await asyncio.to_thread(load_bell, organisation_id)
        apply_bell(linked, view)
        (await self.get_state(AlarmToastState)).start(role_id, latest_id(view.newest))

    @signed_in
    @event
    async def leave(self) -> object:
        """On logout: stop receiving this organisation's alarms."""
        bell_watch.unwatch(self.router.session.client_token)
        if self._linked_to:
            return await self._unlink()
        return None


def apply_bell(state: AlarmBellState, view: BellView) -> None:
    """Write a bell view into the shared state (or one under test); unchanged parts are not
    assigned, so they are not sent."""
    if state.audiences != view.audiences:
        state.audiences = view.audiences
    if state.newest != view.newest:
        state.newest = view.newest
    state.updated_at = view.updated_at


@guarded(Module.MAINTENANCE)
class AlarmToastState(rx.State):
    """This tab's share of the bell: its role, what it has seen, what is new to it."""

    seen_id: rx.Field[int] = rx.field(0)
    role_id: rx.Field[int] = rx.field(0)
    _started: bool = False

    def start(self, role_id: int, newest_id: int) -> None:
        """After a join: the tab's role (re-read at every join: roles change) and, the first
        time only, the alarms already open count as seen (no toast for old news)."""
        if self.role_id != role_id:
            self.role_id = role_id
        if not self._started:
            self._started = True
            self.seen_id = newest_id

    @rx.var
    async def counts(self) -> BellCounts:
        bell = await self.get_state(AlarmBellState)
        return counts_for(bell.audiences, self.role_id)

    @rx.var
    async def toast(self) -> Toast:
        bell = await self.get_state(AlarmBellState)
        return toast_for(bell.newest, self.role_id, self.seen_id)

    @event
    async def dismiss(self) -> None:
        """The toast's close button or a click on one of its alarms: all shown are seen."""
        bell = await self.get_state(AlarmBellState)
        self.seen_id = max(self.seen_id, latest_id(bell.newest))


# A tab that logs out stops receiving its organisation's alarms.
run_before_logout(AlarmBellState.leave)
