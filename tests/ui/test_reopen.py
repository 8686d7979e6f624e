"""ui.reopen: which load opens a record anew, and which one is a reconnect.

Reflex runs a page's on_load again on every websocket reconnect in the same tab state; these
rules decide what a page keeps then. (Real reconnects in Chromium:
tests/control/test_charge_point_browser.py::test_a_reconnect_keeps_what_the_operator_typed_and_the_open_tab.)
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from reflex.istate.data import RouterData

from ccms_app.analytics.figures import Narrowing
from ccms_app.analytics.reports.filters import ReportFilter as SessionsReport
from ccms_app.analytics.state.reports import SessionDetailListState
from ccms_app.analytics.state.statistics import SessionDetailsState, StationStatisticsState
from ccms_app.analytics.statistics_sessions import DetailScope, window_of
from ccms_app.core.types import utc_now
from ccms_app.maintenance.reports.filters import ReportFilter as FaultReport
from ccms_app.maintenance.state.reports import FaultReportListState
from ccms_app.network.state.lists import AssetsPageState
from ccms_app.ui import reopen


def _at(state: AssetsPageState, path: str, socket: str) -> AssetsPageState:
    """The tab's state as an event over websocket `socket` showing `path` finds it."""
    query = path.partition("?")[2]
    state.router = RouterData.from_router_data(
        {"pathname": path.partition("?")[0], "asPath": path, "query": query, "sid": socket}
    )
    return state


def test_the_same_record_again_is_not_anew_another_one_and_after_a_close_is() -> None:
    state = AssetsPageState()
    assert state._opening_anew("7")
    assert not state._opening_anew("7")  # a reconnect, a reload
    assert state._opening_anew("8")
    assert state._opening_anew("7")  # back after another record: fresh
    state._closed()
    assert state._opening_anew("7")


def test_work_in_flight_is_lost_when_another_server_process_loads_the_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = AssetsPageState()
    assert not state._work_lost()  # the first load
    assert not state._work_lost()  # the same process again
    monkeypatch.setattr(reopen, "_PROCESS", "after-a-restart")
    assert state._work_lost()
    assert not state._work_lost()


def test_a_new_websocket_with_the_same_address_is_a_reconnect() -> None:
    state = AssetsPageState()
    assert not _at(state, "/assets", "sid-1")._same_url_again()  # the first load
    assert not _at(state, "/assets", "sid-1")._same_url_again()  # a link inside the app
    assert _at(state, "/assets", "sid-2")._same_url_again()  # a reconnect, a reload
    assert not _at(state, "/assets?tab=areas", "sid-3")._same_url_again()  # opened anew
    assert _at(state, "/assets?tab=areas", "sid-4")._same_url_again()


def test_the_assets_tab_follows_links_and_stays_put_on_a_reconnect() -> None:
    state = _at(AssetsPageState(), "/assets?tab=unregistered", "sid-1")  # Home's link
    state.open_tab_from_url()
    assert state.tab == "unregistered"
    state.tab = "areas"  # the operator opens another tab

    _at(state, "/assets?tab=unregistered", "sid-2").open_tab_from_url()  # reconnect
    assert state.tab == "areas"

    _at(state, "/assets?tab=unregistered", "sid-2").open_tab_from_url()  # Home's link again
    assert state.tab == "unregistered"

    state.tab = "areas"
    _at(state, "/assets", "sid-3").open_tab_from_url()  # another address, no tab named
    _at(state, "/assets?tab=unregistered", "sid-4").open_tab_from_url()  # typed in anew
    assert state.tab == "unregistered"


async def _narrowed_page(state: Any, same: Any, other: Any) -> tuple[int, int]:
    """The page a list narrowed by its page's filters shows after the same filters again
    (a reconnect) and after other ones; the list's read is left out."""
    state.page = 3
    await state._narrow_to(same)
    kept = state.page
    await state._narrow_to(other)
    return kept, state.page


async def _nothing(self: Any) -> None:
    return None


async def test_reports_stay_on_their_page_when_the_same_filters_come_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cls in (FaultReportListState, SessionDetailListState):
        monkeypatch.setattr(cls, "_reload", _nothing)
    fault = FaultReportListState()
    fault._report = FaultReport(area_id=1)
    assert await _narrowed_page(fault, FaultReport(area_id=1), FaultReport(area_id=2)) == (3, 1)

    days = {"organisations": frozenset({1}), "zone": "Europe/Berlin"}
    first = SessionsReport(first_day=date(2026, 11, 1), last_day=date(2026, 11, 30), **days)
    other = SessionsReport(first_day=date(2026, 10, 1), last_day=date(2026, 10, 31), **days)
    sessions = SessionDetailListState()
    sessions._report = first
    assert await _narrowed_page(sessions, first, other) == (3, 1)


async def test_statistics_lists_stay_on_their_page_when_the_same_narrowing_comes_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cls in (StationStatisticsState, SessionDetailsState):
        monkeypatch.setattr(cls, "_reload", _nothing)
    stations = StationStatisticsState()
    await stations._narrow_to([1], {"area_id": "4"})
    stations.page = 3
    await stations._narrow_to([1], {"area_id": "4"})  # a reconnect
    assert stations.page == 3
    await stations._narrow_to([1], {"area_id": "5"})
    assert stations.page == 1

    november = window_of(date(2026, 11, 1), date(2026, 11, 30), "Europe/Berlin")
    scope = DetailScope(Narrowing(frozenset({1})), november, "Europe/Berlin", utc_now())
    sessions = SessionDetailsState()
    await sessions._narrow_to([1], scope)
    sessions.page = 3
    later = dataclasses.replace(scope, now=scope.now + timedelta(seconds=30))
    await sessions._narrow_to([1], later)  # a reconnect: only `now` moved on
    assert sessions.page == 3
    october = window_of(date(2026, 10, 1), date(2026, 10, 31), "Europe/Berlin")
    await sessions._narrow_to([1], dataclasses.replace(later, window=october))
    assert sessions.page == 1
