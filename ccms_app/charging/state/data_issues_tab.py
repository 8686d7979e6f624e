"""The Data issues tab of a charge point page, and which tab the page shows.

The tab lists the charge point's unresolved data issues (server-side, like the Maintenance
page) with resolve. It loads when the tab opens, for the charge point the page's
ChargePointDetailState.load admitted (never an id from the browser).

`ChargePointTabState` makes the page's tabs follow `?tab=` in the URL, so a link can open a
tab: Live Monitoring's "data" warnings link to `/charge-points/<identity>?tab=data-issues`.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventCallback

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.charging import data_issue_admin
from ccms_app.charging.state.data_issues import DataIssueActions
from ccms_app.control.state.charge_point import current_charge_point, shown_again
from ccms_app.control.state.message_log import LOG_TAB, MessageLogState
from ccms_app.core.listing import ListQuery
from ccms_app.monitoring.state.charge_point_feed import SESSIONS_TAB, ChargePointLiveState
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState, safe_file_name
from ccms_app.ui.reopen import ReopenAware

DATA_ISSUES_TAB = "data-issues"
DEFAULT_TAB = "commands"
# The charge point page's tabs (ccms_app.control.pages.charge_point); others open the default.
TABS = frozenset(
    {
        DEFAULT_TAB,
        SESSIONS_TAB,
        "configuration",
        "reservations",
        "smart-charging",
        "local-list",
        LOG_TAB,
        "security",
        DATA_ISSUES_TAB,
    }
)


def data_issues_href(identity: str) -> str:
    return f"/charge-points/{identity}?tab={DATA_ISSUES_TAB}"


@guarded(Module.LIVE_MONITORING)
class ChargePointDataIssuesState(DataIssueActions, ListState, rx.State):
    """One charge point's unresolved issues, newest first: the issue list, always narrowed
    to the page's charge point and to unresolved issues (in every page, export, resolve)."""

    descending: bool = True
    identity: str = ""
    _cp_id: int = 0

    def _query(self) -> ListQuery:
        return data_issue_admin.charge_point_query(super()._query(), self._cp_id)

    def _export_name(self) -> str:
        return f"data-issues-{safe_file_name(self.identity)}.csv"

    @event
    async def tab_opened(self, tab: str) -> None:
        """Opening the tab shows the issues of the page's charge point as they are now."""
        if tab != DATA_ISSUES_TAB:
            return
        charge_point_id, identity = await current_charge_point(self)
        if charge_point_id != self._cp_id:  # another charge point: start afresh
            self.search, self.filters, self.page, self.selected = "", {}, 1, []
            self.rows, self.total, self.loaded, self.issue_open = [], 0, False, False
        self._cp_id, self.identity = charge_point_id, identity
        if charge_point_id:
            await self.load()


@guarded(Module.LIVE_MONITORING)
class ChargePointTabState(ReopenAware, rx.State):
    """The open tab of the charge point page (controlled, so `?tab=` can choose it)."""

    tab: str = DEFAULT_TAB

    @event
    async def open_from_url(self):
        """on_load, after ChargePointDetailState.load: the tab the URL names, or the default.

        A reconnect loads the same charge point from the same URL again: the operator stays on
        the tab they opened, and its section refreshes. A link opens the tab it names."""
        requested = self.router.url.query_parameters.get("tab", "")
        if not (self._same_url_again() and await shown_again(self)):
            self.tab = requested if requested in TABS else DEFAULT_TAB
        if self.tab == DEFAULT_TAB:
            return None
        return _tab_opened(self.tab)

    @event
    def set_tab(self, tab: str):
        self.tab = tab
        return _tab_opened(tab)


def _tab_opened(tab: str) -> list[EventCallback[()]]:
    """The sections that load when their tab opens."""
    return [
        MessageLogState.tab_opened(tab),
        ChargePointDataIssuesState.tab_opened(tab),
        ChargePointLiveState.tab_opened(tab),
    ]
