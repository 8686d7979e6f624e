"""Load Balancing -> one site -> Decisions: the controller's last recomputations (trigger,
per-phase limit / building / allocated, cars, capped), each opening to its JSON detail.

The same site loading again (a websocket reconnect re-runs on_load) refreshes the rows and
keeps the decision the operator opened; another site starts with none open."""

from __future__ import annotations

import asyncio

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.roles import Caller, NotFoundError
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.i18n import reader_language
from ccms_app.core.types import utc_now
from ccms_app.load_balancing import live_view, site_admin
from ccms_app.load_balancing.state.common import site_id_of
from ccms_app.load_balancing.state.shown import decision_row
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

SHOWN = 50


def decision_rows(caller: Caller, site_id: int) -> tuple[list[dict[str, str]], str]:
    zone = site_admin.get_site(caller, site_id).timezone
    now = utc_now()
    rows = [decision_row(d, zone, now) for d in live_view.decisions(caller, site_id, SHOWN)]
    return rows, zone


@guarded(Module.LOAD_BALANCING)
class DecisionState(ReopenAware, rx.State):
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    zone: str = ""
    open_id: str = ""
    loaded: bool = False
    _language: str = ""  # the language of what is shown (the times)

    @event
    async def load(self) -> None:
        if self._opening_anew(str(site_id_of(self))):
            self.loaded, self.open_id = False, ""
        await self.refresh()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if self.loaded and self._language != reader_language():
            await self.refresh()

    @event
    async def refresh(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        try:
            self.rows, self.zone = await asyncio.to_thread(decision_rows, caller, site_id_of(self))
        except NotFoundError:
            self.rows = []
            self._closed()
        self._language = reader_language()
        self.loaded = True

    @event
    def toggle(self, decision_id: str) -> None:
        self.open_id = "" if self.open_id == decision_id else decision_id
