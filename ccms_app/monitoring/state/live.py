"""Live Monitoring's charge point list, one state per tab: the page it shows, kept live.

A tab holds only its page (search, filters, sort, 25-200 rows). Opening the page registers
the tab as watching its organisation's live list (`monitoring.registry`) with the ids of its
page; the publisher re-reads a tab's page when one of those charge points changed, or after
any change when its filters or sort depend on charger traffic (`live_list.moves_with_traffic`).
Counts, totals and the first warnings come from the organisation's shared Home view.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, signed_in
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.i18n import DEFAULT, reading_as
from ccms_app.core.listing import ListPage, ListQuery, ListQueryError, ListSpec
from ccms_app.monitoring import live_list, registry
from ccms_app.monitoring.batch_memo import query_key, shared_read
from ccms_app.monitoring.state import home
from ccms_app.monitoring.view import ChargePointRow
from ccms_app.network import areas, stations
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.nav import run_before_logout

log = logging.getLogger(__name__)

ROUTE = "/live"


def _named(choices: list[tuple[int, str]]) -> list[tuple[str, str]]:
    return [(str(value), label) for value, label in choices]


@guarded(Module.LIVE_MONITORING)
class LiveListState(ListState, rx.State):
    """The charge points of one page of Live Monitoring, for this tab only."""

    charge_points: rx.Field[list[ChargePointRow]] = rx.field(default_factory=list)
    _language: str = DEFAULT  # the language the rows' times are written in

    @rx.var
    def total_text(self) -> str:
        """How many charge points match, for "Select all 1,234 matching"."""
        return f"{self.total:,}"

    def _list_spec(self) -> ListSpec:
        return live_list.LIVE_CHARGE_POINT_LIST

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {
            "station_id": _named(stations.station_choices(scope)),
            "area_id": _named(areas.area_choices(scope)),
        }

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        """Unused: the page's rows are the live display rows (`_reload`)."""
        raise NotImplementedError

    @event
    async def watch(self) -> None:
        """on_load of Live Monitoring, before `load`: watch this organisation's live list (a
        change that lands while the page loads is pushed again afterwards)."""
        auth_state = await self.get_state(AuthState)
        if auth_state.is_authenticated:
            registry.watch(
                self.router.session.client_token,
                auth_state._organisation_id,
                session_hash=auth_state._session_hash,
            )

    @event
    async def show_only(self, key: str, value: str) -> None:
        """List only the charge points behind one of the network's counts (e.g. faulted)."""
        self.filters = {key: value}
        self.search = ""
        self.page = 1
        await self._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the rows (their times) are written again in it."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self._reload()

    @signed_in
    @event
    async def leave(self) -> None:
        """On logout: this tab stops receiving its live list."""
        registry.unwatch(self.router.session.client_token, registry.LIVE)

    async def _reload(self) -> None:
        """The page's rows; the registry learns which charge points the tab now shows."""
        if not self._scope:
            return
        if not self.loaded:
            self.loading = True  # a live re-read changes nothing it need not change
        # The publisher's re-read runs outside the tab's events: the tab's language, said here.
        language = (await self.get_state(AuthState)).language
        if language != self._language:
            self._language = language
        try:
            query = self._query()
            scope = list(self._scope)
            zone = self._zone  # the operator's, for charge points without a station
            key = (query_key("live", query, scope), language, zone)
            with reading_as(language):
                found = await shared_read(
                    key, lambda: live_list.load_page(query, scope, None, zone)
                )
        except ListQueryError as exc:
            self._write_error(str(exc))
            return
        # the page may be shared with other tabs: each gets its own list of the rows
        self._write_page(found, {"charge_points": list(found.rows)})
        registry.show_charge_points(
            self.router.session.client_token,
            {row.id for row in found.rows},
            live_list.moves_with_traffic(query),
        )

    async def refresh_live(self) -> None:
        """The publisher's re-read of this tab's page (under the tab's state lock)."""
        try:
            await self._reload()
        except Exception:
            log.exception("live list refresh failed")

    async def matching_ids(self) -> list[int]:
        """Every charge point this tab's search and filters match (bulk selection)."""
        if not self._scope:
            return []
        query = self._query()
        return await asyncio.to_thread(live_list.matching_ids, query, list(self._scope))


# A tab that logs out stops receiving its organisation's updates.
run_before_logout(LiveListState.leave)
run_before_logout(home.HomeState.leave)
