"""The Maintenance page's lists: charger data issues (unresolved first shown, newest first)
and flagged sessions. Page on_load: AuthState.require_login, then both `load`s."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.charging import data_issue_admin
from ccms_app.charging.state.data_issues import DataIssueActions, shown_cells
from ccms_app.core.listing import ListSpec
from ccms_app.monitoring.session_rows import kwh_text
from ccms_app.ui.list_state import ListState


@guarded(Module.MAINTENANCE)
class DataIssueListState(DataIssueActions, ListState, rx.State):
    """Every data issue of the operator's network; opens on the unresolved ones."""

    filters: dict[str, str] = {"state": data_issue_admin.UNRESOLVED}
    descending: bool = True

    @rx.var
    def filtered(self) -> bool:
        """The opening "unresolved" filter does not count as narrowing the list."""
        default = {"state": data_issue_admin.UNRESOLVED}
        narrowing = {k: v for k, v in self.filters.items() if v and default.get(k) != v}
        return bool(self.search.strip()) or bool(narrowing)

    def _export_name(self) -> str:
        return "data-issues.csv"


@guarded(Module.MAINTENANCE)
class FlaggedSessionListState(ListState, rx.State):
    """Sessions the data policy flagged (register breaks, corrected times, ...), newest first."""

    descending: bool = True

    def _list_spec(self) -> ListSpec:
        return data_issue_admin.FLAGGED_SESSION_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = shown_cells(row, self._row_zone(row))
        shown["energy"] = _kwh(row)
        return shown


def _kwh(row: dict[str, Any]) -> str:
    wh = row.get("energy_wh")
    return "" if wh is None else kwh_text(int(wh))
