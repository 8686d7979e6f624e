"""The Analytics pages' links: statistics (the operations data dashboard), business analyses
and reports."""

from __future__ import annotations

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.ui.subnav import SubPage, subnav

STATISTICS_ROUTE = "/analytics"
ANALYSES_ROUTE = "/analytics/analyses"
REPORTS_ROUTE = "/analytics/reports"

SUBPAGES: list[SubPage] = [
    (N_("Statistics"), STATISTICS_ROUTE, "chart-column"),
    (N_("Business analyses"), ANALYSES_ROUTE, "chart-line"),
    (N_("Reports"), REPORTS_ROUTE, "file-chart-column"),
]


def analytics_subnav(active: str) -> rx.Component:
    """Pills to the Analytics sub-pages; data-testid "analytics-tab-<last route part>"."""
    return subnav(SUBPAGES, active, "analytics-tab")
