"""Which tabs look at which live view in this process, so the publishers build only what
someone watches.

A tab (its Reflex client token) watches one organisation's view while it shows a page of
that view: it joins on the page's load and stops on logout, on any navigation (the next
page joins again if it is live) and when its websocket is gone (`forget_closed_tabs`).
An organisation is watched while at least one tab watches it: nothing is rebuilt for a view
nobody looks at.
"""

from __future__ import annotations

from collections.abc import Collection

LIVE = "live"  # the whole network: Live Monitoring and the pages built on it
HOME = "home"  # counts and totals only

_tabs: dict[tuple[str, str], int] = {}  # (client token, view) -> organisation
_watched_charge_points: set[int] = set()


def watch(tab: str, organisation_id: int, view: str = LIVE) -> None:
    """`tab` now shows `view` of `organisation_id` (replacing what it watched there)."""
    _tabs[(tab, view)] = organisation_id


def unwatch(tab: str, view: str | None = None) -> None:
    """`tab` stops watching `view` (None: every view)."""
    for key in [key for key in _tabs if key[0] == tab and view in (None, key[1])]:
        del _tabs[key]


def forget_closed_tabs(connected: Collection[str]) -> None:
    """Drop the watches of tabs not in `connected` (their websocket is gone; a tab that
    reconnects loads its page again, and so joins again)."""
    for tab in {tab for tab, _ in _tabs if tab not in connected}:
        unwatch(tab)


def watched_organisations(view: str = LIVE) -> frozenset[int]:
    return frozenset(org for (_, tab_view), org in _tabs.items() if tab_view == view)


def watching_tabs(organisation_id: int, view: str = LIVE) -> int:
    """How many tabs watch this organisation's view."""
    return sum(1 for (_, v), org in _tabs.items() if v == view and org == organisation_id)


def watch_charge_point(charge_point_id: int) -> None:
    _watched_charge_points.add(charge_point_id)


def watched_charge_points() -> frozenset[int]:
    return frozenset(_watched_charge_points)


def forget_all() -> None:
    """Tests: start from no watched organisation or charge point."""
    _tabs.clear()
    _watched_charge_points.clear()
