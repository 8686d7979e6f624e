"""Analytics -> Statistics (/analytics), the operations data dashboard: one filter on top
(day / month / year, From / To days in the operator's zone, area, station, charge point),
then stations and charge points by state, charging orders / energy / amount with their
month-on-month change, charts, rankings and the sessions behind them (CSV), work orders,
and faults by cause. Tables scroll sideways inside their card on a 360 px phone. The text
the server writes follows the tab's language (`follow_language` writes it again after a
switch)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.analytics.components.statistics import (
    charging_section,
    faults_section,
    filters,
    network_section,
    work_orders_section,
)
from ccms_app.analytics.components.subnav import STATISTICS_ROUTE, analytics_subnav
from ccms_app.analytics.state.statistics import StatisticsState
from ccms_app.branding.components.brand import page_title
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = STATISTICS_ROUTE
TITLE = page_title("Statistics · Analytics")
# StatisticsState.load narrows (and so loads) the page's three lists itself.
ON_LOAD: list[Any] = [AuthState.require_login, StatisticsState.load]


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(t("Statistics"), t("The operations data dashboard")),
        follow_language(StatisticsState.follow_language),
        analytics_subnav(ROUTE),
        filters(),
        rx.cond(
            StatisticsState.loaded,
            rx.vstack(
                network_section(),
                charging_section(),
                work_orders_section(),
                faults_section(),
                spacing="6",
                width="100%",
                min_width="0",
            ),
            rx.center(rx.spinner(), width="100%", padding="24px"),
        ),
    )


PAGES = [(page, ROUTE, TITLE, ON_LOAD)]
