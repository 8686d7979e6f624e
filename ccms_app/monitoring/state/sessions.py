"""Live Monitoring's running sessions, one page per tab, re-read by the publisher after a
batch with session or meter events while the tab shows Live Monitoring.

Numbers and money are written for the tab's language (Babel; English exactly as
`active_sessions.display_row` writes them). The language is read at every re-read, so a
push after a language switch follows it; `follow_language` (chained to the page's language
watch) re-reads at once."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

import reflex as rx
from babel.numbers import format_decimal

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.core import listing
from ccms_app.core.display import MISSING
from ccms_app.core.i18n import DEFAULT, babel_locale, reading_as
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.monitoring.active_sessions import ACTIVE_SESSION_LIST, display_row
from ccms_app.monitoring.batch_memo import query_key, shared_read
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

log = logging.getLogger(__name__)

# column -> (divisor, unit, decimals) of the quantities a row shows, as display_row has them
QUANTITIES: dict[str, tuple[float, str, int]] = {
    "energy_wh": (1000, "kWh", 2),
    "power_w": (1000, "kW", 1),
    "current_a": (1, "A", 1),
    "voltage_v": (1, "V", 0),
    "soc_percent": (1, "%", 0),
}


def localized_row(row: dict[str, Any], language: str) -> dict[str, str]:
    """One running session as the page prints it in `language` (display_row for English)."""
    with reading_as(language):  # the start time as the language writes it
        shown = display_row(row, utc_now())
    locale = babel_locale(language)
    if locale == DEFAULT:
        return shown
    for key, (divisor, unit, digits) in QUANTITIES.items():
        value = row.get(key)
        if value is not None:
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            shown[key] = f"{format_decimal(value / divisor, pattern, locale=locale)} {unit}"
    minor, currency = row.get("cost_minor"), row.get("currency")
    shown["cost_minor"] = (
        MISSING if minor is None or not currency else format_money(minor, currency, locale)
    )
    return shown


@guarded(Module.LIVE_MONITORING)
class ActiveSessionListState(ListState, rx.State):
    """Newest sessions first until the operator sorts by another column."""

    descending: bool = True
    _language: str = DEFAULT  # the language of the rows shown

    def _list_spec(self) -> ListSpec:
        return ACTIVE_SESSION_LIST

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return listing.fetch_page(ACTIVE_SESSION_LIST, query, scope)

    async def _fetch_page(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        """The page, shared with the other tabs refreshed for the same batch (batch_memo)."""
        key = query_key("sessions", query, scope)
        return await shared_read(key, lambda: self._fetch(query, scope))

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return localized_row(row, self._language)

    async def _reload(self) -> None:
        """ListState's re-read, its rows written in the tab's language."""
        self._language = (await self.get_state(AuthState)).language
        await super()._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the rows shown are written again in it."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self._reload()

    async def refresh_live(self) -> None:
        """The publisher's re-read of this tab's page (under the tab's state lock)."""
        try:
            await self._reload()
        except Exception:
            log.exception("active sessions refresh failed")
