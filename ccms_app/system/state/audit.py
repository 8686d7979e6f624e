"""System > Audit log: the list of operator actions, its filters and its CSV export.

Thin: a ListState over `accounts.audit_log.AUDIT_LIST`; the use case decides the scope
(`audit_scope`: the operator's organisation tree, plus the unowned failed logins for the
root operator), turns the page's filter strings into the query (kind, outcome, a date range
in the operator's zone) and formats the rows. Every handler needs system:view (`@guarded`);
the export needs system:export (declared on ListState.export_csv) and is itself audited.

The operator's zone is the browser's (`Intl...timeZone`, asked once on load): times are
shown and exported in it, and the From / To dates are that zone's days. Until the browser
answers, and for a name Python's zone database does not know, it is UTC.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts import audit_log
from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.config import get_settings
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

BROWSER_ZONE = "Intl.DateTimeFormat().resolvedOptions().timeZone"


@guarded(Module.SYSTEM)
class AuditListState(ListState, rx.State):
    """The audit entries this operator may see, newest first."""

    descending: bool = True
    zone: str = "UTC"
    retention_days: int = 0  # CCMS_AUDIT_RETENTION_DAYS, for the page's note (0 = for ever)

    def _list_spec(self) -> ListSpec:
        return audit_log.AUDIT_LIST

    def _scope_for(self, organisation_id: int) -> frozenset[int]:
        return audit_log.audit_scope(organisation_id)

    def _query(self) -> ListQuery:
        return audit_log.audit_query(
            search=self.search,
            filters=self.filters,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
            zone=self.zone,
        )

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return audit_log.fetch_audit_page(query, scope)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return audit_log.export_audit_csv(query, scope, self.zone)

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return audit_log.shown_row(row, self.zone)

    def _export_name(self) -> str:
        return "audit-log.csv"

    @event
    def detect_zone(self) -> Any:
        """on_load: ask the browser for its zone; the answer comes back to `use_zone`."""
        self.retention_days = get_settings().audit_retention_days
        return rx.call_script(BROWSER_ZONE, callback=AuditListState.use_zone)

    @event
    async def use_zone(self, zone: str) -> None:
        """Show times in the browser's zone (a name the zone database does not know: UTC)."""
        chosen = audit_log.known_zone(str(zone or ""))
        if chosen != self.zone:
            self.zone = chosen
            await self._reload()
