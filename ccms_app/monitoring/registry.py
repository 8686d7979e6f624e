"""Which tabs look at which live view in this process, so the publishers build only what
someone watches.

A tab (its Reflex client token) watches one organisation's view while it shows a page of
that view: it joins on the page's load and stops on logout, on any navigation (the next
page joins again if it is live) and when its websocket is gone (`forget_closed_tabs`).
An organisation is watched while at least one tab watches it: nothing is rebuilt for a view
nobody looks at.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

LIVE = "live"  # Live Monitoring's list: one page of charge points per tab
HOME = "home"  # counts, totals and the first warnings (Home, and the pages built on them)


@dataclass(frozen=True)
class ShownPage:
    """What one Live Monitoring tab shows: its page's charge points, and whether charger
    traffic can change which charge points the page lists (a status filter, ...)."""

    charge_point_ids: frozenset[int] = frozenset()
    moves_with_traffic: bool = False


_tabs: dict[tuple[str, str], int] = {}  # (client token, view) -> organisation
_pages: dict[str, ShownPage] = {}  # client token -> its Live Monitoring page
_charge_point_tabs: dict[str, int] = {}  # client token -> the charge point page it shows
_tab_sessions: dict[str, str] = {}  # client token -> the login session (hash) it watches under
# client token -> the page states (full names) whose views follow Home's pushes in that tab:
# from the page's load to its unmount (`leave`), so a navigation's unwatch keeps them
_home_followers: dict[str, set[str]] = {}


def watch(tab: str, organisation_id: int, view: str = LIVE, session_hash: str = "") -> None:
    """`tab` now shows `view` of `organisation_id` (replacing what it watched there), under
    the login session `session_hash` (its end ends the watch: `forget_sessions`)."""
    _tabs[(tab, view)] = organisation_id
    if session_hash:
        _tab_sessions[tab] = session_hash


def unwatch(tab: str, view: str | None = None) -> None:
    """`tab` stops watching `view` (None: every view)."""
    for key in [key for key in _tabs if key[0] == tab and view in (None, key[1])]:
        del _tabs[key]
    if view in (None, LIVE):
        _pages.pop(tab, None)
    if view is None:
        _charge_point_tabs.pop(tab, None)
        _tab_sessions.pop(tab, None)


def forget_closed_tabs(connected: Collection[str]) -> None:
    """Drop the watches of tabs not in `connected` (their websocket is gone; a tab that
    reconnects loads its page again, and so joins again)."""
    for tab in {tab for tab, _ in _tabs if tab not in connected} | (
        _charge_point_tabs.keys() - set(connected)
    ):
        unwatch(tab)
    for tab in _home_followers.keys() - set(connected):
        del _home_followers[tab]


def watched_sessions() -> frozenset[str]:
    """The login sessions some watching tab belongs to."""
    return frozenset(_tab_sessions.values())


def forget_sessions(ended: Collection[str]) -> None:
    """Tabs of logins that ended (logout elsewhere, expiry, deactivation) watch nothing:
    nothing more is pushed to them, and their next event sends them to the login page."""
    for tab in [tab for tab, session in _tab_sessions.items() if session in ended]:
        unwatch(tab)


def watched_organisations(view: str = LIVE) -> frozenset[int]:
    return frozenset(org for (_, tab_view), org in _tabs.items() if tab_view == view)


def watching(organisation_id: int, view: str = LIVE) -> list[str]:
    """The tabs that watch this organisation's view."""
    return [tab for (tab, v), org in _tabs.items() if v == view and org == organisation_id]


def watching_tabs(organisation_id: int, view: str = LIVE) -> int:
    """How many tabs watch this organisation's view."""
    return len(watching(organisation_id, view))


def show_charge_points(tab: str, charge_point_ids: Iterable[int], moves: bool) -> None:
    """A Live Monitoring tab now shows these charge points (after each load of its page)."""
    if (tab, LIVE) in _tabs:
        _pages[tab] = ShownPage(frozenset(charge_point_ids), moves)


def live_tabs() -> list[str]:
    """The tabs showing Live Monitoring."""
    return [tab for (tab, view) in _tabs if view == LIVE]


def page_may_change(tab: str, changed: Collection[int], everything: bool) -> bool:
    """Whether a batch of changes may alter a Live Monitoring tab's page: it shows a changed
    charge point, or its list moves with traffic, or the change is not tied to one charge
    point (`everything`: e.g. one registered or deleted)."""
    page = _pages.get(tab)
    return (
        everything
        or page is None
        or page.moves_with_traffic
        or not page.charge_point_ids.isdisjoint(changed)
    )


def watch_charge_point(tab: str, charge_point_id: int, session_hash: str = "") -> None:
    """`tab` shows this charge point's page (until it navigates, logs out or closes)."""
    _charge_point_tabs[tab] = charge_point_id
    if session_hash:
        _tab_sessions[tab] = session_hash


def follow_home(tab: str, state_name: str) -> None:
    """`tab` shows a page whose own live view (its state's full name) is recomputed on
    Home's pushes; the other pages of that kind are not recomputed in it. Kept across the
    tab's navigations and reconnects (a page's load and its mount may reach the server in
    either order): it ends with `unfollow_home` (the page unmounts) or the tab."""
    _home_followers.setdefault(tab, set()).add(state_name)


def unfollow_home(tab: str, state_name: str) -> None:
    followed = _home_followers.get(tab, set())
    followed.discard(state_name)
    if not followed:
        _home_followers.pop(tab, None)


def home_followers(tab: str) -> frozenset[str]:
    """The page states that follow Home's pushes in `tab`."""
    return frozenset(_home_followers.get(tab, ()))


def watched_charge_points() -> frozenset[int]:
    return frozenset(_charge_point_tabs.values())


def forget_all() -> None:
    """Tests: start from no watched organisation or charge point."""
    _tabs.clear()
    _pages.clear()
    _charge_point_tabs.clear()
    _tab_sessions.clear()
    _home_followers.clear()
