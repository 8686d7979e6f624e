"""Load Balancing -> Sites (/load-balancing): every site of the operator's network with its
limit and what the controller last decided, and the "New site" dialog."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, NotFoundError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import reader_language, tr
from ccms_app.load_balancing import live_view, site_admin
from ccms_app.load_balancing.state.common import LbForm, cleaned, options, run_form, site_route
from ccms_app.load_balancing.state.shown import site_row
from ccms_app.network.stations import station_choices
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event

NEW_SITE = {
    "station_id": "",
    "name": "",
    "strategy": "static",
    "limit_a": "",
    "limit_kw": "",
    "margin_a": "0",
}


def site_rows(caller: Caller) -> list[dict[str, str]]:
    """Each site with its live figures (none until the controller decided once)."""
    rows = []
    for site in site_admin.list_sites(caller):
        try:
            live = live_view.site_live(caller, site.id)
        except NotFoundError:
            live = None
        rows.append(site_row(site, live if live is not None and live.decided_at else None))
    return rows


@guarded(Module.LOAD_BALANCING)
class SiteListState(rx.State):
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    loaded: bool = False
    _language: str = ""  # the language of what is shown

    @event
    async def load(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        self.rows = await asyncio.to_thread(site_rows, caller)
        self._language = reader_language()
        self.loaded = True

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if self.loaded and self._language != reader_language():
            await self.load()


@guarded(Module.LOAD_BALANCING)
class NewSiteState(LbForm, rx.State):
    """The "New site" dialog: a station (one site each), a name, the strategy and the limit."""

    station_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)

    @event
    async def open_new(self) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        choices = await asyncio.to_thread(station_choices, caller.scope())
        self.station_options = options(choices)
        self._open("create", 0, dict(NEW_SITE))
        return None

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        values = cleaned(self.values)
        saved = await run_form(self, lambda caller: site_admin.create_site(caller, values))
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [
            rx.toast.success(tr("Site {saved} created.", saved=saved.value.name)),
            rx.redirect(site_route(saved.value.id)),
        ]
