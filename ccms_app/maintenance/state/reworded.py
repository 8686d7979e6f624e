"""Lists whose rows the server words (`tr`: "connector 2", "3 h 05 min", "any charger"): the
rows are written again when the tab's language changes.

A mixin for a `ListState` (listed before it: `class X(FollowsLanguage, ListState, rx.State)`);
the page puts `ui.page_header.follow_language(X.follow_language)` on it.
"""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.core.i18n import DEFAULT, reader_language
from ccms_app.ui.events import event


class FollowsLanguage(rx.State, mixin=True):
    """Remembers the language the rows were worded in; re-reads them in a new one."""

    _worded_in: str = DEFAULT

    async def _reload(self) -> None:
        if self._worded_in != reader_language():
            self._worded_in = reader_language()
        await super()._reload()  # type: ignore[misc]

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the rows shown are worded again in it."""
        loaded = bool(getattr(self, "loaded", False))
        if loaded and self._worded_in != (await self.get_state(AuthState)).language:
            await self._reload()
