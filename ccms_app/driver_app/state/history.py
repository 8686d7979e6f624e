"""The charging history (/app/history) and one session (/app/history/<id>).

Thin: the use cases (`driver_app.history`) read for the driver the gate confirmed; a session
id from the URL is checked there (anyone else's session is not found). "Show more" reads the
page after the last one shown (keyset: nothing repeated or skipped). A running session's
cost so far changes: the list watches the charge points of its running sessions and the
live feed calls `refresh_live()` (re-reads what is shown) when they change. The list loading
again for the same driver (a reconnect, a reload) re-reads as many rows as were shown
(`ReopenAware`); another driver starts at the newest page.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import driver_state
from ccms_app.core.listing import Keyset
from ccms_app.driver_app import history
from ccms_app.driver_app.errors import DriverAppNotFound
from ccms_app.driver_app.rules.history import PAGE_SIZE, id_from_path
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

DETAIL_PREFIX = "/app/history/"


@dataclasses.dataclass
class HistoryRow:
    session_id: int = 0
    href: str = ""
    station: str = ""
    charge_point: str = ""
    connector: str = ""
    started: str = ""
    duration: str = ""
    energy: str = ""
    amount: str = ""
    cost_note: str = ""
    cost_tone: str = "gray"
    paid: str = ""
    receipt_url: str = ""
    running: bool = False


@dataclasses.dataclass
class CostLine:
    dimension: str = ""
    fee: str = ""
    period: str = ""
    quantity: str = ""
    unit_price: str = ""
    vat: str = ""
    amount: str = ""


def history_row(item: history.HistoryItem) -> HistoryRow:
    values = dataclasses.asdict(item)
    return HistoryRow(href=f"{DETAIL_PREFIX}{item.session_id}", **values)


async def _driver(state: rx.State) -> Any:
    return (await state.get_state(DriverAuthState))._principal()


@driver_state
class DriverHistoryState(ReopenAware, rx.State):
    """The driver's sessions, newest first, a page at a time."""

    rows: rx.Field[list[HistoryRow]] = rx.field(default_factory=list)
    loaded: bool = False
    more: bool = False
    _after_time: str = ""  # where the next page starts (keyset), "" when no more
    _after_id: int = 0

    def _keyset(self) -> Keyset | None:
        if not self._after_time:
            return None
        return Keyset(datetime.fromisoformat(self._after_time), self._after_id)

    def _remember(self, page: history.HistoryPage) -> None:
        after = page.after
        self._after_time = after.value.isoformat() if after and after.value else ""
        self._after_id = int(after.row_id) if after else 0
        self.more = after is not None

    async def _watch(self) -> None:
        running = {row.session_id for row in self.rows if row.running}
        ids = await asyncio.to_thread(history.charge_points_of, running)
        await (await self.get_state(DriverAuthState))._watch_live(self, ids)

    @event
    async def load(self) -> None:
        """on_load: the newest page, or for the same driver again as many rows as were shown
        ("show more" stays shown, its rows refreshed; at most the listing's page limit)."""
        driver = await _driver(self)
        shown = PAGE_SIZE
        if not self._opening_anew(str(driver.account_id)):
            shown = max(len(self.rows), PAGE_SIZE)
        page = await asyncio.to_thread(history.history_page, driver, None, shown)
        self.rows = [history_row(item) for item in page.items]
        self._remember(page)
        self.loaded = True
        await self._watch()

    @event
    async def show_more(self) -> None:
        if not self.more:
            return
        driver = await _driver(self)
        page = await asyncio.to_thread(history.history_page, driver, self._keyset())
        self.rows = [*self.rows, *(history_row(item) for item in page.items)]
        self._remember(page)

    async def refresh_live(self) -> None:
        """The live feed: a watched charge point changed; read the pages shown again."""
        driver = await _driver(self)
        shown = max(len(self.rows), 1)
        page = await asyncio.to_thread(history.history_page, driver, None, shown)
        self.rows = [history_row(item) for item in page.items]
        self._remember(page)


@driver_state
class DriverSessionState(rx.State):
    """One of the driver's sessions with its cost breakdown."""

    loaded: bool = False
    found: bool = False
    row: HistoryRow = HistoryRow()
    stopped: str = ""
    tariff: str = ""
    total_excl: str = ""
    vat: str = ""
    total_incl: str = ""
    lines: rx.Field[list[CostLine]] = rx.field(default_factory=list)

    @event
    async def load(self) -> None:
        """on_load: the session in the URL, if it is the driver's."""
        self.loaded = self.found = False
        session_id = id_from_path(self.router.url.path, DETAIL_PREFIX)
        driver = await _driver(self)
        try:
            detail = await asyncio.to_thread(history.session_detail, driver, session_id)
        except DriverAppNotFound:
            self.row, self.lines = HistoryRow(), []
            self.loaded = True
            return
        self._show(detail)
        ids = await asyncio.to_thread(
            history.charge_points_of, {session_id} if detail.item.running else set()
        )
        await (await self.get_state(DriverAuthState))._watch_live(self, ids)

    def _show(self, detail: history.SessionDetail) -> None:
        self.row = history_row(detail.item)
        self.stopped, self.tariff = detail.stopped, detail.tariff
        self.total_excl, self.vat, self.total_incl = (
            detail.total_excl,
            detail.vat,
            detail.total_incl,
        )
        self.lines = [CostLine(**dataclasses.asdict(line)) for line in detail.lines]
        self.found = self.loaded = True

    async def refresh_live(self) -> None:
        if not self.found:
            return
        driver = await _driver(self)
        try:
            detail = await asyncio.to_thread(history.session_detail, driver, self.row.session_id)
        except DriverAppNotFound:
            return
        self._show(detail)
