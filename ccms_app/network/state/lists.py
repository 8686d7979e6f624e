"""The lists of the Assets page: areas, stations, charge points, unregistered charge points.

Each is a ListState (ccms_app.ui.list_state) over a spec of network.asset_lists; the
forms that create and edit rows live in ccms_app.network.state.forms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import acting_email
from ccms_app.core.listing import ListSpec
from ccms_app.network import areas, stations
from ccms_app.network.asset_lists import (
    AREA_LIST,
    CHARGE_POINT_LIST,
    STATION_LIST,
    UNREGISTERED_LIST,
)
from ccms_app.network.assets import organisation_choices
from ccms_app.network.charge_point_admin import kw_text
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware

MAX_OPTIONS = 300


def _with_kw(row: dict[str, Any], shown: dict[str, str]) -> dict[str, str]:
    """`shown` (the row's cells as text) with the maximum power in kW."""
    if "max_power_w" in row:
        shown["max_power_kw"] = kw_text(row["max_power_w"])
    return shown


def _named(choices: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """Filter options by name (the list columns filter on names), at most MAX_OPTIONS: with
    more, the search box finds them better than a select."""
    names = list(dict.fromkeys(name for _, name in choices))
    return [(n, n) for n in names] if len(names) <= MAX_OPTIONS else []


@guarded(Module.ASSETS)
class AreaListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return AREA_LIST

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"organisation": _named(organisation_choices(scope))}


@guarded(Module.ASSETS)
class StationListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return STATION_LIST

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {
            "area": _named(areas.area_choices(scope)),
            "organisation": _named(organisation_choices(scope)),
        }


@guarded(Module.ASSETS)
class ChargePointListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return CHARGE_POINT_LIST

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {
            "station": _named(stations.station_choices(scope)),
            "organisation": _named(organisation_choices(scope)),
        }

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return _with_kw(row, self._shown(row))


@guarded(Module.ASSETS)
class UnregisteredListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return UNREGISTERED_LIST


TABS = ("stations", "charge-points", "unregistered", "areas", "map")


@guarded(Module.ASSETS)
class AssetsPageState(ReopenAware, rx.State):
    """Which tab of the Assets page is open; `?tab=unregistered` opens that one."""

    tab: str = "stations"

    @event
    def open_tab_from_url(self) -> None:
        """A link opens the tab it names; a reconnect from the same URL keeps the open one."""
        wanted, again = self.router.url.query_parameters.get("tab", ""), self._same_url_again()
        if wanted in TABS and not again:
            self.tab = wanted

    @event
    def set_tab(self, tab: str) -> Any:
        """Open a tab and bring its list up to date (e.g. a charge point connected since)."""
        if tab not in TABS:
            return None
        self.tab = tab
        lists = {
            "stations": StationListState,
            "charge-points": ChargePointListState,
            "unregistered": UnregisteredListState,
            "areas": AreaListState,
        }
        return lists[tab].refresh if tab in lists else None


async def operator_scope(state: rx.State) -> list[int]:
    """The organisations the signed-in operator manages; [] when signed out."""
    auth_state = await state.get_state(AuthState)
    if not auth_state.is_authenticated:
        return []
    scope = await asyncio.to_thread(organisations.organisation_scope, auth_state._organisation_id)
    return sorted(scope)


async def operator_email(state: rx.State) -> str:
    """Who asks (for command records); "" if the session ended."""
    auth_state = await state.get_state(AuthState)
    return acting_email(auth_state)
