"""Live Monitoring's running sessions, one page per tab, re-read by the publisher after a
batch with session or meter events while the tab shows Live Monitoring."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core import listing
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.monitoring.active_sessions import ACTIVE_SESSION_LIST, display_row
from ccms_app.monitoring.batch_memo import query_key, remembered
from ccms_app.ui.list_state import ListState

log = logging.getLogger(__name__)


@guarded(Module.LIVE_MONITORING)
class ActiveSessionListState(ListState, rx.State):
    """Newest sessions first until the operator sorts by another column."""

    descending: bool = True

    def _list_spec(self) -> ListSpec:
        return ACTIVE_SESSION_LIST

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        """The page, shared with the other tabs refreshed for the same batch (batch_memo)."""
        key = query_key("sessions", query, scope)
        return remembered(key, lambda: listing.fetch_page(ACTIVE_SESSION_LIST, query, scope))

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return display_row(row, utc_now())

    async def refresh_live(self) -> None:
        """The publisher's re-read of this tab's page (under the tab's state lock)."""
        try:
            await self._reload()
        except Exception:
            log.exception("active sessions refresh failed")
