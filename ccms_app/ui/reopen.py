"""A page's load that keeps what the user typed when it loads the same record again.

Reflex runs a page's on_load again on every websocket reconnect (a phone changing networks,
a server under load, a laptop waking up), in the same tab state, and on a reload. A load that
resets its forms there throws away a note, a draft or a choice the user has not saved yet.

The rule, the same on every page: a load that opens another record (another work order,
another tariff, another organisation's settings) starts with fresh forms; the same record
loading again refreshes what the page shows and keeps what the user typed or chose. A state
mixes `ReopenAware` in and asks `_opening_anew(key)` with the record's key.

A tab, view or filter the URL names (`?tab=`, `?view=`) follows the URL when the user follows a
link, and stays as the user left it on a reconnect: `_same_url_again()` tells the two apart. A
reconnect or a reload comes over a new websocket with the address the last load had; a link
inside the app keeps its socket, and an address opened anew differs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TypeVar

import reflex as rx

V = TypeVar("V")

# This server process. A tab's states outlive it (Reflex keeps them on disk or in Redis), the
# work it had in flight does not.
_PROCESS = uuid.uuid4().hex

# Reflex keeps a tab's states under the token it holds in sessionStorage ("token", reflex's
# state.js TOKEN_KEY). Logging out drops it, so the next login in this tab starts from fresh
# states: what one person typed and kept across reloads never shows to the next.
FORGET_TAB_STATES_JS = "window.sessionStorage.removeItem('token');"


def kept_edits(
    typed: Mapping[str, V], read: Mapping[str, V], stored: Mapping[str, V]
) -> dict[str, V]:
    """A form read again while the user edits it: what is `stored` now, except each field
    changed since the form was `read`, which keeps what was typed."""
    return {**stored, **{name: value for name, value in typed.items() if read.get(name) != value}}


class ReopenAware(rx.State, mixin=True):
    """Remembers which record the page last loaded (a backend var: the browser cannot set
    it)."""

    _opened_for: str = ""
    _socket: str = ""  # the websocket and address of the last `_same_url_again` call
    _address: str = ""
    _loaded_in: str = ""  # the server process of the last `_work_lost` call

    def _opening_anew(self, key: str) -> bool:
        """True when the load opens `key` for the first time in this tab or after another
        record; False when `key` loads again (a reconnect, a reload). Records `key`."""
        anew = key != self._opened_for
        self._opened_for = key
        return anew

    def _work_lost(self) -> bool:
        """True when this state was last loaded by another server process (a restart, a
        deploy): an action it marked in flight (`busy`) ran there and will never report back,
        so a page that keeps `busy` across a reload clears it. Records this process."""
        lost = bool(self._loaded_in) and self._loaded_in != _PROCESS
        self._loaded_in = _PROCESS
        return lost

    def _closed(self) -> None:
        """Nothing is open (not found, not allowed): the next load of any record is anew."""
        self._opened_for = ""

    def _same_url_again(self) -> bool:
        """True when this load is a reconnect or a reload: another websocket than the previous
        load of this state, the same path and query. False for the first load, a link
        followed inside the app (same socket) and another address. Call it on every load of
        the page; it records the socket and the address."""
        socket, url = self.router.session.session_id, self.router.url
        address = f"{url.path}?{url.query}"
        again = bool(self._socket) and socket != self._socket and address == self._address
        self._socket, self._address = socket, address
        return again
