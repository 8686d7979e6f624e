"""Which tabs show the alarm bell, per organisation, in this process.

The bell is in the shell of every page, so a tab keeps it across navigations (unlike the
page views of monitoring.registry, which end at each page change). A tab joins when its
shell mounts, and stops on logout, when its websocket is gone (`keep_connected`) or when its
login ended elsewhere (`keep_sessions`, called from the publisher's worker thread: hence the
lock). The publisher builds the bell only for the organisations some tab watches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class BellTab:
    organisation_id: int
    session_hash: str


_tabs: dict[str, BellTab] = {}  # client token -> what it watches
_missing_since: dict[str, float] = {}  # watching tabs without a websocket, since (monotonic)
_lock = threading.Lock()
# A tab whose socket drops for a moment keeps its watch: it does not join again on a
# reconnect (its shell stays mounted), so only a tab gone this long is forgotten.
DISCONNECT_GRACE_S = 120.0


def watch(tab: str, organisation_id: int, session_hash: str) -> None:
    with _lock:
        _tabs[tab] = BellTab(organisation_id, session_hash)


def is_watching(tab: str) -> bool:
    with _lock:
        return tab in _tabs


def unwatch(tab: str) -> None:
    with _lock:
        _tabs.pop(tab, None)
        _missing_since.pop(tab, None)


def keep_connected(connected: Collection[str], now: float | None = None) -> None:
    """Forget the tabs whose websocket has been closed for DISCONNECT_GRACE_S (a tab that
    loads a page again joins again)."""
    now = time.monotonic() if now is None else now
    with _lock:
        for tab in list(_tabs):
            if tab in connected:
                _missing_since.pop(tab, None)
                continue
            since = _missing_since.setdefault(tab, now)
            if now - since >= DISCONNECT_GRACE_S:
                del _tabs[tab]
                del _missing_since[tab]


def sessions() -> frozenset[str]:
    with _lock:
        return frozenset(t.session_hash for t in _tabs.values() if t.session_hash)


def keep_sessions(live: Collection[str]) -> None:
    """Forget the tabs of logins that ended (logout elsewhere, expiry, deactivation)."""
    with _lock:
        for tab in [tab for tab, t in _tabs.items() if t.session_hash not in live]:
            del _tabs[tab]
            _missing_since.pop(tab, None)


def watched_organisations() -> frozenset[int]:
    with _lock:
        return frozenset(t.organisation_id for t in _tabs.values())


def tabs_of(organisation_id: int) -> list[str]:
    """The client tokens of the tabs watching an organisation's bell."""
    with _lock:
        return [tab for tab, t in _tabs.items() if t.organisation_id == organisation_id]


def forget_all() -> None:
    """Tests: no tab watches."""
    with _lock:
        _tabs.clear()
        _missing_since.clear()
