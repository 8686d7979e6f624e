"""Maintenance -> Events: every charger event (status, faults, boots, offline / online,
firmware, diagnostics, security), newest first, over `maintenance.events.EVENT_HISTORY`.

The date range is two days in the operator's zone ("since", "until": from the local midnight
starting the first to the one ending the second; `ListState._zone`, read by `load`) turned
into the spec's "from/to" time filter, in UTC. Page on_load: AuthState.require_login,
EventHistoryState.load.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.listing import ListQuery, ListSpec
from ccms_app.maintenance import events
from ccms_app.maintenance.alarms.listing import day_range, filter_choices
from ccms_app.maintenance.rules.stored_text import event_detail_text
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState, coerce_filter

DATE_FILTERS = ("since", "until")


def occurred_filter(since: str, until: str, zone: str) -> str:
    """Days in `zone` (the operator's) as the spec's "from/to" text of UTC instants ("" when
    neither is set)."""
    start, end = day_range(since, until, zone)
    if start is None and end is None:
        return ""
    return f"{start.isoformat() if start else ''}/{end.isoformat() if end else ''}"


@guarded(Module.MAINTENANCE)
class EventHistoryState(ListState, rx.State):
    sort: str = "occurred_at"
    descending: bool = events.DEFAULT_DESCENDING

    def _list_spec(self) -> ListSpec:
        return events.EVENT_HISTORY

    def _query(self) -> ListQuery:
        spec = events.EVENT_HISTORY
        chosen = {k: v for k, v in self.filters.items() if v and k not in DATE_FILTERS}
        typed: dict[str, Any] = {k: coerce_filter(spec, k, v) for k, v in chosen.items()}
        period = occurred_filter(
            self.filters.get("since", ""), self.filters.get("until", ""), self._zone
        )
        if period:
            typed["occurred_at"] = period
        return ListQuery(
            search=self.search,
            filters=typed,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        detail = event_detail_text(str(row.get("kind") or ""), str(row.get("detail") or ""))
        what = [
            *(str(row.get(k) or "") for k in ("status", "error_code", "vendor_error_code", "info")),
            detail,
        ]
        shown["what"] = " · ".join(w for w in what if w and w != "NoError")
        return shown

    def _export_name(self) -> str:
        return "charger-events.csv"

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return {"station_id": filter_choices(scope)["station_id"]}

    @event
    async def set_date(self, key: str, value: str) -> None:
        if key in DATE_FILTERS:
            await self.set_filter(key, value)
