"""One charge point's page, live: its status and connectors, running and recent sessions,
command history, configuration and reservations, pushed to every tab showing that charge
point (and only while one does: the tab's watch ends when it leaves the page).

One shared state per charge point (token `ccms-cp-<id>`). The feed listens to the event bus
for `charge_point` / `connector` / `warning` (status), `command` (every lifecycle step:
requested, sent, accepted, ...), `configuration`, `reservation` and `session` (start, stop,
meter values) events, coalesces a burst for
`interval`, reloads the touched sections of each affected charge point that a tab watches,
and writes them into the shared state with `app.modify_state`; Reflex fans the change out to
the linked tabs. Pages never poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.display import format_time
from ccms_app.core.events import EventBatches, EventBus, NetworkEvent, get_event_bus
from ccms_app.core.i18n import DEFAULT, reading_as
from ccms_app.core.types import utc_now
from ccms_app.monitoring import snapshot as monitoring
from ccms_app.monitoring.charge_point_view import (
    ALL_KINDS,
    CommandHistoryRow,
    ConfigRow,
    RecentSessionRow,
    ReservationRow,
    load_sections,
    station_zone,
)
from ccms_app.monitoring.registry import watch_charge_point, watched_charge_points
from ccms_app.monitoring.view import ChargePointRow, SessionRow
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

SESSIONS_TAB = "sessions"  # the charge point page's tab that re-reads its sessions on opening
TOKEN_PREFIX = "ccms-cp-"  # Reflex link tokens must not contain underscores

Sections = dict[str, list[Any]]
SectionPush = Callable[[int, Sections], Awaitable[None]]
SectionLoader = Callable[[int, set[str]], Sections]


def charge_point_token(charge_point_id: int) -> str:
    return f"{TOKEN_PREFIX}{charge_point_id}"


@guarded(Module.LIVE_MONITORING)
class ChargePointLiveState(rx.SharedState):
    """What changes on its own on a charge point's page."""

    # rx.Field: the sections read these as Vars (.length()), handlers and the feed as values.
    command_history: rx.Field[list[CommandHistoryRow]] = rx.field(default_factory=list)
    configuration: rx.Field[list[ConfigRow]] = rx.field(default_factory=list)
    reservations: rx.Field[list[ReservationRow]] = rx.field(default_factory=list)
    sessions: rx.Field[list[RecentSessionRow]] = rx.field(default_factory=list)
    running_sessions: rx.Field[list[SessionRow]] = rx.field(default_factory=list)
    status: rx.Field[list[ChargePointRow]] = rx.field(default_factory=list)  # 0 or 1 row
    updated_at: rx.Field[str] = rx.field("")
    charge_point_id: int = 0
    _zone: str = "UTC"  # the station's: the page's times, "updated" too

    @event
    async def join(self, charge_point_id: int) -> None:
        """Link this tab to the charge point's live sections, if the operator may see it."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        scope = await asyncio.to_thread(
            organisations.organisation_scope, auth_state._organisation_id
        )
        detail = await asyncio.to_thread(monitoring.charge_point_detail, charge_point_id, scope)
        if detail is None:
            return
        # Watch before loading: a change that lands in between is pushed again.
        watch_charge_point(self.router.session.client_token, detail.id, auth_state._session_hash)
        linked = await self._link_to(charge_point_token(detail.id))
        linked._zone = await asyncio.to_thread(station_zone, detail.id)
        sections = await asyncio.to_thread(shared_sections, detail.id, set(ALL_KINDS))
        apply_sections(linked, detail.id, sections)

    @event
    async def tab_opened(self, tab: str) -> None:
        """Opening the Sessions tab re-reads them (pushes keep them fresh afterwards).
        charge_point_id is only ever set by `join` (after its scope check) and the feed."""
        if tab != SESSIONS_TAB or not self.charge_point_id:
            return
        sections = await asyncio.to_thread(shared_sections, self.charge_point_id, {"session"})
        apply_sections(self, self.charge_point_id, sections)


def shared_sections(charge_point_id: int, kinds: set[str]) -> Sections:
    """The sections as every tab of the charge point reads them: written the same way
    whichever tab's event loads them (the feed's pushes have no reader: English's way)."""
    with reading_as(DEFAULT):
        return load_sections(charge_point_id, kinds)


def apply_sections(state: ChargePointLiveState, charge_point_id: int, sections: Sections) -> None:
    """Write fresh rows into a live state (the linked shared one, or one under test)."""
    for field, rows in sections.items():
        setattr(state, field, rows)
    state.charge_point_id = charge_point_id
    now = utc_now()
    with reading_as(DEFAULT):
        state.updated_at = format_time(now, state._zone, now)


class ChargePointFeed:
    """Coalesces events into one push per watched charge point per interval."""

    def __init__(
        self,
        bus: EventBus,
        push: SectionPush,
        interval: float,
        loader: SectionLoader = load_sections,
        charge_points: Callable[[], Collection[int]] = watched_charge_points,
    ) -> None:
        self._bus = bus
        self._push = push
        self._interval = interval
        self._loader = loader
        self._charge_points = charge_points
        self.pushes = 0

    async def run(self) -> None:
        """Until cancelled: push the sections each batch of relevant events touched."""
        queue = self._bus.subscribe(remote=True)  # the live view of the whole network
        batches = EventBatches(queue, self._interval, _relevant)
        try:
            while True:
                await self.publish(await batches.next())
        finally:
            self._bus.unsubscribe(queue)

    async def publish(self, events: list[NetworkEvent]) -> None:
        """Push the touched sections of each watched charge point; a failure skips only it."""
        watched = self._charge_points()
        touched: dict[int, set[str]] = {}
        for e in events:
            charge_point_id = e.charge_point_id
            if charge_point_id is not None and _relevant(e) and charge_point_id in watched:
                touched.setdefault(charge_point_id, set()).add(e.kind)
        for charge_point_id, kinds in sorted(touched.items()):
            try:
                sections = await asyncio.to_thread(self._loader, charge_point_id, kinds)
                await self._push(charge_point_id, sections)
                self.pushes += 1
            except Exception:
                log.exception("charge point push failed", extra={"cp": charge_point_id})


def _relevant(event: NetworkEvent) -> bool:
    return event.kind in ALL_KINDS and event.charge_point_id is not None


def app_section_target(app: Any) -> SectionPush:
    """Write the sections into the charge point's shared state; Reflex updates the tabs."""

    async def push(charge_point_id: int, sections: Sections) -> None:
        token = rx.BaseStateToken(
            ident=charge_point_token(charge_point_id), cls=ChargePointLiveState
        )
        async with app.modify_state(token) as root:
            apply_sections(await root.get_state(ChargePointLiveState), charge_point_id, sections)

    return push


@contextlib.asynccontextmanager
async def charge_point_feed(app: Any, interval: float) -> AsyncIterator[ChargePointFeed]:
    """Lifespan part: run the feed for the app's lifetime."""
    feed = ChargePointFeed(get_event_bus(), app_section_target(app), interval)
    task = asyncio.create_task(feed.run(), name="ccms-charge-point-feed")
    try:
        yield feed
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
