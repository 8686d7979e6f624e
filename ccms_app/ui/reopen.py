"""A page's load that keeps what the user typed when it loads the same record again.

Reflex runs a page's on_load again on every websocket reconnect (a phone changing networks,
a server under load, a laptop waking up), in the same tab state, and on a reload. A load that
resets its forms there throws away a note, a draft or a choice the user has not saved yet.

The rule, the same on every page: a load that opens another record (another work order,
another tariff, another organisation's settings) starts with fresh forms; the same record
loading again refreshes what the page shows and keeps what the user typed or chose. A state
mixes `ReopenAware` in and asks `_opening_anew(key)` with the record's key.

A tab or view the URL names (`?tab=`) follows the URL when the user follows a link, and stays
as the user left it on a reconnect: `_reconnected()` tells the two apart by the websocket the
load came over (a link inside the app keeps its socket; a reconnect or a reload has a new one).
"""

from __future__ import annotations

from collections.abc import Mapping

import reflex as rx

# Reflex keeps a tab's states under the token it holds in sessionStorage ("token", reflex's
# state.js TOKEN_KEY). Logging out drops it, so the next login in this tab starts from fresh
# states: what one person typed and kept across reloads never shows to the next.
FORGET_TAB_STATES_JS = "window.sessionStorage.removeItem('token');"


def kept_edits(
    typed: Mapping[str, str], read: Mapping[str, str], stored: Mapping[str, str]
) -> dict[str, str]:
    """A form read again while the user edits it: what is `stored` now, except each field
    changed since the form was `read`, which keeps what was typed."""
    return {**stored, **{name: value for name, value in typed.items() if read.get(name) != value}}


class ReopenAware(rx.State, mixin=True):
    """Remembers which record the page last loaded (a backend var: the browser cannot set
    it)."""

    _opened_for: str = ""
    _socket: str = ""  # the websocket session of the last `_reconnected` call

    def _opening_anew(self, key: str) -> bool:
        """True when the load opens `key` for the first time in this tab or after another
        record; False when `key` loads again (a reconnect, a reload). Records `key`."""
        anew = key != self._opened_for
        self._opened_for = key
        return anew

    def _closed(self) -> None:
        """Nothing is open (not found, not allowed): the next load of any record is anew."""
        self._opened_for = ""

    def _reconnected(self) -> bool:
        """True when this load came over another websocket than the previous one of this
        state (a reconnect, a reload); False for the first one and for a navigation inside
        the app. Call it on every load of the page. Records the socket."""
        socket = self.router.session.session_id
        again = bool(self._socket) and socket != self._socket
        self._socket = socket
        return again
