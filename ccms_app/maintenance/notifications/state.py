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
        _bell_locked_first(self._get_root_state(), type(self).get_full_name())
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


def _bell_locked_first(root: object, state_name: str) -> None:
    """Put the bell first among the tab's linked shared states.

    At each event Reflex locks a tab's linked shared states in the order they were linked
    (Home's, a charge point's, the bell's), and a join locks the new one while holding the
    others. A tab that joined the bell before Home (bell, then Home) and one that joined
    after (Home, then bell) took the two locks in opposite orders: each held one and waited
    for the other until the lock expired (the Home join of the second tab hung ~10 s and was
    lost: Live Monitoring showed no warnings until a reload). With the bell first in every
    tab, all take the bell's lock before any other."""
    if not isinstance(root, rx.State):
        return
    links = root._reflex_internal_links
    if not links or next(iter(links)) == state_name or state_name not in links:
        return
    root._reflex_internal_links = {
        state_name: links[state_name],
        **{name: token for name, token in links.items() if name != state_name},
    }


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

    # Cached, and read only once the bell is linked in: Reflex patches a tab's linked
    # shared states in one by one at each event, resolving the tree after each; the bell
    # goes first (`_bell_locked_first`), else these were computed from the tab's empty
    # private copy while Home's was patched in, and that value was kept and sent (the
    # counter vanished after a dismiss). Not `cache=False`: an uncached var already sent
    # to a token is left out of the next hydrate, and a reloaded page had no toast value.
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
