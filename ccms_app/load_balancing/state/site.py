"""Load Balancing -> one site (/load-balancing/site/<id>): its header, which section shows
(Live, Tree, Plans, Priorities, Decisions, Settings: `?tab=` opens one) and the settings form
(site fields, the root's limit, the building meter; delete with a confirmation).

Reflex runs the page's on_load again on every websocket reconnect, in the same tab state.
The same site loading again from the same URL keeps the section the operator opened (a link
still opens the `?tab=` it names) and the settings as typed but not saved (a field
still as last read follows the site; a typed one stays), with their errors and message;
another site starts afresh."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, NotFoundError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import N_, reader_language, tr
from ccms_app.load_balancing import site_admin
from ccms_app.load_balancing.site_admin import SiteView
from ccms_app.load_balancing.state.common import (
    NONE,
    ROUTE,
    LbForm,
    cleaned,
    options,
    run_form,
    site_id_of,
)
from ccms_app.load_balancing.state.shown import limit_text, site_values
from ccms_app.network.station_map import station_charge_points
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware, kept_edits

TABS = ("live", "tree", "plans", "priorities", "decisions", "settings")
NOT_FOUND = N_("No such load balancing site in your network.")


def site_header(site: SiteView) -> dict[str, str]:
    return {
        "id": str(site.id),
        "name": site.name,
        "station": site.station_name,
        "station_id": str(site.station_id),
        "strategy": site.strategy,
        "limit": limit_text(site.limit_a, site.limit_kw, site.margin_a),
        "enabled": N_("enabled") if site.enabled else N_("disabled"),
        "zone": site.timezone,
    }


@guarded(Module.LOAD_BALANCING)
class SiteState(ReopenAware, rx.State):
    site: dict[str, str] = {}
    tab: str = "live"
    missing: str = ""
    loaded: bool = False
    _language: str = ""  # the language of what is shown

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): written again in it."""
        if self.loaded and self._language != reader_language():
            await self.refresh_header()

    @event
    async def load(self) -> None:
        """on_load: the site's header and the tab the URL names; the same site loading again
        from the same URL stays on the tab the operator opened (module docstring)."""
        asked = self.router.url.query_parameters.get("tab", "")
        anew, again = self._opening_anew(str(site_id_of(self))), self._same_url_again()
        if anew or not again:
            self.tab = asked if asked in TABS else "live"
        self.loaded, self.missing = False, ""
        await self.refresh_header()

    @event
    async def refresh_header(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        try:
            site = await asyncio.to_thread(site_admin.get_site, caller, site_id_of(self))
        except NotFoundError:
            self.site, self.missing, self.loaded = {}, NOT_FOUND, True
            self._closed()
            return
        self.site, self.loaded = site_header(site), True
        self._language = reader_language()

    @event
    def set_tab(self, tab: str) -> None:
        self.tab = tab if tab in TABS else "live"


def _settings_form(caller: Caller, site_id: int) -> tuple[dict[str, str], list[list[str]]]:
    site = site_admin.get_site(caller, site_id)
    points = station_charge_points(caller.scope(), site.station_id)
    return site_values(site), [[NONE, tr("none")], *options([(p.id, p.identity) for p in points])]


@guarded(Module.LOAD_BALANCING)
class SiteSettingsState(LbForm, ReopenAware, rx.State):
    """The site's settings, always open (an inline form, not a dialog)."""

    meter_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    _stored: dict[str, str] = {}  # the settings as last read: what tells a typed value

    @event
    async def load(self) -> None:
        """on_load: the site's settings; the same site loading again keeps what was typed,
        its errors and message, the delete confirmation and a save in flight."""
        caller = await event_caller(self)
        if caller is None:
            return
        site_id = site_id_of(self)
        anew = self._opening_anew(str(site_id))
        try:
            values, self.meter_options = await asyncio.to_thread(_settings_form, caller, site_id)
        except NotFoundError:
            values, anew = {}, True
            self._closed()
        if anew:
            self._open("edit", site_id, values)
        else:
            self.values = self._offered_meter(kept_edits(self.values, self._stored, values), values)
        self._stored = dict(values)

    def _offered_meter(self, kept: dict[str, str], stored: dict[str, str]) -> dict[str, str]:
        """A typed meter charge point stays only while the station still offers it."""
        offered = {value for value, _ in self.meter_options}
        meter = kept.get("meter_charge_point_id", "")
        if meter and meter not in offered:
            kept["meter_charge_point_id"] = stored.get("meter_charge_point_id", "")
        return kept

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        values, site_id = cleaned(self.values), self.editing_id
        saved = await run_form(self, lambda caller: site_admin.update_site(caller, site_id, values))
        if not saved.ok:
            return saved.shown
        self.values, self._stored = site_values(saved.value), site_values(saved.value)
        return [rx.toast.success(tr("Settings saved.")), SiteState.refresh_header]

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        self.confirm_delete = False
        site_id = self.editing_id
        saved = await run_form(self, lambda caller: site_admin.delete_site(caller, site_id))
        if not saved.ok:
            return saved.shown
        return [rx.toast.success(tr("Site deleted.")), rx.redirect(ROUTE)]
