"""Analytics -> Reports (/analytics/reports): the predefined reports (charging sessions with
their detail, charged energy, station availability) over a range of days, narrowed by
station or area, vehicle and user group, each with its CSV; and who gets the monthly report
by e-mail. Tables scroll sideways inside their own box on a 360 px phone. The text the server
writes follows the tab's language (`follow_language` writes it again after a switch)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.analytics.components.reports import (
    availability_report,
    energy_report,
    filters,
    monthly_report_card,
    sessions_report,
)
from ccms_app.analytics.components.subnav import REPORTS_ROUTE, analytics_subnav
from ccms_app.analytics.state.reports import (
    MonthlyReportState,
    ReportsState,
    SessionDetailListState,
)
from ccms_app.branding.components.brand import page_title
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = REPORTS_ROUTE
TITLE = page_title("Reports · Analytics")
# The detail list loads first (empty), then ReportsState.load narrows it to the filters.
ON_LOAD: list[Any] = [
    AuthState.require_login,
    SessionDetailListState.load,
    ReportsState.load,
    MonthlyReportState.load,
]


def _report() -> rx.Component:
    return rx.match(
        ReportsState.report,
        ("energy", energy_report()),
        ("availability", availability_report()),
        sessions_report(),
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("Reports"), t("Charging sessions, charged energy and station availability")),
        follow_language(ReportsState.follow_language),
        analytics_subnav(ROUTE),
        filters(),
        rx.cond(
            ReportsState.loaded,
            rx.box(_report(), width="100%", min_width="0"),
            rx.center(rx.spinner(), width="100%", padding="24px"),
        ),
        monthly_report_card(),
    )


PAGES = [(page, ROUTE, TITLE, ON_LOAD)]
